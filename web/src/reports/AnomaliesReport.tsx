// The lines that stand out in the period's last month: over their monthly limit, grown by more
// than half on the month before, and roaming spikes (the API's thresholds).
import { useQuery } from "urql";
import { formatMonth, formatPercent, type Money } from "../format";
import { useCustomerArgument } from "../company";
import { useI18n } from "../i18n";
import { usePermissions } from "../permissions";
import { ReportsAnomaliesQuery } from "./operations";
import { AsOf, Charts, CsvLink, LineName, MoneyCell, TableBox, type ReportLine } from "./parts";
import type { Period } from "./period";

type Grown = { line?: ReportLine | null; current: Money; earlier: Money; growthPercent?: string | null };

function GrowthTable({ kind, title, rows }: { kind: string; title: string; rows: readonly Grown[] }) {
  const { t, language } = useI18n();
  return (
    <>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p>{t.reportsNothing}</p>
      ) : (
        <TableBox label={title}>
          <table className="report-table" data-report={kind}>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.reportsLine}</th>
                <th scope="col">{t.reportsSpent}</th>
                <th scope="col">{t.reportsEarlier}</th>
                <th scope="col">{t.reportsGrowthPercent}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={row.line?.id ?? index} data-key={row.line?.id ?? ""}>
                  <th scope="row">
                    <LineName line={row.line} />
                  </th>
                  <MoneyCell money={row.current} />
                  <MoneyCell money={row.earlier} />
                  <td className="amount">{row.growthPercent == null ? "—" : formatPercent(row.growthPercent, language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </>
  );
}

export function AnomaliesReport({ period }: { period: Period }) {
  const { t, language } = useI18n();
  const personal = usePermissions().has("personal:read");
  const { customer } = useCustomerArgument();
  const [{ data, error }] = useQuery({ query: ReportsAnomaliesQuery, variables: { month: period.to, personal, customer } });
  const report = data?.spendingAnomalies;
  const title = t.reportsTab.anomalies;
  const label = (line: ReportLine | null | undefined, index: number) =>
    line?.employeeName || line?.msisdn || String(index + 1);
  return (
    <>
      <h2>{title}</h2>
      <p className="hint">{t.reportsAnomalyMonth(formatMonth(period.to, language))}</p>
      <div className="report-controls">
        <CsvLink report="anomalies" params={{ month: period.to }} name={title} />
      </div>
      {!data && <p role={error ? "alert" : "status"}>{error ? t.loadFailed : t.loading}</p>}
      {report && (
        <>
          <AsOf at={report.asOf} />
          <h3>{t.reportsOverLimit}</h3>
          {report.overLimit.length === 0 ? (
            <p>{t.reportsNothing}</p>
          ) : (
            <TableBox label={t.reportsOverLimit}>
              <table className="report-table" data-report="over-limit">
                <caption className="visually-hidden">{t.reportsOverLimit}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.reportsLine}</th>
                    <th scope="col">{t.reportsSpent}</th>
                    <th scope="col">{t.reportsLimit}</th>
                    <th scope="col">{t.limitActionLabel}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.overLimit.map((row, index) => (
                    <tr key={row.line?.id ?? index} data-key={row.line?.id ?? ""}>
                      <th scope="row">
                        <LineName line={row.line} />
                      </th>
                      <MoneyCell money={row.spent} />
                      <MoneyCell money={row.limit} />
                      <td>{t.limitAction[row.limitAction] ?? row.limitAction}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          )}
          <Charts title={t.reportsOverLimit}
            rows={report.overLimit.map((row, index) => ({
              label: label(row.line, index),
              money: { spent: row.spent, limit: row.limit },
            }))}
            series={[{ key: "spent", name: t.reportsSpent }, { key: "limit", name: t.reportsLimit }]} />
          <GrowthTable kind="growth" title={t.reportsGrowth} rows={report.growth} />
          <GrowthTable kind="roaming" title={t.reportsRoaming} rows={report.roamingSpikes} />
        </>
      )}
    </>
  );
}
