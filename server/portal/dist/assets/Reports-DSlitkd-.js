const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/SpendingCharts-CV0NnOCT.js","assets/rolldown-runtime-9C0vUP4u.js","assets/i18n-Lw-PrcUh.js","assets/react-dom-C-ofe9ix.js","assets/format-CJuQ-zAI.js"])))=>i.map(i=>d[i]);
import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,r as a}from"./i18n-Lw-PrcUh.js";import{c as o,l as s,o as c}from"./company-WjlhghLa.js";import{a as l,c as u,i as d,s as f,t as p}from"./format-CJuQ-zAI.js";import{t as m}from"./permissions-DuqvlQ95.js";var h=e(t(),1);n(`
  fragment ReportAmount on Money {
    amount
    currency
  }
`),n(`
  fragment ReportLine on Subscriber {
    id
    employeeName @include(if: $personal)
    msisdn @include(if: $personal)
    position
    orgUnit {
      id
      name
    }
  }
`);var g=n(`
  query ReportsSpending($input: SpendingReportInput!) {
    spendingReport(input: $input) {
      from
      to
      asOf
      rowCount
      rows(first: 1000) {
        nodes {
          orgUnit {
            id
            name
          }
          costCentre
          month
          category
          total {
            ...ReportAmount
          }
          companyShare {
            ...ReportAmount
          }
          employeeShare {
            ...ReportAmount
          }
          lines
          suppressed
        }
      }
      totals {
        total {
          ...ReportAmount
        }
        companyShare {
          ...ReportAmount
        }
        employeeShare {
          ...ReportAmount
        }
        lines
      }
    }
  }
`),_=n(`
  query ReportsBudget($input: BudgetReportInput!) {
    budgetReport(input: $input) {
      asOf
      rows(first: 1000) {
        nodes {
          orgUnit {
            id
            name
          }
          month
          budget {
            ...ReportAmount
          }
          actual {
            ...ReportAmount
          }
          percentUsed
          forecast {
            ...ReportAmount
          }
          forecastPercent
          overBudget
        }
      }
    }
  }
`),v=n(`
  query ReportsTopSpenders($from: Month!, $to: Month!, $first: Int!, $personal: Boolean!) {
    topSpenders(from: $from, to: $to, first: $first) {
      asOf
      lines {
        rank
        line {
          ...ReportLine
        }
        total {
          ...ReportAmount
        }
        companyShare {
          ...ReportAmount
        }
        employeeShare {
          ...ReportAmount
        }
      }
    }
  }
`),y=n(`
  query ReportsAnomalies($month: Month!, $personal: Boolean!) {
    spendingAnomalies(month: $month) {
      month
      asOf
      overLimit {
        line {
          ...ReportLine
        }
        spent {
          ...ReportAmount
        }
        limit {
          ...ReportAmount
        }
        limitAction
      }
      growth {
        line {
          ...ReportLine
        }
        current {
          ...ReportAmount
        }
        earlier {
          ...ReportAmount
        }
        growthPercent
      }
      roamingSpikes {
        line {
          ...ReportLine
        }
        current {
          ...ReportAmount
        }
        earlier {
          ...ReportAmount
        }
        growthPercent
      }
    }
  }
`),b=n(`
  query ReportsSavings($months: Int!, $personal: Boolean!) {
    savingsFinder(months: $months) {
      from
      to
      asOf
      rule
      lines {
        line {
          ...ReportLine
        }
        currentPlan {
          id
          name
        }
        suggestedPlan {
          id
          name
        }
        monthlySaving {
          ...ReportAmount
        }
      }
      totalsByCurrency {
        ...ReportAmount
      }
    }
  }
`),x=r(),S=(0,h.lazy)(()=>o(()=>import(`./SpendingCharts-CV0NnOCT.js`).then(e=>({default:e.ReportCharts})),__vite__mapDeps([0,1,2,3,4])));function C({money:e}){let{language:t}=a();return e?(0,x.jsx)(`td`,{className:`amount`,children:(0,x.jsx)(`data`,{value:`${e.amount} ${e.currency}`,children:l(e,t)})}):(0,x.jsx)(`td`,{className:`amount`,children:`—`})}function w({line:e}){let{t}=a();if(!e)return(0,x.jsx)(x.Fragment,{children:`—`});let n=e.employeeName||e.msisdn||[e.position,e.orgUnit?.name].filter(Boolean).join(`, `);return(0,x.jsx)(s,{to:`/lines/${e.id}`,children:n||t.reportsLine})}function T({report:e,params:t,name:n}){let{t:r}=a(),i=`/reports/${e}.csv?${new URLSearchParams(t)}`;return(0,x.jsx)(`a`,{className:`csv-link`,href:i,download:!0,children:r.reportsCsv(n)})}function E({at:e}){let{t,language:n}=a();return e?(0,x.jsxs)(`p`,{className:`hint`,children:[t.asOf,` `,d(e,n)]}):null}function D({label:e,children:t}){return(0,x.jsx)(`div`,{className:`table-box`,role:`region`,"aria-label":e,tabIndex:0,children:t})}function O(e){return(0,x.jsx)(h.Suspense,{fallback:null,children:(0,x.jsx)(S,{...e})})}function k({kind:e,title:t,rows:n}){let{t:r,language:i}=a();return(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h3`,{children:t}),n.length===0?(0,x.jsx)(`p`,{children:r.reportsNothing}):(0,x.jsx)(D,{label:t,children:(0,x.jsxs)(`table`,{className:`report-table`,"data-report":e,children:[(0,x.jsx)(`caption`,{className:`visually-hidden`,children:t}),(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:r.reportsLine}),(0,x.jsx)(`th`,{scope:`col`,children:r.reportsSpent}),(0,x.jsx)(`th`,{scope:`col`,children:r.reportsEarlier}),(0,x.jsx)(`th`,{scope:`col`,children:r.reportsGrowthPercent})]})}),(0,x.jsx)(`tbody`,{children:n.map((e,t)=>(0,x.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,x.jsx)(`th`,{scope:`row`,children:(0,x.jsx)(w,{line:e.line})}),(0,x.jsx)(C,{money:e.current}),(0,x.jsx)(C,{money:e.earlier}),(0,x.jsx)(`td`,{className:`amount`,children:e.growthPercent==null?`—`:u(e.growthPercent,i)})]},e.line?.id??t))})]})})]})}function A({period:e}){let{t,language:n}=a(),r=m().has(`personal:read`),[{data:o,error:s}]=i({query:y,variables:{month:e.to,personal:r}}),c=o?.spendingAnomalies,l=t.reportsTab.anomalies,u=(e,t)=>e?.employeeName||e?.msisdn||String(t+1);return(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{children:l}),(0,x.jsx)(`p`,{className:`hint`,children:t.reportsAnomalyMonth(f(e.to,n))}),(0,x.jsx)(`div`,{className:`report-controls`,children:(0,x.jsx)(T,{report:`anomalies`,params:{month:e.to},name:l})}),!o&&(0,x.jsx)(`p`,{role:s?`alert`:`status`,children:s?t.loadFailed:t.loading}),c&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(E,{at:c.asOf}),(0,x.jsx)(`h3`,{children:t.reportsOverLimit}),c.overLimit.length===0?(0,x.jsx)(`p`,{children:t.reportsNothing}):(0,x.jsx)(D,{label:t.reportsOverLimit,children:(0,x.jsxs)(`table`,{className:`report-table`,"data-report":`over-limit`,children:[(0,x.jsx)(`caption`,{className:`visually-hidden`,children:t.reportsOverLimit}),(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:t.reportsLine}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsSpent}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsLimit}),(0,x.jsx)(`th`,{scope:`col`,children:t.limitActionLabel})]})}),(0,x.jsx)(`tbody`,{children:c.overLimit.map((e,n)=>(0,x.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,x.jsx)(`th`,{scope:`row`,children:(0,x.jsx)(w,{line:e.line})}),(0,x.jsx)(C,{money:e.spent}),(0,x.jsx)(C,{money:e.limit}),(0,x.jsx)(`td`,{children:t.limitAction[e.limitAction]??e.limitAction})]},e.line?.id??n))})]})}),(0,x.jsx)(O,{title:t.reportsOverLimit,rows:c.overLimit.map((e,t)=>({label:u(e.line,t),money:{spent:e.spent,limit:e.limit}})),series:[{key:`spent`,name:t.reportsSpent},{key:`limit`,name:t.reportsLimit}]}),(0,x.jsx)(k,{kind:`growth`,title:t.reportsGrowth,rows:c.growth}),(0,x.jsx)(k,{kind:`roaming`,title:t.reportsRoaming,rows:c.roamingSpikes})]})]})}function j({period:e}){let{t,language:n}=a(),r={from:e.from,to:e.to},[{data:o,error:s,fetching:c}]=i({query:_,variables:{input:r}}),l=o?.budgetReport,d=l?.rows?.nodes??[],p=t.reportsTab.budget,m=e=>e==null?`—`:u(e,n),h=d.filter(t=>t.month===e.to);return(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{children:p}),(0,x.jsx)(`div`,{className:`report-controls`,children:(0,x.jsx)(T,{report:`budget`,params:{from:e.from,to:e.to},name:p})}),!o&&(0,x.jsx)(`p`,{role:s?`alert`:`status`,children:s?t.loadFailed:t.loading}),l&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(E,{at:l.asOf}),d.length===0?(0,x.jsx)(`p`,{children:t.reportsNothing}):(0,x.jsx)(D,{label:p,children:(0,x.jsxs)(`table`,{className:`report-table`,"data-report":`budget`,"aria-busy":c||void 0,children:[(0,x.jsx)(`caption`,{children:p}),(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:t.unit}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsMonth}),(0,x.jsx)(`th`,{scope:`col`,children:t.budget}),(0,x.jsx)(`th`,{scope:`col`,children:t.actual}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsUsed}),(0,x.jsx)(`th`,{scope:`col`,children:t.forecast}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsForecastUsed}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsOverBudget})]})}),(0,x.jsx)(`tbody`,{children:d.map(e=>(0,x.jsxs)(`tr`,{"data-key":`${e.orgUnit?.id??``} ${e.month??``}`,className:e.overBudget?`over`:void 0,children:[(0,x.jsx)(`th`,{scope:`row`,children:e.orgUnit?.name??`—`}),(0,x.jsx)(`td`,{children:e.month?f(e.month,n):`—`}),(0,x.jsx)(C,{money:e.budget}),e.actual?(0,x.jsx)(C,{money:e.actual}):(0,x.jsx)(`td`,{className:`amount`,children:t.reportsMixed}),(0,x.jsx)(`td`,{className:`amount`,children:m(e.percentUsed)}),(0,x.jsx)(C,{money:e.forecast}),(0,x.jsx)(`td`,{className:`amount`,children:m(e.forecastPercent)}),(0,x.jsx)(`td`,{children:e.overBudget==null?`—`:e.overBudget?t.reportsYes:t.reportsNo})]},`${e.orgUnit?.id}-${e.month}`))})]})}),(0,x.jsx)(O,{title:`${p}, ${f(e.to,n)}`,rows:h.map(e=>({label:e.orgUnit?.name??`—`,money:{budget:e.budget,actual:e.actual,forecast:e.forecast}})),series:[{key:`budget`,name:t.budget},{key:`actual`,name:t.actual},{key:`forecast`,name:t.forecast}]})]})]})}function M(){return new Date().toISOString().slice(0,7)}function N(e,t){let[n,r]=e.split(`-`).map(Number);return new Date(Date.UTC(n,r-1-t,1)).toISOString().slice(0,7)}var P=[1,2,3,6,12];function F(){let{t:e,language:t}=a(),n=m().has(`personal:read`),[r,o]=(0,h.useState)(3),[{data:s,error:c,fetching:l}]=i({query:b,variables:{months:r,personal:n}}),u=s?.savingsFinder,d=u?.lines??[],p=e.reportsTab.savings;return(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{children:p}),(0,x.jsxs)(`div`,{className:`report-controls`,children:[(0,x.jsxs)(`label`,{className:`field`,children:[(0,x.jsx)(`span`,{children:e.reportsSavingsMonths}),(0,x.jsx)(`select`,{value:r,onChange:e=>o(Number(e.target.value)),children:P.map(e=>(0,x.jsx)(`option`,{value:e,children:e},e))})]}),(0,x.jsx)(T,{report:`savings`,params:{months:String(r)},name:p})]}),!s&&(0,x.jsx)(`p`,{role:c?`alert`:`status`,children:c?e.loadFailed:e.loading}),u&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`p`,{className:`hint`,children:e.reportsSavingsSpan(f(u.from,t),f(u.to,t))}),(0,x.jsx)(E,{at:u.asOf}),(0,x.jsx)(`p`,{className:`hint`,children:u.rule}),d.length===0?(0,x.jsx)(`p`,{children:e.reportsNothing}):(0,x.jsx)(D,{label:p,children:(0,x.jsxs)(`table`,{className:`report-table`,"data-report":`savings`,"aria-busy":l||void 0,children:[(0,x.jsx)(`caption`,{children:p}),(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:e.reportsLine}),(0,x.jsx)(`th`,{scope:`col`,children:e.reportsCurrentPlan}),(0,x.jsx)(`th`,{scope:`col`,children:e.reportsSuggestedPlan}),(0,x.jsx)(`th`,{scope:`col`,children:e.reportsSaving})]})}),(0,x.jsx)(`tbody`,{children:d.map((e,t)=>(0,x.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,x.jsx)(`th`,{scope:`row`,children:(0,x.jsx)(w,{line:e.line})}),(0,x.jsx)(`td`,{children:e.currentPlan?.name??`—`}),(0,x.jsx)(`td`,{children:e.suggestedPlan?.name??`—`}),(0,x.jsx)(C,{money:e.monthlySaving})]},e.line?.id??t))}),(0,x.jsx)(`tfoot`,{children:u.totalsByCurrency.map(t=>(0,x.jsxs)(`tr`,{"data-key":`total`,children:[(0,x.jsx)(`th`,{scope:`row`,colSpan:3,children:e.reportsTotal(t.currency)}),(0,x.jsx)(C,{money:t})]},t.currency))})]})}),(0,x.jsx)(O,{title:p,rows:d.map((e,t)=>({label:e.line?.employeeName||e.line?.msisdn||String(t+1),money:{saving:e.monthlySaving}})),series:[{key:`saving`,name:e.reportsSaving}]})]})]})}var I=[`ORG_UNIT`,`MONTH`,`CATEGORY`,`COST_CENTRE`];function L({period:e}){let{t,language:n}=a(),[r,o]=(0,h.useState)(`ORG_UNIT`),[s,c]=(0,h.useState)(1),l=[r],u={from:e.from,to:e.to,groupBy:l,unitDepth:s},[{data:d,error:m,fetching:_,operation:v}]=i({query:g,variables:{input:u}}),y=v?.variables.input.groupBy,b=Array.isArray(y)?y[0]:r,S=d?.spendingReport,w=S?.rows.nodes??[],k=e=>e.suppressed?`suppressed`:b===`ORG_UNIT`?e.orgUnit?.id??``:b===`MONTH`?e.month??``:b===`CATEGORY`?e.category??``:e.costCentre??``,A=e=>e.suppressed?t.reportsSmallerGroups:b===`ORG_UNIT`?e.orgUnit?.name??`—`:b===`MONTH`?e.month?f(e.month,n):`—`:b===`CATEGORY`?e.category?t.category[e.category]??e.category:`—`:e.costCentre??t.reportsNoCostCentre,j=`${t.reportsTab.spending}: ${t.reportsGrouping[r]}`,M=`${t.reportsTab.spending}: ${t.reportsGrouping[b]}`,N={from:e.from,to:e.to,groupBy:r};return r===`ORG_UNIT`&&(N.unitDepth=String(s)),(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{children:t.reportsTab.spending}),(0,x.jsxs)(`div`,{className:`report-controls`,children:[(0,x.jsxs)(`label`,{className:`field`,children:[(0,x.jsx)(`span`,{children:t.reportsGroupBy}),(0,x.jsx)(`select`,{value:r,onChange:e=>o(e.target.value),children:I.map(e=>(0,x.jsx)(`option`,{value:e,children:t.reportsGrouping[e]},e))})]}),r===`ORG_UNIT`&&(0,x.jsxs)(`label`,{className:`field`,children:[(0,x.jsx)(`span`,{children:t.reportsUnitDepth}),(0,x.jsx)(`select`,{value:s,onChange:e=>c(Number(e.target.value)),children:[1,2,3].map(e=>(0,x.jsx)(`option`,{value:e,children:t.reportsDepth[e]},e))})]}),(0,x.jsx)(T,{report:`spending`,params:N,name:j})]}),!d&&(0,x.jsx)(`p`,{role:m?`alert`:`status`,children:m?t.loadFailed:t.loading}),S&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(E,{at:S.asOf}),w.length===0?(0,x.jsx)(`p`,{children:t.reportsNothing}):(0,x.jsx)(D,{label:M,children:(0,x.jsxs)(`table`,{className:`report-table`,"data-report":`spending`,"data-grouping":b,"aria-busy":_||void 0,children:[(0,x.jsx)(`caption`,{children:M}),(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:t.reportsGroupColumn[b]}),(0,x.jsx)(`th`,{scope:`col`,children:t.spendingTotal}),(0,x.jsx)(`th`,{scope:`col`,children:t.companyShare}),(0,x.jsx)(`th`,{scope:`col`,children:t.employeeShare}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsLinesCharged})]})}),(0,x.jsx)(`tbody`,{children:w.map((e,t)=>(0,x.jsxs)(`tr`,{"data-key":k(e),children:[(0,x.jsx)(`th`,{scope:`row`,children:A(e)}),(0,x.jsx)(C,{money:e.total}),(0,x.jsx)(C,{money:e.companyShare}),(0,x.jsx)(C,{money:e.employeeShare}),(0,x.jsx)(`td`,{className:`count`,children:(0,x.jsx)(`data`,{value:e.lines,children:p(e.lines,n)})})]},`${t}-${k(e)}-${e.total.currency}`))}),(0,x.jsx)(`tfoot`,{children:S.totals.map(e=>(0,x.jsxs)(`tr`,{"data-key":`total`,children:[(0,x.jsx)(`th`,{scope:`row`,children:t.reportsTotal(e.total.currency)}),(0,x.jsx)(C,{money:e.total}),(0,x.jsx)(C,{money:e.companyShare}),(0,x.jsx)(C,{money:e.employeeShare}),(0,x.jsx)(`td`,{className:`count`,children:(0,x.jsx)(`data`,{value:e.lines,children:p(e.lines,n)})})]},e.total.currency))})]})}),(0,x.jsx)(O,{title:M,rows:w.map(e=>({label:A(e),money:{total:e.total}})),series:[{key:`total`,name:t.spendingTotal}]})]})]})}var R=[10,25,50];function z({period:e}){let{t}=a(),n=m().has(`personal:read`),[r,o]=(0,h.useState)(10),s={from:e.from,to:e.to,first:r,personal:n},[{data:c,error:l,fetching:u}]=i({query:v,variables:s}),d=c?.topSpenders,f=d?.lines??[],p=t.reportsTab.top;return(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{children:p}),(0,x.jsxs)(`div`,{className:`report-controls`,children:[(0,x.jsxs)(`label`,{className:`field`,children:[(0,x.jsx)(`span`,{children:t.reportsShow}),(0,x.jsx)(`select`,{value:r,onChange:e=>o(Number(e.target.value)),children:R.map(e=>(0,x.jsx)(`option`,{value:e,children:e},e))})]}),(0,x.jsx)(T,{report:`top-spenders`,params:{from:e.from,to:e.to,first:String(r)},name:p})]}),!c&&(0,x.jsx)(`p`,{role:l?`alert`:`status`,children:l?t.loadFailed:t.loading}),d&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(E,{at:d.asOf}),f.length===0?(0,x.jsx)(`p`,{children:t.reportsNothing}):(0,x.jsx)(D,{label:p,children:(0,x.jsxs)(`table`,{className:`report-table`,"data-report":`top`,"aria-busy":u||void 0,children:[(0,x.jsx)(`caption`,{children:p}),(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:t.reportsRank}),(0,x.jsx)(`th`,{scope:`col`,children:t.reportsLine}),(0,x.jsx)(`th`,{scope:`col`,children:t.spendingTotal}),(0,x.jsx)(`th`,{scope:`col`,children:t.companyShare}),(0,x.jsx)(`th`,{scope:`col`,children:t.employeeShare})]})}),(0,x.jsx)(`tbody`,{children:f.map(e=>(0,x.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,x.jsx)(`td`,{className:`count`,children:e.rank}),(0,x.jsx)(`th`,{scope:`row`,children:(0,x.jsx)(w,{line:e.line})}),(0,x.jsx)(C,{money:e.total}),(0,x.jsx)(C,{money:e.companyShare}),(0,x.jsx)(C,{money:e.employeeShare})]},e.rank))})]})}),(0,x.jsx)(O,{title:p,rows:f.map(e=>({label:String(e.rank),money:{total:e.total}})),series:[{key:`total`,name:t.spendingTotal}]})]})]})}var B={spending:[`spending:read`],budget:[`budget:read`],top:[`spending:read`,`line:read`],anomalies:[`spending:read`,`line:read`],savings:[`product:read`,`line:read`]},V=Object.keys(B);function H(){let e=new URLSearchParams(window.location.search).get(`report`);return V.find(t=>t===e)??`spending`}function U(){let{t:e}=a(),t=c(),[n,r]=(0,h.useState)(H),[i,o]=(0,h.useState)(()=>({from:N(M(),5),to:M()})),s=new Set(t?.permissions??[]),l=t?V.filter(e=>B[e].every(e=>s.has(e))):[n];if(!t&&n!==`spending`)return(0,x.jsx)(`p`,{role:`status`,children:e.loading});if(t&&(!s.has(`org:read`)||l.length===0))return(0,x.jsxs)(`section`,{className:`panel`,children:[(0,x.jsx)(`h1`,{children:e.reportsScreen}),(0,x.jsx)(`p`,{children:e.reportsNotAllowed})]});let u=l.includes(n)?n:l[0],d=e=>{r(e);let t=new URL(window.location.href);t.searchParams.set(`report`,e),window.history.replaceState(null,``,t)},f=e=>{let t=e.key===`ArrowRight`?1:e.key===`ArrowLeft`?-1:0;if(!t)return;let n=l[(l.indexOf(u)+t+l.length)%l.length];d(n),document.getElementById(`report-tab-${n}`)?.focus()},p=i.from<=i.to;return(0,x.jsxs)(`div`,{className:`reports`,children:[(0,x.jsx)(`div`,{className:`screen-title`,children:(0,x.jsx)(`h1`,{children:e.reportsScreen})}),(0,x.jsxs)(`fieldset`,{className:`report-period`,children:[(0,x.jsx)(`legend`,{children:e.reportsPeriod}),(0,x.jsxs)(`label`,{className:`field`,children:[(0,x.jsx)(`span`,{children:e.reportsFrom}),(0,x.jsx)(`input`,{type:`month`,value:i.from,max:i.to,required:!0,onChange:e=>e.target.value&&o({...i,from:e.target.value})})]}),(0,x.jsxs)(`label`,{className:`field`,children:[(0,x.jsx)(`span`,{children:e.reportsTo}),(0,x.jsx)(`input`,{type:`month`,value:i.to,required:!0,onChange:e=>e.target.value&&o({...i,to:e.target.value})})]}),!p&&(0,x.jsx)(`p`,{role:`alert`,children:e.reportsPeriodInvalid})]}),(0,x.jsx)(`div`,{className:`report-tabs`,role:`tablist`,"aria-label":e.reportsTabs,onKeyDown:f,children:l.map(t=>(0,x.jsx)(`button`,{type:`button`,role:`tab`,id:`report-tab-${t}`,"aria-controls":`report-panel`,"aria-selected":t===u,tabIndex:t===u?0:-1,onClick:()=>d(t),children:e.reportsTab[t]},t))}),(0,x.jsxs)(`section`,{className:`panel report-panel`,id:`report-panel`,role:`tabpanel`,"aria-labelledby":`report-tab-${u}`,children:[p&&u===`spending`&&(0,x.jsx)(L,{period:i}),p&&u===`budget`&&(0,x.jsx)(j,{period:i}),p&&u===`top`&&(0,x.jsx)(z,{period:i}),p&&u===`anomalies`&&(0,x.jsx)(A,{period:i}),u===`savings`&&(0,x.jsx)(F,{})]})]})}export{U as default};