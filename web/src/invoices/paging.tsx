// Previous and next page of a cursor connection, as the Lines screen pages.
import { useI18n } from "../i18n";
import { Link } from "../router";

export type Page = { after?: string; before?: string };
type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };

export function pageVariables(page: Page, size: number) {
  return page.before ? { last: size, before: page.before } : { first: size, after: page.after };
}

export function Paging({ info, label, onPage }: { info: PageInfo; label: string; onPage: (page: Page) => void }) {
  const { t } = useI18n();
  if (!info.hasNextPage && !info.hasPreviousPage) return null;
  return (
    <nav className="invoices-paging" aria-label={label}>
      <button
        type="button"
        disabled={!info.hasPreviousPage || !info.startCursor}
        onClick={() => onPage({ before: info.startCursor ?? undefined })}
      >
        {t.linesPrevious}
      </button>
      <button
        type="button"
        disabled={!info.hasNextPage || !info.endCursor}
        onClick={() => onPage({ after: info.endCursor ?? undefined })}
      >
        {t.linesNext}
      </button>
    </nav>
  );
}

/** A screen the caller's role does not show: said plainly, with the way back. */
export function Refused({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <section className="panel refused" aria-labelledby="refused-title">
      <h1 id="refused-title">{title}</h1>
      <p role="alert">{t.invoicesRefused}</p>
      <Link to="/">{t.backToDashboard}</Link>
    </section>
  );
}
