import{a as e,c as t,d as n,g as r,o as i,p as a,r as o,s,u as c}from"./index-DjQDGJfs.js";import{a as l,t as u}from"./format-CJuQ-zAI.js";import{t as d}from"./permissions-CEIQoaD6.js";var f=r(a(),1),p=s();function m({results:t,more:n}){let{t:r,language:a}=i();return(0,p.jsxs)(`div`,{children:[(0,p.jsxs)(`table`,{className:`bulk-results`,children:[(0,p.jsx)(`caption`,{children:r.bulkPerLine}),(0,p.jsx)(`thead`,{children:(0,p.jsxs)(`tr`,{children:[(0,p.jsx)(`th`,{scope:`col`,children:r.linesLine}),(0,p.jsx)(`th`,{scope:`col`,children:r.bulkOutcome}),(0,p.jsx)(`th`,{scope:`col`,children:r.bulkChange}),(0,p.jsx)(`th`,{scope:`col`,children:r.bulkCostImpact})]})}),(0,p.jsx)(`tbody`,{children:t.map(t=>(0,p.jsxs)(`tr`,{"data-line":t.lineId,"data-outcome":t.outcome,children:[(0,p.jsx)(`th`,{scope:`row`,children:(0,p.jsx)(e,{to:`/lines/${encodeURIComponent(t.lineId)}`,children:t.line?.employeeName??t.line?.msisdn??t.lineId})}),(0,p.jsxs)(`td`,{"data-label":r.bulkOutcome,children:[r.outcome[t.outcome],t.message&&(0,p.jsxs)(`span`,{className:`reason`,children:[` — `,t.message]})]}),(0,p.jsx)(`td`,{"data-label":r.bulkChange,children:t.before!==t.after&&t.after?`${t.before||`—`} → ${t.after}`:`—`}),(0,p.jsx)(`td`,{"data-label":r.bulkCostImpact,children:t.monthlyCostImpact?(0,p.jsx)(`data`,{className:`line-cost`,value:t.monthlyCostImpact.amount,children:l(t.monthlyCostImpact,a)}):`—`})]},t.lineId))})]}),n&&(0,p.jsx)(`p`,{className:`hint`,children:r.bulkMoreResults})]})}var h=o(`
  query Lines(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: SubscriberFilter
    $orderBy: SubscriberOrder
  ) {
    subscribers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      nodes {
        id
        employeeName
        msisdn
        status
        orgUnit {
          id
          name
        }
        tariffPlan {
          id
          name
        }
      }
    }
    viewer {
      customer {
        id
        orgRoot {
          id
          name
          descendants {
            id
            name
          }
        }
      }
      scope {
        units {
          id
          name
          descendants {
            id
            name
          }
        }
      }
    }
    services {
      id
      name
      monthlyFee {
        amount
        currency
      }
    }
  }
`);o(`
  fragment LineChangeSummary on LineChangePayload {
    dryRun
    applied
    skipped
    failed
    wouldApply
    monthlyCostImpact {
      amount
      currency
    }
    results {
      ...LineResult
    }
    bulkOperation {
      ...BulkProgress
    }
    userErrors {
      field
      code
      message
    }
  }
`),o(`
  fragment LineResult on LineChangeResult {
    lineId
    line {
      id
      employeeName
      msisdn
    }
    outcome
    code
    message
    before
    after
    monthlyCostImpact {
      amount
      currency
    }
  }
`),o(`
  fragment BulkProgress on BulkOperation {
    id
    status
    dryRun
    total
    done
    percentDone
    applied
    skipped
    failed
    wouldApply
    cancelRequested
    monthlyCostImpact {
      amount
      currency
    }
  }
`);var g=o(`
  mutation LinesServicesAdd($input: SubscriberServicesInput!) {
    subscriberServicesAdd(input: $input) {
      ...LineChangeSummary
    }
  }
`),_=o(`
  mutation LinesServicesRemove($input: SubscriberServicesInput!) {
    subscriberServicesRemove(input: $input) {
      ...LineChangeSummary
    }
  }
`),v=o(`
  subscription LinesBulkProgress($id: ID!) {
    bulkOperationProgress(id: $id) {
      ...BulkProgress
    }
  }
`),y=o(`
  query LinesBulkResults($id: ID!, $after: String) {
    node(id: $id) {
      ... on BulkOperation {
        ...BulkProgress
        results(first: 100, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...LineResult
          }
        }
      }
    }
  }
`),b=o(`
  mutation LinesBulkCancel($input: BulkOperationCancelInput!) {
    bulkOperationCancel(input: $input) {
      bulkOperation {
        ...BulkProgress
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`),x=new Set([`COMPLETED`,`CANCELLED`]);function S(e){return e.kind===`ids`?{ids:e.ids}:e.kind===`orgUnit`?{orgUnit:e.orgUnit}:{filter:e.filter}}function C(e,t,n){let{wouldApply:r,applied:i,skipped:a,failed:o}=e,s={wouldApply:r,applied:i,skipped:a,failed:o,cost:e.monthlyCostImpact??null};return{dryRun:e.dryRun,progress:e,summary:s,results:t,more:n}}function w(e){let{wouldApply:t,applied:n,skipped:r,failed:i}=e,a={wouldApply:t,applied:n,skipped:r,failed:i,cost:e.monthlyCostImpact??null};return{dryRun:e.dryRun,progress:null,summary:a,results:e.results,more:!1}}function T({choices:e,services:r,onFinished:a}){let{t:o,language:s}=i(),c=t(),d=(0,f.useId)(),[h,T]=(0,f.useState)(`ids`),[D,O]=(0,f.useState)(`add`),[k,A]=(0,f.useState)(``),[j,M]=(0,f.useState)({name:`choose`}),N=(0,f.useRef)(null),P=(0,f.useRef)(null),F=j.name===`working`?j.operation:null,[{data:I}]=n({query:v,variables:{id:F??``},pause:F===null}),L=F&&I?.bulkOperationProgress.id===F?I.bulkOperationProgress:null;(0,f.useEffect)(()=>{if(j.name!==`working`||!L||!x.has(L.status))return;let{request:e,dryRun:t}=j;c.query(y,{id:L.id},{requestPolicy:`network-only`}).toPromise().then(({data:n,error:r})=>{let i=n?.node;if(r||!i||i.__typename!==`BulkOperation`){M({name:`failed`,request:e,message:o.loadFailed});return}let s=C(i,i.results.nodes,i.results.pageInfo.hasNextPage);M({name:t?`checked`:`done`,request:e,outcome:s}),t||a()})},[j,L,c,o,a]),(0,f.useEffect)(()=>{j.name!==`choose`&&P.current?.focus()},[j.name]);let R=e.find(e=>e.kind===h)??e[0],z=r.find(e=>e.id===k);async function B(e,t){M({name:`working`,request:e,dryRun:t,operation:null});let n={selection:S(e.selection),services:[e.service.id],dryRun:t,background:!t,...!t&&{idempotencyKey:crypto.randomUUID()}},{data:r,error:i}=e.action===`add`?await c.mutation(g,{input:n}).toPromise().then(({data:e,error:t})=>({data:e?.subscriberServicesAdd,error:t})):await c.mutation(_,{input:n}).toPromise().then(({data:e,error:t})=>({data:e?.subscriberServicesRemove,error:t})),a=r;i||!a?M({name:`failed`,request:e,message:i?.graphQLErrors[0]?.message??o.loadFailed}):a.userErrors.length>0?M({name:`failed`,request:e,message:a.userErrors.map(e=>e.message).join(` `)}):a.bulkOperation?M({name:`working`,request:e,dryRun:t,operation:a.bulkOperation.id}):M({name:t?`checked`:`done`,request:e,outcome:w(a)})}async function V(e){await c.mutation(b,{input:{bulkOperation:e}}).toPromise()}let H=e=>{let t=e.selection,n=t.kind===`orgUnit`?o.bulkSubtree(t.name):t.kind===`ids`?o.bulkTicked(u(t.count,s)):o.bulkFiltered(u(t.count,s));return`${e.action===`add`?o.bulkAdd:o.bulkRemove}: ${e.service.name} — ${n}`};return(0,p.jsxs)(`section`,{className:`panel bulk`,"aria-labelledby":`bulk-title`,children:[(0,p.jsx)(`h2`,{id:`bulk-title`,ref:P,tabIndex:-1,children:o.bulkTitle}),j.name===`choose`&&(0,p.jsxs)(`form`,{className:`bulk-form`,onSubmit:e=>{e.preventDefault(),R&&z&&B({selection:R,action:D,service:z},!0)},children:[e.length===0?(0,p.jsx)(`p`,{children:o.bulkNothingSelected}):(0,p.jsxs)(`fieldset`,{children:[(0,p.jsx)(`legend`,{children:o.bulkWhich}),e.map(e=>(0,p.jsxs)(`label`,{className:`choice`,children:[(0,p.jsx)(`input`,{type:`radio`,name:`bulk-lines`,value:e.kind,checked:R===e,onChange:()=>T(e.kind)}),e.kind===`ids`&&o.bulkTicked(u(e.count,s)),e.kind===`orgUnit`&&o.bulkSubtree(e.name),e.kind===`filter`&&o.bulkFiltered(u(e.count,s))]},e.kind))]}),(0,p.jsxs)(`div`,{className:`field`,children:[(0,p.jsx)(`label`,{htmlFor:`${d}-action`,children:o.bulkAction}),(0,p.jsxs)(`select`,{id:`${d}-action`,value:D,onChange:e=>O(e.target.value),children:[(0,p.jsx)(`option`,{value:`add`,children:o.bulkAdd}),(0,p.jsx)(`option`,{value:`remove`,children:o.bulkRemove})]})]}),(0,p.jsxs)(`div`,{className:`field`,children:[(0,p.jsx)(`label`,{htmlFor:`${d}-service`,children:o.bulkService}),(0,p.jsxs)(`select`,{id:`${d}-service`,value:k,onChange:e=>A(e.target.value),required:!0,children:[(0,p.jsx)(`option`,{value:``,children:o.bulkChooseService}),r.map(e=>(0,p.jsxs)(`option`,{value:e.id,children:[e.name,` (`,l(e.monthlyFee,s),`)`]},e.id))]})]}),(0,p.jsx)(`button`,{type:`submit`,disabled:!R||!z,children:o.bulkDryRun})]}),j.name===`working`&&(0,p.jsxs)(`div`,{className:`bulk-working`,"data-operation":j.operation??void 0,children:[(0,p.jsx)(`p`,{children:H(j.request)}),(0,p.jsx)(`p`,{id:`bulk-progress-label`,children:j.dryRun?o.bulkChecking:o.bulkApplying}),(0,p.jsx)(`progress`,{className:`bulk-progress`,"aria-labelledby":`bulk-progress-label`,max:L?.total??1,value:L?.done??0}),(0,p.jsx)(`p`,{role:`status`,"aria-live":`polite`,className:`bulk-count`,children:L?o.bulkProgress(u(L.done,s),u(L.total,s)):``}),j.operation&&!j.dryRun&&(0,p.jsx)(`button`,{type:`button`,className:`danger`,disabled:L?.cancelRequested??!1,onClick:()=>j.operation&&void V(j.operation),children:L?.cancelRequested?o.bulkCancelling:o.bulkCancel})]}),j.name===`failed`&&(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`p`,{role:`alert`,children:j.message}),(0,p.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:o.bulkStartOver})]}),(j.name===`checked`||j.name===`done`)&&(0,p.jsxs)(`div`,{className:`bulk-${j.name}`,children:[(0,p.jsx)(`p`,{children:H(j.request)}),(0,p.jsx)(E,{outcome:j.outcome}),j.name===`checked`&&(0,p.jsxs)(`div`,{className:`bulk-buttons`,children:[(0,p.jsx)(`button`,{type:`button`,className:`primary`,disabled:j.outcome.summary.wouldApply===0,onClick:()=>N.current?.showModal(),children:o.bulkApply}),(0,p.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:o.bulkBack})]}),j.name===`done`&&(0,p.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:o.bulkStartOver}),(0,p.jsx)(m,{results:j.outcome.results,more:j.outcome.more}),j.name===`checked`&&(0,p.jsxs)(`dialog`,{ref:N,className:`bulk-confirm`,"aria-labelledby":`bulk-confirm-title`,children:[(0,p.jsx)(`h3`,{id:`bulk-confirm-title`,children:o.bulkConfirmTitle}),(0,p.jsx)(`p`,{children:H(j.request)}),(0,p.jsx)(`p`,{children:o.bulkConfirmText(u(j.outcome.summary.wouldApply,s),j.outcome.summary.cost?l(j.outcome.summary.cost,s):`—`)}),(0,p.jsxs)(`div`,{className:`bulk-buttons`,children:[(0,p.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>{N.current?.close(),B(j.request,!1)},children:o.bulkConfirmApply}),(0,p.jsx)(`button`,{type:`button`,onClick:()=>N.current?.close(),children:o.bulkBack})]})]})]})]})}function E({outcome:e}){let{t,language:n}=i(),{summary:r}=e,a=e.progress?.status===`CANCELLED`;return(0,p.jsxs)(`div`,{className:`bulk-summary`,role:e.dryRun?void 0:`status`,children:[(0,p.jsx)(`p`,{className:`bulk-headline`,children:e.dryRun?t.bulkDryRunDone:a?t.bulkCancelled:t.bulkDone}),(0,p.jsxs)(`dl`,{children:[(0,p.jsx)(`dt`,{children:e.dryRun?t.outcome.WOULD_APPLY:t.outcome.APPLIED}),(0,p.jsx)(`dd`,{className:`count-changed`,children:u(e.dryRun?r.wouldApply:r.applied,n)}),(0,p.jsx)(`dt`,{children:t.outcome.SKIPPED}),(0,p.jsx)(`dd`,{className:`count-skipped`,children:u(r.skipped,n)}),(0,p.jsx)(`dt`,{children:t.outcome.FAILED}),(0,p.jsx)(`dd`,{className:`count-failed`,children:u(r.failed,n)}),(0,p.jsx)(`dt`,{children:t.bulkCostImpact}),(0,p.jsx)(`dd`,{children:r.cost?(0,p.jsx)(`data`,{className:`cost-impact`,value:r.cost.amount,children:l(r.cost,n)}):`—`})]})]})}function D({lines:t,selectable:n,selected:r,onSelect:a}){let{t:o}=i();if(t.length===0)return(0,p.jsx)(`p`,{children:o.linesNone});let s=t.every(e=>r.has(e.id)),c=(e,t)=>{let n=new Set(r);for(let r of e)t?n.add(r):n.delete(r);a(n)};return(0,p.jsxs)(`table`,{className:`lines-table`,children:[(0,p.jsx)(`thead`,{children:(0,p.jsxs)(`tr`,{children:[n&&(0,p.jsx)(`th`,{scope:`col`,className:`pick`,children:(0,p.jsx)(`input`,{type:`checkbox`,"aria-label":o.linesSelectPage,checked:s,onChange:e=>c(t.map(e=>e.id),e.target.checked)})}),(0,p.jsx)(`th`,{scope:`col`,children:o.linesEmployee}),(0,p.jsx)(`th`,{scope:`col`,children:o.linesNumber}),(0,p.jsx)(`th`,{scope:`col`,children:o.unit}),(0,p.jsx)(`th`,{scope:`col`,children:o.linesPlan}),(0,p.jsx)(`th`,{scope:`col`,children:o.linesStatus})]})}),(0,p.jsx)(`tbody`,{children:t.map((t,i)=>{let a=t.employeeName??t.msisdn??`${o.linesLine} ${i+1}`;return(0,p.jsxs)(`tr`,{"data-line":t.id,children:[n&&(0,p.jsx)(`td`,{className:`pick`,children:(0,p.jsx)(`input`,{type:`checkbox`,"aria-label":`${o.linesSelect} ${a}`,checked:r.has(t.id),onChange:e=>c([t.id],e.target.checked)})}),(0,p.jsx)(`th`,{scope:`row`,className:`line-name`,children:(0,p.jsx)(e,{to:`/lines/${encodeURIComponent(t.id)}`,children:a})}),(0,p.jsx)(`td`,{className:`line-msisdn`,"data-label":o.linesNumber,children:t.msisdn??`—`}),(0,p.jsx)(`td`,{className:`line-unit`,"data-label":o.unit,children:t.orgUnit?.name??`—`}),(0,p.jsx)(`td`,{className:`line-plan`,"data-label":o.linesPlan,children:t.tariffPlan?.name??`—`}),(0,p.jsx)(`td`,{className:`line-status`,"data-label":o.linesStatus,"data-status":t.status??``,children:t.status?o.lineStatus[t.status]:`—`})]},t.id)})})]})}var O=20,k=[`ACTIVE`,`SUSPENDED`,`TERMINATED`];function A(){let{t:e,language:t}=i(),n=d(),r=(0,f.useId)(),a=n.has(`personal:read`),[o,s]=(0,f.useState)(``),[l,m]=(0,f.useState)(``),[g,_]=(0,f.useState)(``),[v,y]=(0,f.useState)(``),[b,x]=(0,f.useState)(null),[S,C]=(0,f.useState)({}),[w,E]=(0,f.useState)(new Set),O=(0,f.useMemo)(()=>({...o&&{orgUnit:o},...l&&{statuses:[l]},...g&&{search:g}}),[o,l,g]),A=(0,f.useMemo)(()=>({...S.before?{last:20,before:S.before}:{first:20,after:S.after},filter:O,orderBy:b}),[S,O,b]),[{data:j,fetching:M,error:N},P]=c({query:h,variables:A}),F=j?.subscribers,I=j?.viewer,L=(I?.customer?.orgRoot?[I.customer.orgRoot]:I?.scope.units??[]).flatMap(e=>[e,...e.descendants??[]]),R=L.find(e=>e.id===o)?.name,z=n.has(`service:write`)&&n.has(`line:write`),B=e=>{e(),C({}),E(new Set)},V=e=>{e.preventDefault(),B(()=>_(v.trim()))},H=[];return w.size>0&&H.push({kind:`ids`,ids:[...w],count:w.size}),o&&R&&H.push({kind:`orgUnit`,orgUnit:o,name:R}),F?.totalCount&&H.push({kind:`filter`,filter:O,count:F.totalCount}),(0,p.jsxs)(`div`,{className:`lines`,children:[(0,p.jsxs)(`div`,{className:`screen-title`,children:[(0,p.jsx)(`h1`,{children:e.linesScreen}),F&&(0,p.jsx)(`p`,{className:`period`,"data-total":F.totalCount??void 0,children:e.linesTotal(u(F.totalCount??0,t))})]}),(0,p.jsxs)(`section`,{className:`panel lines-filters`,"aria-label":e.linesFilters,children:[(0,p.jsxs)(`div`,{className:`field`,children:[(0,p.jsx)(`label`,{htmlFor:`${r}-unit`,children:e.unit}),(0,p.jsxs)(`select`,{id:`${r}-unit`,value:o,onChange:e=>B(()=>s(e.target.value)),children:[(0,p.jsx)(`option`,{value:``,children:e.linesAllUnits}),L.map(e=>(0,p.jsx)(`option`,{value:e.id,children:e.name},e.id))]})]}),(0,p.jsxs)(`div`,{className:`field`,children:[(0,p.jsx)(`label`,{htmlFor:`${r}-status`,children:e.linesStatus}),(0,p.jsxs)(`select`,{id:`${r}-status`,value:l,onChange:e=>B(()=>m(e.target.value)),children:[(0,p.jsx)(`option`,{value:``,children:e.linesAllStatuses}),k.map(t=>(0,p.jsx)(`option`,{value:t,children:e.lineStatus[t]},t))]})]}),(0,p.jsxs)(`div`,{className:`field`,children:[(0,p.jsx)(`label`,{htmlFor:`${r}-order`,children:e.linesSortBy}),(0,p.jsxs)(`select`,{id:`${r}-order`,value:b?`${b.field} ${b.direction}`:``,onChange:e=>{let[t,n]=e.target.value.split(` `);B(()=>x(t?{field:t,direction:n}:null))},children:[(0,p.jsx)(`option`,{value:``,children:e.linesOrderDefault}),(a?[`NAME`,`MSISDN`,`STATUS`,`ACTIVATED_ON`]:[`STATUS`,`ACTIVATED_ON`]).flatMap(e=>[`ASC`,`DESC`].map(t=>({field:e,direction:t}))).map(({field:t,direction:n})=>(0,p.jsxs)(`option`,{value:`${t} ${n}`,children:[e.linesOrder[t],` `,n===`ASC`?`↑`:`↓`]},`${t} ${n}`))]})]}),a&&(0,p.jsxs)(`form`,{role:`search`,className:`lines-search`,onSubmit:V,children:[(0,p.jsxs)(`div`,{className:`field`,children:[(0,p.jsx)(`label`,{htmlFor:`${r}-search`,children:e.linesSearch}),(0,p.jsx)(`input`,{id:`${r}-search`,type:`search`,value:v,onChange:e=>y(e.target.value),placeholder:`+49 170 …`})]}),(0,p.jsx)(`button`,{type:`submit`,children:e.linesSearchButton})]})]}),M&&!j&&(0,p.jsx)(`p`,{role:`status`,children:e.loading}),N&&!j&&(0,p.jsx)(`p`,{role:`alert`,children:e.loadFailed}),F&&(0,p.jsxs)(`section`,{className:`panel`,"aria-labelledby":`lines-table-title`,children:[(0,p.jsx)(`h2`,{id:`lines-table-title`,className:`visually-hidden`,children:e.linesScreen}),(0,p.jsx)(D,{lines:F.nodes,selectable:z,selected:w,onSelect:E}),(0,p.jsxs)(`nav`,{className:`lines-paging`,"aria-label":e.linesPaging,children:[(0,p.jsx)(`button`,{type:`button`,disabled:!F.pageInfo.hasPreviousPage||!F.pageInfo.startCursor,onClick:()=>C({before:F.pageInfo.startCursor??void 0}),children:e.linesPrevious}),(0,p.jsx)(`button`,{type:`button`,disabled:!F.pageInfo.hasNextPage||!F.pageInfo.endCursor,onClick:()=>C({after:F.pageInfo.endCursor??void 0}),children:e.linesNext})]})]}),z&&j&&(0,p.jsx)(T,{choices:H,services:j.services??[],onFinished:()=>P({requestPolicy:`network-only`})})]})}export{O as PAGE_SIZE,A as default};