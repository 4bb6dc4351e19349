// Units over budget this month, or forecast to be by its end, as the budget report ranks them.
import type { DashboardQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatMoney, formatPercent } from "../format";

type Row = NonNullable<NonNullable<DashboardQuery["budgetReport"]>["rows"]>["nodes"][number];

export function OverBudget({ rows }: { rows: Row[] }) {
  const { t, language } = useI18n();
  if (rows.length === 0) return <p>{t.overBudgetNone}</p>;
  return (
    <table className="over-budget">
      <thead>
        <tr>
          <th scope="col">{t.unit}</th>
          <th scope="col">{t.actual}</th>
          <th scope="col">{t.budget}</th>
          <th scope="col">{t.forecast}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.orgUnit?.id}-${row.month}`} data-unit={row.orgUnit?.id}>
            <th scope="row">{row.orgUnit?.name}</th>
            <td>
              {row.actual ? <data value={row.actual.amount}>{formatMoney(row.actual, language)}</data> : t.notAvailable}
              {row.percentUsed && <span className="percent"> ({formatPercent(row.percentUsed, language)})</span>}
            </td>
            <td>{row.budget ? <data value={row.budget.amount}>{formatMoney(row.budget, language)}</data> : "—"}</td>
            <td>{row.forecast ? formatMoney(row.forecast, language) : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
