// The dashboard's live spending alerts: each line or unit of the caller's view as it crosses 80 %
// or 100 % of its limit or budget, or has usage blocked or charged to the employee
// (spendingAlerts over graphql-ws), newest first, announced politely to screen readers. The
// socket opens after the first paint; the alerts heard since the page opened are kept.
import { useSubscription } from "urql";
import { graphql } from "../gql";
import type { SpendingAlertsSubscription } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatDateTime, formatMoney } from "../format";
import { Link } from "../router";

const SpendingAlertsFeed = graphql(`
  subscription SpendingAlerts {
    spendingAlerts {
      subject
      kind
      threshold
      at
      spent {
        amount
        currency
      }
      limit {
        amount
        currency
      }
      line {
        id
        employeeName
        msisdn
      }
      orgUnit {
        id
        name
      }
    }
  }
`);

type Alert = SpendingAlertsSubscription["spendingAlerts"];

/** The most alerts kept on the page: the oldest go first. */
const KEPT = 20;

function keep(heard: Alert[] = [], answer: SpendingAlertsSubscription): Alert[] {
  return [answer.spendingAlerts, ...heard].slice(0, KEPT);
}

export function SpendingAlerts() {
  const { t, language } = useI18n();
  const [{ data: alerts = [] }] = useSubscription({ query: SpendingAlertsFeed }, keep);
  return (
    <>
      <p className="hint">{t.alertsHint}</p>
      <ol className="alerts" aria-live="polite" aria-relevant="additions">
        {alerts.map((alert) => {
          const who = alert.line ? (
            <Link to={`/lines/${encodeURIComponent(alert.line.id)}`}>
              {alert.line.employeeName ?? alert.line.msisdn}
            </Link>
          ) : (
            alert.orgUnit?.name
          );
          const key = `${alert.subject}-${alert.line?.id ?? alert.orgUnit?.id}-${alert.kind}-${alert.threshold}-${alert.at}`;
          return (
            <li key={key} className={`alert alert-${alert.kind.toLowerCase()}`} data-alert={alert.kind}
                data-subject={alert.line?.id ?? alert.orgUnit?.id}>
              <span className="alert-who">{who}</span>{" "}
              <span className="alert-what">
                {t.alertKind[alert.kind](alert.threshold, alert.subject === "UNIT")}
              </span>
              {alert.spent && (
                <span className="alert-figures">
                  {" "}
                  {formatMoney(alert.spent, language)} / {formatMoney(alert.limit, language)}
                </span>
              )}{" "}
              <time dateTime={alert.at} className="alert-at">
                {formatDateTime(alert.at, language)}
              </time>
            </li>
          );
        })}
      </ol>
      {alerts.length === 0 && <p className="alerts-none">{t.alertsNone}</p>}
    </>
  );
}
