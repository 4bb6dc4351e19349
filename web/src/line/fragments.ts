// What the line's screens read of a line, in one fragment: the line detail (node by id) and the
// employee's own line (viewer.scope.line) ask for the same fields in their one query each.
import { graphql } from "../gql";

graphql(`
  fragment Balance on BundleBalance {
    kind
    unit
    allowance
    used
    remaining
    bundle {
      code
      name
    }
  }
`);

graphql(`
  fragment UsagePage on UsageRecordConnection {
    nodes {
      startedAt
      kind
      quantity
      unit
      destination
      amount {
        amount
        currency
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    totalCount
  }
`);

graphql(`
  fragment LineFields on Subscriber {
    id
    employeeName
    msisdn
    email
    position
    device
    status
    activatedOn
    orgUnit {
      id
      name
    }
    tariffPlan {
      id
      name
      monthlyFee {
        amount
        currency
      }
    }
    scheduledPlanChange {
      plan {
        id
        name
      }
      effectiveFrom
    }
    services {
      service {
        id
        name
        kind
      }
      activatedOn
      monthlyFee {
        amount
        currency
      }
    }
    serviceChoices {
      add {
        id
        name
        kind
        monthlyFee {
          amount
          currency
        }
      }
      remove {
        id
      }
    }
    bundles {
      ...Balance
    }
    spending {
      period
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
      policyPeriods {
        since
        until
        companySharePercent
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
        overLimit {
          amount
          currency
        }
      }
    }
    effectivePolicy {
      monthlyLimit {
        amount
        currency
      }
      limitAction
      companySharePercent
      contentFilter
      roamingAllowed
      overrides
    }
    usage(first: 10) {
      ...UsagePage
    }
  }
`);

// The plans a plan change picks from, with their fees (the services a line may add are its own
// serviceChoices: what the policy allows it).
graphql(`
  fragment Catalogue on Query {
    tariffPlans {
      id
      name
      monthlyFee {
        amount
        currency
      }
    }
  }
`);
