// The lines that spent most over the period, ranked, each amount in its own currency.
import { useState } from "react";
import { useQuery } from "urql";
import { useCustomerArgument } from "../company";
import { useI18n } from "../i18n";
import { usePermissions } from "../permissions";
import { ReportsTopSpendersQuery } from "./operations";
import { AsOf, Charts, CsvLink, LineName, MoneyCell, TableBox } from "./parts";
import type { Period } from "./period";

const COUNTS = [10, 25, 50];

export function TopSpendersReport({ period }: { period: Period }) {
  const { t } = useI18n();
  const personal = usePermissions().has("personal:read");
  const [first, setFirst] = useState(10);
  const { customer } = useCustomerArgument();
  const variables = { from: period.from, to: period.to, first, personal, customer };
  const [{ data, error, fetching }] = useQuery({ query: ReportsTopSpendersQuery, variables });
  const report = data?.topSpenders;
  const rows = report?.lines ?? [];
  const title = t.reportsTab.top;
  return (
    <>
      <h2>{title}</h2>
      <div className="report-controls">
        <label className="field">
          <span>{t.reportsShow}</span>
          <select value={first} onChange={(event) => setFirst(Number(event.target.value))}>
            {COUNTS.map((count) => (
              <option key={count} value={count}>
                {count}
              </option>
            ))}
          </select>
        </label>
        <CsvLink report="top-spenders" params={{ from: period.from, to: period.to, first: String(first) }}
          name={title} />
      </div>
      {!data && <p role={error ? "alert" : "status"}>{error ? t.loadFailed : t.loading}</p>}
      {report && (
        <>
          <AsOf at={report.asOf} />
          {rows.length === 0 ? (
            <p>{t.reportsNothing}</p>
          ) : (
            <TableBox label={title}>
              <table className="report-table" data-report="top" aria-busy={fetching || undefined}>
                <caption>{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.reportsRank}</th>
                    <th scope="col">{t.reportsLine}</th>
                    <th scope="col">{t.spendingTotal}</th>
                    <th scope="col">{t.companyShare}</th>
                    <th scope="col">{t.employeeShare}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.rank} data-key={row.line?.id ?? ""}>
                      <td className="count">{row.rank}</td>
                      <th scope="row">
                        <LineName line={row.line} />
                      </th>
                      <MoneyCell money={row.total} />
                      <MoneyCell money={row.companyShare} />
                      <MoneyCell money={row.employeeShare} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          )}
          <Charts title={title} rows={rows.map((row) => ({ label: String(row.rank), money: { total: row.total } }))}
            series={[{ key: "total", name: t.spendingTotal }]} />
        </>
      )}
    </>
  );
}
