import{i as e}from"./rolldown-runtime-9C0vUP4u.js";import{H as t,a as n,i as r,l as i,r as a}from"./i18n-CKJwWD2B.js";import{n as o}from"./company-BH6Ve1TI.js";var s=e(t(),1),c=r(),l=n(`
  query Customers($search: String!) {
    customers(search: $search, first: 20) {
      id
      code
      name
    }
  }
`);function u(){let{t:e}=a(),t=(0,s.useId)(),{choose:n}=o(),[r,u]=(0,s.useState)(``),[d,f]=(0,s.useState)(``),[{data:p,fetching:m,error:h}]=i({query:l,variables:{search:d}}),g=p?.customers??[];return(0,c.jsxs)(`section`,{className:`panel company-picker`,"aria-labelledby":`${t}-title`,children:[(0,c.jsx)(`h1`,{id:`${t}-title`,children:e.chooseCompany}),(0,c.jsxs)(`form`,{role:`search`,onSubmit:e=>{e.preventDefault(),f(r.trim())},children:[(0,c.jsxs)(`label`,{children:[e.companySearch,(0,c.jsx)(`input`,{type:`search`,value:r,onChange:e=>u(e.target.value)})]}),(0,c.jsx)(`button`,{type:`submit`,children:e.find})]}),m&&!p&&(0,c.jsx)(`p`,{role:`status`,children:e.loading}),h&&!p&&(0,c.jsx)(`p`,{role:`alert`,children:e.loadFailed}),p&&g.length===0&&(0,c.jsx)(`p`,{children:e.noCompanyFound}),(0,c.jsx)(`ul`,{className:`companies`,children:g.map(e=>(0,c.jsx)(`li`,{children:(0,c.jsxs)(`button`,{type:`button`,"data-customer":e.id,onClick:()=>n({id:e.id,name:e.name}),children:[e.name,` `,(0,c.jsx)(`span`,{className:`hint-inline`,children:e.code})]})},e.id))})]})}export{u as t};