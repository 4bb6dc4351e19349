import{a as e,l as t,t as n}from"./gql-CTcpaLcK.js";import{t as r}from"./LineView-wfkcJ44d.js";var i=e(),a=n(`
  query LineDetail($id: ID!) {
    node(id: $id) {
      id
      ... on Subscriber {
        ...LineFields
      }
    }
    ...Catalogue
  }
`);function o({params:e}){let[n,o]=t({query:a,variables:{id:e.id}}),s=n.data?.node,c=s?.__typename===`Subscriber`?s:null;return(0,i.jsx)(r,{line:c,catalogue:n.data,fetching:n.fetching,error:n.error,refresh:()=>o({requestPolicy:`network-only`}),own:!1})}export{o as default};