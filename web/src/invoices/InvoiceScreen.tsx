// Screen 5's drill-down (/invoices/<global id>): one invoice, its shares, what each charge
// category adds up to and what each line was charged (paged), and its lines as CSV by a plain
// link (/reports/invoice-lines.csv); each line opens to what it was charged per category. Names and numbers are shown only to callers who may read
// personal data, units only to those who may read the organisation; a line links to its detail
// for callers who may read lines. An invoice outside the caller's view is null with
// NOT_FOUND, like one that does not exist: the page says so plainly.
import { useState } from "react";
import { useQuery } from "urql";
import { formatCount, formatCounted, formatDate, formatMoney, formatMonth, formatPercent } from "../format";
import { useI18n } from "../i18n";
import { Link } from "../router";
import { useViewer } from "../Shell";
import { InvoiceDetailQuery } from "./operations";
import { pageVariables, Paging, Refused, type Page } from "./paging";
import "./invoices.css";

export const LINES_PAGE_SIZE = 25;

export default function InvoiceScreen({ params }: { params: Record<string, string> }) {
  const { t } = useI18n();
  const viewer = useViewer();
  // Asked at once, beside the shell's query; a role found without invoice:read is told so instead.
  if (viewer && !viewer.permissions.includes("invoice:read")) return <Refused title={t.invoiceDetail} />;
  return <InvoiceView id={params.id} permissions={new Set(viewer?.permissions ?? [])} />;
}

