const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/SpendingCharts-XXNKxm_M.js","assets/rolldown-runtime-9C0vUP4u.js","assets/i18n-CKJwWD2B.js","assets/react-dom-BqPl8mC-.js","assets/format-CJuQ-zAI.js"])))=>i.map(i=>d[i]);
import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,r as a}from"./i18n-CKJwWD2B.js";import{c as o,l as s,o as c,r as l}from"./company-BH6Ve1TI.js";import{t as u}from"./CompanyPicker-HWL9-7U3.js";import{a as d,c as f,i as p,s as m,t as h}from"./format-CJuQ-zAI.js";import{t as g}from"./permissions-D5dhOU7z.js";var _=e(t(),1);n(`
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
`);var v=n(`
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
`),y=n(`
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
`),b=n(`
  query ReportsTopSpenders($from: Month!, $to: Month!, $first: Int!, $personal: Boolean!, $customer: ID) {
    topSpenders(from: $from, to: $to, first: $first, customer: $customer) {
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
`),x=n(`
  query ReportsAnomalies($month: Month!, $personal: Boolean!, $customer: ID) {
    spendingAnomalies(month: $month, customer: $customer) {
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
`),S=n(`
  query ReportsSavings($months: Int!, $personal: Boolean!, $customer: ID) {
    savingsFinder(months: $months, customer: $customer) {
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
`),C=r(),w=(0,_.lazy)(()=>o(()=>import(`./SpendingCharts-XXNKxm_M.js`).then(e=>({default:e.ReportCharts})),__vite__mapDeps([0,1,2,3,4])));function T({money:e}){let{language:t}=a();return e?(0,C.jsx)(`td`,{className:`amount`,children:(0,C.jsx)(`data`,{value:`${e.amount} ${e.currency}`,children:d(e,t)})}):(0,C.jsx)(`td`,{className:`amount`,children:`—`})}function E({line:e}){let{t}=a();if(!e)return(0,C.jsx)(C.Fragment,{children:`—`});let n=e.employeeName||e.msisdn||[e.position,e.orgUnit?.name].filter(Boolean).join(`, `);return(0,C.jsx)(s,{to:`/lines/${e.id}`,children:n||t.reportsLine})}function D({report:e,params:t,name:n}){let{t:r}=a(),{customer:i}=l(),o=`/reports/${e}.csv?${new URLSearchParams({...t,...i&&{customer:i}})}`;return(0,C.jsx)(`a`,{className:`csv-link`,href:o,download:!0,children:r.reportsCsv(n)})}function O({at:e}){let{t,language:n}=a();return e?(0,C.jsxs)(`p`,{className:`hint`,children:[t.asOf,` `,p(e,n)]}):null}function k({label:e,children:t}){return(0,C.jsx)(`div`,{className:`table-box`,role:`region`,"aria-label":e,tabIndex:0,children:t})}function A(e){return(0,C.jsx)(_.Suspense,{fallback:null,children:(0,C.jsx)(w,{...e})})}function j({kind:e,title:t,rows:n}){let{t:r,language:i}=a();return(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h3`,{children:t}),n.length===0?(0,C.jsx)(`p`,{children:r.reportsNothing}):(0,C.jsx)(k,{label:t,children:(0,C.jsxs)(`table`,{className:`report-table`,"data-report":e,children:[(0,C.jsx)(`caption`,{className:`visually-hidden`,children:t}),(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:r.reportsLine}),(0,C.jsx)(`th`,{scope:`col`,children:r.reportsSpent}),(0,C.jsx)(`th`,{scope:`col`,children:r.reportsEarlier}),(0,C.jsx)(`th`,{scope:`col`,children:r.reportsGrowthPercent})]})}),(0,C.jsx)(`tbody`,{children:n.map((e,t)=>(0,C.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,C.jsx)(`th`,{scope:`row`,children:(0,C.jsx)(E,{line:e.line})}),(0,C.jsx)(T,{money:e.current}),(0,C.jsx)(T,{money:e.earlier}),(0,C.jsx)(`td`,{className:`amount`,children:e.growthPercent==null?`—`:f(e.growthPercent,i)})]},e.line?.id??t))})]})})]})}function M({period:e}){let{t,language:n}=a(),r=g().has(`personal:read`),{customer:o}=l(),[{data:s,error:c}]=i({query:x,variables:{month:e.to,personal:r,customer:o}}),u=s?.spendingAnomalies,d=t.reportsTab.anomalies,f=(e,t)=>e?.employeeName||e?.msisdn||String(t+1);return(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h2`,{children:d}),(0,C.jsx)(`p`,{className:`hint`,children:t.reportsAnomalyMonth(m(e.to,n))}),(0,C.jsx)(`div`,{className:`report-controls`,children:(0,C.jsx)(D,{report:`anomalies`,params:{month:e.to},name:d})}),!s&&(0,C.jsx)(`p`,{role:c?`alert`:`status`,children:c?t.loadFailed:t.loading}),u&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(O,{at:u.asOf}),(0,C.jsx)(`h3`,{children:t.reportsOverLimit}),u.overLimit.length===0?(0,C.jsx)(`p`,{children:t.reportsNothing}):(0,C.jsx)(k,{label:t.reportsOverLimit,children:(0,C.jsxs)(`table`,{className:`report-table`,"data-report":`over-limit`,children:[(0,C.jsx)(`caption`,{className:`visually-hidden`,children:t.reportsOverLimit}),(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:t.reportsLine}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsSpent}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsLimit}),(0,C.jsx)(`th`,{scope:`col`,children:t.limitActionLabel})]})}),(0,C.jsx)(`tbody`,{children:u.overLimit.map((e,n)=>(0,C.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,C.jsx)(`th`,{scope:`row`,children:(0,C.jsx)(E,{line:e.line})}),(0,C.jsx)(T,{money:e.spent}),(0,C.jsx)(T,{money:e.limit}),(0,C.jsx)(`td`,{children:t.limitAction[e.limitAction]??e.limitAction})]},e.line?.id??n))})]})}),(0,C.jsx)(A,{title:t.reportsOverLimit,rows:u.overLimit.map((e,t)=>({label:f(e.line,t),money:{spent:e.spent,limit:e.limit}})),series:[{key:`spent`,name:t.reportsSpent},{key:`limit`,name:t.reportsLimit}]}),(0,C.jsx)(j,{kind:`growth`,title:t.reportsGrowth,rows:u.growth}),(0,C.jsx)(j,{kind:`roaming`,title:t.reportsRoaming,rows:u.roamingSpikes})]})]})}function N({period:e}){let{t,language:n}=a(),{customer:r}=l(),o={from:e.from,to:e.to,customer:r},[{data:s,error:c,fetching:u}]=i({query:y,variables:{input:o}}),d=s?.budgetReport,p=d?.rows?.nodes??[],h=t.reportsTab.budget,g=e=>e==null?`—`:f(e,n),_=p.filter(t=>t.month===e.to);return(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h2`,{children:h}),(0,C.jsx)(`div`,{className:`report-controls`,children:(0,C.jsx)(D,{report:`budget`,params:{from:e.from,to:e.to},name:h})}),!s&&(0,C.jsx)(`p`,{role:c?`alert`:`status`,children:c?t.loadFailed:t.loading}),d&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(O,{at:d.asOf}),p.length===0?(0,C.jsx)(`p`,{children:t.reportsNothing}):(0,C.jsx)(k,{label:h,children:(0,C.jsxs)(`table`,{className:`report-table`,"data-report":`budget`,"aria-busy":u||void 0,children:[(0,C.jsx)(`caption`,{children:h}),(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:t.unit}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsMonth}),(0,C.jsx)(`th`,{scope:`col`,children:t.budget}),(0,C.jsx)(`th`,{scope:`col`,children:t.actual}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsUsed}),(0,C.jsx)(`th`,{scope:`col`,children:t.forecast}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsForecastUsed}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsOverBudget})]})}),(0,C.jsx)(`tbody`,{children:p.map(e=>(0,C.jsxs)(`tr`,{"data-key":`${e.orgUnit?.id??``} ${e.month??``}`,className:e.overBudget?`over`:void 0,children:[(0,C.jsx)(`th`,{scope:`row`,children:e.orgUnit?.name??`—`}),(0,C.jsx)(`td`,{children:e.month?m(e.month,n):`—`}),(0,C.jsx)(T,{money:e.budget}),e.actual?(0,C.jsx)(T,{money:e.actual}):(0,C.jsx)(`td`,{className:`amount`,children:t.reportsMixed}),(0,C.jsx)(`td`,{className:`amount`,children:g(e.percentUsed)}),(0,C.jsx)(T,{money:e.forecast}),(0,C.jsx)(`td`,{className:`amount`,children:g(e.forecastPercent)}),(0,C.jsx)(`td`,{children:e.overBudget==null?`—`:e.overBudget?t.reportsYes:t.reportsNo})]},`${e.orgUnit?.id}-${e.month}`))})]})}),(0,C.jsx)(A,{title:`${h}, ${m(e.to,n)}`,rows:_.map(e=>({label:e.orgUnit?.name??`—`,money:{budget:e.budget,actual:e.actual,forecast:e.forecast}})),series:[{key:`budget`,name:t.budget},{key:`actual`,name:t.actual},{key:`forecast`,name:t.forecast}]})]})]})}function P(){return new Date().toISOString().slice(0,7)}function F(e,t){let[n,r]=e.split(`-`).map(Number);return new Date(Date.UTC(n,r-1-t,1)).toISOString().slice(0,7)}var I=[1,2,3,6,12];function L(){let{t:e,language:t}=a(),n=g().has(`personal:read`),[r,o]=(0,_.useState)(3),{customer:s}=l(),[{data:c,error:u,fetching:d}]=i({query:S,variables:{months:r,personal:n,customer:s}}),f=c?.savingsFinder,p=f?.lines??[],h=e.reportsTab.savings;return(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h2`,{children:h}),(0,C.jsxs)(`div`,{className:`report-controls`,children:[(0,C.jsxs)(`label`,{className:`field`,children:[(0,C.jsx)(`span`,{children:e.reportsSavingsMonths}),(0,C.jsx)(`select`,{value:r,onChange:e=>o(Number(e.target.value)),children:I.map(e=>(0,C.jsx)(`option`,{value:e,children:e},e))})]}),(0,C.jsx)(D,{report:`savings`,params:{months:String(r)},name:h})]}),!c&&(0,C.jsx)(`p`,{role:u?`alert`:`status`,children:u?e.loadFailed:e.loading}),f&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`p`,{className:`hint`,children:e.reportsSavingsSpan(m(f.from,t),m(f.to,t))}),(0,C.jsx)(O,{at:f.asOf}),(0,C.jsx)(`p`,{className:`hint`,children:f.rule}),p.length===0?(0,C.jsx)(`p`,{children:e.reportsNothing}):(0,C.jsx)(k,{label:h,children:(0,C.jsxs)(`table`,{className:`report-table`,"data-report":`savings`,"aria-busy":d||void 0,children:[(0,C.jsx)(`caption`,{children:h}),(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:e.reportsLine}),(0,C.jsx)(`th`,{scope:`col`,children:e.reportsCurrentPlan}),(0,C.jsx)(`th`,{scope:`col`,children:e.reportsSuggestedPlan}),(0,C.jsx)(`th`,{scope:`col`,children:e.reportsSaving})]})}),(0,C.jsx)(`tbody`,{children:p.map((e,t)=>(0,C.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,C.jsx)(`th`,{scope:`row`,children:(0,C.jsx)(E,{line:e.line})}),(0,C.jsx)(`td`,{children:e.currentPlan?.name??`—`}),(0,C.jsx)(`td`,{children:e.suggestedPlan?.name??`—`}),(0,C.jsx)(T,{money:e.monthlySaving})]},e.line?.id??t))}),(0,C.jsx)(`tfoot`,{children:f.totalsByCurrency.map(t=>(0,C.jsxs)(`tr`,{"data-key":`total`,children:[(0,C.jsx)(`th`,{scope:`row`,colSpan:3,children:e.reportsTotal(t.currency)}),(0,C.jsx)(T,{money:t})]},t.currency))})]})}),(0,C.jsx)(A,{title:h,rows:p.map((e,t)=>({label:e.line?.employeeName||e.line?.msisdn||String(t+1),money:{saving:e.monthlySaving}})),series:[{key:`saving`,name:e.reportsSaving}]})]})]})}var R=[`ORG_UNIT`,`MONTH`,`CATEGORY`,`COST_CENTRE`];function z({period:e}){let{t,language:n}=a(),[r,o]=(0,_.useState)(`ORG_UNIT`),[s,c]=(0,_.useState)(1),u=[r],{customer:d}=l(),f={from:e.from,to:e.to,groupBy:u,unitDepth:s,customer:d},[{data:p,error:g,fetching:y,operation:b}]=i({query:v,variables:{input:f}}),x=b?.variables.input.groupBy,S=Array.isArray(x)?x[0]:r,w=p?.spendingReport,E=w?.rows.nodes??[],j=e=>e.suppressed?`suppressed`:S===`ORG_UNIT`?e.orgUnit?.id??``:S===`MONTH`?e.month??``:S===`CATEGORY`?e.category??``:e.costCentre??``,M=e=>e.suppressed?t.reportsSmallerGroups:S===`ORG_UNIT`?e.orgUnit?.name??`—`:S===`MONTH`?e.month?m(e.month,n):`—`:S===`CATEGORY`?e.category?t.category[e.category]??e.category:`—`:e.costCentre??t.reportsNoCostCentre,N=`${t.reportsTab.spending}: ${t.reportsGrouping[r]}`,P=`${t.reportsTab.spending}: ${t.reportsGrouping[S]}`,F={from:e.from,to:e.to,groupBy:r};return r===`ORG_UNIT`&&(F.unitDepth=String(s)),(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h2`,{children:t.reportsTab.spending}),(0,C.jsxs)(`div`,{className:`report-controls`,children:[(0,C.jsxs)(`label`,{className:`field`,children:[(0,C.jsx)(`span`,{children:t.reportsGroupBy}),(0,C.jsx)(`select`,{value:r,onChange:e=>o(e.target.value),children:R.map(e=>(0,C.jsx)(`option`,{value:e,children:t.reportsGrouping[e]},e))})]}),r===`ORG_UNIT`&&(0,C.jsxs)(`label`,{className:`field`,children:[(0,C.jsx)(`span`,{children:t.reportsUnitDepth}),(0,C.jsx)(`select`,{value:s,onChange:e=>c(Number(e.target.value)),children:[1,2,3].map(e=>(0,C.jsx)(`option`,{value:e,children:t.reportsDepth[e]},e))})]}),(0,C.jsx)(D,{report:`spending`,params:F,name:N})]}),!p&&(0,C.jsx)(`p`,{role:g?`alert`:`status`,children:g?t.loadFailed:t.loading}),w&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(O,{at:w.asOf}),E.length===0?(0,C.jsx)(`p`,{children:t.reportsNothing}):(0,C.jsx)(k,{label:P,children:(0,C.jsxs)(`table`,{className:`report-table`,"data-report":`spending`,"data-grouping":S,"aria-busy":y||void 0,children:[(0,C.jsx)(`caption`,{children:P}),(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:t.reportsGroupColumn[S]}),(0,C.jsx)(`th`,{scope:`col`,children:t.spendingTotal}),(0,C.jsx)(`th`,{scope:`col`,children:t.companyShare}),(0,C.jsx)(`th`,{scope:`col`,children:t.employeeShare}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsLinesCharged})]})}),(0,C.jsx)(`tbody`,{children:E.map((e,t)=>(0,C.jsxs)(`tr`,{"data-key":j(e),children:[(0,C.jsx)(`th`,{scope:`row`,children:M(e)}),(0,C.jsx)(T,{money:e.total}),(0,C.jsx)(T,{money:e.companyShare}),(0,C.jsx)(T,{money:e.employeeShare}),(0,C.jsx)(`td`,{className:`count`,children:(0,C.jsx)(`data`,{value:e.lines,children:h(e.lines,n)})})]},`${t}-${j(e)}-${e.total.currency}`))}),(0,C.jsx)(`tfoot`,{children:w.totals.map(e=>(0,C.jsxs)(`tr`,{"data-key":`total`,children:[(0,C.jsx)(`th`,{scope:`row`,children:t.reportsTotal(e.total.currency)}),(0,C.jsx)(T,{money:e.total}),(0,C.jsx)(T,{money:e.companyShare}),(0,C.jsx)(T,{money:e.employeeShare}),(0,C.jsx)(`td`,{className:`count`,children:(0,C.jsx)(`data`,{value:e.lines,children:h(e.lines,n)})})]},e.total.currency))})]})}),(0,C.jsx)(A,{title:P,rows:E.map(e=>({label:M(e),money:{total:e.total}})),series:[{key:`total`,name:t.spendingTotal}]})]})]})}var B=[10,25,50];function V({period:e}){let{t}=a(),n=g().has(`personal:read`),[r,o]=(0,_.useState)(10),{customer:s}=l(),c={from:e.from,to:e.to,first:r,personal:n,customer:s},[{data:u,error:d,fetching:f}]=i({query:b,variables:c}),p=u?.topSpenders,m=p?.lines??[],h=t.reportsTab.top;return(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h2`,{children:h}),(0,C.jsxs)(`div`,{className:`report-controls`,children:[(0,C.jsxs)(`label`,{className:`field`,children:[(0,C.jsx)(`span`,{children:t.reportsShow}),(0,C.jsx)(`select`,{value:r,onChange:e=>o(Number(e.target.value)),children:B.map(e=>(0,C.jsx)(`option`,{value:e,children:e},e))})]}),(0,C.jsx)(D,{report:`top-spenders`,params:{from:e.from,to:e.to,first:String(r)},name:h})]}),!u&&(0,C.jsx)(`p`,{role:d?`alert`:`status`,children:d?t.loadFailed:t.loading}),p&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(O,{at:p.asOf}),m.length===0?(0,C.jsx)(`p`,{children:t.reportsNothing}):(0,C.jsx)(k,{label:h,children:(0,C.jsxs)(`table`,{className:`report-table`,"data-report":`top`,"aria-busy":f||void 0,children:[(0,C.jsx)(`caption`,{children:h}),(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:t.reportsRank}),(0,C.jsx)(`th`,{scope:`col`,children:t.reportsLine}),(0,C.jsx)(`th`,{scope:`col`,children:t.spendingTotal}),(0,C.jsx)(`th`,{scope:`col`,children:t.companyShare}),(0,C.jsx)(`th`,{scope:`col`,children:t.employeeShare})]})}),(0,C.jsx)(`tbody`,{children:m.map(e=>(0,C.jsxs)(`tr`,{"data-key":e.line?.id??``,children:[(0,C.jsx)(`td`,{className:`count`,children:e.rank}),(0,C.jsx)(`th`,{scope:`row`,children:(0,C.jsx)(E,{line:e.line})}),(0,C.jsx)(T,{money:e.total}),(0,C.jsx)(T,{money:e.companyShare}),(0,C.jsx)(T,{money:e.employeeShare})]},e.rank))})]})}),(0,C.jsx)(A,{title:h,rows:m.map(e=>({label:String(e.rank),money:{total:e.total}})),series:[{key:`total`,name:t.spendingTotal}]})]})]})}var H={spending:[`spending:read`],budget:[`budget:read`],top:[`spending:read`,`line:read`],anomalies:[`spending:read`,`line:read`],savings:[`product:read`,`line:read`]},U=Object.keys(H);function W(){let e=new URLSearchParams(window.location.search).get(`report`);return U.find(t=>t===e)??`spending`}function G(){let{t:e}=a(),t=c(),[n,r]=(0,_.useState)(W),[i,o]=(0,_.useState)(()=>({from:F(P(),5),to:P()})),{unchosen:s}=l();if(s)return(0,C.jsx)(u,{});let d=new Set(t?.permissions??[]),f=t?U.filter(e=>H[e].every(e=>d.has(e))):[n];if(!t&&n!==`spending`)return(0,C.jsx)(`p`,{role:`status`,children:e.loading});if(t&&(!d.has(`org:read`)||f.length===0))return(0,C.jsxs)(`section`,{className:`panel`,children:[(0,C.jsx)(`h1`,{children:e.reportsScreen}),(0,C.jsx)(`p`,{children:e.reportsNotAllowed})]});let p=f.includes(n)?n:f[0],m=e=>{r(e);let t=new URL(window.location.href);t.searchParams.set(`report`,e),window.history.replaceState(null,``,t)},h=e=>{let t=e.key===`ArrowRight`?1:e.key===`ArrowLeft`?-1:0;if(!t)return;let n=f[(f.indexOf(p)+t+f.length)%f.length];m(n),document.getElementById(`report-tab-${n}`)?.focus()},g=i.from<=i.to;return(0,C.jsxs)(`div`,{className:`reports`,children:[(0,C.jsx)(`div`,{className:`screen-title`,children:(0,C.jsx)(`h1`,{children:e.reportsScreen})}),(0,C.jsxs)(`fieldset`,{className:`report-period`,children:[(0,C.jsx)(`legend`,{children:e.reportsPeriod}),(0,C.jsxs)(`label`,{className:`field`,children:[(0,C.jsx)(`span`,{children:e.reportsFrom}),(0,C.jsx)(`input`,{type:`month`,value:i.from,max:i.to,required:!0,onChange:e=>e.target.value&&o({...i,from:e.target.value})})]}),(0,C.jsxs)(`label`,{className:`field`,children:[(0,C.jsx)(`span`,{children:e.reportsTo}),(0,C.jsx)(`input`,{type:`month`,value:i.to,required:!0,onChange:e=>e.target.value&&o({...i,to:e.target.value})})]}),!g&&(0,C.jsx)(`p`,{role:`alert`,children:e.reportsPeriodInvalid})]}),(0,C.jsx)(`div`,{className:`report-tabs`,role:`tablist`,"aria-label":e.reportsTabs,onKeyDown:h,children:f.map(t=>(0,C.jsx)(`button`,{type:`button`,role:`tab`,id:`report-tab-${t}`,"aria-controls":`report-panel`,"aria-selected":t===p,tabIndex:t===p?0:-1,onClick:()=>m(t),children:e.reportsTab[t]},t))}),(0,C.jsxs)(`section`,{className:`panel report-panel`,id:`report-panel`,role:`tabpanel`,"aria-labelledby":`report-tab-${p}`,children:[g&&p===`spending`&&(0,C.jsx)(z,{period:i}),g&&p===`budget`&&(0,C.jsx)(N,{period:i}),g&&p===`top`&&(0,C.jsx)(V,{period:i}),g&&p===`anomalies`&&(0,C.jsx)(M,{period:i}),p===`savings`&&(0,C.jsx)(L,{})]})]})}export{G as default};