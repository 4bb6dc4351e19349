const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/SpendingCharts-DqKhX2cS.js","assets/rolldown-runtime-9C0vUP4u.js","assets/gql-D4Y-muu2.js","assets/react-dom-CHrt3uxp.js","assets/format-CJuQ-zAI.js"])))=>i.map(i=>d[i]);
import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,t as a}from"./gql-D4Y-muu2.js";import{a as o,c as s,i as c,n as l,s as u}from"./format-CJuQ-zAI.js";import{a as d,r as f}from"./Shell-DUCK8PIH.js";var p=e(t(),1),m=n();function h(e){let t=new Map;for(let n of e.descendants??[]){let r=n.parent?.id;r!==void 0&&n.id!==e.id&&t.set(r,[...t.get(r)??[],n])}return t}function g({unit:e,children:t}){let{t:n,language:i}=r(),a=e.spendingByCurrency?.map(e=>e.total),c=e.monthlyBudget,u=a?.length===1?a[0]:null,d=u&&c&&u.currency===c.currency&&Number(c.amount)>0?Number(u.amount)/Number(c.amount)*100:null,f=t.get(e.id)??[];return(0,m.jsxs)(`li`,{"data-unit":e.id,children:[(0,m.jsxs)(`div`,{className:d!==null&&d>100?`unit over`:`unit`,children:[(0,m.jsx)(`span`,{className:`unit-name`,children:e.name}),(0,m.jsx)(`data`,{className:`unit-lines`,value:e.subscriberCount??``,children:e.subscriberCount===null||e.subscriberCount===void 0?n.notAvailable:l(e.subscriberCount,n.lines,i)}),(0,m.jsxs)(`span`,{className:`unit-spending`,children:[a==null?n.notAvailable:a.length===0?n.nothingCharged:a.map((e,t)=>(0,m.jsxs)(`span`,{children:[t>0&&` + `,(0,m.jsx)(`data`,{className:`unit-spent`,value:`${e.amount} ${e.currency}`,children:o(e,i)})]},e.currency)),(0,m.jsx)(`span`,{className:`unit-budget`,children:c?(0,m.jsxs)(m.Fragment,{children:[` / `,(0,m.jsx)(`data`,{value:c.amount,children:o(c,i)})]}):` · ${n.noBudget}`})]}),d!==null&&(0,m.jsx)(`span`,{className:`bar`,"aria-hidden":`true`,children:(0,m.jsx)(`span`,{className:`fill`,style:{inlineSize:`${Math.min(d,100)}%`}})}),d!==null&&(0,m.jsxs)(`span`,{className:`visually-hidden`,children:[s(String(d),i),` `,n.used]})]}),f.length>0&&(0,m.jsx)(`ul`,{children:f.map(e=>(0,m.jsx)(g,{unit:e,children:t},e.id))})]})}function _({roots:e}){return(0,m.jsx)(`ul`,{className:`org-tree`,children:e.map(e=>(0,m.jsx)(g,{unit:e,children:h(e)},e.id))})}function v({rows:e}){let{t,language:n}=r();return e.length===0?(0,m.jsx)(`p`,{children:t.overBudgetNone}):(0,m.jsxs)(`table`,{className:`over-budget`,children:[(0,m.jsx)(`thead`,{children:(0,m.jsxs)(`tr`,{children:[(0,m.jsx)(`th`,{scope:`col`,children:t.unit}),(0,m.jsx)(`th`,{scope:`col`,children:t.actual}),(0,m.jsx)(`th`,{scope:`col`,children:t.budget}),(0,m.jsx)(`th`,{scope:`col`,children:t.forecast})]})}),(0,m.jsx)(`tbody`,{children:e.map(e=>(0,m.jsxs)(`tr`,{"data-unit":e.orgUnit?.id,children:[(0,m.jsx)(`th`,{scope:`row`,children:e.orgUnit?.name}),(0,m.jsxs)(`td`,{children:[e.actual?(0,m.jsx)(`data`,{value:e.actual.amount,children:o(e.actual,n)}):t.notAvailable,e.percentUsed&&(0,m.jsxs)(`span`,{className:`percent`,children:[` (`,s(e.percentUsed,n),`)`]})]}),(0,m.jsx)(`td`,{children:e.budget?(0,m.jsx)(`data`,{value:e.budget.amount,children:o(e.budget,n)}):`—`}),(0,m.jsx)(`td`,{children:e.forecast?o(e.forecast,n):`—`})]},`${e.orgUnit?.id}-${e.month}`))})]})}var y=(0,p.lazy)(()=>d(()=>import(`./SpendingCharts-DqKhX2cS.js`),__vite__mapDeps([0,1,2,3,4])));a(`
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
`);function x(){let{t:e,language:t}=r(),[{data:n,fetching:a,error:o}]=i({query:b}),s=new Set(f()?.permissions??[]),l=n?.viewer,d=l?.customer?.orgRoot,h=d?[d]:l?.scope.units??[],g=n?.budgetReport,x=h[0]?.spendingByCurrency?.[0]?.period??g?.rows?.nodes[0]?.month;return(0,m.jsxs)(`div`,{className:`dashboard`,children:[(0,m.jsxs)(`div`,{className:`screen-title`,children:[(0,m.jsx)(`h1`,{children:e.dashboard}),x&&(0,m.jsx)(`p`,{className:`period`,children:u(x,t)})]}),a&&!n&&(0,m.jsx)(`p`,{role:`status`,children:e.loading}),o&&!n&&(0,m.jsx)(`p`,{role:`alert`,children:e.loadFailed}),n&&(0,m.jsxs)(`div`,{className:`dashboard-grid`,children:[s.has(`spending:read`)&&(0,m.jsxs)(`section`,{className:`panel panel-wide`,"aria-labelledby":`spending-title`,children:[(0,m.jsx)(`h2`,{id:`spending-title`,children:e.spending}),(0,m.jsx)(p.Suspense,{fallback:(0,m.jsx)(`p`,{role:`status`,children:e.loading}),children:(0,m.jsx)(y,{})})]}),g&&(0,m.jsxs)(`section`,{className:`panel`,"aria-labelledby":`over-budget-title`,children:[(0,m.jsx)(`h2`,{id:`over-budget-title`,children:e.overBudget}),g.asOf&&(0,m.jsxs)(`p`,{className:`hint`,children:[e.asOf,` `,c(g.asOf,t)]}),(0,m.jsx)(v,{rows:(g.rows?.nodes??[]).filter(e=>e.overBudget)})]}),(0,m.jsxs)(`section`,{className:`panel`,"aria-labelledby":`org-tree-title`,children:[(0,m.jsx)(`h2`,{id:`org-tree-title`,children:e.orgTree}),(0,m.jsx)(`p`,{className:`hint`,children:e.orgTreeHint}),h.length>0?(0,m.jsx)(_,{roots:h}):(0,m.jsx)(`p`,{children:e.noOrgAccess})]})]})]})}export{x as default};