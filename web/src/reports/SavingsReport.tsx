// The savings finder: lines whose usage over the last closed months fits a cheaper plan, what
// each would save a month, and the savings added up per currency (the API's totals).
import { useState } from "react";
import { useQuery } from "urql";
import { useCustomerArgument } from "../company";
import { formatMonth } from "../format";
import { useI18n } from "../i18n";
import { usePermissions } from "../permissions";
import { ReportsSavingsQuery } from "./operations";
import { AsOf, Charts, CsvLink, LineName, MoneyCell, TableBox } from "./parts";

const MONTHS = [1, 2, 3, 6, 12];

export function SavingsReport() {
  const { t, language } = useI18n();
  const personal = usePermissions().has("personal:read");
  const [months, setMonths] = useState(3);
  const { customer } = useCustomerArgument();
  const [{ data, error, fetching }] = useQuery({ query: ReportsSavingsQuery, variables: { months, personal, customer } });
  const report = data?.savingsFinder;
  const rows = report?.lines ?? [];
  const title = t.reportsTab.savings;
  return (
    <>
      <h2>{title}</h2>
      <div className="report-controls">
        <label className="field">
          <span>{t.reportsSavingsMonths}</span>
          <select value={months} onChange={(event) => setMonths(Number(event.target.value))}>
            {MONTHS.map((count) => (
              <option key={count} value={count}>
                {count}
              </option>
            ))}
          </select>
        </label>
        <CsvLink report="savings" params={{ months: String(months) }} name={title} />
      </div>
      {!data && <p role={error ? "alert" : "status"}>{error ? t.loadFailed : t.loading}</p>}
      {report && (
        <>
          <p className="hint">
            {t.reportsSavingsSpan(formatMonth(report.from, language), formatMonth(report.to, language))}
          </p>
          <AsOf at={report.asOf} />
          <p className="hint">{report.rule}</p>
          {rows.length === 0 ? (
            <p>{t.reportsNothing}</p>
          ) : (
            <TableBox label={title}>
              <table className="report-table" data-report="savings" aria-busy={fetching || undefined}>
                <caption>{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.reportsLine}</th>
                    <th scope="col">{t.reportsCurrentPlan}</th>
                    <th scope="col">{t.reportsSuggestedPlan}</th>
                    <th scope="col">{t.reportsSaving}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row, index) => (
                    <tr key={row.line?.id ?? index} data-key={row.line?.id ?? ""}>
                      <th scope="row">
                        <LineName line={row.line} />
                      </th>
                      <td>{row.currentPlan?.name ?? "—"}</td>
                      <td>{row.suggestedPlan?.name ?? "—"}</td>
                      <MoneyCell money={row.monthlySaving} />
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  {report.totalsByCurrency.map((total) => (
                    <tr key={total.currency} data-key="total">
                      <th scope="row" colSpan={3}>
                        {t.reportsTotal(total.currency)}
                      </th>
                      <MoneyCell money={total} />
                    </tr>
                  ))}
                </tfoot>
              </table>
            </TableBox>
          )}
          <Charts title={title}
            rows={rows.map((row, index) => ({
              label: row.line?.employeeName || row.line?.msisdn || String(index + 1),
              money: { saving: row.monthlySaving },
            }))}
            series={[{ key: "saving", name: t.reportsSaving }]} />
        </>
      )}
    </>
  );
}
