import{a as e,i as t,t as n}from"./gql-qgBwkDBO.js";import{o as r}from"./Shell-DLgEl28_.js";var i=n(`
  query InvoiceAccounts {
    customer {
      id
      billingAccounts {
        id
        name
        number
        currency
      }
    }
  }
`),a=n(`
  query AccountInvoices($account: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    node(id: $account) {
      id
      ... on BillingAccount {
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
`),o=n(`
  query InvoiceDetail(
    $id: ID!
    $first: Int
    $after: String
    $last: Int
    $before: String
    $personal: Boolean!
    $units: Boolean!
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
              msisdn @include(if: $personal)
              employeeName @include(if: $personal)
              orgUnit @include(if: $units) {
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
          }
        }
      }
    }
  }
`),s=e();function c(e,t){return e.before?{last:t,before:e.before}:{first:t,after:e.after}}function l({info:e,label:n,onPage:r}){let{t:i}=t();return!e.hasNextPage&&!e.hasPreviousPage?null:(0,s.jsxs)(`nav`,{className:`invoices-paging`,"aria-label":n,children:[(0,s.jsx)(`button`,{type:`button`,disabled:!e.hasPreviousPage||!e.startCursor,onClick:()=>r({before:e.startCursor??void 0}),children:i.linesPrevious}),(0,s.jsx)(`button`,{type:`button`,disabled:!e.hasNextPage||!e.endCursor,onClick:()=>r({after:e.endCursor??void 0}),children:i.linesNext})]})}function u({title:e}){let{t:n}=t();return(0,s.jsxs)(`section`,{className:`panel refused`,"aria-labelledby":`refused-title`,children:[(0,s.jsx)(`h1`,{id:`refused-title`,children:e}),(0,s.jsx)(`p`,{role:`alert`,children:n.invoicesRefused}),(0,s.jsx)(r,{to:`/`,children:n.backToDashboard})]})}export{i as a,a as i,u as n,o,c as r,l as t};