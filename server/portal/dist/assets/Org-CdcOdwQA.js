import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,c as r,i,l as a,r as o}from"./i18n-CKJwWD2B.js";import{r as s}from"./company-BH6Ve1TI.js";import{t as c}from"./CompanyPicker-HWL9-7U3.js";import{t as l}from"./permissions-D5dhOU7z.js";import{a as u,n as d}from"./format-CJuQ-zAI.js";var f=e(t(),1),p=i();function m(e){let[t,n]=(0,f.useState)({kind:`idle`});return{step:t,propose:e=>n({kind:`asking`,proposal:e}),refuse:e=>n({kind:`refused`,problems:[{code:``,message:e}]}),confirm:async()=>{if(t.kind!==`asking`)return;let{proposal:r}=t;n({kind:`busy`,proposal:r});let i=await r.send(crypto.randomUUID());i===null?n({kind:`refused`,problems:[]}):i.userErrors.length>0?n({kind:`refused`,problems:i.userErrors}):(n({kind:`done`,message:r.done}),e(),r.after?.(i.orgUnit))},cancel:()=>n({kind:`idle`}),busy:t.kind===`busy`||t.kind===`asking`}}function h({change:e}){let{t}=o(),{step:n}=e;return n.kind===`idle`?null:n.kind===`asking`||n.kind===`busy`?(0,p.jsxs)(`div`,{className:`proposal`,role:`group`,"aria-label":t.orgConfirmTitle,children:[(0,p.jsx)(`p`,{className:`proposal-what`,children:n.proposal.question}),n.kind===`busy`&&(0,p.jsx)(`p`,{role:`status`,children:t.orgSaving}),(0,p.jsxs)(`div`,{className:`actions`,children:[(0,p.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void e.confirm(),disabled:n.kind===`busy`,children:t.confirm}),(0,p.jsx)(`button`,{type:`button`,onClick:e.cancel,disabled:n.kind===`busy`,children:t.cancel})]})]}):n.kind===`done`?(0,p.jsx)(`div`,{className:`change-result`,role:`status`,"data-outcome":`APPLIED`,children:(0,p.jsx)(`p`,{children:n.message})}):(0,p.jsxs)(`div`,{className:`change-result`,role:`alert`,"data-outcome":`REFUSED`,children:[(0,p.jsx)(`p`,{children:t.orgRefused}),(0,p.jsxs)(`ul`,{className:`problems`,children:[n.problems.length===0&&(0,p.jsx)(`li`,{children:t.loadFailed}),n.problems.map(e=>(0,p.jsxs)(`li`,{"data-code":e.code,children:[e.message,e.code&&(0,p.jsxs)(`span`,{className:`code`,children:[` (`,e.code,`)`]})]},`${e.code}-${e.message}`))]})]})}function g(e,t){if(e)return e;let n=t?.graphQLErrors??[];return n.length===0?null:{__typename:`OrgUnitPayload`,orgUnit:null,userErrors:n.map(e=>({__typename:`UserError`,field:[],code:String(e.extensions?.code??``),message:e.message}))}}n(`
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
`);var _=n(`
  query OrgStructure($customer: ID) {
    customer(id: $customer) {
      id
      currency
      orgRoot {
        ...OrgSubtree
      }
    }
    viewer {
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
`);var v=n(`
  mutation OrgUnitCreate($input: OrgUnitCreateInput!) {
    orgUnitCreate(input: $input) {
      ...OrgChange
    }
  }
`),y=n(`
  mutation OrgUnitUpdate($input: OrgUnitUpdateInput!) {
    orgUnitUpdate(input: $input) {
      ...OrgChange
    }
  }
`),b=n(`
  mutation OrgUnitMove($input: OrgUnitMoveInput!) {
    orgUnitMove(input: $input) {
      ...OrgChange
    }
  }
`),x=n(`
  mutation OrgUnitDelete($input: OrgUnitDeleteInput!) {
    orgUnitDelete(input: $input) {
      ...OrgChange
    }
  }
`),S=n(`
  mutation OrgUnitSetBudget($input: OrgUnitSetBudgetInput!) {
    orgUnitSetBudget(input: $input) {
      ...OrgChange
    }
  }
`),C=n(`
  mutation OrgUnitSetPolicy($input: OrgUnitSetPolicyInput!) {
    orgUnitSetPolicy(input: $input) {
      ...OrgChange
    }
  }
`);function w(e){let t=new Map,n=new Map,r=[];for(let n of e)for(let e of[n,...n.descendants??[]])t.has(e.id)||t.set(e.id,e);for(let e of t.values()){let i=e.parent?.id;i!==void 0&&t.has(i)?n.set(i,[...n.get(i)??[],e]):r.push(e)}return{roots:r,byId:t,children:n}}function T(e){let t=[],n=r=>{t.push(r);for(let t of e.children.get(r.id)??[])n(t)};return e.roots.forEach(n),t}var E=/^\d{1,12}([.,]\d{1,2})?$/;function D({unit:e,currency:t,change:n}){let{t:i,language:a}=o(),[,s]=r(S),c=e.monthlyBudget,[l,d]=(0,f.useState)(c?.amount??``),m=e.name??``,_=r=>{let o=r===null?``:u({amount:r,currency:t},a);n.propose({question:r===null?i.orgConfirmNoBudget(m):i.orgConfirmBudget(m,o),done:r===null?i.orgBudgetRemoved:i.orgBudgetSet(o),send:async t=>{let n=await s({input:{orgUnit:e.id,monthlyBudget:r,idempotencyKey:t}});return g(n.data?.orgUnitSetBudget,n.error)}})};return(0,p.jsxs)(`section`,{className:`panel org-budget`,"aria-labelledby":`org-budget-title`,children:[(0,p.jsx)(`h2`,{id:`org-budget-title`,children:i.orgBudget}),(0,p.jsx)(`p`,{className:`budget-current`,children:c?(0,p.jsx)(`data`,{value:c.amount,children:u(c,a)}):i.noBudget}),(0,p.jsxs)(`form`,{className:`change-form`,onSubmit:e=>{e.preventDefault();let t=l.trim().replace(`,`,`.`);if(!E.test(t))return n.refuse(i.orgEnterAmount);_(t)},children:[(0,p.jsxs)(`label`,{children:[i.orgBudgetAmount(t),(0,p.jsx)(`input`,{inputMode:`decimal`,autoComplete:`off`,value:l,onChange:e=>d(e.target.value),disabled:n.busy})]}),(0,p.jsxs)(`div`,{className:`actions`,children:[(0,p.jsx)(`button`,{type:`submit`,disabled:n.busy,children:i.orgSetBudget}),c&&(0,p.jsx)(`button`,{type:`button`,className:`danger`,onClick:()=>_(null),disabled:n.busy,children:i.orgRemoveBudget})]})]}),(0,p.jsx)(h,{change:n})]})}function O({unit:e,tree:t,change:n,onSelect:i}){let{t:a}=o(),[,s]=r(v),[,c]=r(y),[,l]=r(b),[,u]=r(x),[d,m]=(0,f.useState)(e.name??``),[_,S]=(0,f.useState)(e.costCentreCode??``),[C,w]=(0,f.useState)(``),E=T(t).filter(t=>t.id!==e.id&&t.id!==e.parent?.id),[D,O]=(0,f.useState)(E[0]?.id??``),k=!e.parent,A=(e.depth??0)<3,j=e.name??``,M=()=>{let t={};if(d.trim()!==j&&(t.name=d.trim()),_.trim()!==(e.costCentreCode??``)&&(t.costCentreCode=_.trim()||null),Object.keys(t).length===0)return n.refuse(a.orgNothingToChange);if(t.name===``)return n.refuse(a.orgEnterName);let r=[t.name??j,_.trim()].filter(Boolean).join(` · `);n.propose({question:a.orgConfirmRename([j,e.costCentreCode].filter(Boolean).join(` · `),r),done:a.orgRenamed(r),send:async n=>{let r=await c({input:{orgUnit:e.id,...t,idempotencyKey:n}});return g(r.data?.orgUnitUpdate,r.error)}})},N=()=>{let t=C.trim();if(!t)return n.refuse(a.orgEnterName);n.propose({question:a.orgConfirmCreate(t,j),done:a.orgCreated(t),send:async n=>{let r=await s({input:{parent:e.id,name:t,idempotencyKey:n}});return g(r.data?.orgUnitCreate,r.error)},after:e=>{w(``),e&&i(e.id)}})},P=()=>{let r=t.byId.get(D);r&&n.propose({question:a.orgConfirmMove(j,r.name??``),done:a.orgMoved(j,r.name??``),send:async t=>{let n=await l({input:{orgUnit:e.id,newParent:r.id,idempotencyKey:t}});return g(n.data?.orgUnitMove,n.error)}})},F=()=>{let t=e.parent?.id;n.propose({question:a.orgConfirmDelete(j),done:a.orgDeleted(j),send:async t=>{let n=await u({input:{orgUnit:e.id,idempotencyKey:t}});return g(n.data?.orgUnitDelete,n.error)},after:()=>{t&&i(t)}})},I=e=>t=>{t.preventDefault(),e()};return(0,p.jsxs)(`section`,{className:`panel org-structure`,"aria-labelledby":`org-structure-title`,children:[(0,p.jsx)(`h2`,{id:`org-structure-title`,children:a.orgStructure}),(0,p.jsxs)(`form`,{className:`change-form`,"data-form":`rename`,onSubmit:I(M),children:[(0,p.jsxs)(`label`,{children:[a.orgNewName,(0,p.jsx)(`input`,{value:d,onChange:e=>m(e.target.value),disabled:n.busy,required:!0})]}),(0,p.jsxs)(`label`,{children:[a.orgNewCostCentre,(0,p.jsx)(`input`,{value:_,onChange:e=>S(e.target.value),disabled:n.busy})]}),(0,p.jsx)(`button`,{type:`submit`,disabled:n.busy,children:a.orgRename})]}),A&&(0,p.jsxs)(`form`,{className:`change-form`,"data-form":`create`,onSubmit:I(N),children:[(0,p.jsxs)(`label`,{children:[a.orgChildName,(0,p.jsx)(`input`,{value:C,onChange:e=>w(e.target.value),disabled:n.busy})]}),(0,p.jsx)(`button`,{type:`submit`,disabled:n.busy,children:a.orgAddChild})]}),!k&&E.length>0&&(0,p.jsxs)(`form`,{className:`change-form`,"data-form":`move`,onSubmit:I(P),children:[(0,p.jsxs)(`label`,{children:[a.orgNewParent,(0,p.jsx)(`select`,{value:D,onChange:e=>O(e.target.value),disabled:n.busy,children:E.map(e=>(0,p.jsxs)(`option`,{value:e.id,children:[` `.repeat(e.depth??0),e.name,` (`,a.orgKind[e.kind??``]??e.kind,`)`]},e.id))})]}),(0,p.jsx)(`button`,{type:`submit`,disabled:n.busy,children:a.orgMove})]}),!k&&(0,p.jsxs)(`form`,{className:`change-form`,"data-form":`delete`,onSubmit:I(F),children:[(0,p.jsx)(`p`,{className:`hint`,children:a.orgDeleteHint}),(0,p.jsx)(`button`,{type:`submit`,className:`danger`,disabled:n.busy,children:a.orgDelete})]}),(0,p.jsx)(h,{change:n})]})}var k=[`MONTHLY_LIMIT`,`LIMIT_ACTION`,`COMPANY_SHARE_PERCENT`,`CONTENT_FILTER`,`ROAMING_ALLOWED`],A={LIMIT_ACTION:[`NOTIFY`,`BLOCK`,`CHARGE_EMPLOYEE`],CONTENT_FILTER:[`OFF`,`MODERATE`,`STRICT`],ROAMING_ALLOWED:[`true`,`false`]},j=/^\d{1,12}([.,]\d{1,2})?$/,M=/^\d{1,3}$/;function N(e,t){switch(t){case`MONTHLY_LIMIT`:return e.monthlyLimit?.amount??``;case`LIMIT_ACTION`:return e.limitAction;case`COMPANY_SHARE_PERCENT`:return String(e.companySharePercent);case`CONTENT_FILTER`:return e.contentFilter;case`ROAMING_ALLOWED`:return String(e.roamingAllowed)}}function P(e,t){switch(e){case`MONTHLY_LIMIT`:return{monthlyLimit:t.replace(`,`,`.`)};case`LIMIT_ACTION`:return{limitAction:t};case`COMPANY_SHARE_PERCENT`:return{companySharePercent:Number(t)};case`CONTENT_FILTER`:return{contentFilter:t};case`ROAMING_ALLOWED`:return{roamingAllowed:t===`true`}}}var F={MONTHLY_LIMIT:{monthlyLimit:null},LIMIT_ACTION:{limitAction:null},COMPANY_SHARE_PERCENT:{companySharePercent:null},CONTENT_FILTER:{contentFilter:null},ROAMING_ALLOWED:{roamingAllowed:null}};function I({unit:e,canChange:t,change:n}){let{t:i,language:a}=o(),[,s]=r(C),c=e.effectivePolicy,l=new Map((c?.origins??[]).map(e=>[e.attribute,e])),[d,m]=(0,f.useState)(()=>Object.fromEntries(k.map(e=>[e,{mode:l.get(e)?.setBy===`OWN`?`set`:`inherit`,value:c?N(c,e):``}])));if(!c)return null;let _={MONTHLY_LIMIT:i.monthlyLimit,LIMIT_ACTION:i.limitActionLabel,COMPANY_SHARE_PERCENT:i.companySharePercent,CONTENT_FILTER:i.contentFilterLabel,ROAMING_ALLOWED:i.roaming},v=(t,n)=>{switch(t){case`MONTHLY_LIMIT`:return n===``?i.noLimit:u({amount:n,currency:c.monthlyLimit?.currency??e.monthlyBudget?.currency??`EUR`},a);case`LIMIT_ACTION`:return i.limitAction[n]??n;case`COMPANY_SHARE_PERCENT`:return`${n} %`;case`CONTENT_FILTER`:return i.contentFilter[n]??n;case`ROAMING_ALLOWED`:return n===`true`?i.allowed:i.notAllowed}},y=e=>{let t=l.get(e);return!t||t.setBy===`DEFAULT`?i.orgDefault:t.setBy===`OWN`?i.orgSetHere:t.orgUnit?.name?i.orgInheritedFrom(t.orgUnit.name):i.orgInheritedHidden},b=(e,t)=>m(n=>({...n,[e]:{...n[e],...t}})),x=()=>{let t={},r=[];for(let e of k){let{mode:a,value:o}=d[e],s=l.get(e)?.setBy===`OWN`;if(a===`inherit`){if(!s)continue;t={...t,...F[e]},r.push(i.orgInherits(_[e]))}else if(!(s&&o===N(c,e))){if(e===`MONTHLY_LIMIT`&&!j.test(o.trim()))return n.refuse(i.orgEnterAmount);if(e===`COMPANY_SHARE_PERCENT`&&!M.test(o.trim()))return n.refuse(`${_[e]}: 0–100`);t={...t,...P(e,o.trim())},r.push(`${_[e]}: ${v(e,o.trim().replace(`,`,`.`))}`)}}if(r.length===0)return n.refuse(i.orgNothingToChange);n.propose({question:i.orgConfirmPolicy(e.name??``,r.join(`; `)),done:i.orgPolicySaved,send:async n=>{let r=await s({input:{orgUnit:e.id,policy:t,idempotencyKey:n}});return g(r.data?.orgUnitSetPolicy,r.error)}})};return(0,p.jsxs)(`section`,{className:`panel org-policy`,"aria-labelledby":`org-policy-title`,children:[(0,p.jsx)(`h2`,{id:`org-policy-title`,children:i.orgPolicy}),(0,p.jsx)(`p`,{className:`hint`,children:i.orgPolicyHint}),(0,p.jsx)(`dl`,{className:`facts policy-facts`,children:k.map(e=>{let t=l.get(e);return(0,p.jsxs)(`div`,{"data-attribute":e,"data-set-by":t?.setBy??`DEFAULT`,"data-from":t?.orgUnit?.id??``,children:[(0,p.jsx)(`dt`,{children:_[e]}),(0,p.jsxs)(`dd`,{children:[(0,p.jsx)(`span`,{className:`policy-value`,children:v(e,N(c,e))}),(0,p.jsx)(`span`,{className:`policy-origin`,children:y(e)})]})]},e)})}),t&&(0,p.jsxs)(`form`,{className:`change-form policy-form`,onSubmit:e=>{e.preventDefault(),x()},children:[(0,p.jsx)(`h3`,{children:i.orgChangePolicy}),k.map(e=>{let{mode:t,value:r}=d[e],a=A[e],o={"aria-label":i.orgValueOf(_[e]),value:r,disabled:n.busy||t!==`set`};return(0,p.jsxs)(`fieldset`,{"data-attribute":e,children:[(0,p.jsx)(`legend`,{children:_[e]}),(0,p.jsxs)(`div`,{className:`policy-choice`,children:[[`inherit`,`set`].map(r=>(0,p.jsxs)(`label`,{className:`choice`,children:[(0,p.jsx)(`input`,{type:`radio`,name:`policy-${e}`,checked:t===r,onChange:()=>b(e,{mode:r}),disabled:n.busy}),r===`set`?i.orgSetHere:i.orgInherit]},r)),a?(0,p.jsx)(`select`,{...o,onChange:t=>b(e,{value:t.target.value}),children:a.map(t=>(0,p.jsx)(`option`,{value:t,children:v(e,t)},t))}):(0,p.jsx)(`input`,{...o,inputMode:e===`MONTHLY_LIMIT`?`decimal`:`numeric`,autoComplete:`off`,onChange:t=>b(e,{value:t.target.value})})]})]},e)}),(0,p.jsx)(`button`,{type:`submit`,disabled:n.busy,children:i.orgSavePolicy})]}),(0,p.jsx)(h,{change:n})]})}function L({ref:e,unit:t,tree:n,currency:r,allowed:i,changes:a,onSelect:s}){let{t:c,language:l}=o(),f=t.parent?n.byId.get(t.parent.id):void 0,m=t.subscriberCount,h=[[`kind`,c.orgKindLabel,c.orgKind[t.kind??``]??t.kind??`—`],[`parent`,c.orgParent,f?.name??`—`],[`cost-centre`,c.orgCostCentre,t.costCentreCode??c.orgNone],[`lines`,c.orgLines,m==null?c.notAvailable:d(m,c.lines,l)],[`budget`,c.orgBudget,t.monthlyBudget?u(t.monthlyBudget,l):c.noBudget]];return(0,p.jsxs)(`div`,{className:`org-detail`,"data-unit":t.id,children:[(0,p.jsxs)(`section`,{className:`panel unit-detail`,"aria-labelledby":`unit-title`,ref:e,tabIndex:-1,children:[(0,p.jsx)(`h2`,{id:`unit-title`,children:t.name}),(0,p.jsx)(`dl`,{className:`facts`,children:h.map(([e,t,n])=>(0,p.jsxs)(`div`,{"data-fact":e,children:[(0,p.jsx)(`dt`,{children:t}),(0,p.jsx)(`dd`,{children:n})]},e))})]}),i.has(`org:write`)&&(0,p.jsx)(O,{unit:t,tree:n,change:a.structure,onSelect:s},[t.name,t.costCentreCode,t.parent?.id,n.byId.size].join(`|`)),i.has(`budget:write`)&&(0,p.jsx)(D,{unit:t,currency:r,change:a.budget},t.monthlyBudget?.amount??``),(0,p.jsx)(I,{unit:t,canChange:i.has(`policy:write`),change:a.policy},JSON.stringify(t.effectivePolicy))]})}function R({unit:e,tree:t,selected:n,onSelect:r}){let{t:i,language:a}=o(),s=t.children.get(e.id)??[],c=e.subscriberCount;return(0,p.jsxs)(`li`,{"data-unit":e.id,children:[(0,p.jsxs)(`button`,{type:`button`,className:`org-node`,"aria-current":e.id===n?`true`:void 0,onClick:()=>r(e.id),children:[(0,p.jsx)(`span`,{className:`unit-name`,children:e.name}),(0,p.jsx)(`data`,{className:`unit-lines`,value:c??``,children:c==null?i.notAvailable:d(c,i.lines,a)})]}),s.length>0&&(0,p.jsx)(`ul`,{children:s.map(e=>(0,p.jsx)(R,{unit:e,tree:t,selected:n,onSelect:r},e.id))})]})}function z(e){return(0,p.jsx)(`ul`,{className:`org-units`,children:e.tree.roots.map(t=>(0,p.jsx)(R,{unit:t,...e},t.id))})}function B(){let{t:e}=o(),{customer:t,unchosen:n}=s(),[r,i]=a({query:_,variables:{customer:t},pause:n}),u=()=>i({requestPolicy:`network-only`}),d=l(),h=r.data?.customer,g=(0,f.useMemo)(()=>{let e=h?.orgRoot;return w(e?[e]:r.data?.viewer.scope.units??[])},[h,r.data]),[v,y]=(0,f.useState)(null),b={structure:m(u),budget:m(u),policy:m(u)},x=(0,f.useRef)(null),S=(v===null?void 0:g.byId.get(v))??g.roots[0],C=e=>{Object.values(b).forEach(e=>e.cancel()),y(e),requestAnimationFrame(()=>x.current?.focus())};if(n)return(0,p.jsx)(c,{});let T=[`org:write`,`budget:write`,`policy:write`].some(e=>d.has(e));return(0,p.jsxs)(`div`,{className:`org`,children:[(0,p.jsx)(`div`,{className:`screen-title`,children:(0,p.jsx)(`h1`,{children:e.orgScreen})}),r.fetching&&!r.data&&(0,p.jsx)(`p`,{role:`status`,children:e.loading}),r.error&&!r.data&&(0,p.jsx)(`p`,{role:`alert`,children:e.loadFailed}),r.data&&g.roots.length===0&&(0,p.jsx)(`p`,{children:e.noOrgAccess}),r.data&&!T&&g.roots.length>0&&(0,p.jsx)(`p`,{className:`hint`,children:e.orgReadOnly}),S&&(0,p.jsxs)(`div`,{className:`org-grid`,children:[(0,p.jsxs)(`section`,{className:`panel org-tree-panel`,"aria-labelledby":`org-units-title`,children:[(0,p.jsx)(`h2`,{id:`org-units-title`,children:e.orgUnits}),(0,p.jsx)(`p`,{className:`hint`,children:e.orgUnitsHint}),(0,p.jsx)(z,{tree:g,selected:S.id,onSelect:C})]}),(0,p.jsx)(L,{ref:x,unit:S,tree:g,currency:h?.currency??S.monthlyBudget?.currency??`EUR`,allowed:d,changes:b,onSelect:y},S.id)]})]})}export{B as default};