// The Org structure screen's GraphQL operations: the whole tree (each unit with its lines, budget
// and policy in force, and where each attribute of that policy comes from) in one query beside
// the shell's, and one mutation per change, each answering the unit as it is now and userErrors.
import { graphql } from "../gql";

graphql(`
  fragment OrgUnitFields on OrgUnit {
    id
    name
    kind
    depth
    costCentreCode
    subscriberCount
    parent {
      id
    }
    monthlyBudget {
      amount
      currency
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
      origins {
        attribute
        setBy
        orgUnit {
          id
          name
        }
      }
    }
  }
`);

graphql(`
  fragment OrgSubtree on OrgUnit {
    ...OrgUnitFields
    descendants {
      ...OrgUnitFields
    }
  }
`);

export const OrgStructureQuery = graphql(`
  query OrgStructure($customer: ID) {
    customer(id: $customer) {
      id
      currency
      orgRoot {
        ...OrgSubtree
      }
    }
    viewer {
      scope {
        units {
          ...OrgSubtree
        }
      }
    }
  }
`);

graphql(`
  fragment OrgChange on OrgUnitPayload {
    orgUnit {
      id
      name
    }
    userErrors {
      field
      code
      message
    }
  }
`);

export const OrgUnitCreate = graphql(`
  mutation OrgUnitCreate($input: OrgUnitCreateInput!) {
    orgUnitCreate(input: $input) {
      ...OrgChange
    }
  }
`);

export const OrgUnitUpdate = graphql(`
  mutation OrgUnitUpdate($input: OrgUnitUpdateInput!) {
    orgUnitUpdate(input: $input) {
      ...OrgChange
    }
  }
`);

export const OrgUnitMove = graphql(`
  mutation OrgUnitMove($input: OrgUnitMoveInput!) {
    orgUnitMove(input: $input) {
      ...OrgChange
    }
  }
`);

export const OrgUnitDelete = graphql(`
  mutation OrgUnitDelete($input: OrgUnitDeleteInput!) {
    orgUnitDelete(input: $input) {
      ...OrgChange
    }
  }
`);

export const OrgUnitSetBudget = graphql(`
  mutation OrgUnitSetBudget($input: OrgUnitSetBudgetInput!) {
    orgUnitSetBudget(input: $input) {
      ...OrgChange
    }
  }
`);

export const OrgUnitSetPolicy = graphql(`
  mutation OrgUnitSetPolicy($input: OrgUnitSetPolicyInput!) {
    orgUnitSetPolicy(input: $input) {
      ...OrgChange
    }
  }
`);
