import{a as e,i as t,l as n}from"./i18n-CKJwWD2B.js";import{t as r}from"./LineView-DgVva284.js";var i=t(),a=e(`
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
`);function o(){let[e,t]=n({query:a});return(0,i.jsx)(r,{line:e.data?.viewer.scope.line??null,catalogue:e.data,fetching:e.fetching,error:e.error,refresh:()=>t({requestPolicy:`network-only`}),own:!0})}export{o as default};