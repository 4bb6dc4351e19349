import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,c as r,i,l as a,r as o}from"./i18n-Lw-PrcUh.js";import{t as s}from"./permissions-DuqvlQ95.js";import{o as c}from"./company-WjlhghLa.js";import{i as l,t as u}from"./format-CJuQ-zAI.js";var d=e(t(),1),f=n(`
  query Access($auditPage: Int! = 20) {
    auditLog(first: $auditPage) {
      ...AuditPage
    }
    portalUsers {
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
    viewer {
      customer {
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
`);var p=n(`
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
`);var m=n(`
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
`),h=n(`
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
`),g=n(`
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
`),_=n(`
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
`),v=n(`
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
`),y=n(`
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
`),b=n(`
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
`),x=i(),S=[`allowed`,`denied`,`pending`,`interrupted`],C=[`portalUserInvite`,`portalUserSetRole`,`portalUserGrantScope`,`portalUserRevokeScope`,`serviceAccountCreate`,`apiKeyCreate`,`apiKeyRevoke`,`subscriberSuspend`,`subscriberResume`,`subscriberServicesAdd`,`subscriberServicesRemove`,`subscriberPlanChange`,`subscriberPolicySet`,`subscriberMove`,`bulkOperationCancel`,`orgUnitSetBudget`,`orgUnitSetPolicy`,`orgUnitCreate`,`orgUnitUpdate`,`orgUnitMove`,`orgUnitDelete`];function w(e,t=0){let n=new Date(`${e}T00:00:00`);return n.setDate(n.getDate()+t),n.toISOString()}function T(e,t,n){if(typeof e!=`object`||!e)return``;let r=e.input;return typeof r!=`object`||!r?``:Object.entries(r).filter(([,e])=>e!=null&&!(Array.isArray(e)&&e.length===0)).map(([e,r])=>{let i=r=>{let i=String(r);return e===`role`?n(i):t.get(i)??i};return`${e}: ${Array.isArray(r)?r.map(i).join(`, `):i(r)}`}).join(`; `)}function E({logins:e,names:t,version:n,newest:r}){let{t:i,language:s}=o(),c=(0,d.useId)(),[f,m]=(0,d.useState)(``),[h,g]=(0,d.useState)(``),[_,v]=(0,d.useState)(``),[y,b]=(0,d.useState)(``),[E,D]=(0,d.useState)(``),[O,k]=(0,d.useState)({first:20}),A=(0,d.useMemo)(()=>({...f&&{actor:f},...h&&{action:h},..._&&{outcome:_},...y&&{since:w(y)},...E&&{until:w(E,1)}}),[f,h,_,y,E]),j=n===0&&`first`in O&&!O.after&&Object.keys(A).length===0,[{data:M,fetching:N,error:P},F]=a({query:p,variables:{...O,filter:A},requestPolicy:`cache-and-network`,pause:j});(0,d.useEffect)(()=>{n>0&&(k({first:20}),F({requestPolicy:`network-only`}))},[n,F]);let I=e=>t=>{e(t),k({first:20})},L=j?r:M?.auditLog,R=`before`in O||`after`in O&&!!O.after,z=!!L?.pageInfo.startCursor&&R&&!(`before`in O&&!L?.pageInfo.hasPreviousPage),B=e=>i.role[e.toUpperCase()]??e;return(0,x.jsxs)(`section`,{className:`panel audit`,"aria-labelledby":`access-audit-title`,"aria-busy":N,children:[(0,x.jsx)(`h2`,{id:`access-audit-title`,children:i.accessAudit}),(0,x.jsxs)(`form`,{className:`audit-filters`,"aria-label":i.accessAuditFilters,onSubmit:e=>e.preventDefault(),children:[(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${c}-actor`,children:i.accessAuditWho}),(0,x.jsxs)(`select`,{id:`${c}-actor`,value:f,onChange:e=>I(m)(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:i.accessAuditAnyone}),e.map(e=>(0,x.jsx)(`option`,{value:e,children:e},e))]})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${c}-action`,children:i.accessAuditAction}),(0,x.jsxs)(`select`,{id:`${c}-action`,value:h,onChange:e=>I(g)(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:i.accessAuditAnyAction}),C.map(e=>(0,x.jsx)(`option`,{value:e,children:i.accessActions[e]??e},e))]})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${c}-outcome`,children:i.accessAuditOutcome}),(0,x.jsxs)(`select`,{id:`${c}-outcome`,value:_,onChange:e=>I(v)(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:i.accessAuditAnyOutcome}),S.map(e=>(0,x.jsx)(`option`,{value:e,children:i.accessOutcomes[e]},e))]})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${c}-from`,children:i.accessAuditFrom}),(0,x.jsx)(`input`,{id:`${c}-from`,type:`date`,value:y,max:E||void 0,onChange:e=>I(b)(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${c}-to`,children:i.accessAuditTo}),(0,x.jsx)(`input`,{id:`${c}-to`,type:`date`,value:E,min:y||void 0,onChange:e=>I(D)(e.target.value)})]})]}),N&&!M&&(0,x.jsx)(`p`,{role:`status`,children:i.loading}),P&&(0,x.jsx)(`p`,{role:`alert`,children:i.loadFailed}),L&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`p`,{className:`hint`,"data-total":L.totalCount??void 0,children:i.accessAuditTotal(u(L.totalCount??0,s))}),L.edges.length===0?(0,x.jsx)(`p`,{children:i.accessAuditNone}):(0,x.jsxs)(`table`,{className:`audit-log`,children:[(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:i.accessAuditWhen}),(0,x.jsx)(`th`,{scope:`col`,children:i.accessAuditWho}),(0,x.jsx)(`th`,{scope:`col`,children:i.accessAuditAction}),(0,x.jsx)(`th`,{scope:`col`,children:i.accessAuditOutcome}),(0,x.jsx)(`th`,{scope:`col`,className:`wide-only`,children:i.accessAuditDetail})]})}),(0,x.jsx)(`tbody`,{children:L.edges.map(({cursor:e,node:n})=>(0,x.jsxs)(`tr`,{"data-cursor":e,"data-action":n.action??``,"data-login":n.login??``,"data-outcome":n.outcome??``,children:[(0,x.jsx)(`td`,{children:(0,x.jsx)(`time`,{dateTime:n.at??void 0,children:n.at?l(n.at,s):`—`})}),(0,x.jsx)(`td`,{children:n.login}),(0,x.jsx)(`td`,{children:n.action?i.accessActions[n.action]??n.action:`—`}),(0,x.jsx)(`td`,{children:n.outcome?i.accessOutcomes[n.outcome]??n.outcome:`—`}),(0,x.jsx)(`td`,{className:`wide-only`,children:T(n.detail,t,B)})]},e))})]}),(0,x.jsxs)(`nav`,{className:`actions`,"aria-label":i.accessAuditPaging,children:[(0,x.jsx)(`button`,{type:`button`,disabled:N||!z,onClick:()=>L.pageInfo.startCursor&&k({last:20,before:L.pageInfo.startCursor}),children:i.newer}),(0,x.jsx)(`button`,{type:`button`,disabled:N||!L.pageInfo.hasNextPage||!L.pageInfo.endCursor,onClick:()=>L.pageInfo.endCursor&&k({first:20,after:L.pageInfo.endCursor}),children:i.older})]})]})]})}function D(e,t,n){if(e){let t=e.graphQLErrors[0];return{ok:!1,code:typeof t?.extensions?.code==`string`?t.extensions.code:`NETWORK_ERROR`,message:t?.message??e.message}}let r=t?.[0];return r?{ok:!1,code:r.code,message:r.message}:{ok:!0,message:n}}function O(e){let[t,n]=(0,d.useState)(null),[r,i]=(0,d.useState)(null),[a,o]=(0,d.useState)(!1);return{proposal:t,outcome:r,busy:a,propose:e=>{i(null),n(e)},confirm:async()=>{if(!t)return;o(!0);let r;try{r=await t.run(crypto.randomUUID())}catch(e){r={ok:!1,code:`NETWORK_ERROR`,message:String(e)}}o(!1),n(null),i(r),e()},cancel:()=>n(null)}}function k({changes:e}){let{t}=o(),n=(0,d.useId)(),r=(0,d.useRef)(null),{proposal:i,busy:a}=e;return(0,d.useEffect)(()=>{let e=r.current;e&&(i&&!e.open&&e.showModal(),!i&&e.open&&e.close())},[i]),(0,x.jsx)(`dialog`,{ref:r,className:`confirm-dialog`,"aria-labelledby":`${n}-title`,"aria-describedby":`${n}-text`,onCancel:t=>{t.preventDefault(),a||e.cancel()},children:i&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{id:`${n}-title`,children:i.title}),(0,x.jsx)(`div`,{id:`${n}-text`,className:`confirm-text`,children:i.text}),(0,x.jsxs)(`div`,{className:`actions`,children:[(0,x.jsx)(`button`,{type:`button`,className:i.danger?`danger`:`primary`,disabled:a,onClick:()=>void e.confirm(),children:i.confirm}),(0,x.jsx)(`button`,{type:`button`,disabled:a,onClick:e.cancel,children:t.cancel})]}),a&&(0,x.jsx)(`p`,{role:`status`,children:t.accessSending})]})})}function A({changes:e}){let{t}=o(),{outcome:n}=e;return(0,x.jsxs)(`div`,{className:`access-feedback`,"aria-live":`polite`,"aria-atomic":`true`,children:[n?.ok===!0&&(0,x.jsx)(`p`,{className:`feedback ok`,"data-outcome":`ok`,children:n.message}),n?.ok===!1&&(0,x.jsxs)(`p`,{className:`feedback refused`,"data-outcome":`refused`,"data-code":n.code,children:[t.accessRefused,` `,n.message,` `,(0,x.jsx)(`code`,{children:n.code})]})]})}var j=[`CUSTOMER_ADMIN`,`UNIT_ADMIN`,`FINANCE`,`ANALYST`,`AGGREGATE_VIEWER`];function M(e){let t=e?.viewer.customer?.orgRoot;return t?[t,...t.descendants??[]].map(e=>({id:e.id,name:e.name??e.id,depth:e.depth??0})):[]}function N(e){return`${`\xA0\xA0`.repeat(e.depth)}${e.name}`}function P({units:e,changes:t}){let{t:n}=o(),i=(0,d.useId)(),[,a]=r(m),[s,c]=(0,d.useState)(``),[l,u]=(0,d.useState)(``),[f,p]=(0,d.useState)(``),[h,g]=(0,d.useState)(`UNIT_ADMIN`),[_,v]=(0,d.useState)(``),y=e.find(e=>e.id===_)?.name,b=()=>{let e={login:s.trim(),name:l.trim(),email:f.trim()||null,role:h,units:_?[_]:[]},r=n.role[h]??h;t.propose({title:n.accessInviteTitle,text:(0,x.jsx)(`p`,{children:n.accessInviteText(`${e.name} (${e.login})`,r,y??n.accessWholeCompany)}),confirm:n.accessInviteConfirm,run:async t=>{let r=await a({input:{...e,idempotencyKey:t}}),i=D(r.error,r.data?.portalUserInvite.userErrors,n.accessInviteDone(e.login));return i.ok&&(c(``),u(``),p(``),v(``)),i}})};return(0,x.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-invite-title`,children:[(0,x.jsx)(`h2`,{id:`access-invite-title`,children:n.accessInvite}),(0,x.jsxs)(`form`,{className:`stacked-form`,onSubmit:e=>{e.preventDefault(),b()},children:[(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-login`,children:n.accessLogin}),(0,x.jsx)(`input`,{id:`${i}-login`,required:!0,autoComplete:`off`,value:s,onChange:e=>c(e.target.value),"aria-describedby":`${i}-login-hint`}),(0,x.jsx)(`p`,{id:`${i}-login-hint`,className:`hint`,children:n.accessLoginHint})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-name`,children:n.accessName}),(0,x.jsx)(`input`,{id:`${i}-name`,required:!0,autoComplete:`off`,value:l,onChange:e=>u(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-email`,children:n.accessEmail}),(0,x.jsx)(`input`,{id:`${i}-email`,type:`email`,autoComplete:`off`,value:f,onChange:e=>p(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-role`,children:n.accessRole}),(0,x.jsx)(`select`,{id:`${i}-role`,value:h,onChange:e=>g(e.target.value),children:j.map(e=>(0,x.jsx)(`option`,{value:e,children:n.role[e]??e},e))})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-unit`,children:n.accessSubtree}),(0,x.jsxs)(`select`,{id:`${i}-unit`,value:_,onChange:e=>v(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:n.accessWholeCompany}),e.map(e=>(0,x.jsx)(`option`,{value:e.id,children:N(e)},e.id))]})]}),(0,x.jsx)(`button`,{type:`submit`,className:`primary`,children:n.accessInviteButton})]})]})}function F({accounts:e,units:t,canWrite:n,changes:r}){let{t:i}=o(),[a,s]=(0,d.useState)(null);return(0,x.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-accounts-title`,children:[(0,x.jsx)(`h2`,{id:`access-accounts-title`,children:i.accessAccounts}),(0,x.jsx)(`p`,{className:`hint`,children:i.accessAccountsHint}),a&&(0,x.jsx)(I,{issued:a,onDone:()=>s(null)}),e.length===0?(0,x.jsx)(`p`,{children:i.accessNoAccounts}):(0,x.jsx)(`ul`,{className:`access-accounts`,children:e.map(e=>(0,x.jsx)(L,{account:e,canWrite:n,changes:r,onIssued:s},e.id))}),n&&(0,x.jsx)(R,{units:t,changes:r})]})}function I({issued:e,onDone:t}){let{t:n}=o(),r=(0,d.useRef)(null),[i,a]=(0,d.useState)(null);(0,d.useEffect)(()=>r.current?.focus(),[e]);let s=async()=>{try{await navigator.clipboard.writeText(e.secret),a(!0)}catch{a(!1)}};return(0,x.jsxs)(`div`,{className:`secret-once`,role:`region`,"aria-labelledby":`access-secret-title`,children:[(0,x.jsx)(`h3`,{id:`access-secret-title`,ref:r,tabIndex:-1,children:n.accessSecretTitle(e.name)}),(0,x.jsx)(`p`,{className:`warning`,children:n.accessSecretWarning}),(0,x.jsx)(`p`,{className:`secret-value`,children:(0,x.jsx)(`code`,{"data-secret":``,children:e.secret})}),(0,x.jsxs)(`div`,{className:`actions`,children:[(0,x.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void s(),children:n.accessCopy}),(0,x.jsx)(`button`,{type:`button`,onClick:t,children:n.accessSecretDone})]}),(0,x.jsx)(`p`,{"aria-live":`polite`,className:`hint`,children:i===!0?n.accessCopied:i===!1?n.accessCopyFailed:``})]})}function L({account:e,canWrite:t,changes:n,onIssued:i}){let{t:a,language:s}=o(),c=(0,d.useId)(),[,u]=r(y),[,f]=r(b),[p,m]=(0,d.useState)(``),[h,g]=(0,d.useState)(``),_=e.apiKeys??[],v=e=>e?l(e,s):`—`,S=()=>{let t=p.trim(),r=h?new Date(`${h}T23:59:59`).toISOString():null;n.propose({title:a.accessKeyTitle,text:(0,x.jsx)(`p`,{children:a.accessKeyText(t,e.name??e.login??``)}),confirm:a.accessKeyConfirm,run:async n=>{let o={serviceAccount:e.id,name:t,expiresAt:r,idempotencyKey:n},s=await u({input:o}),c=s.data?.apiKeyCreate,l=D(s.error,c?.userErrors,a.accessKeyDone(t));return l.ok&&c?.secret&&c.apiKey&&(i({secret:c.secret,prefix:c.apiKey.prefix??``,name:t,account:e.id}),m(``),g(``)),l}})},C=e=>{n.propose({title:a.accessKeyRevokeTitle,text:(0,x.jsx)(`p`,{children:a.accessKeyRevokeText(e.name??``,e.prefix??``)}),confirm:a.accessKeyRevokeConfirm,danger:!0,run:async t=>{let n=await f({input:{apiKey:e.id,idempotencyKey:t}});return D(n.error,n.data?.apiKeyRevoke.userErrors,a.accessKeyRevokeDone(e.prefix??``))}})};return(0,x.jsxs)(`li`,{className:`account-card`,"data-account":e.id,"data-login":e.login??``,children:[(0,x.jsx)(`h3`,{children:e.name}),(0,x.jsxs)(`dl`,{className:`facts`,children:[(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessLogin}),(0,x.jsx)(`dd`,{children:e.login})]}),(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessRole}),(0,x.jsx)(`dd`,{children:e.role?a.role[e.role]??e.role:`—`})]}),(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessSubtrees}),(0,x.jsx)(`dd`,{children:(e.scopeUnits??[]).map(e=>e.name).join(`, `)||a.accessWholeCompany})]})]}),(0,x.jsx)(`h4`,{children:a.accessKeys}),_.length===0?(0,x.jsx)(`p`,{className:`hint`,children:a.accessNoKeys}):(0,x.jsx)(`ul`,{className:`api-keys`,children:_.map(e=>(0,x.jsxs)(`li`,{"data-key":e.id,"data-active":e.active?`true`:`false`,children:[(0,x.jsxs)(`p`,{className:`key-head`,children:[(0,x.jsx)(`strong`,{children:e.name}),` `,(0,x.jsxs)(`code`,{className:`key-prefix`,children:[e.prefix,`…`]}),` `,(0,x.jsx)(`span`,{className:e.active?`key-state ok`:`key-state off`,children:e.active?a.accessKeyActive:e.revokedAt?a.accessKeyRevoked:a.accessKeyExpired})]}),(0,x.jsxs)(`p`,{className:`hint`,children:[a.accessKeyMade(v(e.createdAt),e.createdBy??`—`),` · `,a.accessKeyUsed(v(e.lastUsedAt)),e.expiresAt&&` · ${a.accessKeyExpires(v(e.expiresAt))}`,e.revokedAt&&` · ${a.accessKeyRevokedAt(v(e.revokedAt))}`]}),t&&e.active&&(0,x.jsx)(`button`,{type:`button`,className:`small danger`,onClick:()=>C(e),"aria-label":a.accessKeyRevokeLabel(e.name??``,e.prefix??``),children:a.accessKeyRevoke})]},e.id))}),t&&e.active!==!1&&(0,x.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),S()},children:[(0,x.jsx)(`label`,{htmlFor:`${c}-key`,children:a.accessKeyName}),(0,x.jsx)(`input`,{id:`${c}-key`,required:!0,autoComplete:`off`,value:p,onChange:e=>m(e.target.value),placeholder:a.accessKeyNameExample}),(0,x.jsx)(`label`,{htmlFor:`${c}-expires`,children:a.accessKeyExpiry}),(0,x.jsx)(`input`,{id:`${c}-expires`,type:`date`,value:h,onChange:e=>g(e.target.value)}),(0,x.jsx)(`button`,{type:`submit`,children:a.accessIssueKey})]})]})}function R({units:e,changes:t}){let{t:n}=o(),i=(0,d.useId)(),[,a]=r(v),[s,c]=(0,d.useState)(``),[l,u]=(0,d.useState)(`ANALYST`),[f,p]=(0,d.useState)(``),m=e.find(e=>e.id===f)?.name??n.accessWholeCompany,h=()=>{let e=s.trim();t.propose({title:n.accessAccountTitle,text:(0,x.jsx)(`p`,{children:n.accessAccountText(e,n.role[l]??l,m)}),confirm:n.accessAccountConfirm,run:async t=>{let r=await a({input:{name:e,role:l,units:f?[f]:[],idempotencyKey:t}}),i=D(r.error,r.data?.serviceAccountCreate.userErrors,n.accessAccountDone(e));return i.ok&&c(``),i}})};return(0,x.jsxs)(`form`,{className:`stacked-form new-account`,"aria-labelledby":`${i}-title`,onSubmit:e=>{e.preventDefault(),h()},children:[(0,x.jsx)(`h3`,{id:`${i}-title`,children:n.accessNewAccount}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-name`,children:n.accessAccountName}),(0,x.jsx)(`input`,{id:`${i}-name`,required:!0,autoComplete:`off`,value:s,onChange:e=>c(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-role`,children:n.accessAccountRole}),(0,x.jsx)(`select`,{id:`${i}-role`,value:l,onChange:e=>u(e.target.value),children:j.map(e=>(0,x.jsx)(`option`,{value:e,children:n.role[e]??e},e))})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-unit`,children:n.accessAccountSubtree}),(0,x.jsxs)(`select`,{id:`${i}-unit`,value:f,onChange:e=>p(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:n.accessWholeCompany}),e.map(e=>(0,x.jsx)(`option`,{value:e.id,children:N(e)},e.id))]})]}),(0,x.jsx)(`button`,{type:`submit`,className:`primary`,children:n.accessCreateAccount})]})}function z({users:e,units:t,canWrite:n,self:r,changes:i}){let{t:a}=o();return(0,x.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-users-title`,children:[(0,x.jsx)(`h2`,{id:`access-users-title`,children:a.accessUsers}),e.length===0?(0,x.jsx)(`p`,{children:a.accessNoUsers}):(0,x.jsx)(`ul`,{className:`access-users`,children:e.map(e=>(0,x.jsx)(B,{user:e,units:t,canWrite:n&&e.login!==r,changes:i},e.id))})]})}function B({user:e,units:t,canWrite:n,changes:i}){let{t:a}=o(),s=(0,d.useId)(),[,c]=r(h),[,l]=r(g),[,u]=r(_),f=new Set((e.scopeUnits??[]).map(e=>e.id)),p=t.filter(e=>!f.has(e.id)),m=j.filter(t=>t!==e.role),[v,y]=(0,d.useState)(``),[b,S]=(0,d.useState)(``),C=`${e.name??``} (${e.login??``})`,w=e=>e?a.role[e]??e:`—`,T=()=>{v&&i.propose({title:a.accessRoleTitle,text:(0,x.jsx)(`p`,{children:a.accessRoleText(C,w(e.role),w(v))}),confirm:a.accessRoleConfirm,run:async t=>{let n=await c({input:{user:e.id,role:v,idempotencyKey:t}}),r=a.accessRoleDone(e.login??``,w(v));return D(n.error,n.data?.portalUserSetRole.userErrors,r)}})},E=()=>{let n=t.find(e=>e.id===b);n&&i.propose({title:a.accessGrantTitle,text:(0,x.jsx)(`p`,{children:a.accessGrantText(C,n.name)}),confirm:a.accessGrantConfirm,run:async t=>{let r=await l({input:{user:e.id,orgUnit:n.id,idempotencyKey:t}}),i=a.accessGrantDone(e.login??``,n.name);return D(r.error,r.data?.portalUserGrantScope.userErrors,i)}})},O=t=>{let n=t.name??t.id;i.propose({title:a.accessRevokeTitle,text:(0,x.jsx)(`p`,{children:a.accessRevokeText(C,n)}),confirm:a.accessRevokeConfirm,danger:!0,run:async r=>{let i=await u({input:{user:e.id,orgUnit:t.id,idempotencyKey:r}}),o=a.accessRevokeDone(e.login??``,n);return D(i.error,i.data?.portalUserRevokeScope.userErrors,o)}})};return(0,x.jsxs)(`li`,{className:`user-card`,"data-user":e.id,"data-login":e.login??``,"data-role":e.role??``,children:[(0,x.jsx)(`h3`,{id:`${s}-name`,children:e.name||e.login}),(0,x.jsxs)(`dl`,{className:`facts`,children:[(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessLogin}),(0,x.jsx)(`dd`,{className:`user-login`,children:e.login})]}),(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessRole}),(0,x.jsx)(`dd`,{className:`user-role`,children:w(e.role)})]}),e.email&&(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessEmail}),(0,x.jsx)(`dd`,{children:e.email})]}),e.active===!1&&(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessStatus}),(0,x.jsx)(`dd`,{children:a.accessDisabled})]})]}),(0,x.jsx)(`h4`,{children:a.accessSubtrees}),(e.scopeUnits??[]).length===0?(0,x.jsx)(`p`,{className:`hint`,children:a.accessNoSubtrees}):(0,x.jsx)(`ul`,{className:`user-units`,children:(e.scopeUnits??[]).map(t=>(0,x.jsxs)(`li`,{"data-unit":t.id,children:[(0,x.jsx)(`span`,{className:`unit-name`,children:t.name}),n&&(0,x.jsx)(`button`,{type:`button`,className:`small`,onClick:()=>O(t),"aria-label":a.accessRevokeLabel(t.name??t.id,e.login??``),children:a.accessRevoke})]},t.id))}),n&&(0,x.jsxs)(`div`,{className:`user-changes`,children:[(0,x.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),T()},children:[(0,x.jsx)(`label`,{htmlFor:`${s}-role`,children:a.accessNewRole}),(0,x.jsxs)(`select`,{id:`${s}-role`,value:v,onChange:e=>y(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:a.accessChoose}),m.map(e=>(0,x.jsx)(`option`,{value:e,children:w(e)},e))]}),(0,x.jsx)(`button`,{type:`submit`,disabled:!v,children:a.accessChangeRole})]}),p.length>0&&(0,x.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),E()},children:[(0,x.jsx)(`label`,{htmlFor:`${s}-unit`,children:a.accessGrantUnit}),(0,x.jsxs)(`select`,{id:`${s}-unit`,value:b,onChange:e=>S(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:a.accessChoose}),p.map(e=>(0,x.jsx)(`option`,{value:e.id,children:N(e)},e.id))]}),(0,x.jsx)(`button`,{type:`submit`,disabled:!b,children:a.accessGrant})]})]})]})}function V(){let{t:e}=o(),t=c(),n=s(),r=n.has(`user:read`),i=n.has(`user:write`),[{data:l,fetching:u,error:p},m]=a({query:f,variables:{auditPage:20}}),[h,g]=(0,d.useState)(0),_=O((0,d.useCallback)(()=>{m({requestPolicy:`network-only`}),g(e=>e+1)},[m])),v=(0,d.useMemo)(()=>l?.portalUsers??[],[l]),y=(0,d.useMemo)(()=>M(l),[l]),b=(0,d.useMemo)(()=>{let e=new Map;for(let t of y)e.set(t.id,t.name);for(let t of v)e.set(t.id,t.login??t.id);for(let t of v)for(let n of t.apiKeys??[])e.set(n.id,n.prefix??n.id);return e},[y,v]);if(!t)return(0,x.jsx)(`p`,{role:`status`,children:e.loading});if(!r)return(0,x.jsxs)(`section`,{className:`panel`,children:[(0,x.jsx)(`h1`,{children:e.accessScreen}),(0,x.jsx)(`p`,{role:`alert`,children:e.accessNotForRole})]});let S=v.filter(e=>!e.serviceAccount),C=v.filter(e=>e.serviceAccount);return(0,x.jsxs)(`div`,{className:`access`,children:[(0,x.jsxs)(`div`,{className:`screen-title`,children:[(0,x.jsx)(`h1`,{children:e.accessScreen}),!i&&(0,x.jsx)(`p`,{className:`period`,children:e.accessReadOnly})]}),(0,x.jsx)(A,{changes:_}),u&&!l&&(0,x.jsx)(`p`,{role:`status`,children:e.loading}),p&&!l&&(0,x.jsx)(`p`,{role:`alert`,children:e.loadFailed}),l&&(0,x.jsxs)(`div`,{className:`access-grid`,children:[(0,x.jsx)(z,{users:S,units:y,canWrite:i,self:t.login,changes:_}),i&&(0,x.jsx)(P,{units:y,changes:_}),(0,x.jsx)(F,{accounts:C,units:y,canWrite:i,changes:_}),n.has(`audit:read`)&&(0,x.jsx)(E,{logins:v.map(e=>e.login??``).filter(Boolean),names:b,version:h,newest:l?.auditLog})]}),(0,x.jsx)(k,{changes:_})]})}export{V as default};