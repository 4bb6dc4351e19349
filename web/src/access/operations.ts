// The Users and access screen's GraphQL operations: the company's users and service accounts with
// their keys (never a secret), the org tree to grant from and the audit log's newest page, in one
// query (with the shell's, the two of first paint); the log's other pages and filters in their own
// (without asking for the users again); one mutation per change.
import { graphql } from "../gql";

export const AccessQuery = graphql(`
  query Access($auditPage: Int! = 20, $customer: ID) {
    auditLog(first: $auditPage, filter: { customer: $customer }) {
      ...AuditPage
    }
    portalUsers(customer: $customer) {
      id
      login
      name
      email
      role
      active
      serviceAccount
      scopeUnits {
        id
        name
      }
      apiKeys {
        id
        name
        prefix
        createdBy
        createdAt
        expiresAt
        revokedAt
        lastUsedAt
        active
      }
    }
    customer(id: $customer) {
      id
      orgRoot {
        id
        name
        depth
        descendants {
          id
          name
          depth
        }
      }
    }
  }
`);

graphql(`
  fragment AuditPage on AuditRecordConnection {
    totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          at
          login
          role
          action
          outcome
          detail
        }
      }
  }
`);

export const AuditLogQuery = graphql(`
  query AuditLog($first: Int, $after: String, $last: Int, $before: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      ...AuditPage
    }
  }
`);

graphql(`
  fragment AccessErrors on UserError {
    field
    code
    message
  }
`);

export const PortalUserInvite = graphql(`
  mutation PortalUserInvite($input: PortalUserInviteInput!) {
    portalUserInvite(input: $input) {
      user {
        id
        login
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`);

export const PortalUserSetRole = graphql(`
  mutation PortalUserSetRole($input: PortalUserSetRoleInput!) {
    portalUserSetRole(input: $input) {
      user {
        id
        role
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`);

export const PortalUserGrantScope = graphql(`
  mutation PortalUserGrantScope($input: PortalUserScopeInput!) {
    portalUserGrantScope(input: $input) {
      user {
        id
        scopeUnits {
          id
          name
        }
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`);

export const PortalUserRevokeScope = graphql(`
  mutation PortalUserRevokeScope($input: PortalUserScopeInput!) {
    portalUserRevokeScope(input: $input) {
      user {
        id
        scopeUnits {
          id
          name
        }
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`);

export const ServiceAccountCreate = graphql(`
  mutation ServiceAccountCreate($input: ServiceAccountCreateInput!) {
    serviceAccountCreate(input: $input) {
      serviceAccount {
        id
        login
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`);

// The one answer that holds a key's secret: the page keeps it in memory until it is dismissed.
export const ApiKeyCreate = graphql(`
  mutation ApiKeyCreate($input: ApiKeyCreateInput!) {
    apiKeyCreate(input: $input) {
      apiKey {
        id
        name
        prefix
      }
      secret
      userErrors {
        ...AccessErrors
      }
    }
  }
`);

export const ApiKeyRevoke = graphql(`
  mutation ApiKeyRevoke($input: ApiKeyRevokeInput!) {
    apiKeyRevoke(input: $input) {
      apiKey {
        id
        active
        revokedAt
      }
      userErrors {
        ...AccessErrors
      }
    }
  }
`);
