import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,r as a,s as o,u as s}from"./i18n-CKJwWD2B.js";import{a as c,t as l}from"./format-CJuQ-zAI.js";import{t as u}from"./permissions-D5dhOU7z.js";import{l as d,r as f}from"./company-BH6Ve1TI.js";import{t as p}from"./CompanyPicker-HWL9-7U3.js";var m=e(t(),1),h=r();function g({results:e,more:t}){let{t:n,language:r}=a();return(0,h.jsxs)(`div`,{children:[(0,h.jsxs)(`table`,{className:`bulk-results`,children:[(0,h.jsx)(`caption`,{children:n.bulkPerLine}),(0,h.jsx)(`thead`,{children:(0,h.jsxs)(`tr`,{children:[(0,h.jsx)(`th`,{scope:`col`,children:n.linesLine}),(0,h.jsx)(`th`,{scope:`col`,children:n.bulkOutcome}),(0,h.jsx)(`th`,{scope:`col`,children:n.bulkChange}),(0,h.jsx)(`th`,{scope:`col`,children:n.bulkCostImpact})]})}),(0,h.jsx)(`tbody`,{children:e.map(e=>(0,h.jsxs)(`tr`,{"data-line":e.lineId,"data-outcome":e.outcome,children:[(0,h.jsx)(`th`,{scope:`row`,children:(0,h.jsx)(d,{to:`/lines/${encodeURIComponent(e.lineId)}`,children:e.line?.employeeName??e.line?.msisdn??e.lineId})}),(0,h.jsxs)(`td`,{"data-label":n.bulkOutcome,children:[n.outcome[e.outcome],e.message&&(0,h.jsxs)(`span`,{className:`reason`,children:[` — `,e.message]})]}),(0,h.jsx)(`td`,{"data-label":n.bulkChange,children:e.before!==e.after&&e.after?`${e.before||`—`} → ${e.after}`:`—`}),(0,h.jsx)(`td`,{"data-label":n.bulkCostImpact,children:e.monthlyCostImpact?(0,h.jsx)(`data`,{className:`line-cost`,value:e.monthlyCostImpact.amount,children:c(e.monthlyCostImpact,r)}):`—`})]},e.lineId))})]}),t&&(0,h.jsx)(`p`,{className:`hint`,children:n.bulkMoreResults})]})}var _=n(`
  query Lines(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: SubscriberFilter
    $orderBy: SubscriberOrder
    $customer: ID
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
    customer(id: $customer) {
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
    viewer {
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
`);n(`
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
`),n(`
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
`),n(`
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
`);var v=n(`
  mutation LinesServicesAdd($input: SubscriberServicesInput!) {
    subscriberServicesAdd(input: $input) {
      ...LineChangeSummary
    }
  }
`),y=n(`
  mutation LinesServicesRemove($input: SubscriberServicesInput!) {
    subscriberServicesRemove(input: $input) {
      ...LineChangeSummary
    }
  }
`),b=n(`
  subscription LinesBulkProgress($id: ID!) {
    bulkOperationProgress(id: $id) {
      ...BulkProgress
    }
  }
`),x=n(`
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
`),S=n(`
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
`),C=new Set([`COMPLETED`,`CANCELLED`]);function w(e){return e.kind===`ids`?{ids:e.ids}:e.kind===`orgUnit`?{orgUnit:e.orgUnit}:{filter:e.filter}}function T(e,t,n){let{wouldApply:r,applied:i,skipped:a,failed:o}=e,s={wouldApply:r,applied:i,skipped:a,failed:o,cost:e.monthlyCostImpact??null};return{dryRun:e.dryRun,progress:e,summary:s,results:t,more:n}}function E(e){let{wouldApply:t,applied:n,skipped:r,failed:i}=e,a={wouldApply:t,applied:n,skipped:r,failed:i,cost:e.monthlyCostImpact??null};return{dryRun:e.dryRun,progress:null,summary:a,results:e.results,more:!1}}function D({choices:e,services:t,onFinished:n}){let{t:r,language:i}=a(),u=o(),d=(0,m.useId)(),[f,p]=(0,m.useState)(`ids`),[_,D]=(0,m.useState)(`add`),[k,A]=(0,m.useState)(``),[j,M]=(0,m.useState)({name:`choose`}),N=(0,m.useRef)(null),P=(0,m.useRef)(null),F=j.name===`working`?j.operation:null,[{data:I}]=s({query:b,variables:{id:F??``},pause:F===null}),L=F&&I?.bulkOperationProgress.id===F?I.bulkOperationProgress:null;(0,m.useEffect)(()=>{if(j.name!==`working`||!L||!C.has(L.status))return;let{request:e,dryRun:t}=j;u.query(x,{id:L.id},{requestPolicy:`network-only`}).toPromise().then(({data:i,error:a})=>{let o=i?.node;if(a||!o||o.__typename!==`BulkOperation`){M({name:`failed`,request:e,message:r.loadFailed});return}let s=T(o,o.results.nodes,o.results.pageInfo.hasNextPage);M({name:t?`checked`:`done`,request:e,outcome:s}),t||n()})},[j,L,u,r,n]),(0,m.useEffect)(()=>{j.name!==`choose`&&P.current?.focus()},[j.name]);let R=e.find(e=>e.kind===f)??e[0],z=t.find(e=>e.id===k);async function B(e,t){M({name:`working`,request:e,dryRun:t,operation:null});let n={selection:w(e.selection),services:[e.service.id],dryRun:t,background:!t,...!t&&{idempotencyKey:crypto.randomUUID()}},{data:i,error:a}=e.action===`add`?await u.mutation(v,{input:n}).toPromise().then(({data:e,error:t})=>({data:e?.subscriberServicesAdd,error:t})):await u.mutation(y,{input:n}).toPromise().then(({data:e,error:t})=>({data:e?.subscriberServicesRemove,error:t})),o=i;a||!o?M({name:`failed`,request:e,message:a?.graphQLErrors[0]?.message??r.loadFailed}):o.userErrors.length>0?M({name:`failed`,request:e,message:o.userErrors.map(e=>e.message).join(` `)}):o.bulkOperation?M({name:`working`,request:e,dryRun:t,operation:o.bulkOperation.id}):M({name:t?`checked`:`done`,request:e,outcome:E(o)})}async function V(e){await u.mutation(S,{input:{bulkOperation:e}}).toPromise()}let H=e=>{let t=e.selection,n=t.kind===`orgUnit`?r.bulkSubtree(t.name):t.kind===`ids`?r.bulkTicked(l(t.count,i)):r.bulkFiltered(l(t.count,i));return`${e.action===`add`?r.bulkAdd:r.bulkRemove}: ${e.service.name} — ${n}`};return(0,h.jsxs)(`section`,{className:`panel bulk`,"aria-labelledby":`bulk-title`,children:[(0,h.jsx)(`h2`,{id:`bulk-title`,ref:P,tabIndex:-1,children:r.bulkTitle}),j.name===`choose`&&(0,h.jsxs)(`form`,{className:`bulk-form`,onSubmit:e=>{e.preventDefault(),R&&z&&B({selection:R,action:_,service:z},!0)},children:[e.length===0?(0,h.jsx)(`p`,{children:r.bulkNothingSelected}):(0,h.jsxs)(`fieldset`,{children:[(0,h.jsx)(`legend`,{children:r.bulkWhich}),e.map(e=>(0,h.jsxs)(`label`,{className:`choice`,children:[(0,h.jsx)(`input`,{type:`radio`,name:`bulk-lines`,value:e.kind,checked:R===e,onChange:()=>p(e.kind)}),e.kind===`ids`&&r.bulkTicked(l(e.count,i)),e.kind===`orgUnit`&&r.bulkSubtree(e.name),e.kind===`filter`&&r.bulkFiltered(l(e.count,i))]},e.kind))]}),(0,h.jsxs)(`div`,{className:`field`,children:[(0,h.jsx)(`label`,{htmlFor:`${d}-action`,children:r.bulkAction}),(0,h.jsxs)(`select`,{id:`${d}-action`,value:_,onChange:e=>D(e.target.value),children:[(0,h.jsx)(`option`,{value:`add`,children:r.bulkAdd}),(0,h.jsx)(`option`,{value:`remove`,children:r.bulkRemove})]})]}),(0,h.jsxs)(`div`,{className:`field`,children:[(0,h.jsx)(`label`,{htmlFor:`${d}-service`,children:r.bulkService}),(0,h.jsxs)(`select`,{id:`${d}-service`,value:k,onChange:e=>A(e.target.value),required:!0,children:[(0,h.jsx)(`option`,{value:``,children:r.bulkChooseService}),t.map(e=>(0,h.jsxs)(`option`,{value:e.id,children:[e.name,` (`,c(e.monthlyFee,i),`)`]},e.id))]})]}),(0,h.jsx)(`button`,{type:`submit`,disabled:!R||!z,children:r.bulkDryRun})]}),j.name===`working`&&(0,h.jsxs)(`div`,{className:`bulk-working`,"data-operation":j.operation??void 0,children:[(0,h.jsx)(`p`,{children:H(j.request)}),(0,h.jsx)(`p`,{id:`bulk-progress-label`,children:j.dryRun?r.bulkChecking:r.bulkApplying}),(0,h.jsx)(`progress`,{className:`bulk-progress`,"aria-labelledby":`bulk-progress-label`,max:L?.total??1,value:L?.done??0}),(0,h.jsx)(`p`,{role:`status`,"aria-live":`polite`,className:`bulk-count`,children:L?r.bulkProgress(l(L.done,i),l(L.total,i)):``}),j.operation&&!j.dryRun&&(0,h.jsx)(`button`,{type:`button`,className:`danger`,disabled:L?.cancelRequested??!1,onClick:()=>j.operation&&void V(j.operation),children:L?.cancelRequested?r.bulkCancelling:r.bulkCancel})]}),j.name===`failed`&&(0,h.jsxs)(`div`,{children:[(0,h.jsx)(`p`,{role:`alert`,children:j.message}),(0,h.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:r.bulkStartOver})]}),(j.name===`checked`||j.name===`done`)&&(0,h.jsxs)(`div`,{className:`bulk-${j.name}`,children:[(0,h.jsx)(`p`,{children:H(j.request)}),(0,h.jsx)(O,{outcome:j.outcome}),j.name===`checked`&&(0,h.jsxs)(`div`,{className:`bulk-buttons`,children:[(0,h.jsx)(`button`,{type:`button`,className:`primary`,disabled:j.outcome.summary.wouldApply===0,onClick:()=>N.current?.showModal(),children:r.bulkApply}),(0,h.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:r.bulkBack})]}),j.name===`done`&&(0,h.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:r.bulkStartOver}),(0,h.jsx)(g,{results:j.outcome.results,more:j.outcome.more}),j.name===`checked`&&(0,h.jsxs)(`dialog`,{ref:N,className:`bulk-confirm`,"aria-labelledby":`bulk-confirm-title`,children:[(0,h.jsx)(`h3`,{id:`bulk-confirm-title`,children:r.bulkConfirmTitle}),(0,h.jsx)(`p`,{children:H(j.request)}),(0,h.jsx)(`p`,{children:r.bulkConfirmText(l(j.outcome.summary.wouldApply,i),j.outcome.summary.cost?c(j.outcome.summary.cost,i):`—`)}),(0,h.jsxs)(`div`,{className:`bulk-buttons`,children:[(0,h.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>{N.current?.close(),B(j.request,!1)},children:r.bulkConfirmApply}),(0,h.jsx)(`button`,{type:`button`,onClick:()=>N.current?.close(),children:r.bulkBack})]})]})]})]})}function O({outcome:e}){let{t,language:n}=a(),{summary:r}=e,i=e.progress?.status===`CANCELLED`;return(0,h.jsxs)(`div`,{className:`bulk-summary`,role:e.dryRun?void 0:`status`,children:[(0,h.jsx)(`p`,{className:`bulk-headline`,children:e.dryRun?t.bulkDryRunDone:i?t.bulkCancelled:t.bulkDone}),(0,h.jsxs)(`dl`,{children:[(0,h.jsx)(`dt`,{children:e.dryRun?t.outcome.WOULD_APPLY:t.outcome.APPLIED}),(0,h.jsx)(`dd`,{className:`count-changed`,children:l(e.dryRun?r.wouldApply:r.applied,n)}),(0,h.jsx)(`dt`,{children:t.outcome.SKIPPED}),(0,h.jsx)(`dd`,{className:`count-skipped`,children:l(r.skipped,n)}),(0,h.jsx)(`dt`,{children:t.outcome.FAILED}),(0,h.jsx)(`dd`,{className:`count-failed`,children:l(r.failed,n)}),(0,h.jsx)(`dt`,{children:t.bulkCostImpact}),(0,h.jsx)(`dd`,{children:r.cost?(0,h.jsx)(`data`,{className:`cost-impact`,value:r.cost.amount,children:c(r.cost,n)}):`—`})]})]})}function k({lines:e,selectable:t,selected:n,onSelect:r}){let{t:i}=a();if(e.length===0)return(0,h.jsx)(`p`,{children:i.linesNone});let o=e.every(e=>n.has(e.id)),s=(e,t)=>{let i=new Set(n);for(let n of e)t?i.add(n):i.delete(n);r(i)};return(0,h.jsxs)(`table`,{className:`lines-table`,children:[(0,h.jsx)(`thead`,{children:(0,h.jsxs)(`tr`,{children:[t&&(0,h.jsx)(`th`,{scope:`col`,className:`pick`,children:(0,h.jsx)(`input`,{type:`checkbox`,"aria-label":i.linesSelectPage,checked:o,onChange:t=>s(e.map(e=>e.id),t.target.checked)})}),(0,h.jsx)(`th`,{scope:`col`,children:i.linesEmployee}),(0,h.jsx)(`th`,{scope:`col`,children:i.linesNumber}),(0,h.jsx)(`th`,{scope:`col`,children:i.unit}),(0,h.jsx)(`th`,{scope:`col`,children:i.linesPlan}),(0,h.jsx)(`th`,{scope:`col`,children:i.linesStatus})]})}),(0,h.jsx)(`tbody`,{children:e.map((e,r)=>{let a=e.employeeName??e.msisdn??`${i.linesLine} ${r+1}`;return(0,h.jsxs)(`tr`,{"data-line":e.id,children:[t&&(0,h.jsx)(`td`,{className:`pick`,children:(0,h.jsx)(`input`,{type:`checkbox`,"aria-label":`${i.linesSelect} ${a}`,checked:n.has(e.id),onChange:t=>s([e.id],t.target.checked)})}),(0,h.jsx)(`th`,{scope:`row`,className:`line-name`,children:(0,h.jsx)(d,{to:`/lines/${encodeURIComponent(e.id)}`,children:a})}),(0,h.jsx)(`td`,{className:`line-msisdn`,"data-label":i.linesNumber,children:e.msisdn??`—`}),(0,h.jsx)(`td`,{className:`line-unit`,"data-label":i.unit,children:e.orgUnit?.name??`—`}),(0,h.jsx)(`td`,{className:`line-plan`,"data-label":i.linesPlan,children:e.tariffPlan?.name??`—`}),(0,h.jsx)(`td`,{className:`line-status`,"data-label":i.linesStatus,"data-status":e.status??``,children:e.status?i.lineStatus[e.status]:`—`})]},e.id)})})]})}var A=20,j=[`ACTIVE`,`SUSPENDED`,`TERMINATED`];function M(){let{t:e,language:t}=a(),n=u(),r=(0,m.useId)(),o=n.has(`personal:read`),[s,c]=(0,m.useState)(``),[d,g]=(0,m.useState)(``),[v,y]=(0,m.useState)(``),[b,x]=(0,m.useState)(``),[S,C]=(0,m.useState)(null),[w,T]=(0,m.useState)({}),[E,O]=(0,m.useState)(new Set),{customer:A,unchosen:M}=f(),N=(0,m.useMemo)(()=>({...A&&{customer:A},...s&&{orgUnit:s},...d&&{statuses:[d]},...v&&{search:v}}),[A,s,d,v]),P=(0,m.useMemo)(()=>({...w.before?{last:20,before:w.before}:{first:20,after:w.after},filter:N,orderBy:S,customer:A}),[w,N,S,A]),[{data:F,fetching:I,error:L},R]=i({query:_,variables:P,pause:M});if(M)return(0,h.jsx)(p,{});let z=F?.subscribers,B=F?.customer?.orgRoot,V=(B?[B]:F?.viewer.scope.units??[]).flatMap(e=>[e,...e.descendants??[]]),H=V.find(e=>e.id===s)?.name,U=n.has(`service:write`)&&n.has(`line:write`),W=e=>{e(),T({}),O(new Set)},G=e=>{e.preventDefault(),W(()=>y(b.trim()))},K=[];return E.size>0&&K.push({kind:`ids`,ids:[...E],count:E.size}),s&&H&&K.push({kind:`orgUnit`,orgUnit:s,name:H}),z?.totalCount&&K.push({kind:`filter`,filter:N,count:z.totalCount}),(0,h.jsxs)(`div`,{className:`lines`,children:[(0,h.jsxs)(`div`,{className:`screen-title`,children:[(0,h.jsx)(`h1`,{children:e.linesScreen}),z&&(0,h.jsx)(`p`,{className:`period`,"data-total":z.totalCount??void 0,children:e.linesTotal(l(z.totalCount??0,t))})]}),(0,h.jsxs)(`section`,{className:`panel lines-filters`,"aria-label":e.linesFilters,children:[(0,h.jsxs)(`div`,{className:`field`,children:[(0,h.jsx)(`label`,{htmlFor:`${r}-unit`,children:e.unit}),(0,h.jsxs)(`select`,{id:`${r}-unit`,value:s,onChange:e=>W(()=>c(e.target.value)),children:[(0,h.jsx)(`option`,{value:``,children:e.linesAllUnits}),V.map(e=>(0,h.jsx)(`option`,{value:e.id,children:e.name},e.id))]})]}),(0,h.jsxs)(`div`,{className:`field`,children:[(0,h.jsx)(`label`,{htmlFor:`${r}-status`,children:e.linesStatus}),(0,h.jsxs)(`select`,{id:`${r}-status`,value:d,onChange:e=>W(()=>g(e.target.value)),children:[(0,h.jsx)(`option`,{value:``,children:e.linesAllStatuses}),j.map(t=>(0,h.jsx)(`option`,{value:t,children:e.lineStatus[t]},t))]})]}),(0,h.jsxs)(`div`,{className:`field`,children:[(0,h.jsx)(`label`,{htmlFor:`${r}-order`,children:e.linesSortBy}),(0,h.jsxs)(`select`,{id:`${r}-order`,value:S?`${S.field} ${S.direction}`:``,onChange:e=>{let[t,n]=e.target.value.split(` `);W(()=>C(t?{field:t,direction:n}:null))},children:[(0,h.jsx)(`option`,{value:``,children:e.linesOrderDefault}),(o?[`NAME`,`MSISDN`,`STATUS`,`ACTIVATED_ON`]:[`STATUS`,`ACTIVATED_ON`]).flatMap(e=>[`ASC`,`DESC`].map(t=>({field:e,direction:t}))).map(({field:t,direction:n})=>(0,h.jsxs)(`option`,{value:`${t} ${n}`,children:[e.linesOrder[t],` `,n===`ASC`?`↑`:`↓`]},`${t} ${n}`))]})]}),o&&(0,h.jsxs)(`form`,{role:`search`,className:`lines-search`,onSubmit:G,children:[(0,h.jsxs)(`div`,{className:`field`,children:[(0,h.jsx)(`label`,{htmlFor:`${r}-search`,children:e.linesSearch}),(0,h.jsx)(`input`,{id:`${r}-search`,type:`search`,value:b,onChange:e=>x(e.target.value),placeholder:`+49 170 …`})]}),(0,h.jsx)(`button`,{type:`submit`,children:e.linesSearchButton})]})]}),I&&!F&&(0,h.jsx)(`p`,{role:`status`,children:e.loading}),L&&!F&&(0,h.jsx)(`p`,{role:`alert`,children:e.loadFailed}),z&&(0,h.jsxs)(`section`,{className:`panel`,"aria-labelledby":`lines-table-title`,children:[(0,h.jsx)(`h2`,{id:`lines-table-title`,className:`visually-hidden`,children:e.linesScreen}),(0,h.jsx)(k,{lines:z.nodes,selectable:U,selected:E,onSelect:O}),(0,h.jsxs)(`nav`,{className:`lines-paging`,"aria-label":e.linesPaging,children:[(0,h.jsx)(`button`,{type:`button`,disabled:!z.pageInfo.hasPreviousPage||!z.pageInfo.startCursor,onClick:()=>T({before:z.pageInfo.startCursor??void 0}),children:e.linesPrevious}),(0,h.jsx)(`button`,{type:`button`,disabled:!z.pageInfo.hasNextPage||!z.pageInfo.endCursor,onClick:()=>T({after:z.pageInfo.endCursor??void 0}),children:e.linesNext})]})]}),U&&F&&(0,h.jsx)(D,{choices:K,services:F.services??[],onFinished:()=>R({requestPolicy:`network-only`})})]})}export{A as PAGE_SIZE,M as default};