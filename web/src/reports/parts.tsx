// What every report's table and chart share: amounts as <data> (the figure as the API gave it, for
// machines) formatted by format.ts, a line's name, the CSV link, and the chart drawn after the
// figures, one per currency (amounts in two currencies are never on one axis, nor added).
import { lazy, Suspense, type ReactNode } from "react";
import { formatDateTime, formatMoney, type Money } from "../format";
import { useCustomerArgument } from "../company";
import { useI18n } from "../i18n";
import { Link } from "../router";
import type { ChartRow, Series } from "./ReportChart";

// The charts' module comes with the dashboard's charts, in their chunk (see SpendingCharts.tsx).
const ReportCharts = lazy(() => import("../dashboard/SpendingCharts").then((module) => ({ default: module.ReportCharts })));

export function MoneyCell({ money }: { money: Money | null | undefined }) {
  const { language } = useI18n();
  if (!money) return <td className="amount">—</td>;
  return (
    <td className="amount">
      <data value={`${money.amount} ${money.currency}`}>{formatMoney(money, language)}</data>
    </td>
  );
}

export type ReportLine = {
  id: string;
  employeeName?: string | null;
  msisdn?: string | null;
  position?: string | null;
  orgUnit?: { name?: string | null } | null;
};

/** The line by its employee or number for callers who may read them, else by position and unit. */
export function LineName({ line }: { line: ReportLine | null | undefined }) {
  const { t } = useI18n();
  if (!line) return <>—</>;
  const name = line.employeeName || line.msisdn || [line.position, line.orgUnit?.name].filter(Boolean).join(", ");
  return <Link to={`/lines/${line.id}`}>{name || t.reportsLine}</Link>;
}

export function CsvLink({ report, params, name }: { report: string; params: Record<string, string>; name: string }) {
  const { t } = useI18n();
  const { customer } = useCustomerArgument();
  const href = `/reports/${report}.csv?${new URLSearchParams({ ...params, ...(customer && { customer }) })}`;
  return (
    <a className="csv-link" href={href} download>
      {t.reportsCsv(name)}
    </a>
  );
}

export function AsOf({ at }: { at: string | null | undefined }) {
  const { t, language } = useI18n();
  return at ? <p className="hint">{t.asOf} {formatDateTime(at, language)}</p> : null;
}

/** A table that scrolls sideways inside itself on a narrow screen, reachable by keyboard. */
export function TableBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-box" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export type { ChartRow } from "./ReportChart";

/** The charts of ``rows``, one per currency, drawn once the figures have painted (their library
comes apart, React.lazy); hidden from screen readers, who have the table. */
export function Charts(props: { title: string; rows: ChartRow[]; series: Series[] }) {
  return (
    <Suspense fallback={null}>
      <ReportCharts {...props} />
    </Suspense>
  );
}
