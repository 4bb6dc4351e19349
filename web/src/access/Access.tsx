// Screen 7, Users and access: the company's portal users with their roles and subtrees, its
// service accounts with their API keys, and the audit log. A caller who may read users sees them;
// one who may change users (user:write) also invites, changes roles, grants and revokes subtrees,
// creates service accounts and issues and revokes keys — each change confirmed first, its outcome
// told after. Everyone else is offered nothing here.
import { useCallback, useMemo, useState } from "react";
import { useQuery } from "urql";
import { useI18n } from "../i18n";
import { usePermissions } from "../permissions";
import { useViewer } from "../Shell";
import { useCustomerArgument } from "../company";
import { CompanyPicker } from "../CompanyPicker";
import { AuditLog, PAGE } from "./AuditLog";
import { ConfirmDialog, Feedback, useChanges } from "./changes";
import { Invite } from "./Invite";
import { AccessQuery } from "./operations";
import { ServiceAccounts } from "./ServiceAccounts";
import { unitsOf } from "./units";
import { Users } from "./Users";
import "./access.css";

export default function Access() {
  const { t } = useI18n();
  const viewer = useViewer();
  const permissions = usePermissions();
  const mayRead = permissions.has("user:read");
  const canWrite = permissions.has("user:write");
  // Sent at once, beside the shell's (a caller the screen is not for is told so, whatever the answer).
  const { customer, unchosen } = useCustomerArgument();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AccessQuery,
    variables: { auditPage: PAGE, customer },
    pause: unchosen,
  });
  const [version, setVersion] = useState(0);
  const onChanged = useCallback(() => {
    refetch({ requestPolicy: "network-only" });
    setVersion((v) => v + 1);
  }, [refetch]);
  const changes = useChanges(onChanged);

  const all = useMemo(() => data?.portalUsers ?? [], [data]);
  const units = useMemo(() => unitsOf(data), [data]);
  const names = useMemo(() => {
    const known = new Map<string, string>();
    for (const unit of units) known.set(unit.id, unit.name);
    for (const user of all) known.set(user.id, user.login ?? user.id);
    for (const user of all) for (const key of user.apiKeys ?? []) known.set(key.id, key.prefix ?? key.id);
    return known;
  }, [units, all]);

  if (!viewer) return <p role="status">{t.loading}</p>;
  if (unchosen) return <CompanyPicker />;
  if (!mayRead) {
    return (
      <section className="panel">
        <h1>{t.accessScreen}</h1>
        <p role="alert">{t.accessNotForRole}</p>
      </section>
    );
  }
  const people = all.filter((user) => !user.serviceAccount);
  const accounts = all.filter((user) => user.serviceAccount);
  return (
    <div className="access">
      <div className="screen-title">
        <h1>{t.accessScreen}</h1>
        {!canWrite && <p className="period">{t.accessReadOnly}</p>}
      </div>
      <Feedback changes={changes} />
      {fetching && !data && <p role="status">{t.loading}</p>}
      {error && !data && <p role="alert">{t.loadFailed}</p>}
      {data && (
        <div className="access-grid">
          <Users users={people} units={units} canWrite={canWrite} self={viewer.login} changes={changes} />
          {canWrite && <Invite units={units} changes={changes} />}
          <ServiceAccounts accounts={accounts} units={units} canWrite={canWrite} changes={changes} />
          {permissions.has("audit:read") && (
            <AuditLog logins={all.map((user) => user.login ?? "").filter(Boolean)} names={names} version={version} customer={customer}
              newest={data?.auditLog} />
          )}
        </div>
      )}
      <ConfirmDialog changes={changes} />
    </div>
  );
}
