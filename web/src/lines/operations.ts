// The Lines screen's GraphQL operations. The list, the units to filter by and the services a
// bulk change can add or remove come in one query (with the shell's, the two of first paint).
import { graphql } from "../gql";

export const LinesQuery = graphql(`
  query Lines(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: SubscriberFilter
    $orderBy: SubscriberOrder
    $customer: ID
  ) {
    subscribers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      nodes {
        id
        employeeName
        msisdn
        status
        orgUnit {
          id
          name
        }
        tariffPlan {
          id
          name
        }
      }
    }
    customer(id: $customer) {
      id
      orgRoot {
        id
        name
        descendants {
          id
          name
        }
      }
    }
    viewer {
      scope {
        units {
          id
          name
          descendants {
            id
            name
          }
        }
      }
    }
    services {
      id
      name
      monthlyFee {
        amount
        currency
      }
    }
  }
`);

graphql(`
  fragment LineChangeSummary on LineChangePayload {
    dryRun
    applied
    skipped
    failed
    wouldApply
    monthlyCostImpact {
      amount
      currency
    }
    results {
      ...LineResult
    }
    bulkOperation {
      ...BulkProgress
    }
    userErrors {
      field
      code
      message
    }
  }
`);

graphql(`
  fragment LineResult on LineChangeResult {
    lineId
    line {
      id
      employeeName
      msisdn
    }
    outcome
    code
    message
    before
    after
    monthlyCostImpact {
      amount
      currency
    }
  }
`);

graphql(`
  fragment BulkProgress on BulkOperation {
    id
    status
    dryRun
    total
    done
    percentDone
    applied
    skipped
    failed
    wouldApply
    cancelRequested
    monthlyCostImpact {
      amount
      currency
    }
  }
`);

export const ServicesAdd = graphql(`
  mutation LinesServicesAdd($input: SubscriberServicesInput!) {
    subscriberServicesAdd(input: $input) {
      ...LineChangeSummary
    }
  }
`);

export const ServicesRemove = graphql(`
  mutation LinesServicesRemove($input: SubscriberServicesInput!) {
    subscriberServicesRemove(input: $input) {
      ...LineChangeSummary
    }
  }
`);

export const BulkProgressSubscription = graphql(`
  subscription LinesBulkProgress($id: ID!) {
    bulkOperationProgress(id: $id) {
      ...BulkProgress
    }
  }
`);

export const BulkResultsQuery = graphql(`
  query LinesBulkResults($id: ID!, $after: String) {
    node(id: $id) {
      ... on BulkOperation {
        ...BulkProgress
        results(first: 100, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...LineResult
          }
        }
      }
    }
  }
`);

export const BulkCancel = graphql(`
  mutation LinesBulkCancel($input: BulkOperationCancelInput!) {
    bulkOperationCancel(input: $input) {
      bulkOperation {
        ...BulkProgress
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`);
