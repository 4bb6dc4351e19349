const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/SpendingCharts-D_4LxRG4.js","assets/rolldown-runtime-9C0vUP4u.js","assets/gql-CTcpaLcK.js","assets/react-dom-DEjK5Pl6.js","assets/format-CJuQ-zAI.js"])))=>i.map(i=>d[i]);
import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,t as a,u as o}from"./gql-CTcpaLcK.js";import{a as s,c,i as l,n as u,s as d}from"./format-CJuQ-zAI.js";import{a as f,o as p,r as m}from"./Shell-mnKNpU0U.js";var h=e(t(),1),g=n();function _(e){let t=new Map;for(let n of e.descendants??[]){let r=n.parent?.id;r!==void 0&&n.id!==e.id&&t.set(r,[...t.get(r)??[],n])}return t}function v({unit:e,children:t}){let{t:n,language:i}=r(),a=e.spendingByCurrency?.map(e=>e.total),o=e.monthlyBudget,l=a?.length===1?a[0]:null,d=l&&o&&l.currency===o.currency&&Number(o.amount)>0?Number(l.amount)/Number(o.amount)*100:null,f=t.get(e.id)??[];return(0,g.jsxs)(`li`,{"data-unit":e.id,children:[(0,g.jsxs)(`div`,{className:d!==null&&d>100?`unit over`:`unit`,children:[(0,g.jsx)(`span`,{className:`unit-name`,children:e.name}),(0,g.jsx)(`data`,{className:`unit-lines`,value:e.subscriberCount??``,children:e.subscriberCount===null||e.subscriberCount===void 0?n.notAvailable:u(e.subscriberCount,n.lines,i)}),(0,g.jsxs)(`span`,{className:`unit-spending`,children:[a==null?n.notAvailable:a.length===0?n.nothingCharged:a.map((e,t)=>(0,g.jsxs)(`span`,{children:[t>0&&` + `,(0,g.jsx)(`data`,{className:`unit-spent`,value:`${e.amount} ${e.currency}`,children:s(e,i)})]},e.currency)),(0,g.jsx)(`span`,{className:`unit-budget`,children:o?(0,g.jsxs)(g.Fragment,{children:[` / `,(0,g.jsx)(`data`,{value:o.amount,children:s(o,i)})]}):` · ${n.noBudget}`})]}),d!==null&&(0,g.jsx)(`span`,{className:`bar`,"aria-hidden":`true`,children:(0,g.jsx)(`span`,{className:`fill`,style:{inlineSize:`${Math.min(d,100)}%`}})}),d!==null&&(0,g.jsxs)(`span`,{className:`visually-hidden`,children:[c(String(d),i),` `,n.used]})]}),f.length>0&&(0,g.jsx)(`ul`,{children:f.map(e=>(0,g.jsx)(v,{unit:e,children:t},e.id))})]})}function y({roots:e}){return(0,g.jsx)(`ul`,{className:`org-tree`,children:e.map(e=>(0,g.jsx)(v,{unit:e,children:_(e)},e.id))})}function b({rows:e}){let{t,language:n}=r();return e.length===0?(0,g.jsx)(`p`,{children:t.overBudgetNone}):(0,g.jsxs)(`table`,{className:`over-budget`,children:[(0,g.jsx)(`thead`,{children:(0,g.jsxs)(`tr`,{children:[(0,g.jsx)(`th`,{scope:`col`,children:t.unit}),(0,g.jsx)(`th`,{scope:`col`,children:t.actual}),(0,g.jsx)(`th`,{scope:`col`,children:t.budget}),(0,g.jsx)(`th`,{scope:`col`,children:t.forecast})]})}),(0,g.jsx)(`tbody`,{children:e.map(e=>(0,g.jsxs)(`tr`,{"data-unit":e.orgUnit?.id,children:[(0,g.jsx)(`th`,{scope:`row`,children:e.orgUnit?.name}),(0,g.jsxs)(`td`,{children:[e.actual?(0,g.jsx)(`data`,{value:e.actual.amount,children:s(e.actual,n)}):t.notAvailable,e.percentUsed&&(0,g.jsxs)(`span`,{className:`percent`,children:[` (`,c(e.percentUsed,n),`)`]})]}),(0,g.jsx)(`td`,{children:e.budget?(0,g.jsx)(`data`,{value:e.budget.amount,children:s(e.budget,n)}):`—`}),(0,g.jsx)(`td`,{children:e.forecast?s(e.forecast,n):`—`})]},`${e.orgUnit?.id}-${e.month}`))})]})}var x=a(`
  subscription SpendingAlerts {
    spendingAlerts {
      subject
      kind
      threshold
      at
      spent {
        amount
        currency
      }
      limit {
        amount
        currency
      }
      line {
        id
        employeeName
        msisdn
      }
      orgUnit {
        id
        name
      }
    }
  }
`),S=20;function C(e=[],t){return[t.spendingAlerts,...e].slice(0,S)}function w(){let{t:e,language:t}=r(),[{data:n=[]}]=o({query:x},C);return(0,g.jsxs)(g.Fragment,{children:[(0,g.jsx)(`p`,{className:`hint`,children:e.alertsHint}),(0,g.jsx)(`ol`,{className:`alerts`,"aria-live":`polite`,"aria-relevant":`additions`,children:n.map(n=>{let r=n.line?(0,g.jsx)(p,{to:`/lines/${encodeURIComponent(n.line.id)}`,children:n.line.employeeName??n.line.msisdn}):n.orgUnit?.name,i=`${n.subject}-${n.line?.id??n.orgUnit?.id}-${n.kind}-${n.threshold}-${n.at}`;return(0,g.jsxs)(`li`,{className:`alert alert-${n.kind.toLowerCase()}`,"data-alert":n.kind,"data-subject":n.line?.id??n.orgUnit?.id,children:[(0,g.jsx)(`span`,{className:`alert-who`,children:r}),` `,(0,g.jsx)(`span`,{className:`alert-what`,children:e.alertKind[n.kind](n.threshold,n.subject===`UNIT`)}),n.spent&&(0,g.jsxs)(`span`,{className:`alert-figures`,children:[` `,s(n.spent,t),` / `,s(n.limit,t)]}),` `,(0,g.jsx)(`time`,{dateTime:n.at,className:`alert-at`,children:l(n.at,t)})]},i)})}),n.length===0&&(0,g.jsx)(`p`,{className:`alerts-none`,children:e.alertsNone})]})}var T=(0,h.lazy)(()=>f(()=>import(`./SpendingCharts-D_4LxRG4.js`),__vite__mapDeps([0,1,2,3,4])));a(`
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
`);var E=a(`
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
`);function D(){let{t:e,language:t}=r(),[{data:n,fetching:a,error:o}]=i({query:E}),s=new Set(m()?.permissions??[]),c=n?.viewer,u=c?.customer?.orgRoot,f=u?[u]:c?.scope.units??[],p=n?.budgetReport,_=f[0]?.spendingByCurrency?.[0]?.period??p?.rows?.nodes[0]?.month;return(0,g.jsxs)(`div`,{className:`dashboard`,children:[(0,g.jsxs)(`div`,{className:`screen-title`,children:[(0,g.jsx)(`h1`,{children:e.dashboard}),_&&(0,g.jsx)(`p`,{className:`period`,children:d(_,t)})]}),a&&!n&&(0,g.jsx)(`p`,{role:`status`,children:e.loading}),o&&!n&&(0,g.jsx)(`p`,{role:`alert`,children:e.loadFailed}),n&&(0,g.jsxs)(`div`,{className:`dashboard-grid`,children:[s.has(`spending:read`)&&(0,g.jsxs)(`section`,{className:`panel panel-wide`,"aria-labelledby":`spending-title`,children:[(0,g.jsx)(`h2`,{id:`spending-title`,children:e.spending}),(0,g.jsx)(h.Suspense,{fallback:(0,g.jsx)(`p`,{role:`status`,children:e.loading}),children:(0,g.jsx)(T,{})})]}),p&&(0,g.jsxs)(`section`,{className:`panel`,"aria-labelledby":`over-budget-title`,children:[(0,g.jsx)(`h2`,{id:`over-budget-title`,children:e.overBudget}),p.asOf&&(0,g.jsxs)(`p`,{className:`hint`,children:[e.asOf,` `,l(p.asOf,t)]}),(0,g.jsx)(b,{rows:(p.rows?.nodes??[]).filter(e=>e.overBudget)})]}),s.has(`spending:read`)&&(0,g.jsxs)(`section`,{className:`panel`,"aria-labelledby":`alerts-title`,children:[(0,g.jsx)(`h2`,{id:`alerts-title`,children:e.alerts}),(0,g.jsx)(w,{})]}),(0,g.jsxs)(`section`,{className:`panel`,"aria-labelledby":`org-tree-title`,children:[(0,g.jsx)(`h2`,{id:`org-tree-title`,children:e.orgTree}),(0,g.jsx)(`p`,{className:`hint`,children:e.orgTreeHint}),f.length>0?(0,g.jsx)(y,{roots:f}):(0,g.jsx)(`p`,{children:e.noOrgAccess})]})]})]})}export{D as default};