const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/SpendingCharts-XXNKxm_M.js","assets/rolldown-runtime-9C0vUP4u.js","assets/i18n-CKJwWD2B.js","assets/react-dom-BqPl8mC-.js","assets/format-CJuQ-zAI.js"])))=>i.map(i=>d[i]);
import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,r as a,u as o}from"./i18n-CKJwWD2B.js";import{a as s,c,i as l,n as u,s as d}from"./format-CJuQ-zAI.js";import{c as f,l as p,o as m,r as h}from"./company-BH6Ve1TI.js";import{t as g}from"./CompanyPicker-HWL9-7U3.js";var _=e(t(),1),v=r();function y(e){let t=new Map;for(let n of e.descendants??[]){let r=n.parent?.id;r!==void 0&&n.id!==e.id&&t.set(r,[...t.get(r)??[],n])}return t}function b({unit:e,children:t}){let{t:n,language:r}=a(),i=e.spendingByCurrency?.map(e=>e.total),o=e.monthlyBudget,l=i?.length===1?i[0]:null,d=l&&o&&l.currency===o.currency&&Number(o.amount)>0?Number(l.amount)/Number(o.amount)*100:null,f=t.get(e.id)??[];return(0,v.jsxs)(`li`,{"data-unit":e.id,children:[(0,v.jsxs)(`div`,{className:d!==null&&d>100?`unit over`:`unit`,children:[(0,v.jsx)(`span`,{className:`unit-name`,children:e.name}),(0,v.jsx)(`data`,{className:`unit-lines`,value:e.subscriberCount??``,children:e.subscriberCount===null||e.subscriberCount===void 0?n.notAvailable:u(e.subscriberCount,n.lines,r)}),(0,v.jsxs)(`span`,{className:`unit-spending`,children:[i==null?n.notAvailable:i.length===0?n.nothingCharged:i.map((e,t)=>(0,v.jsxs)(`span`,{children:[t>0&&` + `,(0,v.jsx)(`data`,{className:`unit-spent`,value:`${e.amount} ${e.currency}`,children:s(e,r)})]},e.currency)),(0,v.jsx)(`span`,{className:`unit-budget`,children:o?(0,v.jsxs)(v.Fragment,{children:[` / `,(0,v.jsx)(`data`,{value:o.amount,children:s(o,r)})]}):` · ${n.noBudget}`})]}),d!==null&&(0,v.jsx)(`span`,{className:`bar`,"aria-hidden":`true`,children:(0,v.jsx)(`span`,{className:`fill`,style:{inlineSize:`${Math.min(d,100)}%`}})}),d!==null&&(0,v.jsxs)(`span`,{className:`visually-hidden`,children:[c(String(d),r),` `,n.used]})]}),f.length>0&&(0,v.jsx)(`ul`,{children:f.map(e=>(0,v.jsx)(b,{unit:e,children:t},e.id))})]})}function x({roots:e}){return(0,v.jsx)(`ul`,{className:`org-tree`,children:e.map(e=>(0,v.jsx)(b,{unit:e,children:y(e)},e.id))})}function S({rows:e}){let{t,language:n}=a();return e.length===0?(0,v.jsx)(`p`,{children:t.overBudgetNone}):(0,v.jsxs)(`table`,{className:`over-budget`,children:[(0,v.jsx)(`thead`,{children:(0,v.jsxs)(`tr`,{children:[(0,v.jsx)(`th`,{scope:`col`,children:t.unit}),(0,v.jsx)(`th`,{scope:`col`,children:t.actual}),(0,v.jsx)(`th`,{scope:`col`,children:t.budget}),(0,v.jsx)(`th`,{scope:`col`,children:t.forecast})]})}),(0,v.jsx)(`tbody`,{children:e.map(e=>(0,v.jsxs)(`tr`,{"data-unit":e.orgUnit?.id,children:[(0,v.jsx)(`th`,{scope:`row`,children:e.orgUnit?.name}),(0,v.jsxs)(`td`,{children:[e.actual?(0,v.jsx)(`data`,{value:e.actual.amount,children:s(e.actual,n)}):t.notAvailable,e.percentUsed&&(0,v.jsxs)(`span`,{className:`percent`,children:[` (`,c(e.percentUsed,n),`)`]})]}),(0,v.jsx)(`td`,{children:e.budget?(0,v.jsx)(`data`,{value:e.budget.amount,children:s(e.budget,n)}):`—`}),(0,v.jsx)(`td`,{children:e.forecast?s(e.forecast,n):`—`})]},`${e.orgUnit?.id}-${e.month}`))})]})}var C=n(`
  subscription SpendingAlerts($customer: ID) {
    spendingAlerts(customer: $customer) {
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
`),w=20;function T(e=[],t){return[t.spendingAlerts,...e].slice(0,w)}function E({customer:e}){let{t,language:n}=a(),[{data:r=[]}]=o({query:C,variables:{customer:e}},T);return(0,v.jsxs)(v.Fragment,{children:[(0,v.jsx)(`p`,{className:`hint`,children:t.alertsHint}),(0,v.jsx)(`ol`,{className:`alerts`,"aria-live":`polite`,"aria-relevant":`additions`,children:r.map(e=>{let r=e.line?(0,v.jsx)(p,{to:`/lines/${encodeURIComponent(e.line.id)}`,children:e.line.employeeName??e.line.msisdn}):e.orgUnit?.name,i=`${e.subject}-${e.line?.id??e.orgUnit?.id}-${e.kind}-${e.threshold}-${e.at}`;return(0,v.jsxs)(`li`,{className:`alert alert-${e.kind.toLowerCase()}`,"data-alert":e.kind,"data-subject":e.line?.id??e.orgUnit?.id,"data-threshold":e.threshold,children:[(0,v.jsx)(`span`,{className:`alert-who`,children:r}),` `,(0,v.jsx)(`span`,{className:`alert-what`,children:t.alertKind[e.kind](e.threshold,e.subject===`UNIT`)}),e.spent&&(0,v.jsxs)(`span`,{className:`alert-figures`,children:[` `,(0,v.jsx)(`data`,{className:`alert-spent`,value:e.spent.amount,children:s(e.spent,n)}),` `,`/`,` `,(0,v.jsx)(`data`,{className:`alert-limit`,value:e.limit.amount,children:s(e.limit,n)})]}),` `,(0,v.jsx)(`time`,{dateTime:e.at,className:`alert-at`,children:l(e.at,n)})]},i)})}),r.length===0&&(0,v.jsx)(`p`,{className:`alerts-none`,children:t.alertsNone})]})}var D=(0,_.lazy)(()=>f(()=>import(`./SpendingCharts-XXNKxm_M.js`),__vite__mapDeps([0,1,2,3,4])));n(`
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
`),n(`
  fragment UnitTree on OrgUnit {
    ...UnitFigures
    descendants {
      ...UnitFigures
      parent {
        id
      }
    }
  }
`);var O=n(`
  query Dashboard($customer: ID) {
    customer(id: $customer) {
      id
      orgRoot {
        ...UnitTree
      }
    }
    viewer {
      scope {
        units {
          ...UnitTree
        }
      }
    }
    budgetReport(input: { customer: $customer }) {
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
`);function k(){let{t:e,language:t}=a(),{customer:n,unchosen:r}=h(),[{data:o,fetching:s,error:c}]=i({query:O,variables:{customer:n},pause:r}),u=new Set(m()?.permissions??[]);if(r)return(0,v.jsx)(g,{});let f=o?.customer?.orgRoot,p=f?[f]:o?.viewer.scope.units??[],y=o?.budgetReport,b=p[0]?.spendingByCurrency?.[0]?.period??y?.rows?.nodes[0]?.month;return(0,v.jsxs)(`div`,{className:`dashboard`,children:[(0,v.jsxs)(`div`,{className:`screen-title`,children:[(0,v.jsx)(`h1`,{children:e.dashboard}),b&&(0,v.jsx)(`p`,{className:`period`,children:d(b,t)})]}),s&&!o&&(0,v.jsx)(`p`,{role:`status`,children:e.loading}),c&&!o&&(0,v.jsx)(`p`,{role:`alert`,children:e.loadFailed}),o&&(0,v.jsxs)(`div`,{className:`dashboard-grid`,children:[u.has(`spending:read`)&&(0,v.jsxs)(`section`,{className:`panel panel-wide`,"aria-labelledby":`spending-title`,children:[(0,v.jsx)(`h2`,{id:`spending-title`,children:e.spending}),(0,v.jsx)(_.Suspense,{fallback:(0,v.jsx)(`p`,{role:`status`,children:e.loading}),children:(0,v.jsx)(D,{customer:n})})]}),y&&(0,v.jsxs)(`section`,{className:`panel`,"aria-labelledby":`over-budget-title`,children:[(0,v.jsx)(`h2`,{id:`over-budget-title`,children:e.overBudget}),y.asOf&&(0,v.jsxs)(`p`,{className:`hint`,children:[e.asOf,` `,l(y.asOf,t)]}),(0,v.jsx)(S,{rows:(y.rows?.nodes??[]).filter(e=>e.overBudget)})]}),u.has(`spending:read`)&&(0,v.jsxs)(`section`,{className:`panel`,"aria-labelledby":`alerts-title`,children:[(0,v.jsx)(`h2`,{id:`alerts-title`,children:e.alerts}),(0,v.jsx)(E,{customer:n},n)]}),(0,v.jsxs)(`section`,{className:`panel`,"aria-labelledby":`org-tree-title`,children:[(0,v.jsx)(`h2`,{id:`org-tree-title`,children:e.orgTree}),(0,v.jsx)(`p`,{className:`hint`,children:e.orgTreeHint}),p.length>0?(0,v.jsx)(x,{roots:p}):(0,v.jsx)(`p`,{children:e.noOrgAccess})]})]})]})}export{k as default};