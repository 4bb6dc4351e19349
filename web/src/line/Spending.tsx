// This month's spending on the line and who pays it: the company's share and the employee's,
// per policy period when the policy changed during the month.
import type { LineFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatDateTime, formatMoney, formatMonth } from "../format";

export function Spending({ spending, own }: { spending: LineFieldsFragment["spending"]; own: boolean }) {
  const { t, language } = useI18n();
  if (!spending) return null;
  const rows: [string, string, typeof spending.total][] = own
    ? [
        ["employee", t.yourShare, spending.employeeShare],
        ["company", t.companyShare, spending.companyShare],
        ["total", t.spendingTotal, spending.total],
      ]
    : [
        ["total", t.spendingTotal, spending.total],
        ["company", t.companyShare, spending.companyShare],
        ["employee", t.employeeShare, spending.employeeShare],
      ];
  return (
    <section className="panel" aria-labelledby="spending-title">
      <h2 id="spending-title">{t.spendingThisMonth}</h2>
      <p className="hint">{formatMonth(spending.period, language)}</p>
      <dl className="facts money">
        {rows.map(([key, label, money]) => (
          <div key={key} data-share={key}>
            <dt>{label}</dt>
            <dd>
              <data value={money.amount}>{formatMoney(money, language)}</data>
            </dd>
          </div>
        ))}
      </dl>
      {spending.policyPeriods.length > 1 && (
        <>
          <h3>{t.policyPeriods}</h3>
          <ul className="periods">
            {spending.policyPeriods.map((period) => (
              <li key={period.since}>
                {t.periodSpan(formatDateTime(period.since, language), formatDateTime(period.until, language))}:{" "}
                {formatMoney(period.total, language)} ({t.companyShare} {period.companySharePercent} %:{" "}
                {formatMoney(period.companyShare, language)}; {own ? t.yourShare : t.employeeShare}:{" "}
                {formatMoney(period.employeeShare, language)})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
