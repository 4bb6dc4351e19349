// The audit log, newest first, filtered by who, what, with which outcome and when (the API's AuditFilter) and paged
// both ways by cursor. Ids in a record's input are shown by the names this screen knows.
import { useEffect, useId, useMemo, useState } from "react";
import { useQuery } from "urql";
import type { AuditFilter, AuditPageFragment } from "../gql/graphql";
import { formatCount, formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { AuditLogQuery } from "./operations";

export const PAGE = 20;
const OUTCOMES = ["allowed", "denied", "pending", "interrupted"] as const;
// The mutations the API audits (schema.graphql's Mutation), the access ones first.
export const ACTIONS = [
  "portalUserInvite", "portalUserSetRole", "portalUserGrantScope", "portalUserRevokeScope",
  "serviceAccountCreate", "apiKeyCreate", "apiKeyRevoke",
  "subscriberSuspend", "subscriberResume", "subscriberServicesAdd", "subscriberServicesRemove",
  "subscriberPlanChange", "subscriberPolicySet", "subscriberMove", "bulkOperationCancel",
  "orgUnitSetBudget", "orgUnitSetPolicy", "orgUnitCreate", "orgUnitUpdate", "orgUnitMove", "orgUnitDelete",
] as const;

type Turn = { first: number; after?: string } | { last: number; before: string };
type Props = {
  logins: string[];
  names: ReadonlyMap<string, string>;
  version: number;
  /** Operator staff: the company whose records these are. */
  customer: string | null;
  /** The newest page, unfiltered, as the screen's own query brought it. */
  newest: AuditPageFragment | null | undefined;
};

/** Midnight (local time) starting ``date`` (YYYY-MM-DD), ``days`` later, as an ISO instant. */
function midnight(date: string, days = 0): string {
  const moment = new Date(`${date}T00:00:00`);
  moment.setDate(moment.getDate() + days);
  return moment.toISOString();
}

function summary(detail: unknown, names: ReadonlyMap<string, string>, roleName: (role: string) => string): string {
  if (typeof detail !== "object" || detail === null) return "";
  const input = (detail as { input?: unknown }).input;
  if (typeof input !== "object" || input === null) return "";
  return Object.entries(input as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => {
      const shown = (one: unknown) => {
        const text = String(one);
        return key === "role" ? roleName(text) : (names.get(text) ?? text);
      };
      return `${key}: ${Array.isArray(value) ? value.map(shown).join(", ") : shown(value)}`;
    })
    .join("; ");
}

export function AuditLog({ logins, names, version, customer, newest }: Props) {
  const { t, language } = useI18n();
  const id = useId();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [turn, setTurn] = useState<Turn>({ first: PAGE });
  const filter = useMemo<AuditFilter>(
    () => ({
      ...(actor && { actor }),
      ...(action && { action }),
      ...(outcome && { outcome }),
      ...(from && { since: midnight(from) }),
      ...(to && { until: midnight(to, 1) }),
    }),
    [actor, action, outcome, from, to],
  );
  const sent = useMemo<AuditFilter>(() => ({ ...filter, ...(customer && { customer }) }), [filter, customer]);
  // The newest page, unfiltered and before any change, came with the screen's query.
  const initial = version === 0 && "first" in turn && !turn.after && Object.keys(filter).length === 0;
  // A page turned to again is asked for again too: the log only grows, a kept page may be stale.
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AuditLogQuery,
    variables: { ...turn, filter: sent },
    requestPolicy: "cache-and-network",
    pause: initial,
  });
  useEffect(() => {
    if (version > 0) {
      setTurn({ first: PAGE });
      refetch({ requestPolicy: "network-only" });
    }
  }, [version, refetch]);
  const change = (set: (value: string) => void) => (value: string) => {
    set(value);
    setTurn({ first: PAGE });
  };
  const log = initial ? newest : data?.auditLog;
  // The first page is the newest: there is a newer one only after turning to an older page.
  const turned = "before" in turn || ("after" in turn && Boolean(turn.after));
  const newer = Boolean(log?.pageInfo.startCursor) && turned && !("before" in turn && !log?.pageInfo.hasPreviousPage);
  const roleName = (role: string) => t.role[role.toUpperCase()] ?? role;

  return (
    <section className="panel audit" aria-labelledby="access-audit-title" aria-busy={fetching}>
      <h2 id="access-audit-title">{t.accessAudit}</h2>
      <form className="audit-filters" aria-label={t.accessAuditFilters} onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={`${id}-actor`}>{t.accessAuditWho}</label>
          <select id={`${id}-actor`} value={actor} onChange={(e) => change(setActor)(e.target.value)}>
            <option value="">{t.accessAuditAnyone}</option>
            {logins.map((login) => (
              <option key={login} value={login}>
                {login}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-action`}>{t.accessAuditAction}</label>
          <select id={`${id}-action`} value={action} onChange={(e) => change(setAction)(e.target.value)}>
            <option value="">{t.accessAuditAnyAction}</option>
            {ACTIONS.map((value) => (
              <option key={value} value={value}>
                {t.accessActions[value] ?? value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-outcome`}>{t.accessAuditOutcome}</label>
          <select id={`${id}-outcome`} value={outcome} onChange={(e) => change(setOutcome)(e.target.value)}>
            <option value="">{t.accessAuditAnyOutcome}</option>
            {OUTCOMES.map((value) => (
              <option key={value} value={value}>
                {t.accessOutcomes[value]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t.accessAuditFrom}</label>
          <input id={`${id}-from`} type="date" value={from} max={to || undefined} onChange={(e) => change(setFrom)(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t.accessAuditTo}</label>
          <input id={`${id}-to`} type="date" value={to} min={from || undefined} onChange={(e) => change(setTo)(e.target.value)} />
        </div>
      </form>
      {fetching && !data && <p role="status">{t.loading}</p>}
      {error && <p role="alert">{t.loadFailed}</p>}
      {log && (
        <>
          <p className="hint" data-total={log.totalCount ?? undefined}>
            {t.accessAuditTotal(formatCount(log.totalCount ?? 0, language))}
          </p>
          {log.edges.length === 0 ? (
            <p>{t.accessAuditNone}</p>
          ) : (
            <table className="audit-log">
              <thead>
                <tr>
                  <th scope="col">{t.accessAuditWhen}</th>
                  <th scope="col">{t.accessAuditWho}</th>
                  <th scope="col">{t.accessAuditAction}</th>
                  <th scope="col">{t.accessAuditOutcome}</th>
                  <th scope="col" className="wide-only">
                    {t.accessAuditDetail}
                  </th>
                </tr>
              </thead>
              <tbody>
                {log.edges.map(({ cursor, node }) => (
                  <tr key={cursor} data-cursor={cursor} data-action={node.action ?? ""} data-login={node.login ?? ""}
                    data-outcome={node.outcome ?? ""}>
                    <td>
                      <time dateTime={node.at ?? undefined}>{node.at ? formatDateTime(node.at, language) : "—"}</time>
                    </td>
                    <td>{node.login}</td>
                    <td>{node.action ? (t.accessActions[node.action] ?? node.action) : "—"}</td>
                    <td>{node.outcome ? (t.accessOutcomes[node.outcome] ?? node.outcome) : "—"}</td>
                    <td className="wide-only">{summary(node.detail, names, roleName)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="actions" aria-label={t.accessAuditPaging}>
            <button
              type="button"
              disabled={fetching || !newer}
              onClick={() => log.pageInfo.startCursor && setTurn({ last: PAGE, before: log.pageInfo.startCursor })}
            >
              {t.newer}
            </button>
            <button
              type="button"
              disabled={fetching || !log.pageInfo.hasNextPage || !log.pageInfo.endCursor}
              onClick={() => log.pageInfo.endCursor && setTurn({ first: PAGE, after: log.pageInfo.endCursor })}
            >
              {t.older}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
