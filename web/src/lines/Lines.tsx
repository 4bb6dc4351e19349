// Screen 3, Lines: the lines the caller may see, filtered by unit and status, searched by name or
// number (as people type it; the API reads the number), sorted, paged both ways by cursor, each
// linking to its detail. Callers who may change lines select some (or a subtree, or the filter)
// for a bulk change (bulk/BulkChange). One query at first paint, beside the shell's.
import { useId, useMemo, useState, type FormEvent } from "react";
import { useQuery } from "urql";
import type { LineStatus, SubscriberFilter, SubscriberOrderField, OrderDirection } from "../gql/graphql";
import { formatCount } from "../format";
import { useI18n } from "../i18n";
import { usePermissions } from "../permissions";
import { useCustomerArgument } from "../company";
import { CompanyPicker } from "../CompanyPicker";
import { BulkChange, type Selection } from "./BulkChange";
import { LinesTable } from "./LinesTable";
import { LinesQuery } from "./operations";
import "./lines.css";

export const PAGE_SIZE = 20;
const STATUSES: readonly LineStatus[] = ["ACTIVE", "SUSPENDED", "TERMINATED"];

type Page = { after?: string; before?: string };
type Order = { field: SubscriberOrderField; direction: OrderDirection };

export default function Lines() {
  const { t, language } = useI18n();
  const permissions = usePermissions();
  const id = useId();
  const personal = permissions.has("personal:read");
  const [unit, setUnit] = useState("");
  const [status, setStatus] = useState<LineStatus | "">("");
  const [search, setSearch] = useState("");
  const [typed, setTyped] = useState("");
  // The API's own order until one is chosen (by name, or by activation without personal data).
  const [order, setOrder] = useState<Order | null>(null);
  const [page, setPage] = useState<Page>({});
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const { customer, unchosen } = useCustomerArgument();
  const filter = useMemo<SubscriberFilter>(
    () => ({
      ...(customer && { customer }),
      ...(unit && { orgUnit: unit }),
      ...(status && { statuses: [status] }),
      ...(search && { search }),
    }),
    [customer, unit, status, search],
  );
  const variables = useMemo(
    () => ({
      ...(page.before ? { last: PAGE_SIZE, before: page.before } : { first: PAGE_SIZE, after: page.after }),
      filter,
      orderBy: order,
      customer,
    }),
    [page, filter, order, customer],
  );
  const [{ data, fetching, error }, refetch] = useQuery({ query: LinesQuery, variables, pause: unchosen });
  if (unchosen) return <CompanyPicker />;

  const lines = data?.subscribers;
  const orgRoot = data?.customer?.orgRoot;
  const roots = orgRoot ? [orgRoot] : (data?.viewer.scope.units ?? []);
  const units = roots.flatMap((root) => [root, ...(root.descendants ?? [])]);
  const unitName = units.find((u) => u.id === unit)?.name;
  // A change to lines needs service:write for the change and line:write for its cancel.
  const mayChange = permissions.has("service:write") && permissions.has("line:write");

  const changeFilter = (change: () => void) => {
    change();
    setPage({});
    setSelected(new Set());
  };
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    changeFilter(() => setSearch(typed.trim()));
  };

  const choices: Selection[] = [];
  if (selected.size > 0) choices.push({ kind: "ids", ids: [...selected], count: selected.size });
  if (unit && unitName) choices.push({ kind: "orgUnit", orgUnit: unit, name: unitName });
  if (lines?.totalCount) choices.push({ kind: "filter", filter, count: lines.totalCount });

  return (
    <div className="lines">
      <div className="screen-title">
        <h1>{t.linesScreen}</h1>
        {lines && (
          <p className="period" data-total={lines.totalCount ?? undefined}>
            {t.linesTotal(formatCount(lines.totalCount ?? 0, language))}
          </p>
        )}
      </div>
      <section className="panel lines-filters" aria-label={t.linesFilters}>
        <div className="field">
          <label htmlFor={`${id}-unit`}>{t.unit}</label>
          <select id={`${id}-unit`} value={unit} onChange={(e) => changeFilter(() => setUnit(e.target.value))}>
            <option value="">{t.linesAllUnits}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>{t.linesStatus}</label>
          <select id={`${id}-status`}
            value={status}
            onChange={(e) => changeFilter(() => setStatus(e.target.value as LineStatus | ""))}
          >
            <option value="">{t.linesAllStatuses}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t.lineStatus[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-order`}>{t.linesSortBy}</label>
          <select id={`${id}-order`}
            value={order ? `${order.field} ${order.direction}` : ""}
            onChange={(e) => {
              const [field, direction] = e.target.value.split(" ") as [SubscriberOrderField, OrderDirection];
              changeFilter(() => setOrder(field ? { field, direction } : null));
            }}
          >
            <option value="">{t.linesOrderDefault}</option>
            {(personal ? (["NAME", "MSISDN", "STATUS", "ACTIVATED_ON"] as const) : (["STATUS", "ACTIVATED_ON"] as const))
              .flatMap((field) => (["ASC", "DESC"] as const).map((direction) => ({ field, direction })))
              .map(({ field, direction }) => (
                <option key={`${field} ${direction}`} value={`${field} ${direction}`}>
                  {t.linesOrder[field]} {direction === "ASC" ? "↑" : "↓"}
                </option>
              ))}
          </select>
        </div>
        {personal && (
          <form role="search" className="lines-search" onSubmit={onSearch}>
            <div className="field">
              <label htmlFor={`${id}-search`}>{t.linesSearch}</label>
              <input id={`${id}-search`} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="+49 170 …" />
            </div>
            <button type="submit">{t.linesSearchButton}</button>
          </form>
        )}
      </section>
      {fetching && !data && <p role="status">{t.loading}</p>}
      {error && !data && <p role="alert">{t.loadFailed}</p>}
      {lines && (
        <section className="panel" aria-labelledby="lines-table-title">
          <h2 id="lines-table-title" className="visually-hidden">
            {t.linesScreen}
          </h2>
          <LinesTable lines={lines.nodes} selectable={mayChange} selected={selected} onSelect={setSelected} />
          <nav className="lines-paging" aria-label={t.linesPaging}>
            <button
              type="button"
              disabled={!lines.pageInfo.hasPreviousPage || !lines.pageInfo.startCursor}
              onClick={() => setPage({ before: lines.pageInfo.startCursor ?? undefined })}
            >
              {t.linesPrevious}
            </button>
            <button
              type="button"
              disabled={!lines.pageInfo.hasNextPage || !lines.pageInfo.endCursor}
              onClick={() => setPage({ after: lines.pageInfo.endCursor ?? undefined })}
            >
              {t.linesNext}
            </button>
          </nav>
        </section>
      )}
      {mayChange && data && (
        <BulkChange
          choices={choices}
          services={data.services ?? []}
          onFinished={() => refetch({ requestPolicy: "network-only" })}
        />
      )}
    </div>
  );
}
