// Screen 1, the company dashboard: the org tree with each unit's lines and this month's spending
// against its budget, and the units over budget (or forecast to be). One operation, sent at
// first paint beside the shell's. Units over budget come first: on a phone they are what to act on.
import { lazy, Suspense } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { formatDateTime, formatMonth } from "../format";
import { OrgTree, type TreeUnit } from "./OrgTree";
import { OverBudget } from "./OverBudget";
import { SpendingAlerts } from "./SpendingAlerts";
import { useViewer } from "../Shell";

// The charts (their library and their two reports, the slowest figures on the page) come after
// the page's own figures: the org tree and the units over budget paint first.
const SpendingCharts = lazy(() => import("./SpendingCharts"));


graphql(`
  fragment UnitFigures on OrgUnit {
    id
    name
    subscriberCount
    monthlyBudget {
      amount
      currency
    }
    spendingByCurrency {
      period
      total {
        amount
        currency
      }
    }
  }
`);

graphql(`
  fragment UnitTree on OrgUnit {
    ...UnitFigures
    descendants {
      ...UnitFigures
      parent {
        id
      }
    }
  }
`);

const DashboardQuery = graphql(`
  query Dashboard {
    viewer {
      customer {
        id
        orgRoot {
          ...UnitTree
        }
      }
      scope {
        units {
          ...UnitTree
        }
      }
    }
    budgetReport(input: {}) {
      asOf
      rows(first: 50) {
        nodes {
          orgUnit {
            id
            name
          }
          month
          budget {
            amount
            currency
          }
          actual {
            amount
            currency
          }
          forecast {
            amount
            currency
          }
          percentUsed
          overBudget
        }
      }
    }
  }
`);

export default function Dashboard() {
  const { t, language } = useI18n();
  const [{ data, fetching, error }] = useQuery({ query: DashboardQuery });
  const allowed = new Set(useViewer()?.permissions ?? []);
  const viewer = data?.viewer;
  const orgRoot = viewer?.customer?.orgRoot;
  const roots: TreeUnit[] = orgRoot ? [orgRoot] : (viewer?.scope.units ?? []);
  const report = data?.budgetReport;
  const period = roots[0]?.spendingByCurrency?.[0]?.period ?? report?.rows?.nodes[0]?.month;
  return (
    <div className="dashboard">
      <div className="screen-title">
        <h1>{t.dashboard}</h1>
        {period && <p className="period">{formatMonth(period, language)}</p>}
      </div>
      {fetching && !data && <p role="status">{t.loading}</p>}
      {error && !data && <p role="alert">{t.loadFailed}</p>}
      {data && (
        <div className="dashboard-grid">
          {allowed.has("spending:read") && (
            <section className="panel panel-wide" aria-labelledby="spending-title">
              <h2 id="spending-title">{t.spending}</h2>
              <Suspense fallback={<p role="status">{t.loading}</p>}>
                <SpendingCharts />
              </Suspense>
            </section>
          )}
          {report && (
            <section className="panel" aria-labelledby="over-budget-title">
              <h2 id="over-budget-title">{t.overBudget}</h2>
              {report.asOf && (
                <p className="hint">
                  {t.asOf} {formatDateTime(report.asOf, language)}
                </p>
              )}
              <OverBudget rows={(report.rows?.nodes ?? []).filter((row) => row.overBudget)} />
            </section>
          )}
          {allowed.has("spending:read") && (
            <section className="panel" aria-labelledby="alerts-title">
              <h2 id="alerts-title">{t.alerts}</h2>
              <SpendingAlerts />
            </section>
          )}
          <section className="panel" aria-labelledby="org-tree-title">
            <h2 id="org-tree-title">{t.orgTree}</h2>
            <p className="hint">{t.orgTreeHint}</p>
            {roots.length > 0 ? <OrgTree roots={roots} /> : <p>{t.noOrgAccess}</p>}
          </section>
        </div>
      )}
    </div>
  );
}
