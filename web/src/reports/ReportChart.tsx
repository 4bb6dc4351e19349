// A report's bar chart in one currency (recharts, loaded apart from the page: React.lazy). The
// figures are the table beside it; this is their picture, hidden from screen readers.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "../format";
import { useI18n } from "../i18n";

export type Series = { key: string; name: string };

const COLOURS = ["#1f5fa8", "#b35c00", "#2e7d32", "#6a1b9a"];

export default function ReportChart({ title, data, series, currency }: {
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
