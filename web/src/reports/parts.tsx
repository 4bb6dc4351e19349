// What every report's table and chart share: amounts as <data> (the figure as the API gave it, for
// machines) formatted by format.ts, a line's name, the CSV link, and the chart drawn after the
// figures, one per currency (amounts in two currencies are never on one axis, nor added).
import { lazy, Suspense, type ReactNode } from "react";
import { formatDateTime, formatMoney, type Money } from "../format";
import { useI18n } from "../i18n";
import { Link } from "../router";
import type { Series } from "./ReportChart";

const ReportChart = lazy(() => import("./ReportChart"));

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
  const href = `/reports/${report}.csv?${new URLSearchParams(params)}`;
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

export type ChartRow = { label: string; money: Record<string, Money | null | undefined> };

/** One chart per currency of ``rows`` (each series a measure), after the figures have painted. */
export function Charts({ title, rows, series }: { title: string; rows: ChartRow[]; series: Series[] }) {
  const { t } = useI18n();
  const currencies = [...new Set(rows.flatMap((row) => Object.values(row.money).flatMap((m) => (m ? [m.currency] : []))))].sort();
  if (currencies.length === 0) return null;
  return (
    <div className="report-charts" aria-hidden="true">
      <Suspense fallback={null}>
        {currencies.map((currency) => {
          const data = rows.flatMap((row) => {
            const values: Record<string, number> = {};
            for (const [key, money] of Object.entries(row.money))
              if (money && money.currency === currency) values[key] = Number(money.amount);
            return Object.keys(values).length ? [{ label: row.label, ...values }] : [];
          });
          const title_ = currencies.length > 1 ? t.reportsChartIn(title, currency) : title;
          return <ReportChart key={currency} title={title_} data={data} series={series} currency={currency} />;
        })}
      </Suspense>
    </div>
  );
}
