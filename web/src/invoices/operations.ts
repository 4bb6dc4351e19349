// The invoice screens' GraphQL operations: the company's billing accounts, one account's invoices
// a page at a time (newest first), and one invoice with its drill-down by category and by line.
import { graphql } from "../gql";

export const InvoiceAccountsQuery = graphql(`
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
`);

export const AccountInvoicesQuery = graphql(`
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
`);

export const InvoiceDetailQuery = graphql(`
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
`);
