// Spending by month (the last twelve) and by category (this month) as bar charts, one series per
// currency (amounts in two currencies are never added). Each chart is followed by its figures as a
// table for screen readers and for copying. Loaded apart from the rest of the page (React.lazy),
// with its own operation, so the page's first paint waits for neither the chart library nor the
// two reports (the slowest figures on the dashboard).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { formatMoney, formatMonth } from "../format";

// The Reports screen's charts come in this chunk too (its lazy import names this module): alone,
// their module is too small a file to be worth a request of its own (nor compresses to half).
export { default as ReportCharts } from "../reports/ReportChart";

const DashboardSpendingQuery = graphql(`
  query DashboardSpending($customer: ID) {
    byMonth: spendingReport(input: { lastMonths: 12, groupBy: [MONTH], customer: $customer }) {
      rows(first: 100) {
        nodes {
          month
          total {
            amount
            currency
          }
        }
      }
    }
    byCategory: spendingReport(input: { groupBy: [CATEGORY], customer: $customer }) {
      rows(first: 100) {
        nodes {
          category
          total {
            amount
            currency
          }
        }
      }
    }
  }
`);

export type Amount = { amount: string; currency: string };
export type Point = { key: string; total: Amount };

const COLOURS = ["#1f5fa8", "#b35c00", "#2e7d32", "#6a1b9a"];

function series(points: Point[]): { keys: string[]; currencies: string[]; rows: Record<string, number | string>[] } {
  const keys = [...new Set(points.map((point) => point.key))];
  const currencies = [...new Set(points.map((point) => point.total.currency))].sort();
  const rows = keys.map((key) => {
    const row: Record<string, number | string> = { key };
    for (const point of points.filter((p) => p.key === key)) row[point.total.currency] = Number(point.total.amount);
    return row;
  });
  return { keys, currencies, rows };
}

function Chart({ title, points, label }: { title: string; points: Point[]; label: (key: string) => string }) {
  const { t, language } = useI18n();
  const { currencies, rows } = series(points);
  const money = (value: number, currency: string) => formatMoney({ amount: String(value), currency }, language);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p>{t.nothingCharged}</p>
      ) : (
        <>
          <div className="chart-plot" aria-hidden="true">
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="key" tickFormatter={label} />
                <YAxis width={72} tickFormatter={(value: number) => money(value, currencies[0])} />
                <Tooltip formatter={(value, name) => money(Number(value), String(name))} labelFormatter={(key) => label(String(key))} />
                {currencies.length > 1 && <Legend />}
                {currencies.map((currency, index) => (
                  <Bar key={currency} dataKey={currency} fill={COLOURS[index % COLOURS.length]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="visually-hidden chart-figures">
            <caption>{title}</caption>
            <tbody>
              {points.map((point) => (
                <tr key={`${point.key}-${point.total.currency}`}>
                  <th scope="row">{label(point.key)}</th>
                  <td>
                    <data value={`${point.total.amount} ${point.total.currency}`}>{formatMoney(point.total, language)}</data>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}

function points<T extends { total: Amount }>(rows: readonly T[] | undefined, key: (row: T) => string | null | undefined): Point[] {
  return (rows ?? []).flatMap((row) => {
    const name = key(row);
    return name ? [{ key: name, total: row.total }] : [];
  });
}

export default function SpendingCharts({ customer }: { customer: string | null }) {
  const { t, language } = useI18n();
  const [{ data, error }] = useQuery({ query: DashboardSpendingQuery, variables: { customer } });
  if (!data) return <p role={error ? "alert" : "status"}>{error ? t.loadFailed : t.loading}</p>;
  const month = (key: string) => formatMonth(key, language);
  const category = (key: string) => t.category[key] ?? key;
  return (
    <div className="charts">
      <Chart title={t.spendingByMonth} points={points(data.byMonth?.rows.nodes, (row) => row.month)} label={month} />
      <Chart
        title={t.spendingByCategory}
        points={points(data.byCategory?.rows.nodes, (row) => row.category)}
        label={category}
      />
    </div>
  );
}