function InvoiceView({ id, permissions }: { id: string; permissions: ReadonlySet<string> }) {
  const { t, language } = useI18n();
  // The page, and how many lines come before it (so that a line without a name keeps its number).
  const [{ page, offset }, setPaging] = useState<{ page: Page; offset: number }>({ page: {}, offset: 0 });
  const personal = permissions.has("personal:read");
  const [{ data, fetching, error }] = useQuery({
    query: InvoiceDetailQuery,
    variables: { id, ...pageVariables(page, LINES_PAGE_SIZE) },
  });
  const node = data?.node;
  const invoice = node?.__typename === "Invoice" ? node : null;
  if (fetching && !data) return <p role="status">{t.loading}</p>;
  if (!invoice) {
    return (
      <section className="panel">
        <h1>{t.invoiceDetail}</h1>
        <p role="alert">{error && !data ? t.loadFailed : t.invoiceNotFound}</p>
        <Link to="/invoices">{t.invoicesBack}</Link>
      </section>
    );
  }
  const total = invoice.total;
  const lines = invoice.bySubscriber;
  const mayOpenLine = permissions.has("line:read");
  return (
    <div className="invoices invoice">
      <p className="invoices-back">
        <Link to="/invoices">{t.invoicesBack}</Link>
      </p>
      <div className="screen-title">
        <h1>
          {t.invoiceDetail} {invoice.number}
        </h1>
        {invoice.period && <p className="period">{formatMonth(invoice.period, language)}</p>}
      </div>
      <section className="panel invoice-summary" aria-labelledby="invoice-summary-title">
        <h2 id="invoice-summary-title" className="visually-hidden">
          {t.invoiceSummary}
        </h2>
        <dl>
          <dt>{t.invoicesAccount}</dt>
          <dd>{invoice.billingAccount ? `${invoice.billingAccount.name} (${invoice.billingAccount.number})` : "—"}</dd>
          <dt>{t.invoiceIssued}</dt>
          <dd>{invoice.issuedOn ? formatDate(invoice.issuedOn, language) : "—"}</dd>
          <dt>{t.invoiceDue}</dt>
          <dd>{invoice.dueOn ? formatDate(invoice.dueOn, language) : "—"}</dd>
          <dt>{t.linesStatus}</dt>
          <dd data-status={invoice.status ?? ""}>{invoice.status ? t.invoiceStatus[invoice.status] : "—"}</dd>
          <dt>{t.invoiceTotal}</dt>
          <dd className="invoice-total" data-amount={total?.amount ?? ""}>
            {total ? formatMoney(total, language) : "—"}
          </dd>
          <dt>{t.invoiceCompanyShare}</dt>
          <dd>{invoice.companyShare ? formatMoney(invoice.companyShare, language) : "—"}</dd>
          <dt>{t.invoiceEmployeeShare}</dt>
          <dd>{invoice.employeeShare ? formatMoney(invoice.employeeShare, language) : "—"}</dd>
        </dl>
      </section>
      <section className="panel">
        <h2 id="invoice-categories-title">{t.invoiceByCategory}</h2>
        <div className="table-box" tabIndex={0} role="region" aria-label={t.invoiceByCategory}>
          <table className="invoice-categories">
            <thead>
              <tr>
                <th scope="col">{t.invoiceCategory}</th>
                <th scope="col" className="amount">
                  {t.invoiceAmount}
                </th>
                <th scope="col" className="amount">
                  {t.invoiceShareOfTotal}
                </th>
              </tr>
            </thead>
            <tbody>
              {(invoice.byCategory ?? []).map((row) => (
                <tr key={row.category} data-category={row.category}>
                  <th scope="row">{t.category[row.category] ?? row.category}</th>
                  <td className="amount" data-amount={row.amount.amount}>
                    {formatMoney(row.amount, language)}
                  </td>
                  <td className="amount">
                    {total && Number(total.amount) !== 0
                      ? formatPercent(String((Number(row.amount.amount) / Number(total.amount)) * 100), language)
                      : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {lines && (
        <section className="panel">
          <div className="invoice-lines-head">
            <h2 id="invoice-lines-title">{t.invoiceByLine}</h2>
            <p className="period" data-total={lines.totalCount ?? undefined}>
              {formatCount(lines.totalCount ?? 0, language)} {t.invoiceLinesCharged}
            </p>
            <a className="download" href={`/reports/invoice-lines.csv?invoice=${encodeURIComponent(invoice.id)}`} download>
              {t.invoiceDownloadLines}
            </a>
          </div>
          <div className="table-box" tabIndex={0} role="region" aria-label={t.invoiceByLine}>
            <table className="invoice-lines">
              <thead>
                <tr>
                  <th scope="col">{t.linesLine}</th>
                  {personal && <th scope="col">{t.linesNumber}</th>}
                  {permissions.has("org:read") && <th scope="col">{t.unit}</th>}
                  <th scope="col" className="amount">
                    {t.invoiceTotal}
                  </th>
                  <th scope="col" className="amount">
                    {t.invoiceCompanyShare}
                  </th>
                  <th scope="col" className="amount">
                    {t.invoiceEmployeeShare}
                  </th>
                  <th scope="col">{t.invoiceByCategory}</th>
                </tr>
              </thead>
              <tbody>
                {lines.nodes.map((row, index) => {
                  const line = row.subscriber;
                  const label = line?.employeeName ?? line?.msisdn ?? `${t.linesLine} ${offset + index + 1}`;
                  return (
                    <tr key={line?.id ?? `hidden-${index}`} data-line={line?.id ?? ""}>
                      <th scope="row" className="line-name">
                        {line && mayOpenLine ? <Link to={`/lines/${encodeURIComponent(line.id)}`}>{label}</Link> : label}
                      </th>
                      {personal && <td className="line-msisdn">{line?.msisdn ?? "—"}</td>}
                      {permissions.has("org:read") && <td className="line-unit">{line?.orgUnit?.name ?? "—"}</td>}
                      <td className="amount line-total" data-amount={row.total?.amount ?? ""}>
                        {row.total ? formatMoney(row.total, language) : "—"}
                      </td>
                      <td className="amount">{row.companyShare ? formatMoney(row.companyShare, language) : "—"}</td>
                      <td className="amount">{row.employeeShare ? formatMoney(row.employeeShare, language) : "—"}</td>
                      <td className="line-categories">
                        {row.byCategory && row.byCategory.length > 0 ? (
                          <details>
                            <summary>
                              {formatCounted(row.byCategory.length, t.invoiceCategories, language)}
                              <span className="visually-hidden"> — {label}</span>
                            </summary>
                            <ul>
                              {row.byCategory.map((c) => (
                                <li key={c.category} data-category={c.category} data-amount={c.amount.amount}>
                                  <span>{t.category[c.category] ?? c.category}</span>{" "}
                                  <span className="amount">{formatMoney(c.amount, language)}</span>
                                </li>
                              ))}
                            </ul>
                          </details>
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Paging
            info={lines.pageInfo}
            label={t.linesPaging}
            onPage={(next) =>
              setPaging({
                page: next,
                offset: next.after ? offset + lines.nodes.length : Math.max(0, offset - LINES_PAGE_SIZE),
              })
            }
          />
        </section>
      )}
    </div>
  );
}
