// The Reports screen's operations: one per report, sent only for the report on show (with the
// shell's, the two of first paint). Personal data (a line's employee and number) is asked for
// only by callers who may read it (@include), so no field comes back refused.
import { graphql } from "../gql";

graphql(`
  fragment ReportAmount on Money {
    amount
    currency
  }
`);

graphql(`
  fragment ReportLine on Subscriber {
    id
    employeeName @include(if: $personal)
    msisdn @include(if: $personal)
    position
    orgUnit {
      id
      name
    }
  }
`);

export const ReportsSpendingQuery = graphql(`
  query ReportsSpending($input: SpendingReportInput!) {
    spendingReport(input: $input) {
      from
      to
      asOf
      rowCount
      rows(first: 1000) {
        nodes {
          orgUnit {
            id
            name
          }
          costCentre
          month
          category
          total {
            ...ReportAmount
          }
          companyShare {
            ...ReportAmount
          }
          employeeShare {
            ...ReportAmount
          }
          lines
          suppressed
        }
      }
      totals {
        total {
          ...ReportAmount
        }
        companyShare {
          ...ReportAmount
        }
        employeeShare {
          ...ReportAmount
        }
        lines
      }
    }
  }
`);

export const ReportsBudgetQuery = graphql(`
  query ReportsBudget($input: BudgetReportInput!) {
    budgetReport(input: $input) {
      asOf
      rows(first: 1000) {
        nodes {
          orgUnit {
            id
            name
          }
          month
          budget {
            ...ReportAmount
          }
          actual {
            ...ReportAmount
          }
          percentUsed
          forecast {
            ...ReportAmount
          }
          forecastPercent
          overBudget
        }
      }
    }
  }
`);

export const ReportsTopSpendersQuery = graphql(`
  query ReportsTopSpenders($from: Month!, $to: Month!, $first: Int!, $personal: Boolean!, $customer: ID) {
    topSpenders(from: $from, to: $to, first: $first, customer: $customer) {
      asOf
      lines {
        rank
        line {
          ...ReportLine
        }
        total {
          ...ReportAmount
        }
        companyShare {
          ...ReportAmount
        }
        employeeShare {
          ...ReportAmount
        }
      }
    }
  }
`);

export const ReportsAnomaliesQuery = graphql(`
  query ReportsAnomalies($month: Month!, $personal: Boolean!, $customer: ID) {
    spendingAnomalies(month: $month, customer: $customer) {
      month
      asOf
      overLimit {
        line {
          ...ReportLine
        }
        spent {
          ...ReportAmount
        }
        limit {
          ...ReportAmount
        }
        limitAction
      }
      growth {
        line {
          ...ReportLine
        }
        current {
          ...ReportAmount
        }
        earlier {
          ...ReportAmount
        }
        growthPercent
      }
      roamingSpikes {
        line {
          ...ReportLine
        }
        current {
          ...ReportAmount
        }
        earlier {
          ...ReportAmount
        }
        growthPercent
      }
    }
  }
`);

export const ReportsSavingsQuery = graphql(`
  query ReportsSavings($months: Int!, $personal: Boolean!, $customer: ID) {
    savingsFinder(months: $months, customer: $customer) {
      from
      to
      asOf
      rule
      lines {
        line {
          ...ReportLine
        }
        currentPlan {
          id
          name
        }
        suggestedPlan {
          id
          name
        }
        monthlySaving {
          ...ReportAmount
        }
      }
      totalsByCurrency {
        ...ReportAmount
      }
    }
  }
`);
