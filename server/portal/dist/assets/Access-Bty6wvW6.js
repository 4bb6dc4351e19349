import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,c as r,i,l as a,r as o}from"./i18n-CKJwWD2B.js";import{t as s}from"./permissions-D5dhOU7z.js";import{o as c,r as l}from"./company-BH6Ve1TI.js";import{t as u}from"./CompanyPicker-HWL9-7U3.js";import{i as d,t as f}from"./format-CJuQ-zAI.js";var p=e(t(),1),m=n(`
  query Access($auditPage: Int! = 20, $customer: ID) {
    auditLog(first: $auditPage, filter: { customer: $customer }) {
      ...AuditPage
    }
    portalUsers(customer: $customer) {
      id
      login
      name
      email
      role
      active
      serviceAccount
      scopeUnits {
        id
        name
      }
      apiKeys {
        id
        name
        prefix
        createdBy
        createdAt
        expiresAt
        revokedAt
        lastUsedAt
        active
      }
    }
    customer(id: $customer) {
      id
      orgRoot {
        id
        name
        depth
        descendants {
          id
          name
          depth
        }
      }
    }
  }
`);n(`
  fragment AuditPage on AuditRecordConnection {
    totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          at
          login
          role
          action
          outcome
          detail
        }
      }
  }
`);var h=n(`
  query AuditLog($first: Int, $after: String, $last: Int, $before: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      ...AuditPage
    }
  }
`);n(`
  fragment AccessErrors on UserError {
    field
    code
    message
  }
`);var g=n(`
  mutation PortalUserInvite($input: PortalUserInviteInput!) {
    portalUserInvite(input: $input) {
      user {
        id
        login
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`),_=n(`
  mutation PortalUserSetRole($input: PortalUserSetRoleInput!) {
    portalUserSetRole(input: $input) {
      user {
        id
        role
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`),v=n(`
  mutation PortalUserGrantScope($input: PortalUserScopeInput!) {
    portalUserGrantScope(input: $input) {
      user {
        id
        scopeUnits {
          id
          name
        }
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`),y=n(`
  mutation PortalUserRevokeScope($input: PortalUserScopeInput!) {
    portalUserRevokeScope(input: $input) {
      user {
        id
        scopeUnits {
          id
          name
        }
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`),b=n(`
  mutation ServiceAccountCreate($input: ServiceAccountCreateInput!) {
    serviceAccountCreate(input: $input) {
      serviceAccount {
        id
        login
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`),x=n(`
  mutation ApiKeyCreate($input: ApiKeyCreateInput!) {
    apiKeyCreate(input: $input) {
      apiKey {
        id
        name
        prefix
      }
      secret
      userErrors {
        ...AccessErrors
      }
    }
  }
`),S=n(`
  mutation ApiKeyRevoke($input: ApiKeyRevokeInput!) {
    apiKeyRevoke(input: $input) {
      apiKey {
        id
        active
        revokedAt
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`),C=i(),w=[`allowed`,`denied`,`pending`,`interrupted`],T=[`portalUserInvite`,`portalUserSetRole`,`portalUserGrantScope`,`portalUserRevokeScope`,`serviceAccountCreate`,`apiKeyCreate`,`apiKeyRevoke`,`subscriberSuspend`,`subscriberResume`,`subscriberServicesAdd`,`subscriberServicesRemove`,`subscriberPlanChange`,`subscriberPolicySet`,`subscriberMove`,`bulkOperationCancel`,`orgUnitSetBudget`,`orgUnitSetPolicy`,`orgUnitCreate`,`orgUnitUpdate`,`orgUnitMove`,`orgUnitDelete`];function E(e,t=0){let n=new Date(`${e}T00:00:00`);return n.setDate(n.getDate()+t),n.toISOString()}function D(e,t,n){if(typeof e!=`object`||!e)return``;let r=e.input;return typeof r!=`object`||!r?``:Object.entries(r).filter(([,e])=>e!=null&&!(Array.isArray(e)&&e.length===0)).map(([e,r])=>{let i=r=>{let i=String(r);return e===`role`?n(i):t.get(i)??i};return`${e}: ${Array.isArray(r)?r.map(i).join(`, `):i(r)}`}).join(`; `)}function O({logins:e,names:t,version:n,customer:r,newest:i}){let{t:s,language:c}=o(),l=(0,p.useId)(),[u,m]=(0,p.useState)(``),[g,_]=(0,p.useState)(``),[v,y]=(0,p.useState)(``),[b,x]=(0,p.useState)(``),[S,O]=(0,p.useState)(``),[k,A]=(0,p.useState)({first:20}),j=(0,p.useMemo)(()=>({...u&&{actor:u},...g&&{action:g},...v&&{outcome:v},...b&&{since:E(b)},...S&&{until:E(S,1)}}),[u,g,v,b,S]),M=(0,p.useMemo)(()=>({...j,...r&&{customer:r}}),[j,r]),N=n===0&&`first`in k&&!k.after&&Object.keys(j).length===0,[{data:P,fetching:F,error:I},L]=a({query:h,variables:{...k,filter:M},requestPolicy:`cache-and-network`,pause:N});(0,p.useEffect)(()=>{n>0&&(A({first:20}),L({requestPolicy:`network-only`}))},[n,L]);let R=e=>t=>{e(t),A({first:20})},z=N?i:P?.auditLog,B=`before`in k||`after`in k&&!!k.after,V=!!z?.pageInfo.startCursor&&B&&!(`before`in k&&!z?.pageInfo.hasPreviousPage),H=e=>s.role[e.toUpperCase()]??e;return(0,C.jsxs)(`section`,{className:`panel audit`,"aria-labelledby":`access-audit-title`,"aria-busy":F,children:[(0,C.jsx)(`h2`,{id:`access-audit-title`,children:s.accessAudit}),(0,C.jsxs)(`form`,{className:`audit-filters`,"aria-label":s.accessAuditFilters,onSubmit:e=>e.preventDefault(),children:[(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${l}-actor`,children:s.accessAuditWho}),(0,C.jsxs)(`select`,{id:`${l}-actor`,value:u,onChange:e=>R(m)(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:s.accessAuditAnyone}),e.map(e=>(0,C.jsx)(`option`,{value:e,children:e},e))]})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${l}-action`,children:s.accessAuditAction}),(0,C.jsxs)(`select`,{id:`${l}-action`,value:g,onChange:e=>R(_)(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:s.accessAuditAnyAction}),T.map(e=>(0,C.jsx)(`option`,{value:e,children:s.accessActions[e]??e},e))]})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${l}-outcome`,children:s.accessAuditOutcome}),(0,C.jsxs)(`select`,{id:`${l}-outcome`,value:v,onChange:e=>R(y)(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:s.accessAuditAnyOutcome}),w.map(e=>(0,C.jsx)(`option`,{value:e,children:s.accessOutcomes[e]},e))]})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${l}-from`,children:s.accessAuditFrom}),(0,C.jsx)(`input`,{id:`${l}-from`,type:`date`,value:b,max:S||void 0,onChange:e=>R(x)(e.target.value)})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${l}-to`,children:s.accessAuditTo}),(0,C.jsx)(`input`,{id:`${l}-to`,type:`date`,value:S,min:b||void 0,onChange:e=>R(O)(e.target.value)})]})]}),F&&!P&&(0,C.jsx)(`p`,{role:`status`,children:s.loading}),I&&(0,C.jsx)(`p`,{role:`alert`,children:s.loadFailed}),z&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`p`,{className:`hint`,"data-total":z.totalCount??void 0,children:s.accessAuditTotal(f(z.totalCount??0,c))}),z.edges.length===0?(0,C.jsx)(`p`,{children:s.accessAuditNone}):(0,C.jsxs)(`table`,{className:`audit-log`,children:[(0,C.jsx)(`thead`,{children:(0,C.jsxs)(`tr`,{children:[(0,C.jsx)(`th`,{scope:`col`,children:s.accessAuditWhen}),(0,C.jsx)(`th`,{scope:`col`,children:s.accessAuditWho}),(0,C.jsx)(`th`,{scope:`col`,children:s.accessAuditAction}),(0,C.jsx)(`th`,{scope:`col`,children:s.accessAuditOutcome}),(0,C.jsx)(`th`,{scope:`col`,className:`wide-only`,children:s.accessAuditDetail})]})}),(0,C.jsx)(`tbody`,{children:z.edges.map(({cursor:e,node:n})=>(0,C.jsxs)(`tr`,{"data-cursor":e,"data-action":n.action??``,"data-login":n.login??``,"data-outcome":n.outcome??``,children:[(0,C.jsx)(`td`,{children:(0,C.jsx)(`time`,{dateTime:n.at??void 0,children:n.at?d(n.at,c):`—`})}),(0,C.jsx)(`td`,{children:n.login}),(0,C.jsx)(`td`,{children:n.action?s.accessActions[n.action]??n.action:`—`}),(0,C.jsx)(`td`,{children:n.outcome?s.accessOutcomes[n.outcome]??n.outcome:`—`}),(0,C.jsx)(`td`,{className:`wide-only`,children:D(n.detail,t,H)})]},e))})]}),(0,C.jsxs)(`nav`,{className:`actions`,"aria-label":s.accessAuditPaging,children:[(0,C.jsx)(`button`,{type:`button`,disabled:F||!V,onClick:()=>z.pageInfo.startCursor&&A({last:20,before:z.pageInfo.startCursor}),children:s.newer}),(0,C.jsx)(`button`,{type:`button`,disabled:F||!z.pageInfo.hasNextPage||!z.pageInfo.endCursor,onClick:()=>z.pageInfo.endCursor&&A({first:20,after:z.pageInfo.endCursor}),children:s.older})]})]})]})}function k(e,t,n){if(e){let t=e.graphQLErrors[0];return{ok:!1,code:typeof t?.extensions?.code==`string`?t.extensions.code:`NETWORK_ERROR`,message:t?.message??e.message}}let r=t?.[0];return r?{ok:!1,code:r.code,message:r.message}:{ok:!0,message:n}}function A(e){let[t,n]=(0,p.useState)(null),[r,i]=(0,p.useState)(null),[a,o]=(0,p.useState)(!1);return{proposal:t,outcome:r,busy:a,propose:e=>{i(null),n(e)},confirm:async()=>{if(!t)return;o(!0);let r;try{r=await t.run(crypto.randomUUID())}catch(e){r={ok:!1,code:`NETWORK_ERROR`,message:String(e)}}o(!1),n(null),i(r),e()},cancel:()=>n(null)}}function j({changes:e}){let{t}=o(),n=(0,p.useId)(),r=(0,p.useRef)(null),{proposal:i,busy:a}=e;return(0,p.useEffect)(()=>{let e=r.current;e&&(i&&!e.open&&e.showModal(),!i&&e.open&&e.close())},[i]),(0,C.jsx)(`dialog`,{ref:r,className:`confirm-dialog`,"aria-labelledby":`${n}-title`,"aria-describedby":`${n}-text`,onCancel:t=>{t.preventDefault(),a||e.cancel()},children:i&&(0,C.jsxs)(C.Fragment,{children:[(0,C.jsx)(`h2`,{id:`${n}-title`,children:i.title}),(0,C.jsx)(`div`,{id:`${n}-text`,className:`confirm-text`,children:i.text}),(0,C.jsxs)(`div`,{className:`actions`,children:[(0,C.jsx)(`button`,{type:`button`,className:i.danger?`danger`:`primary`,disabled:a,onClick:()=>void e.confirm(),children:i.confirm}),(0,C.jsx)(`button`,{type:`button`,disabled:a,onClick:e.cancel,children:t.cancel})]}),a&&(0,C.jsx)(`p`,{role:`status`,children:t.accessSending})]})})}function M({changes:e}){let{t}=o(),{outcome:n}=e;return(0,C.jsxs)(`div`,{className:`access-feedback`,"aria-live":`polite`,"aria-atomic":`true`,children:[n?.ok===!0&&(0,C.jsx)(`p`,{className:`feedback ok`,"data-outcome":`ok`,children:n.message}),n?.ok===!1&&(0,C.jsxs)(`p`,{className:`feedback refused`,"data-outcome":`refused`,"data-code":n.code,children:[t.accessRefused,` `,n.message,` `,(0,C.jsx)(`code`,{children:n.code})]})]})}var N=[`CUSTOMER_ADMIN`,`UNIT_ADMIN`,`FINANCE`,`ANALYST`,`AGGREGATE_VIEWER`];function P(e){let t=e?.customer?.orgRoot;return t?[t,...t.descendants??[]].map(e=>({id:e.id,name:e.name??e.id,depth:e.depth??0})):[]}function F(e){return`${`\xA0\xA0`.repeat(e.depth)}${e.name}`}function I({units:e,changes:t}){let{t:n}=o(),i=(0,p.useId)(),[,a]=r(g),[s,c]=(0,p.useState)(``),[l,u]=(0,p.useState)(``),[d,f]=(0,p.useState)(``),[m,h]=(0,p.useState)(`UNIT_ADMIN`),[_,v]=(0,p.useState)(``),y=e.find(e=>e.id===_)?.name,b=()=>{let e={login:s.trim(),name:l.trim(),email:d.trim()||null,role:m,units:_?[_]:[]},r=n.role[m]??m;t.propose({title:n.accessInviteTitle,text:(0,C.jsx)(`p`,{children:n.accessInviteText(`${e.name} (${e.login})`,r,y??n.accessWholeCompany)}),confirm:n.accessInviteConfirm,run:async t=>{let r=await a({input:{...e,idempotencyKey:t}}),i=k(r.error,r.data?.portalUserInvite.userErrors,n.accessInviteDone(e.login));return i.ok&&(c(``),u(``),f(``),v(``)),i}})};return(0,C.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-invite-title`,children:[(0,C.jsx)(`h2`,{id:`access-invite-title`,children:n.accessInvite}),(0,C.jsxs)(`form`,{className:`stacked-form`,onSubmit:e=>{e.preventDefault(),b()},children:[(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-login`,children:n.accessLogin}),(0,C.jsx)(`input`,{id:`${i}-login`,required:!0,autoComplete:`off`,value:s,onChange:e=>c(e.target.value),"aria-describedby":`${i}-login-hint`}),(0,C.jsx)(`p`,{id:`${i}-login-hint`,className:`hint`,children:n.accessLoginHint})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-name`,children:n.accessName}),(0,C.jsx)(`input`,{id:`${i}-name`,required:!0,autoComplete:`off`,value:l,onChange:e=>u(e.target.value)})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-email`,children:n.accessEmail}),(0,C.jsx)(`input`,{id:`${i}-email`,type:`email`,autoComplete:`off`,value:d,onChange:e=>f(e.target.value)})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-role`,children:n.accessRole}),(0,C.jsx)(`select`,{id:`${i}-role`,value:m,onChange:e=>h(e.target.value),children:N.map(e=>(0,C.jsx)(`option`,{value:e,children:n.role[e]??e},e))})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-unit`,children:n.accessSubtree}),(0,C.jsxs)(`select`,{id:`${i}-unit`,value:_,onChange:e=>v(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:n.accessWholeCompany}),e.map(e=>(0,C.jsx)(`option`,{value:e.id,children:F(e)},e.id))]})]}),(0,C.jsx)(`button`,{type:`submit`,className:`primary`,children:n.accessInviteButton})]})]})}function L({accounts:e,units:t,canWrite:n,changes:r}){let{t:i}=o(),[a,s]=(0,p.useState)(null);return(0,C.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-accounts-title`,children:[(0,C.jsx)(`h2`,{id:`access-accounts-title`,children:i.accessAccounts}),(0,C.jsx)(`p`,{className:`hint`,children:i.accessAccountsHint}),a&&(0,C.jsx)(R,{issued:a,onDone:()=>s(null)}),e.length===0?(0,C.jsx)(`p`,{children:i.accessNoAccounts}):(0,C.jsx)(`ul`,{className:`access-accounts`,children:e.map(e=>(0,C.jsx)(z,{account:e,canWrite:n,changes:r,onIssued:s},e.id))}),n&&(0,C.jsx)(B,{units:t,changes:r})]})}function R({issued:e,onDone:t}){let{t:n}=o(),r=(0,p.useRef)(null),[i,a]=(0,p.useState)(null);(0,p.useEffect)(()=>r.current?.focus(),[e]);let s=async()=>{try{await navigator.clipboard.writeText(e.secret),a(!0)}catch{a(!1)}};return(0,C.jsxs)(`div`,{className:`secret-once`,role:`region`,"aria-labelledby":`access-secret-title`,children:[(0,C.jsx)(`h3`,{id:`access-secret-title`,ref:r,tabIndex:-1,children:n.accessSecretTitle(e.name)}),(0,C.jsx)(`p`,{className:`warning`,children:n.accessSecretWarning}),(0,C.jsx)(`p`,{className:`secret-value`,children:(0,C.jsx)(`code`,{"data-secret":``,children:e.secret})}),(0,C.jsxs)(`div`,{className:`actions`,children:[(0,C.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void s(),children:n.accessCopy}),(0,C.jsx)(`button`,{type:`button`,onClick:t,children:n.accessSecretDone})]}),(0,C.jsx)(`p`,{"aria-live":`polite`,className:`hint`,children:i===!0?n.accessCopied:i===!1?n.accessCopyFailed:``})]})}function z({account:e,canWrite:t,changes:n,onIssued:i}){let{t:a,language:s}=o(),c=(0,p.useId)(),[,l]=r(x),[,u]=r(S),[f,m]=(0,p.useState)(``),[h,g]=(0,p.useState)(``),_=e.apiKeys??[],v=e=>e?d(e,s):`—`,y=()=>{let t=f.trim(),r=h?new Date(`${h}T23:59:59`).toISOString():null;n.propose({title:a.accessKeyTitle,text:(0,C.jsx)(`p`,{children:a.accessKeyText(t,e.name??e.login??``)}),confirm:a.accessKeyConfirm,run:async n=>{let o={serviceAccount:e.id,name:t,expiresAt:r,idempotencyKey:n},s=await l({input:o}),c=s.data?.apiKeyCreate,u=k(s.error,c?.userErrors,a.accessKeyDone(t));return u.ok&&c?.secret&&c.apiKey&&(i({secret:c.secret,prefix:c.apiKey.prefix??``,name:t,account:e.id}),m(``),g(``)),u}})},b=e=>{n.propose({title:a.accessKeyRevokeTitle,text:(0,C.jsx)(`p`,{children:a.accessKeyRevokeText(e.name??``,e.prefix??``)}),confirm:a.accessKeyRevokeConfirm,danger:!0,run:async t=>{let n=await u({input:{apiKey:e.id,idempotencyKey:t}});return k(n.error,n.data?.apiKeyRevoke.userErrors,a.accessKeyRevokeDone(e.prefix??``))}})};return(0,C.jsxs)(`li`,{className:`account-card`,"data-account":e.id,"data-login":e.login??``,children:[(0,C.jsx)(`h3`,{children:e.name}),(0,C.jsxs)(`dl`,{className:`facts`,children:[(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessLogin}),(0,C.jsx)(`dd`,{children:e.login})]}),(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessRole}),(0,C.jsx)(`dd`,{children:e.role?a.role[e.role]??e.role:`—`})]}),(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessSubtrees}),(0,C.jsx)(`dd`,{children:(e.scopeUnits??[]).map(e=>e.name).join(`, `)||a.accessWholeCompany})]})]}),(0,C.jsx)(`h4`,{children:a.accessKeys}),_.length===0?(0,C.jsx)(`p`,{className:`hint`,children:a.accessNoKeys}):(0,C.jsx)(`ul`,{className:`api-keys`,children:_.map(e=>(0,C.jsxs)(`li`,{"data-key":e.id,"data-active":e.active?`true`:`false`,children:[(0,C.jsxs)(`p`,{className:`key-head`,children:[(0,C.jsx)(`strong`,{children:e.name}),` `,(0,C.jsxs)(`code`,{className:`key-prefix`,children:[e.prefix,`…`]}),` `,(0,C.jsx)(`span`,{className:e.active?`key-state ok`:`key-state off`,children:e.active?a.accessKeyActive:e.revokedAt?a.accessKeyRevoked:a.accessKeyExpired})]}),(0,C.jsxs)(`p`,{className:`hint`,children:[a.accessKeyMade(v(e.createdAt),e.createdBy??`—`),` · `,a.accessKeyUsed(v(e.lastUsedAt)),e.expiresAt&&` · ${a.accessKeyExpires(v(e.expiresAt))}`,e.revokedAt&&` · ${a.accessKeyRevokedAt(v(e.revokedAt))}`]}),t&&e.active&&(0,C.jsx)(`button`,{type:`button`,className:`small danger`,onClick:()=>b(e),"aria-label":a.accessKeyRevokeLabel(e.name??``,e.prefix??``),children:a.accessKeyRevoke})]},e.id))}),t&&e.active!==!1&&(0,C.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),y()},children:[(0,C.jsx)(`label`,{htmlFor:`${c}-key`,children:a.accessKeyName}),(0,C.jsx)(`input`,{id:`${c}-key`,required:!0,autoComplete:`off`,value:f,onChange:e=>m(e.target.value),placeholder:a.accessKeyNameExample}),(0,C.jsx)(`label`,{htmlFor:`${c}-expires`,children:a.accessKeyExpiry}),(0,C.jsx)(`input`,{id:`${c}-expires`,type:`date`,value:h,onChange:e=>g(e.target.value)}),(0,C.jsx)(`button`,{type:`submit`,children:a.accessIssueKey})]})]})}function B({units:e,changes:t}){let{t:n}=o(),i=(0,p.useId)(),[,a]=r(b),[s,c]=(0,p.useState)(``),[l,u]=(0,p.useState)(`ANALYST`),[d,f]=(0,p.useState)(``),m=e.find(e=>e.id===d)?.name??n.accessWholeCompany,h=()=>{let e=s.trim();t.propose({title:n.accessAccountTitle,text:(0,C.jsx)(`p`,{children:n.accessAccountText(e,n.role[l]??l,m)}),confirm:n.accessAccountConfirm,run:async t=>{let r=await a({input:{name:e,role:l,units:d?[d]:[],idempotencyKey:t}}),i=k(r.error,r.data?.serviceAccountCreate.userErrors,n.accessAccountDone(e));return i.ok&&c(``),i}})};return(0,C.jsxs)(`form`,{className:`stacked-form new-account`,"aria-labelledby":`${i}-title`,onSubmit:e=>{e.preventDefault(),h()},children:[(0,C.jsx)(`h3`,{id:`${i}-title`,children:n.accessNewAccount}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-name`,children:n.accessAccountName}),(0,C.jsx)(`input`,{id:`${i}-name`,required:!0,autoComplete:`off`,value:s,onChange:e=>c(e.target.value)})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-role`,children:n.accessAccountRole}),(0,C.jsx)(`select`,{id:`${i}-role`,value:l,onChange:e=>u(e.target.value),children:N.map(e=>(0,C.jsx)(`option`,{value:e,children:n.role[e]??e},e))})]}),(0,C.jsxs)(`div`,{className:`field`,children:[(0,C.jsx)(`label`,{htmlFor:`${i}-unit`,children:n.accessAccountSubtree}),(0,C.jsxs)(`select`,{id:`${i}-unit`,value:d,onChange:e=>f(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:n.accessWholeCompany}),e.map(e=>(0,C.jsx)(`option`,{value:e.id,children:F(e)},e.id))]})]}),(0,C.jsx)(`button`,{type:`submit`,className:`primary`,children:n.accessCreateAccount})]})}function V({users:e,units:t,canWrite:n,self:r,changes:i}){let{t:a}=o();return(0,C.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-users-title`,children:[(0,C.jsx)(`h2`,{id:`access-users-title`,children:a.accessUsers}),e.length===0?(0,C.jsx)(`p`,{children:a.accessNoUsers}):(0,C.jsx)(`ul`,{className:`access-users`,children:e.map(e=>(0,C.jsx)(H,{user:e,units:t,canWrite:n&&e.login!==r,changes:i},e.id))})]})}function H({user:e,units:t,canWrite:n,changes:i}){let{t:a}=o(),s=(0,p.useId)(),[,c]=r(_),[,l]=r(v),[,u]=r(y),d=new Set((e.scopeUnits??[]).map(e=>e.id)),f=t.filter(e=>!d.has(e.id)),m=N.filter(t=>t!==e.role),[h,g]=(0,p.useState)(``),[b,x]=(0,p.useState)(``),S=`${e.name??``} (${e.login??``})`,w=e=>e?a.role[e]??e:`—`,T=()=>{h&&i.propose({title:a.accessRoleTitle,text:(0,C.jsx)(`p`,{children:a.accessRoleText(S,w(e.role),w(h))}),confirm:a.accessRoleConfirm,run:async t=>{let n=await c({input:{user:e.id,role:h,idempotencyKey:t}}),r=a.accessRoleDone(e.login??``,w(h));return k(n.error,n.data?.portalUserSetRole.userErrors,r)}})},E=()=>{let n=t.find(e=>e.id===b);n&&i.propose({title:a.accessGrantTitle,text:(0,C.jsx)(`p`,{children:a.accessGrantText(S,n.name)}),confirm:a.accessGrantConfirm,run:async t=>{let r=await l({input:{user:e.id,orgUnit:n.id,idempotencyKey:t}}),i=a.accessGrantDone(e.login??``,n.name);return k(r.error,r.data?.portalUserGrantScope.userErrors,i)}})},D=t=>{let n=t.name??t.id;i.propose({title:a.accessRevokeTitle,text:(0,C.jsx)(`p`,{children:a.accessRevokeText(S,n)}),confirm:a.accessRevokeConfirm,danger:!0,run:async r=>{let i=await u({input:{user:e.id,orgUnit:t.id,idempotencyKey:r}}),o=a.accessRevokeDone(e.login??``,n);return k(i.error,i.data?.portalUserRevokeScope.userErrors,o)}})};return(0,C.jsxs)(`li`,{className:`user-card`,"data-user":e.id,"data-login":e.login??``,"data-role":e.role??``,children:[(0,C.jsx)(`h3`,{id:`${s}-name`,children:e.name||e.login}),(0,C.jsxs)(`dl`,{className:`facts`,children:[(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessLogin}),(0,C.jsx)(`dd`,{className:`user-login`,children:e.login})]}),(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessRole}),(0,C.jsx)(`dd`,{className:`user-role`,children:w(e.role)})]}),e.email&&(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessEmail}),(0,C.jsx)(`dd`,{children:e.email})]}),e.active===!1&&(0,C.jsxs)(`div`,{children:[(0,C.jsx)(`dt`,{children:a.accessStatus}),(0,C.jsx)(`dd`,{children:a.accessDisabled})]})]}),(0,C.jsx)(`h4`,{children:a.accessSubtrees}),(e.scopeUnits??[]).length===0?(0,C.jsx)(`p`,{className:`hint`,children:a.accessNoSubtrees}):(0,C.jsx)(`ul`,{className:`user-units`,children:(e.scopeUnits??[]).map(t=>(0,C.jsxs)(`li`,{"data-unit":t.id,children:[(0,C.jsx)(`span`,{className:`unit-name`,children:t.name}),n&&(0,C.jsx)(`button`,{type:`button`,className:`small`,onClick:()=>D(t),"aria-label":a.accessRevokeLabel(t.name??t.id,e.login??``),children:a.accessRevoke})]},t.id))}),n&&(0,C.jsxs)(`div`,{className:`user-changes`,children:[(0,C.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),T()},children:[(0,C.jsx)(`label`,{htmlFor:`${s}-role`,children:a.accessNewRole}),(0,C.jsxs)(`select`,{id:`${s}-role`,value:h,onChange:e=>g(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:a.accessChoose}),m.map(e=>(0,C.jsx)(`option`,{value:e,children:w(e)},e))]}),(0,C.jsx)(`button`,{type:`submit`,disabled:!h,children:a.accessChangeRole})]}),f.length>0&&(0,C.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),E()},children:[(0,C.jsx)(`label`,{htmlFor:`${s}-unit`,children:a.accessGrantUnit}),(0,C.jsxs)(`select`,{id:`${s}-unit`,value:b,onChange:e=>x(e.target.value),children:[(0,C.jsx)(`option`,{value:``,children:a.accessChoose}),f.map(e=>(0,C.jsx)(`option`,{value:e.id,children:F(e)},e.id))]}),(0,C.jsx)(`button`,{type:`submit`,disabled:!b,children:a.accessGrant})]})]})]})}function U(){let{t:e}=o(),t=c(),n=s(),r=n.has(`user:read`),i=n.has(`user:write`),{customer:d,unchosen:f}=l(),[{data:h,fetching:g,error:_},v]=a({query:m,variables:{auditPage:20,customer:d},pause:f}),[y,b]=(0,p.useState)(0),x=A((0,p.useCallback)(()=>{v({requestPolicy:`network-only`}),b(e=>e+1)},[v])),S=(0,p.useMemo)(()=>h?.portalUsers??[],[h]),w=(0,p.useMemo)(()=>P(h),[h]),T=(0,p.useMemo)(()=>{let e=new Map;for(let t of w)e.set(t.id,t.name);for(let t of S)e.set(t.id,t.login??t.id);for(let t of S)for(let n of t.apiKeys??[])e.set(n.id,n.prefix??n.id);return e},[w,S]);if(!t)return(0,C.jsx)(`p`,{role:`status`,children:e.loading});if(f)return(0,C.jsx)(u,{});if(!r)return(0,C.jsxs)(`section`,{className:`panel`,children:[(0,C.jsx)(`h1`,{children:e.accessScreen}),(0,C.jsx)(`p`,{role:`alert`,children:e.accessNotForRole})]});let E=S.filter(e=>!e.serviceAccount),D=S.filter(e=>e.serviceAccount);return(0,C.jsxs)(`div`,{className:`access`,children:[(0,C.jsxs)(`div`,{className:`screen-title`,children:[(0,C.jsx)(`h1`,{children:e.accessScreen}),!i&&(0,C.jsx)(`p`,{className:`period`,children:e.accessReadOnly})]}),(0,C.jsx)(M,{changes:x}),g&&!h&&(0,C.jsx)(`p`,{role:`status`,children:e.loading}),_&&!h&&(0,C.jsx)(`p`,{role:`alert`,children:e.loadFailed}),h&&(0,C.jsxs)(`div`,{className:`access-grid`,children:[(0,C.jsx)(V,{users:E,units:w,canWrite:i,self:t.login,changes:x}),i&&(0,C.jsx)(I,{units:w,changes:x}),(0,C.jsx)(L,{accounts:D,units:w,canWrite:i,changes:x}),n.has(`audit:read`)&&(0,C.jsx)(O,{logins:S.map(e=>e.login??``).filter(Boolean),names:T,version:y,customer:d,newest:h?.auditLog})]}),(0,C.jsx)(j,{changes:x})]})}export{U as default};