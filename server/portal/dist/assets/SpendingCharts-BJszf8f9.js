import{a as e,c as t,i as n,n as r,o as i,r as a,s as o,t as s}from"./BarChart-DACDsxpF.js";import{o as c,r as l,s as u,u as d}from"./index-C6Lk22WV.js";import{a as f,s as p}from"./format-CJuQ-zAI.js";var m=u(),h=l(`
  query DashboardSpending {
    byMonth: spendingReport(input: { lastMonths: 12, groupBy: [MONTH] }) {
      rows(first: 100) {
        nodes {
          month
          total {
            amount
            currency
          }
        }
      }
    }
    byCategory: spendingReport(input: { groupBy: [CATEGORY] }) {
      rows(first: 100) {
        nodes {
          category
          total {
            amount
            currency
          }
        }
      }
    }
  }
`),g=[`#1f5fa8`,`#b35c00`,`#2e7d32`,`#6a1b9a`];function _(e){let t=[...new Set(e.map(e=>e.key))];return{keys:t,currencies:[...new Set(e.map(e=>e.total.currency))].sort(),rows:t.map(t=>{let n={key:t};for(let r of e.filter(e=>e.key===t))n[r.total.currency]=Number(r.total.amount);return n})}}function v({title:l,points:u,label:d}){let{t:p,language:h}=c(),{currencies:v,rows:y}=_(u),b=(e,t)=>f({amount:String(e),currency:t},h);return(0,m.jsxs)(`figure`,{className:`chart`,children:[(0,m.jsx)(`figcaption`,{children:l}),y.length===0?(0,m.jsx)(`p`,{children:p.nothingCharged}):(0,m.jsxs)(m.Fragment,{children:[(0,m.jsx)(`div`,{className:`chart-plot`,"aria-hidden":`true`,children:(0,m.jsx)(t,{width:`100%`,height:220,children:(0,m.jsxs)(s,{data:y,margin:{top:8,right:8,bottom:8,left:8},accessibilityLayer:!1,children:[(0,m.jsx)(e,{strokeDasharray:`3 3`,vertical:!1}),(0,m.jsx)(a,{dataKey:`key`,tickFormatter:d}),(0,m.jsx)(r,{width:72,tickFormatter:e=>b(e,v[0])}),(0,m.jsx)(i,{formatter:(e,t)=>b(Number(e),String(t)),labelFormatter:e=>d(String(e))}),v.length>1&&(0,m.jsx)(o,{}),v.map((e,t)=>(0,m.jsx)(n,{dataKey:e,fill:g[t%g.length],isAnimationActive:!1},e))]})})}),(0,m.jsxs)(`table`,{className:`visually-hidden chart-figures`,children:[(0,m.jsx)(`caption`,{children:l}),(0,m.jsx)(`tbody`,{children:u.map(e=>(0,m.jsxs)(`tr`,{children:[(0,m.jsx)(`th`,{scope:`row`,children:d(e.key)}),(0,m.jsx)(`td`,{children:(0,m.jsx)(`data`,{value:`${e.total.amount} ${e.total.currency}`,children:f(e.total,h)})})]},`${e.key}-${e.total.currency}`))})]})]})]})}function y(e,t){return(e??[]).flatMap(e=>{let n=t(e);return n?[{key:n,total:e.total}]:[]})}function b(){let{t:e,language:t}=c(),[{data:n,error:r}]=d({query:h});return n?(0,m.jsxs)(`div`,{className:`charts`,children:[(0,m.jsx)(v,{title:e.spendingByMonth,points:y(n.byMonth?.rows.nodes,e=>e.month),label:e=>p(e,t)}),(0,m.jsx)(v,{title:e.spendingByCategory,points:y(n.byCategory?.rows.nodes,e=>e.category),label:t=>e.category[t]??t})]}):(0,m.jsx)(`p`,{role:r?`alert`:`status`,children:r?e.loadFailed:e.loading})}export{b as default};