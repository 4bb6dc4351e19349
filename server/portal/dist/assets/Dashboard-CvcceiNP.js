const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/SpendingCharts-B3VbXAlo.js","assets/index-DjQDGJfs.js","assets/index-s78u7oOO.css","assets/format-CJuQ-zAI.js"])))=>i.map(i=>d[i]);
import{g as e,i as t,n,o as r,p as i,r as a,s as o,u as s}from"./index-DjQDGJfs.js";import{a as c,c as l,i as u,n as d,s as f}from"./format-CJuQ-zAI.js";var p=e(i(),1),m=o();function h(e){let t=new Map;for(let n of e.descendants??[]){let r=n.parent?.id;r!==void 0&&n.id!==e.id&&t.set(r,[...t.get(r)??[],n])}return t}function g({unit:e,children:t}){let{t:n,language:i}=r(),a=e.spendingByCurrency?.map(e=>e.total),o=e.monthlyBudget,s=a?.length===1?a[0]:null,u=s&&o&&s.currency===o.currency&&Number(o.amount)>0?Number(s.amount)/Number(o.amount)*100:null,f=t.get(e.id)??[];return(0,m.jsxs)(`li`,{"data-unit":e.id,children:[(0,m.jsxs)(`div`,{className:u!==null&&u>100?`unit over`:`unit`,children:[(0,m.jsx)(`span`,{className:`unit-name`,children:e.name}),(0,m.jsx)(`data`,{className:`unit-lines`,value:e.subscriberCount??``,children:e.subscriberCount===null||e.subscriberCount===void 0?n.notAvailable:d(e.subscriberCount,n.lines,i)}),(0,m.jsxs)(`span`,{className:`unit-spending`,children:[a==null?n.notAvailable:a.length===0?n.nothingCharged:a.map((e,t)=>(0,m.jsxs)(`span`,{children:[t>0&&` + `,(0,m.jsx)(`data`,{className:`unit-spent`,value:`${e.amount} ${e.currency}`,children:c(e,i)})]},e.currency)),(0,m.jsx)(`span`,{className:`unit-budget`,children:o?(0,m.jsxs)(m.Fragment,{children:[` / `,(0,m.jsx)(`data`,{value:o.amount,children:c(o,i)})]}):` · ${n.noBudget}`})]}),u!==null&&(0,m.jsx)(`span`,{className:`bar`,"aria-hidden":`true`,children:(0,m.jsx)(`span`,{className:`fill`,style:{inlineSize:`${Math.min(u,100)}%`}})}),u!==null&&(0,m.jsxs)(`span`,{className:`visually-hidden`,children:[l(String(u),i),` `,n.used]})]}),f.length>0&&(0,m.jsx)(`ul`,{children:f.map(e=>(0,m.jsx)(g,{unit:e,children:t},e.id))})]})}function _({roots:e}){return(0,m.jsx)(`ul`,{className:`org-tree`,children:e.map(e=>(0,m.jsx)(g,{unit:e,children:h(e)},e.id))})}function v({rows:e}){let{t,language:n}=r();return e.length===0?(0,m.jsx)(`p`,{children:t.overBudgetNone}):(0,m.jsxs)(`table`,{className:`over-budget`,children:[(0,m.jsx)(`thead`,{children:(0,m.jsxs)(`tr`,{children:[(0,m.jsx)(`th`,{scope:`col`,children:t.unit}),(0,m.jsx)(`th`,{scope:`col`,children:t.actual}),(0,m.jsx)(`th`,{scope:`col`,children:t.budget}),(0,m.jsx)(`th`,{scope:`col`,children:t.forecast})]})}),(0,m.jsx)(`tbody`,{children:e.map(e=>(0,m.jsxs)(`tr`,{"data-unit":e.orgUnit?.id,children:[(0,m.jsx)(`th`,{scope:`row`,children:e.orgUnit?.name}),(0,m.jsxs)(`td`,{children:[e.actual?(0,m.jsx)(`data`,{value:e.actual.amount,children:c(e.actual,n)}):t.notAvailable,e.percentUsed&&(0,m.jsxs)(`span`,{className:`percent`,children:[` (`,l(e.percentUsed,n),`)`]})]}),(0,m.jsx)(`td`,{children:e.budget?(0,m.jsx)(`data`,{value:e.budget.amount,children:c(e.budget,n)}):`—`}),(0,m.jsx)(`td`,{children:e.forecast?c(e.forecast,n):`—`})]},`${e.orgUnit?.id}-${e.month}`))})]})}var y=(0,p.lazy)(()=>t(()=>import(`./SpendingCharts-B3VbXAlo.js`),__vite__mapDeps([0,1,2,3])));a(`
  fragment UnitFigures on OrgUnit {
    id
    name
    subscriberCount
    monthlyBudget {
      amount
      currency
    }
    spendingByCurrency {
      period
      total {
        amount
        currency
      }
    }
  }
`),a(`
  fragment UnitTree on OrgUnit {
    ...UnitFigures
    descendants {
      ...UnitFigures
      parent {
        id
      }
    }
  }
`);var b=a(`
  query Dashboard {
    viewer {
      customer {
        id
        orgRoot {
          ...UnitTree
        }
      }
      scope {
        units {
          ...UnitTree
        }
      }
    }
    budgetReport(input: {}) {
      asOf
      rows(first: 50) {
        nodes {
          orgUnit {
            id
            name
          }
          month
          budget {
            amount
            currency
          }
          actual {
            amount
            currency
          }
          forecast {
            amount
            currency
          }
          percentUsed
          overBudget
        }
      }
    }
  }
`);function x(){let{t:e,language:t}=r(),[{data:i,fetching:a,error:o}]=s({query:b}),c=new Set(n()?.permissions??[]),l=i?.viewer,d=l?.customer?.orgRoot,h=d?[d]:l?.scope.units??[],g=i?.budgetReport,x=h[0]?.spendingByCurrency?.[0]?.period??g?.rows?.nodes[0]?.month;return(0,m.jsxs)(`div`,{className:`dashboard`,children:[(0,m.jsxs)(`div`,{className:`screen-title`,children:[(0,m.jsx)(`h1`,{children:e.dashboard}),x&&(0,m.jsx)(`p`,{className:`period`,children:f(x,t)})]}),a&&!i&&(0,m.jsx)(`p`,{role:`status`,children:e.loading}),o&&!i&&(0,m.jsx)(`p`,{role:`alert`,children:e.loadFailed}),i&&(0,m.jsxs)(`div`,{className:`dashboard-grid`,children:[c.has(`spending:read`)&&(0,m.jsxs)(`section`,{className:`panel panel-wide`,"aria-labelledby":`spending-title`,children:[(0,m.jsx)(`h2`,{id:`spending-title`,children:e.spending}),(0,m.jsx)(p.Suspense,{fallback:(0,m.jsx)(`p`,{role:`status`,children:e.loading}),children:(0,m.jsx)(y,{})})]}),g&&(0,m.jsxs)(`section`,{className:`panel`,"aria-labelledby":`over-budget-title`,children:[(0,m.jsx)(`h2`,{id:`over-budget-title`,children:e.overBudget}),g.asOf&&(0,m.jsxs)(`p`,{className:`hint`,children:[e.asOf,` `,u(g.asOf,t)]}),(0,m.jsx)(v,{rows:(g.rows?.nodes??[]).filter(e=>e.overBudget)})]}),(0,m.jsxs)(`section`,{className:`panel`,"aria-labelledby":`org-tree-title`,children:[(0,m.jsx)(`h2`,{id:`org-tree-title`,children:e.orgTree}),(0,m.jsx)(`p`,{className:`hint`,children:e.orgTreeHint}),h.length>0?(0,m.jsx)(_,{roots:h}):(0,m.jsx)(`p`,{children:e.noOrgAccess})]})]})]})}export{x as default};