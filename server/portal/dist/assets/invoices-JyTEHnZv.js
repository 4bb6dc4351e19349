import{a as e,i as t,r as n}from"./i18n-CKJwWD2B.js";import{l as r}from"./company-BH6Ve1TI.js";var i=e(`
  query InvoiceHistory($first: Int, $after: String, $last: Int, $before: String, $customer: ID) {
    customer(id: $customer) {
      id
      billingAccounts {
        id
        name
        number
        invoices(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo {
            hasNextPage
            hasPreviousPage
            startCursor
            endCursor
          }
          nodes {
            id
            number
            period
            issuedOn
            dueOn
            status
            total {
              amount
              currency
            }
          }
        }
      }
    }
  }
`),a=e(`
  query InvoiceDetail(
    $id: ID!
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    node(id: $id) {
      id
      ... on Invoice {
        number
        period
        issuedOn
        dueOn
        status
        total {
          amount
          currency
        }
        companyShare {
          amount
          currency
        }
        employeeShare {
          amount
          currency
        }
        billingAccount {
          id
          name
          number
        }
        byCategory {
          category
          amount {
            amount
            currency
          }
        }
        bySubscriber(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo {
            hasNextPage
            hasPreviousPage
            startCursor
            endCursor
          }
          nodes {
            subscriber {
              id
              msisdn
              employeeName
              orgUnit {
                id
                name
              }
            }
            total {
              amount
              currency
            }
            companyShare {
              amount
              currency
            }
            employeeShare {
              amount
              currency
            }
            byCategory {
              category
              amount {
                amount
                currency
              }
            }
          }
        }
      }
    }
  }
`),o=t();function s(e,t){return e.before?{last:t,before:e.before}:{first:t,after:e.after}}function c({info:e,label:t,onPage:r}){let{t:i}=n();return!e.hasNextPage&&!e.hasPreviousPage?null:(0,o.jsxs)(`nav`,{className:`invoices-paging`,"aria-label":t,children:[(0,o.jsx)(`button`,{type:`button`,disabled:!e.hasPreviousPage||!e.startCursor,onClick:()=>r({before:e.startCursor??void 0}),children:i.linesPrevious}),(0,o.jsx)(`button`,{type:`button`,disabled:!e.hasNextPage||!e.endCursor,onClick:()=>r({after:e.endCursor??void 0}),children:i.linesNext})]})}function l({title:e}){let{t}=n();return(0,o.jsxs)(`section`,{className:`panel refused`,"aria-labelledby":`refused-title`,children:[(0,o.jsx)(`h1`,{id:`refused-title`,children:e}),(0,o.jsx)(`p`,{role:`alert`,children:t.invoicesRefused}),(0,o.jsx)(r,{to:`/`,children:t.backToDashboard})]})}export{i as a,a as i,l as n,s as r,c as t};