import{a as e,i as t,l as n}from"./i18n-CKJwWD2B.js";import{t as r}from"./LineView-DgVva284.js";var i=t(),a=e(`
  query LineDetail($id: ID!) {
    node(id: $id) {
      id
      ... on Subscriber {
        ...LineFields
      }
    }
    ...Catalogue
  }
`);function o({params:e}){let[t,o]=n({query:a,variables:{id:e.id}}),s=t.data?.node,c=s?.__typename===`Subscriber`?s:null;return(0,i.jsx)(r,{line:c,catalogue:t.data,fetching:t.fetching,error:t.error,refresh:()=>o({requestPolicy:`network-only`}),own:!1})}export{o as default};