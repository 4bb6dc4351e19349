// Screen 5, Invoices: the invoice history of the company's billing accounts, newest first, a
// page at a time, one account at a time (chosen where there are several), in one query beside the
// shell's at first paint; each invoice links to
// its drill-down (/invoices/<id>). The list the page shows is downloadable as CSV by a plain link
// (/reports/invoices.csv, signed in by the portal's cookie). Callers without invoice:read are
// told plainly that their role does not show invoices.
import { useId, useState } from "react";
import { useQuery } from "urql";
import { formatCount, formatDate, formatMoney, formatMonth } from "../format";
import { useI18n } from "../i18n";
import { Link } from "../router";
import { useViewer } from "../Shell";
import { useCustomerArgument } from "../company";
import { CompanyPicker } from "../CompanyPicker";
import { InvoiceHistoryQuery } from "./operations";
import { pageVariables, Paging, Refused, type Page } from "./paging";
import "./invoices.css";

export const PAGE_SIZE = 10;

export default function Invoices() {
  const { t } = useI18n();
  const viewer = useViewer();
  // Asked at once, beside the shell's query; a role found without invoice:read is told so instead.
  if (viewer && !viewer.permissions.includes("invoice:read")) return <Refused title={t.invoicesScreen} />;
  return <InvoiceHistory />;
}

function InvoiceHistory() {
  const { t, language } = useI18n();
  const id = useId();
  const [chosen, setChosen] = useState("");
  const [page, setPage] = useState<Page>({});
  const { customer, unchosen } = useCustomerArgument();
  const [{ data, fetching, error }] = useQuery({
    query: InvoiceHistoryQuery,
    variables: { ...pageVariables(page, PAGE_SIZE), customer },
    pause: unchosen,
  });
  if (unchosen) return <CompanyPicker />;
  const accounts = data?.customer?.billingAccounts ?? [];
  const account = accounts.find((a) => a.id === chosen) ?? accounts[0];
  const list = account?.invoices ?? null;

  return (
    <div className="invoices">
      <div className="screen-title">
        <h1>{t.invoicesScreen}</h1>
        {list && (
          <p className="period" data-total={list.totalCount ?? undefined}>
            {t.linesTotal(formatCount(list.totalCount ?? 0, language))}
          </p>
        )}
      </div>
      {fetching && !data && <p role="status">{t.loading}</p>}
      {error && !data && <p role="alert">{t.loadFailed}</p>}
      {data && accounts.length === 0 && <p className="panel">{t.invoicesNoAccounts}</p>}
      {account && (
        <section className="panel invoices-filters" aria-label={t.invoicesFilters}>
          {accounts.length > 1 ? (
            <div className="field">
              <label htmlFor={`${id}-account`}>{t.invoicesAccount}</label>
              <select
                id={`${id}-account`}
                value={account.id}
                onChange={(e) => {
                  setChosen(e.target.value);
                  setPage({});
                }}
              >
                {accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.number})
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <p className="invoices-account">
              {t.invoicesAccount}: {account.name} ({account.number})
            </p>
          )}
          <a
            className="download"
            href={`/reports/invoices.csv?billingAccount=${encodeURIComponent(account.id)}${
              customer ? `&customer=${encodeURIComponent(customer)}` : ""
            }`}
            download
          >
            {t.invoicesDownload}
          </a>
        </section>
      )}
      {list && (
        <section className="panel" aria-labelledby="invoices-table-title">
          <h2 id="invoices-table-title" className="visually-hidden">
            {t.invoicesScreen}
          </h2>
          {list.nodes.length === 0 ? (
            <p>{t.invoicesNone}</p>
          ) : (
            <table className="invoices-table">
              <thead>
                <tr>
                  <th scope="col">{t.invoiceNumber}</th>
                  <th scope="col">{t.invoicePeriod}</th>
                  <th scope="col">{t.invoiceIssued}</th>
                  <th scope="col">{t.invoiceDue}</th>
                  <th scope="col">{t.linesStatus}</th>
                  <th scope="col" className="amount">
                    {t.invoiceTotal}
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.nodes.map((invoice) => (
                  <tr key={invoice.id} data-invoice={invoice.id}>
                    <th scope="row" className="invoice-number">
                      <Link to={`/invoices/${encodeURIComponent(invoice.id)}`}>{invoice.number ?? "—"}</Link>
                    </th>
                    <td className="invoice-period" data-label={t.invoicePeriod}>
                      {invoice.period ? formatMonth(invoice.period, language) : "—"}
                    </td>
                    <td className="invoice-issued" data-label={t.invoiceIssued}>
                      {invoice.issuedOn ? formatDate(invoice.issuedOn, language) : "—"}
                    </td>
                    <td className="invoice-due" data-label={t.invoiceDue}>
                      {invoice.dueOn ? formatDate(invoice.dueOn, language) : "—"}
                    </td>
                    <td className="invoice-status" data-label={t.linesStatus} data-status={invoice.status ?? ""}>
                      {invoice.status ? t.invoiceStatus[invoice.status] : "—"}
                    </td>
                    <td
                      className="invoice-total amount"
                      data-label={t.invoiceTotal}
                      data-amount={invoice.total?.amount ?? ""}
                    >
                      {invoice.total ? formatMoney(invoice.total, language) : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Paging info={list.pageInfo} label={t.linesPaging} onPage={setPage} />
        </section>
      )}
    </div>
  );
}
