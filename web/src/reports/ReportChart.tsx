// A report's bar charts, one per currency (amounts in two currencies are never on one axis, nor
// added), with recharts, loaded apart from the page (React.lazy). The figures are the table beside
// them; this is their picture, hidden from screen readers.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney, type Money } from "../format";
import { useI18n } from "../i18n";

export type Series = { key: string; name: string };
export type ChartRow = { label: string; money: Record<string, Money | null | undefined> };

const COLOURS = ["#1f5fa8", "#b35c00", "#2e7d32", "#6a1b9a"];

function ReportChart({ title, data, series, currency }: {
  title: string;
  data: Record<string, string | number>[];
  series: Series[];
  currency: string;
}) {
  const { language } = useI18n();
  const money = (value: number) => formatMoney({ amount: String(value), currency }, language);
  return (
    <figure className="chart report-chart">
      <figcaption>{title}</figcaption>
      <div className="chart-plot">
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval="preserveStartEnd" />
            <YAxis width={104} tickFormatter={money} />
            <Tooltip formatter={(value) => money(Number(value))} />
            {series.length > 1 && <Legend />}
            {series.map((one, index) => (
              <Bar key={one.key} dataKey={one.key} name={one.name} fill={COLOURS[index % COLOURS.length]}
                isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export default function ReportCharts({ title, rows, series }: { title: string; rows: ChartRow[]; series: Series[] }) {
  const { t } = useI18n();
  const amounts = rows.flatMap((row) => Object.values(row.money).flatMap((money) => (money ? [money] : [])));
  const currencies = [...new Set(amounts.map((money) => money.currency))].sort();
  if (currencies.length === 0) return null;
  return (
    <div className="report-charts" aria-hidden="true">
      {currencies.map((currency) => {
        const data = rows.flatMap((row) => {
          const values: Record<string, number> = {};
          for (const [key, money] of Object.entries(row.money))
            if (money && money.currency === currency) values[key] = Number(money.amount);
          return Object.keys(values).length ? [{ label: row.label, ...values }] : [];
        });
        const caption = currencies.length > 1 ? t.reportsChartIn(title, currency) : title;
        return <ReportChart key={currency} title={caption} data={data} series={series} currency={currency} />;
      })}
    </div>
  );
}
