// The invoice screens' GraphQL operations: the company's billing accounts with a page of their
// invoices (newest first), and one invoice with its drill-down by category and by line. Each is
// sent at first paint beside the shell's, before the caller's permissions are known: a line's
// number, name and unit come back null (FORBIDDEN) to a role that may not read them, and the page
// leaves those columns out.
import { graphql } from "../gql";

// The history at first paint, beside the shell's: every account with one page of its invoices (the
// same page arguments for each; the page shows the chosen account's).
export const InvoiceHistoryQuery = graphql(`
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
`);

export const InvoiceDetailQuery = graphql(`
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
`);
