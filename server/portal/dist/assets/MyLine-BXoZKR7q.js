import{a as e,l as t,t as n}from"./gql-CTcpaLcK.js";import{t as r}from"./LineView-wfkcJ44d.js";var i=e(),a=n(`
  query MyLine {
    viewer {
      scope {
        line {
          ...LineFields
        }
      }
    }
    ...Catalogue
  }
`);function o(){let[e,n]=t({query:a});return(0,i.jsx)(r,{line:e.data?.viewer.scope.line??null,catalogue:e.data,fetching:e.fetching,error:e.error,refresh:()=>n({requestPolicy:`network-only`}),own:!0})}export{o as default};