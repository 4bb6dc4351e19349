// Budget against actual per unit and month, with the month-end forecast for the current month;
// over budget first. A unit charged in two currencies has no actual to compare (the API says so).
import { useQuery } from "urql";
import { useCustomerArgument } from "../company";
import { formatMonth, formatPercent } from "../format";
import { useI18n } from "../i18n";
import { ReportsBudgetQuery } from "./operations";
import { AsOf, Charts, CsvLink, MoneyCell, TableBox } from "./parts";
import type { Period } from "./period";

export function BudgetReport({ period }: { period: Period }) {
  const { t, language } = useI18n();
  const { customer } = useCustomerArgument();
  const input = { from: period.from, to: period.to, customer };
  const [{ data, error, fetching }] = useQuery({ query: ReportsBudgetQuery, variables: { input } });
  const report = data?.budgetReport;
  const rows = report?.rows?.nodes ?? [];
  const title = t.reportsTab.budget;
  const percent = (value: string | null | undefined) => (value == null ? "—" : formatPercent(value, language));
  const last = rows.filter((row) => row.month === period.to);
  return (
    <>
      <h2>{title}</h2>
      <div className="report-controls">
        <CsvLink report="budget" params={{ from: period.from, to: period.to }} name={title} />
      </div>
      {!data && <p role={error ? "alert" : "status"}>{error ? t.loadFailed : t.loading}</p>}
      {report && (
        <>
          <AsOf at={report.asOf} />
          {rows.length === 0 ? (
            <p>{t.reportsNothing}</p>
          ) : (
            <TableBox label={title}>
              <table className="report-table" data-report="budget" aria-busy={fetching || undefined}>
                <caption>{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.unit}</th>
                    <th scope="col">{t.reportsMonth}</th>
                    <th scope="col">{t.budget}</th>
                    <th scope="col">{t.actual}</th>
                    <th scope="col">{t.reportsUsed}</th>
                    <th scope="col">{t.forecast}</th>
                    <th scope="col">{t.reportsForecastUsed}</th>
                    <th scope="col">{t.reportsOverBudget}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={`${row.orgUnit?.id}-${row.month}`} data-key={`${row.orgUnit?.id ?? ""} ${row.month ?? ""}`}
                      className={row.overBudget ? "over" : undefined}>
                      <th scope="row">{row.orgUnit?.name ?? "—"}</th>
                      <td>{row.month ? formatMonth(row.month, language) : "—"}</td>
                      <MoneyCell money={row.budget} />
                      {row.actual ? <MoneyCell money={row.actual} /> : <td className="amount">{t.reportsMixed}</td>}
                      <td className="amount">{percent(row.percentUsed)}</td>
                      <MoneyCell money={row.forecast} />
                      <td className="amount">{percent(row.forecastPercent)}</td>
                      <td>{row.overBudget == null ? "—" : row.overBudget ? t.reportsYes : t.reportsNo}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          )}
          <Charts
            title={`${title}, ${formatMonth(period.to, language)}`}
            rows={last.map((row) => ({
              label: row.orgUnit?.name ?? "—",
              money: { budget: row.budget, actual: row.actual, forecast: row.forecast },
            }))}
            series={[
              { key: "budget", name: t.budget },
              { key: "actual", name: t.actual },
              { key: "forecast", name: t.forecast },
            ]}
          />
        </>
      )}
    </>
  );
}
