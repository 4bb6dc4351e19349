// Each line's result of a change or its dry run: the outcome, why a line was left as it was,
// before and after, and what the line's monthly fees change by.
import type { LineResultFragment } from "../gql/graphql";
import { formatMoney } from "../format";
import { useI18n } from "../i18n";
import { Link } from "../router";

export function BulkResults({ results, more }: { results: LineResultFragment[]; more: boolean }) {
  const { t, language } = useI18n();
  return (
    <div>
      <table className="bulk-results">
        <caption>{t.bulkPerLine}</caption>
        <thead>
          <tr>
            <th scope="col">{t.linesLine}</th>
            <th scope="col">{t.bulkOutcome}</th>
            <th scope="col">{t.bulkChange}</th>
            <th scope="col">{t.bulkCostImpact}</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => (
            <tr key={result.lineId} data-line={result.lineId} data-outcome={result.outcome}>
              <th scope="row">
                <Link to={`/lines/${encodeURIComponent(result.lineId)}`}>
                  {result.line?.employeeName ?? result.line?.msisdn ?? result.lineId}
                </Link>
              </th>
              <td data-label={t.bulkOutcome}>
                {t.outcome[result.outcome]}
                {result.message && <span className="reason"> — {result.message}</span>}
              </td>
              <td data-label={t.bulkChange}>
                {result.before !== result.after && result.after ? `${result.before || "—"} → ${result.after}` : "—"}
              </td>
              <td data-label={t.bulkCostImpact}>
                {result.monthlyCostImpact ? (
                  <data className="line-cost" value={result.monthlyCostImpact.amount}>
                    {formatMoney(result.monthlyCostImpact, language)}
                  </data>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {more && <p className="hint">{t.bulkMoreResults}</p>}
    </div>
  );
}
