import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,c as r,i,l as a,r as o}from"./i18n-5d-ntgwM.js";import{t as s}from"./permissions-DKXY6lGj.js";import{o as c}from"./company-B7_Fh-PY.js";import{i as l,t as u}from"./format-CJuQ-zAI.js";var d=e(t(),1),f=n(`
  query Access {
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
`),p=n(`
  query AuditLog($first: Int, $after: String, $last: Int, $before: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
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
`),x=i(),S=20,C=[`allowed`,`denied`,`pending`,`interrupted`],w=[`portalUserInvite`,`portalUserSetRole`,`portalUserGrantScope`,`portalUserRevokeScope`,`serviceAccountCreate`,`apiKeyCreate`,`apiKeyRevoke`,`subscriberSuspend`,`subscriberResume`,`subscriberServicesAdd`,`subscriberServicesRemove`,`subscriberPlanChange`,`subscriberPolicySet`,`subscriberMove`,`bulkOperationCancel`,`orgUnitSetBudget`,`orgUnitSetPolicy`,`orgUnitCreate`,`orgUnitUpdate`,`orgUnitMove`,`orgUnitDelete`];function T(e,t=0){let n=new Date(`${e}T00:00:00`);return n.setDate(n.getDate()+t),n.toISOString()}function E(e,t,n){if(typeof e!=`object`||!e)return``;let r=e.input;return typeof r!=`object`||!r?``:Object.entries(r).filter(([,e])=>e!=null&&!(Array.isArray(e)&&e.length===0)).map(([e,r])=>{let i=r=>{let i=String(r);return e===`role`?n(i):t.get(i)??i};return`${e}: ${Array.isArray(r)?r.map(i).join(`, `):i(r)}`}).join(`; `)}function D({logins:e,names:t,version:n}){let{t:r,language:i}=o(),s=(0,d.useId)(),[c,f]=(0,d.useState)(``),[m,h]=(0,d.useState)(``),[g,_]=(0,d.useState)(``),[v,y]=(0,d.useState)(``),[b,D]=(0,d.useState)(``),[O,k]=(0,d.useState)({first:S}),A=(0,d.useMemo)(()=>({...c&&{actor:c},...m&&{action:m},...g&&{outcome:g},...v&&{since:T(v)},...b&&{until:T(b,1)}}),[c,m,g,v,b]),[{data:j,fetching:M,error:N},P]=a({query:p,variables:{...O,filter:A},requestPolicy:`cache-and-network`});(0,d.useEffect)(()=>{n>0&&(k({first:S}),P({requestPolicy:`network-only`}))},[n,P]);let F=e=>t=>{e(t),k({first:S})},I=j?.auditLog,L=`before`in O||`after`in O&&!!O.after,R=!!I?.pageInfo.startCursor&&L&&!(`before`in O&&!I?.pageInfo.hasPreviousPage),z=e=>r.role[e.toUpperCase()]??e;return(0,x.jsxs)(`section`,{className:`panel audit`,"aria-labelledby":`access-audit-title`,"aria-busy":M,children:[(0,x.jsx)(`h2`,{id:`access-audit-title`,children:r.accessAudit}),(0,x.jsxs)(`form`,{className:`audit-filters`,"aria-label":r.accessAuditFilters,onSubmit:e=>e.preventDefault(),children:[(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${s}-actor`,children:r.accessAuditWho}),(0,x.jsxs)(`select`,{id:`${s}-actor`,value:c,onChange:e=>F(f)(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:r.accessAuditAnyone}),e.map(e=>(0,x.jsx)(`option`,{value:e,children:e},e))]})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${s}-action`,children:r.accessAuditAction}),(0,x.jsxs)(`select`,{id:`${s}-action`,value:m,onChange:e=>F(h)(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:r.accessAuditAnyAction}),w.map(e=>(0,x.jsx)(`option`,{value:e,children:r.accessActions[e]??e},e))]})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${s}-outcome`,children:r.accessAuditOutcome}),(0,x.jsxs)(`select`,{id:`${s}-outcome`,value:g,onChange:e=>F(_)(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:r.accessAuditAnyOutcome}),C.map(e=>(0,x.jsx)(`option`,{value:e,children:r.accessOutcomes[e]},e))]})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${s}-from`,children:r.accessAuditFrom}),(0,x.jsx)(`input`,{id:`${s}-from`,type:`date`,value:v,max:b||void 0,onChange:e=>F(y)(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${s}-to`,children:r.accessAuditTo}),(0,x.jsx)(`input`,{id:`${s}-to`,type:`date`,value:b,min:v||void 0,onChange:e=>F(D)(e.target.value)})]})]}),M&&!j&&(0,x.jsx)(`p`,{role:`status`,children:r.loading}),N&&(0,x.jsx)(`p`,{role:`alert`,children:r.loadFailed}),I&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`p`,{className:`hint`,"data-total":I.totalCount??void 0,children:r.accessAuditTotal(u(I.totalCount??0,i))}),I.edges.length===0?(0,x.jsx)(`p`,{children:r.accessAuditNone}):(0,x.jsxs)(`table`,{className:`audit-log`,children:[(0,x.jsx)(`thead`,{children:(0,x.jsxs)(`tr`,{children:[(0,x.jsx)(`th`,{scope:`col`,children:r.accessAuditWhen}),(0,x.jsx)(`th`,{scope:`col`,children:r.accessAuditWho}),(0,x.jsx)(`th`,{scope:`col`,children:r.accessAuditAction}),(0,x.jsx)(`th`,{scope:`col`,children:r.accessAuditOutcome}),(0,x.jsx)(`th`,{scope:`col`,className:`wide-only`,children:r.accessAuditDetail})]})}),(0,x.jsx)(`tbody`,{children:I.edges.map(({cursor:e,node:n})=>(0,x.jsxs)(`tr`,{"data-cursor":e,"data-action":n.action??``,"data-login":n.login??``,"data-outcome":n.outcome??``,children:[(0,x.jsx)(`td`,{children:(0,x.jsx)(`time`,{dateTime:n.at??void 0,children:n.at?l(n.at,i):`—`})}),(0,x.jsx)(`td`,{children:n.login}),(0,x.jsx)(`td`,{children:n.action?r.accessActions[n.action]??n.action:`—`}),(0,x.jsx)(`td`,{children:n.outcome?r.accessOutcomes[n.outcome]??n.outcome:`—`}),(0,x.jsx)(`td`,{className:`wide-only`,children:E(n.detail,t,z)})]},e))})]}),(0,x.jsxs)(`nav`,{className:`actions`,"aria-label":r.accessAuditPaging,children:[(0,x.jsx)(`button`,{type:`button`,disabled:M||!R,onClick:()=>I.pageInfo.startCursor&&k({last:S,before:I.pageInfo.startCursor}),children:r.newer}),(0,x.jsx)(`button`,{type:`button`,disabled:M||!I.pageInfo.hasNextPage||!I.pageInfo.endCursor,onClick:()=>I.pageInfo.endCursor&&k({first:S,after:I.pageInfo.endCursor}),children:r.older})]})]})]})}function O(e,t,n){if(e){let t=e.graphQLErrors[0];return{ok:!1,code:typeof t?.extensions?.code==`string`?t.extensions.code:`NETWORK_ERROR`,message:t?.message??e.message}}let r=t?.[0];return r?{ok:!1,code:r.code,message:r.message}:{ok:!0,message:n}}function k(e){let[t,n]=(0,d.useState)(null),[r,i]=(0,d.useState)(null),[a,o]=(0,d.useState)(!1);return{proposal:t,outcome:r,busy:a,propose:e=>{i(null),n(e)},confirm:async()=>{if(!t)return;o(!0);let r;try{r=await t.run(crypto.randomUUID())}catch(e){r={ok:!1,code:`NETWORK_ERROR`,message:String(e)}}o(!1),n(null),i(r),e()},cancel:()=>n(null)}}function A({changes:e}){let{t}=o(),n=(0,d.useId)(),r=(0,d.useRef)(null),{proposal:i,busy:a}=e;return(0,d.useEffect)(()=>{let e=r.current;e&&(i&&!e.open&&e.showModal(),!i&&e.open&&e.close())},[i]),(0,x.jsx)(`dialog`,{ref:r,className:`confirm-dialog`,"aria-labelledby":`${n}-title`,"aria-describedby":`${n}-text`,onCancel:t=>{t.preventDefault(),a||e.cancel()},children:i&&(0,x.jsxs)(x.Fragment,{children:[(0,x.jsx)(`h2`,{id:`${n}-title`,children:i.title}),(0,x.jsx)(`div`,{id:`${n}-text`,className:`confirm-text`,children:i.text}),(0,x.jsxs)(`div`,{className:`actions`,children:[(0,x.jsx)(`button`,{type:`button`,className:i.danger?`danger`:`primary`,disabled:a,onClick:()=>void e.confirm(),children:i.confirm}),(0,x.jsx)(`button`,{type:`button`,disabled:a,onClick:e.cancel,children:t.cancel})]}),a&&(0,x.jsx)(`p`,{role:`status`,children:t.accessSending})]})})}function j({changes:e}){let{t}=o(),{outcome:n}=e;return(0,x.jsxs)(`div`,{className:`access-feedback`,"aria-live":`polite`,"aria-atomic":`true`,children:[n?.ok===!0&&(0,x.jsx)(`p`,{className:`feedback ok`,"data-outcome":`ok`,children:n.message}),n?.ok===!1&&(0,x.jsxs)(`p`,{className:`feedback refused`,"data-outcome":`refused`,"data-code":n.code,children:[t.accessRefused,` `,n.message,` `,(0,x.jsx)(`code`,{children:n.code})]})]})}var M=[`CUSTOMER_ADMIN`,`UNIT_ADMIN`,`FINANCE`,`ANALYST`,`AGGREGATE_VIEWER`];function N(e){let t=e?.viewer.customer?.orgRoot;return t?[t,...t.descendants??[]].map(e=>({id:e.id,name:e.name??e.id,depth:e.depth??0})):[]}function P(e){return`${`\xA0\xA0`.repeat(e.depth)}${e.name}`}function F({units:e,changes:t}){let{t:n}=o(),i=(0,d.useId)(),[,a]=r(m),[s,c]=(0,d.useState)(``),[l,u]=(0,d.useState)(``),[f,p]=(0,d.useState)(``),[h,g]=(0,d.useState)(`UNIT_ADMIN`),[_,v]=(0,d.useState)(``),y=e.find(e=>e.id===_)?.name,b=()=>{let e={login:s.trim(),name:l.trim(),email:f.trim()||null,role:h,units:_?[_]:[]},r=n.role[h]??h;t.propose({title:n.accessInviteTitle,text:(0,x.jsx)(`p`,{children:n.accessInviteText(`${e.name} (${e.login})`,r,y??n.accessWholeCompany)}),confirm:n.accessInviteConfirm,run:async t=>{let r=await a({input:{...e,idempotencyKey:t}}),i=O(r.error,r.data?.portalUserInvite.userErrors,n.accessInviteDone(e.login));return i.ok&&(c(``),u(``),p(``),v(``)),i}})};return(0,x.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-invite-title`,children:[(0,x.jsx)(`h2`,{id:`access-invite-title`,children:n.accessInvite}),(0,x.jsxs)(`form`,{className:`stacked-form`,onSubmit:e=>{e.preventDefault(),b()},children:[(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-login`,children:n.accessLogin}),(0,x.jsx)(`input`,{id:`${i}-login`,required:!0,autoComplete:`off`,value:s,onChange:e=>c(e.target.value),"aria-describedby":`${i}-login-hint`}),(0,x.jsx)(`p`,{id:`${i}-login-hint`,className:`hint`,children:n.accessLoginHint})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-name`,children:n.accessName}),(0,x.jsx)(`input`,{id:`${i}-name`,required:!0,autoComplete:`off`,value:l,onChange:e=>u(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-email`,children:n.accessEmail}),(0,x.jsx)(`input`,{id:`${i}-email`,type:`email`,autoComplete:`off`,value:f,onChange:e=>p(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-role`,children:n.accessRole}),(0,x.jsx)(`select`,{id:`${i}-role`,value:h,onChange:e=>g(e.target.value),children:M.map(e=>(0,x.jsx)(`option`,{value:e,children:n.role[e]??e},e))})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-unit`,children:n.accessSubtree}),(0,x.jsxs)(`select`,{id:`${i}-unit`,value:_,onChange:e=>v(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:n.accessWholeCompany}),e.map(e=>(0,x.jsx)(`option`,{value:e.id,children:P(e)},e.id))]})]}),(0,x.jsx)(`button`,{type:`submit`,className:`primary`,children:n.accessInviteButton})]})]})}function I({accounts:e,units:t,canWrite:n,changes:r}){let{t:i}=o(),[a,s]=(0,d.useState)(null);return(0,x.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-accounts-title`,children:[(0,x.jsx)(`h2`,{id:`access-accounts-title`,children:i.accessAccounts}),(0,x.jsx)(`p`,{className:`hint`,children:i.accessAccountsHint}),a&&(0,x.jsx)(L,{issued:a,onDone:()=>s(null)}),e.length===0?(0,x.jsx)(`p`,{children:i.accessNoAccounts}):(0,x.jsx)(`ul`,{className:`access-accounts`,children:e.map(e=>(0,x.jsx)(R,{account:e,canWrite:n,changes:r,onIssued:s},e.id))}),n&&(0,x.jsx)(z,{units:t,changes:r})]})}function L({issued:e,onDone:t}){let{t:n}=o(),r=(0,d.useRef)(null),[i,a]=(0,d.useState)(null);(0,d.useEffect)(()=>r.current?.focus(),[e]);let s=async()=>{try{await navigator.clipboard.writeText(e.secret),a(!0)}catch{a(!1)}};return(0,x.jsxs)(`div`,{className:`secret-once`,role:`region`,"aria-labelledby":`access-secret-title`,children:[(0,x.jsx)(`h3`,{id:`access-secret-title`,ref:r,tabIndex:-1,children:n.accessSecretTitle(e.name)}),(0,x.jsx)(`p`,{className:`warning`,children:n.accessSecretWarning}),(0,x.jsx)(`p`,{className:`secret-value`,children:(0,x.jsx)(`code`,{"data-secret":``,children:e.secret})}),(0,x.jsxs)(`div`,{className:`actions`,children:[(0,x.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void s(),children:n.accessCopy}),(0,x.jsx)(`button`,{type:`button`,onClick:t,children:n.accessSecretDone})]}),(0,x.jsx)(`p`,{"aria-live":`polite`,className:`hint`,children:i===!0?n.accessCopied:i===!1?n.accessCopyFailed:``})]})}function R({account:e,canWrite:t,changes:n,onIssued:i}){let{t:a,language:s}=o(),c=(0,d.useId)(),[,u]=r(y),[,f]=r(b),[p,m]=(0,d.useState)(``),[h,g]=(0,d.useState)(``),_=e.apiKeys??[],v=e=>e?l(e,s):`—`,S=()=>{let t=p.trim(),r=h?new Date(`${h}T23:59:59`).toISOString():null;n.propose({title:a.accessKeyTitle,text:(0,x.jsx)(`p`,{children:a.accessKeyText(t,e.name??e.login??``)}),confirm:a.accessKeyConfirm,run:async n=>{let o={serviceAccount:e.id,name:t,expiresAt:r,idempotencyKey:n},s=await u({input:o}),c=s.data?.apiKeyCreate,l=O(s.error,c?.userErrors,a.accessKeyDone(t));return l.ok&&c?.secret&&c.apiKey&&(i({secret:c.secret,prefix:c.apiKey.prefix??``,name:t,account:e.id}),m(``),g(``)),l}})},C=e=>{n.propose({title:a.accessKeyRevokeTitle,text:(0,x.jsx)(`p`,{children:a.accessKeyRevokeText(e.name??``,e.prefix??``)}),confirm:a.accessKeyRevokeConfirm,danger:!0,run:async t=>{let n=await f({input:{apiKey:e.id,idempotencyKey:t}});return O(n.error,n.data?.apiKeyRevoke.userErrors,a.accessKeyRevokeDone(e.prefix??``))}})};return(0,x.jsxs)(`li`,{className:`account-card`,"data-account":e.id,"data-login":e.login??``,children:[(0,x.jsx)(`h3`,{children:e.name}),(0,x.jsxs)(`dl`,{className:`facts`,children:[(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessLogin}),(0,x.jsx)(`dd`,{children:e.login})]}),(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessRole}),(0,x.jsx)(`dd`,{children:e.role?a.role[e.role]??e.role:`—`})]}),(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessSubtrees}),(0,x.jsx)(`dd`,{children:(e.scopeUnits??[]).map(e=>e.name).join(`, `)||a.accessWholeCompany})]})]}),(0,x.jsx)(`h4`,{children:a.accessKeys}),_.length===0?(0,x.jsx)(`p`,{className:`hint`,children:a.accessNoKeys}):(0,x.jsx)(`ul`,{className:`api-keys`,children:_.map(e=>(0,x.jsxs)(`li`,{"data-key":e.id,"data-active":e.active?`true`:`false`,children:[(0,x.jsxs)(`p`,{className:`key-head`,children:[(0,x.jsx)(`strong`,{children:e.name}),` `,(0,x.jsxs)(`code`,{className:`key-prefix`,children:[e.prefix,`…`]}),` `,(0,x.jsx)(`span`,{className:e.active?`key-state ok`:`key-state off`,children:e.active?a.accessKeyActive:e.revokedAt?a.accessKeyRevoked:a.accessKeyExpired})]}),(0,x.jsxs)(`p`,{className:`hint`,children:[a.accessKeyMade(v(e.createdAt),e.createdBy??`—`),` · `,a.accessKeyUsed(v(e.lastUsedAt)),e.expiresAt&&` · ${a.accessKeyExpires(v(e.expiresAt))}`,e.revokedAt&&` · ${a.accessKeyRevokedAt(v(e.revokedAt))}`]}),t&&e.active&&(0,x.jsx)(`button`,{type:`button`,className:`small danger`,onClick:()=>C(e),"aria-label":a.accessKeyRevokeLabel(e.name??``,e.prefix??``),children:a.accessKeyRevoke})]},e.id))}),t&&e.active!==!1&&(0,x.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),S()},children:[(0,x.jsx)(`label`,{htmlFor:`${c}-key`,children:a.accessKeyName}),(0,x.jsx)(`input`,{id:`${c}-key`,required:!0,autoComplete:`off`,value:p,onChange:e=>m(e.target.value),placeholder:a.accessKeyNameExample}),(0,x.jsx)(`label`,{htmlFor:`${c}-expires`,children:a.accessKeyExpiry}),(0,x.jsx)(`input`,{id:`${c}-expires`,type:`date`,value:h,onChange:e=>g(e.target.value)}),(0,x.jsx)(`button`,{type:`submit`,children:a.accessIssueKey})]})]})}function z({units:e,changes:t}){let{t:n}=o(),i=(0,d.useId)(),[,a]=r(v),[s,c]=(0,d.useState)(``),[l,u]=(0,d.useState)(`ANALYST`),[f,p]=(0,d.useState)(``),m=e.find(e=>e.id===f)?.name??n.accessWholeCompany,h=()=>{let e=s.trim();t.propose({title:n.accessAccountTitle,text:(0,x.jsx)(`p`,{children:n.accessAccountText(e,n.role[l]??l,m)}),confirm:n.accessAccountConfirm,run:async t=>{let r=await a({input:{name:e,role:l,units:f?[f]:[],idempotencyKey:t}}),i=O(r.error,r.data?.serviceAccountCreate.userErrors,n.accessAccountDone(e));return i.ok&&c(``),i}})};return(0,x.jsxs)(`form`,{className:`stacked-form new-account`,"aria-labelledby":`${i}-title`,onSubmit:e=>{e.preventDefault(),h()},children:[(0,x.jsx)(`h3`,{id:`${i}-title`,children:n.accessNewAccount}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-name`,children:n.accessAccountName}),(0,x.jsx)(`input`,{id:`${i}-name`,required:!0,autoComplete:`off`,value:s,onChange:e=>c(e.target.value)})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-role`,children:n.accessAccountRole}),(0,x.jsx)(`select`,{id:`${i}-role`,value:l,onChange:e=>u(e.target.value),children:M.map(e=>(0,x.jsx)(`option`,{value:e,children:n.role[e]??e},e))})]}),(0,x.jsxs)(`div`,{className:`field`,children:[(0,x.jsx)(`label`,{htmlFor:`${i}-unit`,children:n.accessAccountSubtree}),(0,x.jsxs)(`select`,{id:`${i}-unit`,value:f,onChange:e=>p(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:n.accessWholeCompany}),e.map(e=>(0,x.jsx)(`option`,{value:e.id,children:P(e)},e.id))]})]}),(0,x.jsx)(`button`,{type:`submit`,className:`primary`,children:n.accessCreateAccount})]})}function B({users:e,units:t,canWrite:n,self:r,changes:i}){let{t:a}=o();return(0,x.jsxs)(`section`,{className:`panel`,"aria-labelledby":`access-users-title`,children:[(0,x.jsx)(`h2`,{id:`access-users-title`,children:a.accessUsers}),e.length===0?(0,x.jsx)(`p`,{children:a.accessNoUsers}):(0,x.jsx)(`ul`,{className:`access-users`,children:e.map(e=>(0,x.jsx)(V,{user:e,units:t,canWrite:n&&e.login!==r,changes:i},e.id))})]})}function V({user:e,units:t,canWrite:n,changes:i}){let{t:a}=o(),s=(0,d.useId)(),[,c]=r(h),[,l]=r(g),[,u]=r(_),f=new Set((e.scopeUnits??[]).map(e=>e.id)),p=t.filter(e=>!f.has(e.id)),m=M.filter(t=>t!==e.role),[v,y]=(0,d.useState)(``),[b,S]=(0,d.useState)(``),C=`${e.name??``} (${e.login??``})`,w=e=>e?a.role[e]??e:`—`,T=()=>{v&&i.propose({title:a.accessRoleTitle,text:(0,x.jsx)(`p`,{children:a.accessRoleText(C,w(e.role),w(v))}),confirm:a.accessRoleConfirm,run:async t=>{let n=await c({input:{user:e.id,role:v,idempotencyKey:t}}),r=a.accessRoleDone(e.login??``,w(v));return O(n.error,n.data?.portalUserSetRole.userErrors,r)}})},E=()=>{let n=t.find(e=>e.id===b);n&&i.propose({title:a.accessGrantTitle,text:(0,x.jsx)(`p`,{children:a.accessGrantText(C,n.name)}),confirm:a.accessGrantConfirm,run:async t=>{let r=await l({input:{user:e.id,orgUnit:n.id,idempotencyKey:t}}),i=a.accessGrantDone(e.login??``,n.name);return O(r.error,r.data?.portalUserGrantScope.userErrors,i)}})},D=t=>{let n=t.name??t.id;i.propose({title:a.accessRevokeTitle,text:(0,x.jsx)(`p`,{children:a.accessRevokeText(C,n)}),confirm:a.accessRevokeConfirm,danger:!0,run:async r=>{let i=await u({input:{user:e.id,orgUnit:t.id,idempotencyKey:r}}),o=a.accessRevokeDone(e.login??``,n);return O(i.error,i.data?.portalUserRevokeScope.userErrors,o)}})};return(0,x.jsxs)(`li`,{className:`user-card`,"data-user":e.id,"data-login":e.login??``,"data-role":e.role??``,children:[(0,x.jsx)(`h3`,{id:`${s}-name`,children:e.name||e.login}),(0,x.jsxs)(`dl`,{className:`facts`,children:[(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessLogin}),(0,x.jsx)(`dd`,{className:`user-login`,children:e.login})]}),(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessRole}),(0,x.jsx)(`dd`,{className:`user-role`,children:w(e.role)})]}),e.email&&(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessEmail}),(0,x.jsx)(`dd`,{children:e.email})]}),e.active===!1&&(0,x.jsxs)(`div`,{children:[(0,x.jsx)(`dt`,{children:a.accessStatus}),(0,x.jsx)(`dd`,{children:a.accessDisabled})]})]}),(0,x.jsx)(`h4`,{children:a.accessSubtrees}),(e.scopeUnits??[]).length===0?(0,x.jsx)(`p`,{className:`hint`,children:a.accessNoSubtrees}):(0,x.jsx)(`ul`,{className:`user-units`,children:(e.scopeUnits??[]).map(t=>(0,x.jsxs)(`li`,{"data-unit":t.id,children:[(0,x.jsx)(`span`,{className:`unit-name`,children:t.name}),n&&(0,x.jsx)(`button`,{type:`button`,className:`small`,onClick:()=>D(t),"aria-label":a.accessRevokeLabel(t.name??t.id,e.login??``),children:a.accessRevoke})]},t.id))}),n&&(0,x.jsxs)(`div`,{className:`user-changes`,children:[(0,x.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),T()},children:[(0,x.jsx)(`label`,{htmlFor:`${s}-role`,children:a.accessNewRole}),(0,x.jsxs)(`select`,{id:`${s}-role`,value:v,onChange:e=>y(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:a.accessChoose}),m.map(e=>(0,x.jsx)(`option`,{value:e,children:w(e)},e))]}),(0,x.jsx)(`button`,{type:`submit`,disabled:!v,children:a.accessChangeRole})]}),p.length>0&&(0,x.jsxs)(`form`,{className:`inline-form`,onSubmit:e=>{e.preventDefault(),E()},children:[(0,x.jsx)(`label`,{htmlFor:`${s}-unit`,children:a.accessGrantUnit}),(0,x.jsxs)(`select`,{id:`${s}-unit`,value:b,onChange:e=>S(e.target.value),children:[(0,x.jsx)(`option`,{value:``,children:a.accessChoose}),p.map(e=>(0,x.jsx)(`option`,{value:e.id,children:P(e)},e.id))]}),(0,x.jsx)(`button`,{type:`submit`,disabled:!b,children:a.accessGrant})]})]})]})}function H(){let{t:e}=o(),t=c(),n=s(),r=n.has(`user:read`),i=n.has(`user:write`),[{data:l,fetching:u,error:p},m]=a({query:f,pause:!r}),[h,g]=(0,d.useState)(0),_=k((0,d.useCallback)(()=>{m({requestPolicy:`network-only`}),g(e=>e+1)},[m])),v=(0,d.useMemo)(()=>l?.portalUsers??[],[l]),y=(0,d.useMemo)(()=>N(l),[l]),b=(0,d.useMemo)(()=>{let e=new Map;for(let t of y)e.set(t.id,t.name);for(let t of v)e.set(t.id,t.login??t.id);for(let t of v)for(let n of t.apiKeys??[])e.set(n.id,n.prefix??n.id);return e},[y,v]);if(!t)return(0,x.jsx)(`p`,{role:`status`,children:e.loading});if(!r)return(0,x.jsxs)(`section`,{className:`panel`,children:[(0,x.jsx)(`h1`,{children:e.accessScreen}),(0,x.jsx)(`p`,{role:`alert`,children:e.accessNotForRole})]});let S=v.filter(e=>!e.serviceAccount),C=v.filter(e=>e.serviceAccount);return(0,x.jsxs)(`div`,{className:`access`,children:[(0,x.jsxs)(`div`,{className:`screen-title`,children:[(0,x.jsx)(`h1`,{children:e.accessScreen}),!i&&(0,x.jsx)(`p`,{className:`period`,children:e.accessReadOnly})]}),(0,x.jsx)(j,{changes:_}),u&&!l&&(0,x.jsx)(`p`,{role:`status`,children:e.loading}),p&&!l&&(0,x.jsx)(`p`,{role:`alert`,children:e.loadFailed}),l&&(0,x.jsxs)(`div`,{className:`access-grid`,children:[(0,x.jsx)(B,{users:S,units:y,canWrite:i,self:t.login,changes:_}),i&&(0,x.jsx)(F,{units:y,changes:_}),(0,x.jsx)(I,{accounts:C,units:y,canWrite:i,changes:_}),n.has(`audit:read`)&&(0,x.jsx)(D,{logins:v.map(e=>e.login??``).filter(Boolean),names:b,version:h})]}),(0,x.jsx)(A,{changes:_})]})}export{H as default};