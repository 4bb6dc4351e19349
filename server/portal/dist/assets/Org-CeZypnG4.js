import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,c as r,i,l as a,r as o}from"./i18n-7_l1xP0Y.js";import{t as s}from"./permissions-D8Z8yWqo.js";import{a as c,n as l}from"./format-CJuQ-zAI.js";var u=e(t(),1),d=i();function f(e){let[t,n]=(0,u.useState)({kind:`idle`});return{step:t,propose:e=>n({kind:`asking`,proposal:e}),refuse:e=>n({kind:`refused`,problems:[{code:``,message:e}]}),confirm:async()=>{if(t.kind!==`asking`)return;let{proposal:r}=t;n({kind:`busy`,proposal:r});let i=await r.send(crypto.randomUUID());i===null?n({kind:`refused`,problems:[]}):i.userErrors.length>0?n({kind:`refused`,problems:i.userErrors}):(n({kind:`done`,message:r.done}),e(),r.after?.(i.orgUnit))},cancel:()=>n({kind:`idle`}),busy:t.kind===`busy`||t.kind===`asking`}}function p({change:e}){let{t}=o(),{step:n}=e;return n.kind===`idle`?null:n.kind===`asking`||n.kind===`busy`?(0,d.jsxs)(`div`,{className:`proposal`,role:`group`,"aria-label":t.orgConfirmTitle,children:[(0,d.jsx)(`p`,{className:`proposal-what`,children:n.proposal.question}),n.kind===`busy`&&(0,d.jsx)(`p`,{role:`status`,children:t.orgSaving}),(0,d.jsxs)(`div`,{className:`actions`,children:[(0,d.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void e.confirm(),disabled:n.kind===`busy`,children:t.confirm}),(0,d.jsx)(`button`,{type:`button`,onClick:e.cancel,disabled:n.kind===`busy`,children:t.cancel})]})]}):n.kind===`done`?(0,d.jsx)(`div`,{className:`change-result`,role:`status`,"data-outcome":`APPLIED`,children:(0,d.jsx)(`p`,{children:n.message})}):(0,d.jsxs)(`div`,{className:`change-result`,role:`alert`,"data-outcome":`REFUSED`,children:[(0,d.jsx)(`p`,{children:t.orgRefused}),(0,d.jsxs)(`ul`,{className:`problems`,children:[n.problems.length===0&&(0,d.jsx)(`li`,{children:t.loadFailed}),n.problems.map(e=>(0,d.jsxs)(`li`,{"data-code":e.code,children:[e.message,e.code&&(0,d.jsxs)(`span`,{className:`code`,children:[` (`,e.code,`)`]})]},`${e.code}-${e.message}`))]})]})}function m(e,t){if(e)return e;let n=t?.graphQLErrors??[];return n.length===0?null:{__typename:`OrgUnitPayload`,orgUnit:null,userErrors:n.map(e=>({__typename:`UserError`,field:[],code:String(e.extensions?.code??``),message:e.message}))}}n(`
  fragment OrgUnitFields on OrgUnit {
    id
    name
    kind
    depth
    costCentreCode
    subscriberCount
    parent {
      id
    }
    monthlyBudget {
      amount
      currency
    }
    effectivePolicy {
      monthlyLimit {
        amount
        currency
      }
      limitAction
      companySharePercent
      contentFilter
      roamingAllowed
      origins {
        attribute
        setBy
        orgUnit {
          id
          name
        }
      }
    }
  }
`),n(`
  fragment OrgSubtree on OrgUnit {
    ...OrgUnitFields
    descendants {
      ...OrgUnitFields
    }
  }
`);var h=n(`
  query OrgStructure {
    viewer {
      customer {
        id
        currency
        orgRoot {
          ...OrgSubtree
        }
      }
      scope {
        units {
          ...OrgSubtree
        }
      }
    }
  }
`);n(`
  fragment OrgChange on OrgUnitPayload {
    orgUnit {
      id
      name
    }
    userErrors {
      field
      code
      message
    }
  }
`);var g=n(`
  mutation OrgUnitCreate($input: OrgUnitCreateInput!) {
    orgUnitCreate(input: $input) {
      ...OrgChange
    }
  }
`),_=n(`
  mutation OrgUnitUpdate($input: OrgUnitUpdateInput!) {
    orgUnitUpdate(input: $input) {
      ...OrgChange
    }
  }
`),v=n(`
  mutation OrgUnitMove($input: OrgUnitMoveInput!) {
    orgUnitMove(input: $input) {
      ...OrgChange
    }
  }
`),y=n(`
  mutation OrgUnitDelete($input: OrgUnitDeleteInput!) {
    orgUnitDelete(input: $input) {
      ...OrgChange
    }
  }
`),b=n(`
  mutation OrgUnitSetBudget($input: OrgUnitSetBudgetInput!) {
    orgUnitSetBudget(input: $input) {
      ...OrgChange
    }
  }
`),x=n(`
  mutation OrgUnitSetPolicy($input: OrgUnitSetPolicyInput!) {
    orgUnitSetPolicy(input: $input) {
      ...OrgChange
    }
  }
`);function S(e){let t=new Map,n=new Map,r=[];for(let n of e)for(let e of[n,...n.descendants??[]])t.has(e.id)||t.set(e.id,e);for(let e of t.values()){let i=e.parent?.id;i!==void 0&&t.has(i)?n.set(i,[...n.get(i)??[],e]):r.push(e)}return{roots:r,byId:t,children:n}}function C(e){let t=[],n=r=>{t.push(r);for(let t of e.children.get(r.id)??[])n(t)};return e.roots.forEach(n),t}var w=/^\d{1,12}([.,]\d{1,2})?$/;function T({unit:e,currency:t,change:n}){let{t:i,language:a}=o(),[,s]=r(b),l=e.monthlyBudget,[f,h]=(0,u.useState)(l?.amount??``),g=e.name??``,_=r=>{let o=r===null?``:c({amount:r,currency:t},a);n.propose({question:r===null?i.orgConfirmNoBudget(g):i.orgConfirmBudget(g,o),done:r===null?i.orgBudgetRemoved:i.orgBudgetSet(o),send:async t=>{let n=await s({input:{orgUnit:e.id,monthlyBudget:r,idempotencyKey:t}});return m(n.data?.orgUnitSetBudget,n.error)}})};return(0,d.jsxs)(`section`,{className:`panel org-budget`,"aria-labelledby":`org-budget-title`,children:[(0,d.jsx)(`h2`,{id:`org-budget-title`,children:i.orgBudget}),(0,d.jsx)(`p`,{className:`budget-current`,children:l?(0,d.jsx)(`data`,{value:l.amount,children:c(l,a)}):i.noBudget}),(0,d.jsxs)(`form`,{className:`change-form`,onSubmit:e=>{e.preventDefault();let t=f.trim().replace(`,`,`.`);if(!w.test(t))return n.refuse(i.orgEnterAmount);_(t)},children:[(0,d.jsxs)(`label`,{children:[i.orgBudgetAmount(t),(0,d.jsx)(`input`,{inputMode:`decimal`,autoComplete:`off`,value:f,onChange:e=>h(e.target.value),disabled:n.busy})]}),(0,d.jsxs)(`div`,{className:`actions`,children:[(0,d.jsx)(`button`,{type:`submit`,disabled:n.busy,children:i.orgSetBudget}),l&&(0,d.jsx)(`button`,{type:`button`,className:`danger`,onClick:()=>_(null),disabled:n.busy,children:i.orgRemoveBudget})]})]}),(0,d.jsx)(p,{change:n})]})}function E({unit:e,tree:t,change:n,onSelect:i}){let{t:a}=o(),[,s]=r(g),[,c]=r(_),[,l]=r(v),[,f]=r(y),[h,b]=(0,u.useState)(e.name??``),[x,S]=(0,u.useState)(e.costCentreCode??``),[w,T]=(0,u.useState)(``),E=C(t).filter(t=>t.id!==e.id&&t.id!==e.parent?.id),[D,O]=(0,u.useState)(E[0]?.id??``),k=!e.parent,A=(e.depth??0)<3,j=e.name??``,M=()=>{let t={};if(h.trim()!==j&&(t.name=h.trim()),x.trim()!==(e.costCentreCode??``)&&(t.costCentreCode=x.trim()||null),Object.keys(t).length===0)return n.refuse(a.orgNothingToChange);if(t.name===``)return n.refuse(a.orgEnterName);let r=[t.name??j,x.trim()].filter(Boolean).join(` · `);n.propose({question:a.orgConfirmRename([j,e.costCentreCode].filter(Boolean).join(` · `),r),done:a.orgRenamed(r),send:async n=>{let r=await c({input:{orgUnit:e.id,...t,idempotencyKey:n}});return m(r.data?.orgUnitUpdate,r.error)}})},N=()=>{let t=w.trim();if(!t)return n.refuse(a.orgEnterName);n.propose({question:a.orgConfirmCreate(t,j),done:a.orgCreated(t),send:async n=>{let r=await s({input:{parent:e.id,name:t,idempotencyKey:n}});return m(r.data?.orgUnitCreate,r.error)},after:e=>{T(``),e&&i(e.id)}})},P=()=>{let r=t.byId.get(D);r&&n.propose({question:a.orgConfirmMove(j,r.name??``),done:a.orgMoved(j,r.name??``),send:async t=>{let n=await l({input:{orgUnit:e.id,newParent:r.id,idempotencyKey:t}});return m(n.data?.orgUnitMove,n.error)}})},F=()=>{let t=e.parent?.id;n.propose({question:a.orgConfirmDelete(j),done:a.orgDeleted(j),send:async t=>{let n=await f({input:{orgUnit:e.id,idempotencyKey:t}});return m(n.data?.orgUnitDelete,n.error)},after:()=>{t&&i(t)}})},I=e=>t=>{t.preventDefault(),e()};return(0,d.jsxs)(`section`,{className:`panel org-structure`,"aria-labelledby":`org-structure-title`,children:[(0,d.jsx)(`h2`,{id:`org-structure-title`,children:a.orgStructure}),(0,d.jsxs)(`form`,{className:`change-form`,"data-form":`rename`,onSubmit:I(M),children:[(0,d.jsxs)(`label`,{children:[a.orgNewName,(0,d.jsx)(`input`,{value:h,onChange:e=>b(e.target.value),disabled:n.busy,required:!0})]}),(0,d.jsxs)(`label`,{children:[a.orgNewCostCentre,(0,d.jsx)(`input`,{value:x,onChange:e=>S(e.target.value),disabled:n.busy})]}),(0,d.jsx)(`button`,{type:`submit`,disabled:n.busy,children:a.orgRename})]}),A&&(0,d.jsxs)(`form`,{className:`change-form`,"data-form":`create`,onSubmit:I(N),children:[(0,d.jsxs)(`label`,{children:[a.orgChildName,(0,d.jsx)(`input`,{value:w,onChange:e=>T(e.target.value),disabled:n.busy})]}),(0,d.jsx)(`button`,{type:`submit`,disabled:n.busy,children:a.orgAddChild})]}),!k&&E.length>0&&(0,d.jsxs)(`form`,{className:`change-form`,"data-form":`move`,onSubmit:I(P),children:[(0,d.jsxs)(`label`,{children:[a.orgNewParent,(0,d.jsx)(`select`,{value:D,onChange:e=>O(e.target.value),disabled:n.busy,children:E.map(e=>(0,d.jsxs)(`option`,{value:e.id,children:[` `.repeat(e.depth??0),e.name,` (`,a.orgKind[e.kind??``]??e.kind,`)`]},e.id))})]}),(0,d.jsx)(`button`,{type:`submit`,disabled:n.busy,children:a.orgMove})]}),!k&&(0,d.jsxs)(`form`,{className:`change-form`,"data-form":`delete`,onSubmit:I(F),children:[(0,d.jsx)(`p`,{className:`hint`,children:a.orgDeleteHint}),(0,d.jsx)(`button`,{type:`submit`,className:`danger`,disabled:n.busy,children:a.orgDelete})]}),(0,d.jsx)(p,{change:n})]})}var D=[`MONTHLY_LIMIT`,`LIMIT_ACTION`,`COMPANY_SHARE_PERCENT`,`CONTENT_FILTER`,`ROAMING_ALLOWED`],O={LIMIT_ACTION:[`NOTIFY`,`BLOCK`,`CHARGE_EMPLOYEE`],CONTENT_FILTER:[`OFF`,`MODERATE`,`STRICT`],ROAMING_ALLOWED:[`true`,`false`]},k=/^\d{1,12}([.,]\d{1,2})?$/,A=/^\d{1,3}$/;function j(e,t){switch(t){case`MONTHLY_LIMIT`:return e.monthlyLimit?.amount??``;case`LIMIT_ACTION`:return e.limitAction;case`COMPANY_SHARE_PERCENT`:return String(e.companySharePercent);case`CONTENT_FILTER`:return e.contentFilter;case`ROAMING_ALLOWED`:return String(e.roamingAllowed)}}function M(e,t){switch(e){case`MONTHLY_LIMIT`:return{monthlyLimit:t.replace(`,`,`.`)};case`LIMIT_ACTION`:return{limitAction:t};case`COMPANY_SHARE_PERCENT`:return{companySharePercent:Number(t)};case`CONTENT_FILTER`:return{contentFilter:t};case`ROAMING_ALLOWED`:return{roamingAllowed:t===`true`}}}var N={MONTHLY_LIMIT:{monthlyLimit:null},LIMIT_ACTION:{limitAction:null},COMPANY_SHARE_PERCENT:{companySharePercent:null},CONTENT_FILTER:{contentFilter:null},ROAMING_ALLOWED:{roamingAllowed:null}};function P({unit:e,canChange:t,change:n}){let{t:i,language:a}=o(),[,s]=r(x),l=e.effectivePolicy,f=new Map((l?.origins??[]).map(e=>[e.attribute,e])),[h,g]=(0,u.useState)(()=>Object.fromEntries(D.map(e=>[e,{mode:f.get(e)?.setBy===`OWN`?`set`:`inherit`,value:l?j(l,e):``}])));if(!l)return null;let _={MONTHLY_LIMIT:i.monthlyLimit,LIMIT_ACTION:i.limitActionLabel,COMPANY_SHARE_PERCENT:i.companySharePercent,CONTENT_FILTER:i.contentFilterLabel,ROAMING_ALLOWED:i.roaming},v=(t,n)=>{switch(t){case`MONTHLY_LIMIT`:return n===``?i.noLimit:c({amount:n,currency:l.monthlyLimit?.currency??e.monthlyBudget?.currency??`EUR`},a);case`LIMIT_ACTION`:return i.limitAction[n]??n;case`COMPANY_SHARE_PERCENT`:return`${n} %`;case`CONTENT_FILTER`:return i.contentFilter[n]??n;case`ROAMING_ALLOWED`:return n===`true`?i.allowed:i.notAllowed}},y=e=>{let t=f.get(e);return!t||t.setBy===`DEFAULT`?i.orgDefault:t.setBy===`OWN`?i.orgSetHere:t.orgUnit?.name?i.orgInheritedFrom(t.orgUnit.name):i.orgInheritedHidden},b=(e,t)=>g(n=>({...n,[e]:{...n[e],...t}})),S=()=>{let t={},r=[];for(let e of D){let{mode:a,value:o}=h[e],s=f.get(e)?.setBy===`OWN`;if(a===`inherit`){if(!s)continue;t={...t,...N[e]},r.push(i.orgInherits(_[e]))}else if(!(s&&o===j(l,e))){if(e===`MONTHLY_LIMIT`&&!k.test(o.trim()))return n.refuse(i.orgEnterAmount);if(e===`COMPANY_SHARE_PERCENT`&&!A.test(o.trim()))return n.refuse(`${_[e]}: 0–100`);t={...t,...M(e,o.trim())},r.push(`${_[e]}: ${v(e,o.trim().replace(`,`,`.`))}`)}}if(r.length===0)return n.refuse(i.orgNothingToChange);n.propose({question:i.orgConfirmPolicy(e.name??``,r.join(`; `)),done:i.orgPolicySaved,send:async n=>{let r=await s({input:{orgUnit:e.id,policy:t,idempotencyKey:n}});return m(r.data?.orgUnitSetPolicy,r.error)}})};return(0,d.jsxs)(`section`,{className:`panel org-policy`,"aria-labelledby":`org-policy-title`,children:[(0,d.jsx)(`h2`,{id:`org-policy-title`,children:i.orgPolicy}),(0,d.jsx)(`p`,{className:`hint`,children:i.orgPolicyHint}),(0,d.jsx)(`dl`,{className:`facts policy-facts`,children:D.map(e=>{let t=f.get(e);return(0,d.jsxs)(`div`,{"data-attribute":e,"data-set-by":t?.setBy??`DEFAULT`,"data-from":t?.orgUnit?.id??``,children:[(0,d.jsx)(`dt`,{children:_[e]}),(0,d.jsxs)(`dd`,{children:[(0,d.jsx)(`span`,{className:`policy-value`,children:v(e,j(l,e))}),(0,d.jsx)(`span`,{className:`policy-origin`,children:y(e)})]})]},e)})}),t&&(0,d.jsxs)(`form`,{className:`change-form policy-form`,onSubmit:e=>{e.preventDefault(),S()},children:[(0,d.jsx)(`h3`,{children:i.orgChangePolicy}),D.map(e=>{let{mode:t,value:r}=h[e],a=O[e],o={"aria-label":i.orgValueOf(_[e]),value:r,disabled:n.busy||t!==`set`};return(0,d.jsxs)(`fieldset`,{"data-attribute":e,children:[(0,d.jsx)(`legend`,{children:_[e]}),(0,d.jsxs)(`div`,{className:`policy-choice`,children:[[`inherit`,`set`].map(r=>(0,d.jsxs)(`label`,{className:`choice`,children:[(0,d.jsx)(`input`,{type:`radio`,name:`policy-${e}`,checked:t===r,onChange:()=>b(e,{mode:r}),disabled:n.busy}),r===`set`?i.orgSetHere:i.orgInherit]},r)),a?(0,d.jsx)(`select`,{...o,onChange:t=>b(e,{value:t.target.value}),children:a.map(t=>(0,d.jsx)(`option`,{value:t,children:v(e,t)},t))}):(0,d.jsx)(`input`,{...o,inputMode:e===`MONTHLY_LIMIT`?`decimal`:`numeric`,autoComplete:`off`,onChange:t=>b(e,{value:t.target.value})})]})]},e)}),(0,d.jsx)(`button`,{type:`submit`,disabled:n.busy,children:i.orgSavePolicy})]}),(0,d.jsx)(p,{change:n})]})}function F({ref:e,unit:t,tree:n,currency:r,allowed:i,changes:a,onSelect:s}){let{t:u,language:f}=o(),p=t.parent?n.byId.get(t.parent.id):void 0,m=t.subscriberCount,h=[[`kind`,u.orgKindLabel,u.orgKind[t.kind??``]??t.kind??`—`],[`parent`,u.orgParent,p?.name??`—`],[`cost-centre`,u.orgCostCentre,t.costCentreCode??u.orgNone],[`lines`,u.orgLines,m==null?u.notAvailable:l(m,u.lines,f)],[`budget`,u.orgBudget,t.monthlyBudget?c(t.monthlyBudget,f):u.noBudget]];return(0,d.jsxs)(`div`,{className:`org-detail`,"data-unit":t.id,children:[(0,d.jsxs)(`section`,{className:`panel unit-detail`,"aria-labelledby":`unit-title`,ref:e,tabIndex:-1,children:[(0,d.jsx)(`h2`,{id:`unit-title`,children:t.name}),(0,d.jsx)(`dl`,{className:`facts`,children:h.map(([e,t,n])=>(0,d.jsxs)(`div`,{"data-fact":e,children:[(0,d.jsx)(`dt`,{children:t}),(0,d.jsx)(`dd`,{children:n})]},e))})]}),i.has(`org:write`)&&(0,d.jsx)(E,{unit:t,tree:n,change:a.structure,onSelect:s},[t.name,t.costCentreCode,t.parent?.id,n.byId.size].join(`|`)),i.has(`budget:write`)&&(0,d.jsx)(T,{unit:t,currency:r,change:a.budget},t.monthlyBudget?.amount??``),(0,d.jsx)(P,{unit:t,canChange:i.has(`policy:write`),change:a.policy},JSON.stringify(t.effectivePolicy))]})}function I({unit:e,tree:t,selected:n,onSelect:r}){let{t:i,language:a}=o(),s=t.children.get(e.id)??[],c=e.subscriberCount;return(0,d.jsxs)(`li`,{"data-unit":e.id,children:[(0,d.jsxs)(`button`,{type:`button`,className:`org-node`,"aria-current":e.id===n?`true`:void 0,onClick:()=>r(e.id),children:[(0,d.jsx)(`span`,{className:`unit-name`,children:e.name}),(0,d.jsx)(`data`,{className:`unit-lines`,value:c??``,children:c==null?i.notAvailable:l(c,i.lines,a)})]}),s.length>0&&(0,d.jsx)(`ul`,{children:s.map(e=>(0,d.jsx)(I,{unit:e,tree:t,selected:n,onSelect:r},e.id))})]})}function L(e){return(0,d.jsx)(`ul`,{className:`org-units`,children:e.tree.roots.map(t=>(0,d.jsx)(I,{unit:t,...e},t.id))})}function R(){let{t:e}=o(),[t,n]=a({query:h}),r=()=>n({requestPolicy:`network-only`}),i=s(),c=t.data?.viewer,l=(0,u.useMemo)(()=>{let e=c?.customer?.orgRoot;return S(e?[e]:c?.scope.units??[])},[c]),[p,m]=(0,u.useState)(null),g={structure:f(r),budget:f(r),policy:f(r)},_=(0,u.useRef)(null),v=(p===null?void 0:l.byId.get(p))??l.roots[0],y=e=>{Object.values(g).forEach(e=>e.cancel()),m(e),requestAnimationFrame(()=>_.current?.focus())},b=[`org:write`,`budget:write`,`policy:write`].some(e=>i.has(e));return(0,d.jsxs)(`div`,{className:`org`,children:[(0,d.jsx)(`div`,{className:`screen-title`,children:(0,d.jsx)(`h1`,{children:e.orgScreen})}),t.fetching&&!t.data&&(0,d.jsx)(`p`,{role:`status`,children:e.loading}),t.error&&!t.data&&(0,d.jsx)(`p`,{role:`alert`,children:e.loadFailed}),t.data&&l.roots.length===0&&(0,d.jsx)(`p`,{children:e.noOrgAccess}),t.data&&!b&&l.roots.length>0&&(0,d.jsx)(`p`,{className:`hint`,children:e.orgReadOnly}),v&&(0,d.jsxs)(`div`,{className:`org-grid`,children:[(0,d.jsxs)(`section`,{className:`panel org-tree-panel`,"aria-labelledby":`org-units-title`,children:[(0,d.jsx)(`h2`,{id:`org-units-title`,children:e.orgUnits}),(0,d.jsx)(`p`,{className:`hint`,children:e.orgUnitsHint}),(0,d.jsx)(L,{tree:l,selected:v.id,onSelect:y})]}),(0,d.jsx)(F,{ref:_,unit:v,tree:l,currency:c?.customer?.currency??v.monthlyBudget?.currency??`EUR`,allowed:i,changes:g,onSelect:m},v.id)]})]})}export{R as default};