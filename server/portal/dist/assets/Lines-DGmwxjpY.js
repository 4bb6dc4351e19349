import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,s as a,t as o,u as s}from"./gql-CTcpaLcK.js";import{a as c,t as l}from"./format-CJuQ-zAI.js";import{n as u,o as d}from"./Shell-mnKNpU0U.js";var f=e(t(),1);function p(){let[{data:e}]=i({query:u});return new Set(e?.viewer.permissions??[])}var m=n();function h({results:e,more:t}){let{t:n,language:i}=r();return(0,m.jsxs)(`div`,{children:[(0,m.jsxs)(`table`,{className:`bulk-results`,children:[(0,m.jsx)(`caption`,{children:n.bulkPerLine}),(0,m.jsx)(`thead`,{children:(0,m.jsxs)(`tr`,{children:[(0,m.jsx)(`th`,{scope:`col`,children:n.linesLine}),(0,m.jsx)(`th`,{scope:`col`,children:n.bulkOutcome}),(0,m.jsx)(`th`,{scope:`col`,children:n.bulkChange}),(0,m.jsx)(`th`,{scope:`col`,children:n.bulkCostImpact})]})}),(0,m.jsx)(`tbody`,{children:e.map(e=>(0,m.jsxs)(`tr`,{"data-line":e.lineId,"data-outcome":e.outcome,children:[(0,m.jsx)(`th`,{scope:`row`,children:(0,m.jsx)(d,{to:`/lines/${encodeURIComponent(e.lineId)}`,children:e.line?.employeeName??e.line?.msisdn??e.lineId})}),(0,m.jsxs)(`td`,{"data-label":n.bulkOutcome,children:[n.outcome[e.outcome],e.message&&(0,m.jsxs)(`span`,{className:`reason`,children:[` — `,e.message]})]}),(0,m.jsx)(`td`,{"data-label":n.bulkChange,children:e.before!==e.after&&e.after?`${e.before||`—`} → ${e.after}`:`—`}),(0,m.jsx)(`td`,{"data-label":n.bulkCostImpact,children:e.monthlyCostImpact?(0,m.jsx)(`data`,{className:`line-cost`,value:e.monthlyCostImpact.amount,children:c(e.monthlyCostImpact,i)}):`—`})]},e.lineId))})]}),t&&(0,m.jsx)(`p`,{className:`hint`,children:n.bulkMoreResults})]})}var g=o(`
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
`);var _=o(`
  mutation LinesServicesAdd($input: SubscriberServicesInput!) {
    subscriberServicesAdd(input: $input) {
      ...LineChangeSummary
    }
  }
`),v=o(`
  mutation LinesServicesRemove($input: SubscriberServicesInput!) {
    subscriberServicesRemove(input: $input) {
      ...LineChangeSummary
    }
  }
`),y=o(`
  subscription LinesBulkProgress($id: ID!) {
    bulkOperationProgress(id: $id) {
      ...BulkProgress
    }
  }
`),b=o(`
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
`),x=o(`
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
`),S=new Set([`COMPLETED`,`CANCELLED`]);function C(e){return e.kind===`ids`?{ids:e.ids}:e.kind===`orgUnit`?{orgUnit:e.orgUnit}:{filter:e.filter}}function w(e,t,n){let{wouldApply:r,applied:i,skipped:a,failed:o}=e,s={wouldApply:r,applied:i,skipped:a,failed:o,cost:e.monthlyCostImpact??null};return{dryRun:e.dryRun,progress:e,summary:s,results:t,more:n}}function T(e){let{wouldApply:t,applied:n,skipped:r,failed:i}=e,a={wouldApply:t,applied:n,skipped:r,failed:i,cost:e.monthlyCostImpact??null};return{dryRun:e.dryRun,progress:null,summary:a,results:e.results,more:!1}}function E({choices:e,services:t,onFinished:n}){let{t:i,language:o}=r(),u=a(),d=(0,f.useId)(),[p,g]=(0,f.useState)(`ids`),[E,O]=(0,f.useState)(`add`),[k,A]=(0,f.useState)(``),[j,M]=(0,f.useState)({name:`choose`}),N=(0,f.useRef)(null),P=(0,f.useRef)(null),F=j.name===`working`?j.operation:null,[{data:I}]=s({query:y,variables:{id:F??``},pause:F===null}),L=F&&I?.bulkOperationProgress.id===F?I.bulkOperationProgress:null;(0,f.useEffect)(()=>{if(j.name!==`working`||!L||!S.has(L.status))return;let{request:e,dryRun:t}=j;u.query(b,{id:L.id},{requestPolicy:`network-only`}).toPromise().then(({data:r,error:a})=>{let o=r?.node;if(a||!o||o.__typename!==`BulkOperation`){M({name:`failed`,request:e,message:i.loadFailed});return}let s=w(o,o.results.nodes,o.results.pageInfo.hasNextPage);M({name:t?`checked`:`done`,request:e,outcome:s}),t||n()})},[j,L,u,i,n]),(0,f.useEffect)(()=>{j.name!==`choose`&&P.current?.focus()},[j.name]);let R=e.find(e=>e.kind===p)??e[0],z=t.find(e=>e.id===k);async function B(e,t){M({name:`working`,request:e,dryRun:t,operation:null});let n={selection:C(e.selection),services:[e.service.id],dryRun:t,background:!t,...!t&&{idempotencyKey:crypto.randomUUID()}},{data:r,error:a}=e.action===`add`?await u.mutation(_,{input:n}).toPromise().then(({data:e,error:t})=>({data:e?.subscriberServicesAdd,error:t})):await u.mutation(v,{input:n}).toPromise().then(({data:e,error:t})=>({data:e?.subscriberServicesRemove,error:t})),o=r;a||!o?M({name:`failed`,request:e,message:a?.graphQLErrors[0]?.message??i.loadFailed}):o.userErrors.length>0?M({name:`failed`,request:e,message:o.userErrors.map(e=>e.message).join(` `)}):o.bulkOperation?M({name:`working`,request:e,dryRun:t,operation:o.bulkOperation.id}):M({name:t?`checked`:`done`,request:e,outcome:T(o)})}async function V(e){await u.mutation(x,{input:{bulkOperation:e}}).toPromise()}let H=e=>{let t=e.selection,n=t.kind===`orgUnit`?i.bulkSubtree(t.name):t.kind===`ids`?i.bulkTicked(l(t.count,o)):i.bulkFiltered(l(t.count,o));return`${e.action===`add`?i.bulkAdd:i.bulkRemove}: ${e.service.name} — ${n}`};return(0,m.jsxs)(`section`,{className:`panel bulk`,"aria-labelledby":`bulk-title`,children:[(0,m.jsx)(`h2`,{id:`bulk-title`,ref:P,tabIndex:-1,children:i.bulkTitle}),j.name===`choose`&&(0,m.jsxs)(`form`,{className:`bulk-form`,onSubmit:e=>{e.preventDefault(),R&&z&&B({selection:R,action:E,service:z},!0)},children:[e.length===0?(0,m.jsx)(`p`,{children:i.bulkNothingSelected}):(0,m.jsxs)(`fieldset`,{children:[(0,m.jsx)(`legend`,{children:i.bulkWhich}),e.map(e=>(0,m.jsxs)(`label`,{className:`choice`,children:[(0,m.jsx)(`input`,{type:`radio`,name:`bulk-lines`,value:e.kind,checked:R===e,onChange:()=>g(e.kind)}),e.kind===`ids`&&i.bulkTicked(l(e.count,o)),e.kind===`orgUnit`&&i.bulkSubtree(e.name),e.kind===`filter`&&i.bulkFiltered(l(e.count,o))]},e.kind))]}),(0,m.jsxs)(`div`,{className:`field`,children:[(0,m.jsx)(`label`,{htmlFor:`${d}-action`,children:i.bulkAction}),(0,m.jsxs)(`select`,{id:`${d}-action`,value:E,onChange:e=>O(e.target.value),children:[(0,m.jsx)(`option`,{value:`add`,children:i.bulkAdd}),(0,m.jsx)(`option`,{value:`remove`,children:i.bulkRemove})]})]}),(0,m.jsxs)(`div`,{className:`field`,children:[(0,m.jsx)(`label`,{htmlFor:`${d}-service`,children:i.bulkService}),(0,m.jsxs)(`select`,{id:`${d}-service`,value:k,onChange:e=>A(e.target.value),required:!0,children:[(0,m.jsx)(`option`,{value:``,children:i.bulkChooseService}),t.map(e=>(0,m.jsxs)(`option`,{value:e.id,children:[e.name,` (`,c(e.monthlyFee,o),`)`]},e.id))]})]}),(0,m.jsx)(`button`,{type:`submit`,disabled:!R||!z,children:i.bulkDryRun})]}),j.name===`working`&&(0,m.jsxs)(`div`,{className:`bulk-working`,"data-operation":j.operation??void 0,children:[(0,m.jsx)(`p`,{children:H(j.request)}),(0,m.jsx)(`p`,{id:`bulk-progress-label`,children:j.dryRun?i.bulkChecking:i.bulkApplying}),(0,m.jsx)(`progress`,{className:`bulk-progress`,"aria-labelledby":`bulk-progress-label`,max:L?.total??1,value:L?.done??0}),(0,m.jsx)(`p`,{role:`status`,"aria-live":`polite`,className:`bulk-count`,children:L?i.bulkProgress(l(L.done,o),l(L.total,o)):``}),j.operation&&!j.dryRun&&(0,m.jsx)(`button`,{type:`button`,className:`danger`,disabled:L?.cancelRequested??!1,onClick:()=>j.operation&&void V(j.operation),children:L?.cancelRequested?i.bulkCancelling:i.bulkCancel})]}),j.name===`failed`&&(0,m.jsxs)(`div`,{children:[(0,m.jsx)(`p`,{role:`alert`,children:j.message}),(0,m.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:i.bulkStartOver})]}),(j.name===`checked`||j.name===`done`)&&(0,m.jsxs)(`div`,{className:`bulk-${j.name}`,children:[(0,m.jsx)(`p`,{children:H(j.request)}),(0,m.jsx)(D,{outcome:j.outcome}),j.name===`checked`&&(0,m.jsxs)(`div`,{className:`bulk-buttons`,children:[(0,m.jsx)(`button`,{type:`button`,className:`primary`,disabled:j.outcome.summary.wouldApply===0,onClick:()=>N.current?.showModal(),children:i.bulkApply}),(0,m.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:i.bulkBack})]}),j.name===`done`&&(0,m.jsx)(`button`,{type:`button`,onClick:()=>M({name:`choose`}),children:i.bulkStartOver}),(0,m.jsx)(h,{results:j.outcome.results,more:j.outcome.more}),j.name===`checked`&&(0,m.jsxs)(`dialog`,{ref:N,className:`bulk-confirm`,"aria-labelledby":`bulk-confirm-title`,children:[(0,m.jsx)(`h3`,{id:`bulk-confirm-title`,children:i.bulkConfirmTitle}),(0,m.jsx)(`p`,{children:H(j.request)}),(0,m.jsx)(`p`,{children:i.bulkConfirmText(l(j.outcome.summary.wouldApply,o),j.outcome.summary.cost?c(j.outcome.summary.cost,o):`—`)}),(0,m.jsxs)(`div`,{className:`bulk-buttons`,children:[(0,m.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>{N.current?.close(),B(j.request,!1)},children:i.bulkConfirmApply}),(0,m.jsx)(`button`,{type:`button`,onClick:()=>N.current?.close(),children:i.bulkBack})]})]})]})]})}function D({outcome:e}){let{t,language:n}=r(),{summary:i}=e,a=e.progress?.status===`CANCELLED`;return(0,m.jsxs)(`div`,{className:`bulk-summary`,role:e.dryRun?void 0:`status`,children:[(0,m.jsx)(`p`,{className:`bulk-headline`,children:e.dryRun?t.bulkDryRunDone:a?t.bulkCancelled:t.bulkDone}),(0,m.jsxs)(`dl`,{children:[(0,m.jsx)(`dt`,{children:e.dryRun?t.outcome.WOULD_APPLY:t.outcome.APPLIED}),(0,m.jsx)(`dd`,{className:`count-changed`,children:l(e.dryRun?i.wouldApply:i.applied,n)}),(0,m.jsx)(`dt`,{children:t.outcome.SKIPPED}),(0,m.jsx)(`dd`,{className:`count-skipped`,children:l(i.skipped,n)}),(0,m.jsx)(`dt`,{children:t.outcome.FAILED}),(0,m.jsx)(`dd`,{className:`count-failed`,children:l(i.failed,n)}),(0,m.jsx)(`dt`,{children:t.bulkCostImpact}),(0,m.jsx)(`dd`,{children:i.cost?(0,m.jsx)(`data`,{className:`cost-impact`,value:i.cost.amount,children:c(i.cost,n)}):`—`})]})]})}function O({lines:e,selectable:t,selected:n,onSelect:i}){let{t:a}=r();if(e.length===0)return(0,m.jsx)(`p`,{children:a.linesNone});let o=e.every(e=>n.has(e.id)),s=(e,t)=>{let r=new Set(n);for(let n of e)t?r.add(n):r.delete(n);i(r)};return(0,m.jsxs)(`table`,{className:`lines-table`,children:[(0,m.jsx)(`thead`,{children:(0,m.jsxs)(`tr`,{children:[t&&(0,m.jsx)(`th`,{scope:`col`,className:`pick`,children:(0,m.jsx)(`input`,{type:`checkbox`,"aria-label":a.linesSelectPage,checked:o,onChange:t=>s(e.map(e=>e.id),t.target.checked)})}),(0,m.jsx)(`th`,{scope:`col`,children:a.linesEmployee}),(0,m.jsx)(`th`,{scope:`col`,children:a.linesNumber}),(0,m.jsx)(`th`,{scope:`col`,children:a.unit}),(0,m.jsx)(`th`,{scope:`col`,children:a.linesPlan}),(0,m.jsx)(`th`,{scope:`col`,children:a.linesStatus})]})}),(0,m.jsx)(`tbody`,{children:e.map((e,r)=>{let i=e.employeeName??e.msisdn??`${a.linesLine} ${r+1}`;return(0,m.jsxs)(`tr`,{"data-line":e.id,children:[t&&(0,m.jsx)(`td`,{className:`pick`,children:(0,m.jsx)(`input`,{type:`checkbox`,"aria-label":`${a.linesSelect} ${i}`,checked:n.has(e.id),onChange:t=>s([e.id],t.target.checked)})}),(0,m.jsx)(`th`,{scope:`row`,className:`line-name`,children:(0,m.jsx)(d,{to:`/lines/${encodeURIComponent(e.id)}`,children:i})}),(0,m.jsx)(`td`,{className:`line-msisdn`,"data-label":a.linesNumber,children:e.msisdn??`—`}),(0,m.jsx)(`td`,{className:`line-unit`,"data-label":a.unit,children:e.orgUnit?.name??`—`}),(0,m.jsx)(`td`,{className:`line-plan`,"data-label":a.linesPlan,children:e.tariffPlan?.name??`—`}),(0,m.jsx)(`td`,{className:`line-status`,"data-label":a.linesStatus,"data-status":e.status??``,children:e.status?a.lineStatus[e.status]:`—`})]},e.id)})})]})}var k=20,A=[`ACTIVE`,`SUSPENDED`,`TERMINATED`];function j(){let{t:e,language:t}=r(),n=p(),a=(0,f.useId)(),o=n.has(`personal:read`),[s,c]=(0,f.useState)(``),[u,d]=(0,f.useState)(``),[h,_]=(0,f.useState)(``),[v,y]=(0,f.useState)(``),[b,x]=(0,f.useState)(null),[S,C]=(0,f.useState)({}),[w,T]=(0,f.useState)(new Set),D=(0,f.useMemo)(()=>({...s&&{orgUnit:s},...u&&{statuses:[u]},...h&&{search:h}}),[s,u,h]),k=(0,f.useMemo)(()=>({...S.before?{last:20,before:S.before}:{first:20,after:S.after},filter:D,orderBy:b}),[S,D,b]),[{data:j,fetching:M,error:N},P]=i({query:g,variables:k}),F=j?.subscribers,I=j?.viewer,L=(I?.customer?.orgRoot?[I.customer.orgRoot]:I?.scope.units??[]).flatMap(e=>[e,...e.descendants??[]]),R=L.find(e=>e.id===s)?.name,z=n.has(`service:write`)&&n.has(`line:write`),B=e=>{e(),C({}),T(new Set)},V=e=>{e.preventDefault(),B(()=>_(v.trim()))},H=[];return w.size>0&&H.push({kind:`ids`,ids:[...w],count:w.size}),s&&R&&H.push({kind:`orgUnit`,orgUnit:s,name:R}),F?.totalCount&&H.push({kind:`filter`,filter:D,count:F.totalCount}),(0,m.jsxs)(`div`,{className:`lines`,children:[(0,m.jsxs)(`div`,{className:`screen-title`,children:[(0,m.jsx)(`h1`,{children:e.linesScreen}),F&&(0,m.jsx)(`p`,{className:`period`,"data-total":F.totalCount??void 0,children:e.linesTotal(l(F.totalCount??0,t))})]}),(0,m.jsxs)(`section`,{className:`panel lines-filters`,"aria-label":e.linesFilters,children:[(0,m.jsxs)(`div`,{className:`field`,children:[(0,m.jsx)(`label`,{htmlFor:`${a}-unit`,children:e.unit}),(0,m.jsxs)(`select`,{id:`${a}-unit`,value:s,onChange:e=>B(()=>c(e.target.value)),children:[(0,m.jsx)(`option`,{value:``,children:e.linesAllUnits}),L.map(e=>(0,m.jsx)(`option`,{value:e.id,children:e.name},e.id))]})]}),(0,m.jsxs)(`div`,{className:`field`,children:[(0,m.jsx)(`label`,{htmlFor:`${a}-status`,children:e.linesStatus}),(0,m.jsxs)(`select`,{id:`${a}-status`,value:u,onChange:e=>B(()=>d(e.target.value)),children:[(0,m.jsx)(`option`,{value:``,children:e.linesAllStatuses}),A.map(t=>(0,m.jsx)(`option`,{value:t,children:e.lineStatus[t]},t))]})]}),(0,m.jsxs)(`div`,{className:`field`,children:[(0,m.jsx)(`label`,{htmlFor:`${a}-order`,children:e.linesSortBy}),(0,m.jsxs)(`select`,{id:`${a}-order`,value:b?`${b.field} ${b.direction}`:``,onChange:e=>{let[t,n]=e.target.value.split(` `);B(()=>x(t?{field:t,direction:n}:null))},children:[(0,m.jsx)(`option`,{value:``,children:e.linesOrderDefault}),(o?[`NAME`,`MSISDN`,`STATUS`,`ACTIVATED_ON`]:[`STATUS`,`ACTIVATED_ON`]).flatMap(e=>[`ASC`,`DESC`].map(t=>({field:e,direction:t}))).map(({field:t,direction:n})=>(0,m.jsxs)(`option`,{value:`${t} ${n}`,children:[e.linesOrder[t],` `,n===`ASC`?`↑`:`↓`]},`${t} ${n}`))]})]}),o&&(0,m.jsxs)(`form`,{role:`search`,className:`lines-search`,onSubmit:V,children:[(0,m.jsxs)(`div`,{className:`field`,children:[(0,m.jsx)(`label`,{htmlFor:`${a}-search`,children:e.linesSearch}),(0,m.jsx)(`input`,{id:`${a}-search`,type:`search`,value:v,onChange:e=>y(e.target.value),placeholder:`+49 170 …`})]}),(0,m.jsx)(`button`,{type:`submit`,children:e.linesSearchButton})]})]}),M&&!j&&(0,m.jsx)(`p`,{role:`status`,children:e.loading}),N&&!j&&(0,m.jsx)(`p`,{role:`alert`,children:e.loadFailed}),F&&(0,m.jsxs)(`section`,{className:`panel`,"aria-labelledby":`lines-table-title`,children:[(0,m.jsx)(`h2`,{id:`lines-table-title`,className:`visually-hidden`,children:e.linesScreen}),(0,m.jsx)(O,{lines:F.nodes,selectable:z,selected:w,onSelect:T}),(0,m.jsxs)(`nav`,{className:`lines-paging`,"aria-label":e.linesPaging,children:[(0,m.jsx)(`button`,{type:`button`,disabled:!F.pageInfo.hasPreviousPage||!F.pageInfo.startCursor,onClick:()=>C({before:F.pageInfo.startCursor??void 0}),children:e.linesPrevious}),(0,m.jsx)(`button`,{type:`button`,disabled:!F.pageInfo.hasNextPage||!F.pageInfo.endCursor,onClick:()=>C({after:F.pageInfo.endCursor??void 0}),children:e.linesNext})]})]}),z&&j&&(0,m.jsx)(E,{choices:H,services:j.services??[],onFinished:()=>P({requestPolicy:`network-only`})})]})}export{k as PAGE_SIZE,j as default};