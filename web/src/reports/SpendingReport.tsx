// Spending over the period by unit (at a chosen depth), by month, by category or by cost centre:
// one row per group and currency, and a total per currency (never one across currencies).
import { useState } from "react";
import { useQuery } from "urql";
import { useCustomerArgument } from "../company";
import { formatCount, formatMonth } from "../format";
import type { SpendingDimension } from "../gql/graphql";
import { useI18n } from "../i18n";
import { ReportsSpendingQuery } from "./operations";
import { AsOf, Charts, CsvLink, MoneyCell, TableBox } from "./parts";
import type { Period } from "./period";

const GROUPINGS = ["ORG_UNIT", "MONTH", "CATEGORY", "COST_CENTRE"] as const;
type Grouping = (typeof GROUPINGS)[number];

export function SpendingReport({ period }: { period: Period }) {
  const { t, language } = useI18n();
  const [grouping, setGrouping] = useState<Grouping>("ORG_UNIT");
  const [depth, setDepth] = useState(1);
  const groupBy: SpendingDimension[] = [grouping];
  const { customer } = useCustomerArgument();
  const input = { from: period.from, to: period.to, groupBy, unitDepth: depth, customer };
  const [{ data, error, fetching, operation }] = useQuery({ query: ReportsSpendingQuery, variables: { input } });
  // The grouping of the rows on show: while another is fetched, urql keeps the last answer.
  const answered = operation?.variables.input.groupBy;
  const shownGrouping = (Array.isArray(answered) ? answered[0] : grouping) as Grouping;
  const report = data?.spendingReport;
  const rows = report?.rows.nodes ?? [];
  const keyOf = (row: (typeof rows)[number]): string => {
    if (row.suppressed) return "suppressed";
    if (shownGrouping === "ORG_UNIT") return row.orgUnit?.id ?? "";
    if (shownGrouping === "MONTH") return row.month ?? "";
    if (shownGrouping === "CATEGORY") return row.category ?? "";
    return row.costCentre ?? "";
  };
  const labelOf = (row: (typeof rows)[number]): string => {
    if (row.suppressed) return t.reportsSmallerGroups;
    if (shownGrouping === "ORG_UNIT") return row.orgUnit?.name ?? "—";
    if (shownGrouping === "MONTH") return row.month ? formatMonth(row.month, language) : "—";
    if (shownGrouping === "CATEGORY") return row.category ? (t.category[row.category] ?? row.category) : "—";
    return row.costCentre ?? t.reportsNoCostCentre;
  };
  const title = `${t.reportsTab.spending}: ${t.reportsGrouping[grouping]}`;
  const tableTitle = `${t.reportsTab.spending}: ${t.reportsGrouping[shownGrouping]}`;
  const csv: Record<string, string> = { from: period.from, to: period.to, groupBy: grouping };
  if (grouping === "ORG_UNIT") csv.unitDepth = String(depth);
  return (
    <>
      <h2>{t.reportsTab.spending}</h2>
      <div className="report-controls">
        <label className="field">
          <span>{t.reportsGroupBy}</span>
          <select value={grouping} onChange={(event) => setGrouping(event.target.value as Grouping)}>
            {GROUPINGS.map((name) => (
              <option key={name} value={name}>
                {t.reportsGrouping[name]}
              </option>
            ))}
          </select>
        </label>
        {grouping === "ORG_UNIT" && (
          <label className="field">
            <span>{t.reportsUnitDepth}</span>
            <select value={depth} onChange={(event) => setDepth(Number(event.target.value))}>
              {[1, 2, 3].map((level) => (
                <option key={level} value={level}>
                  {t.reportsDepth[level]}
                </option>
              ))}
            </select>
          </label>
        )}
        <CsvLink report="spending" params={csv} name={title} />
      </div>
      {!data && <p role={error ? "alert" : "status"}>{error ? t.loadFailed : t.loading}</p>}
      {report && (
        <>
          <AsOf at={report.asOf} />
          {rows.length === 0 ? (
            <p>{t.reportsNothing}</p>
          ) : (
            <TableBox label={tableTitle}>
              <table className="report-table" data-report="spending" data-grouping={shownGrouping}
                aria-busy={fetching || undefined}>
                <caption>{tableTitle}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.reportsGroupColumn[shownGrouping]}</th>
                    <th scope="col">{t.spendingTotal}</th>
                    <th scope="col">{t.companyShare}</th>
                    <th scope="col">{t.employeeShare}</th>
                    <th scope="col">{t.reportsLinesCharged}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row, index) => (
                    <tr key={`${index}-${keyOf(row)}-${row.total.currency}`} data-key={keyOf(row)}>
                      <th scope="row">{labelOf(row)}</th>
                      <MoneyCell money={row.total} />
                      <MoneyCell money={row.companyShare} />
                      <MoneyCell money={row.employeeShare} />
                      <td className="count">
                        <data value={row.lines}>{formatCount(row.lines, language)}</data>
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  {report.totals.map((total) => (
                    <tr key={total.total.currency} data-key="total">
                      <th scope="row">{t.reportsTotal(total.total.currency)}</th>
                      <MoneyCell money={total.total} />
                      <MoneyCell money={total.companyShare} />
                      <MoneyCell money={total.employeeShare} />
                      <td className="count">
                        <data value={total.lines}>{formatCount(total.lines, language)}</data>
                      </td>
                    </tr>
                  ))}
                </tfoot>
              </table>
            </TableBox>
          )}
          <Charts title={tableTitle} rows={rows.map((row) => ({ label: labelOf(row), money: { total: row.total } }))}
            series={[{ key: "total", name: t.spendingTotal }]} />
        </>
      )}
    </>
  );
}
