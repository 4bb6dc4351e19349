// The company's portal users (people; service accounts have their own section): login, name,
// role and the subtrees they were granted. A caller who may change users changes a role, grants
// a subtree from the org tree or revokes one, each after a confirmation.
import { useId, useState } from "react";
import { useMutation } from "urql";
import type { Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { outcomeOf, type Changes } from "./changes";
import { PortalUserGrantScope, PortalUserRevokeScope, PortalUserSetRole } from "./operations";
import { GIVEN_ROLES, indented, type AccessUser, type Unit } from "./units";

type Props = { users: AccessUser[]; units: Unit[]; canWrite: boolean; self: string | undefined; changes: Changes };

export function Users({ users, units, canWrite, self, changes }: Props) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="access-users-title">
      <h2 id="access-users-title">{t.accessUsers}</h2>
      {users.length === 0 ? (
        <p>{t.accessNoUsers}</p>
      ) : (
        <ul className="access-users">
          {users.map((user) => (
            <UserCard key={user.id} user={user} units={units} canWrite={canWrite && user.login !== self} changes={changes} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UserCard({ user, units, canWrite, changes }: { user: AccessUser; units: Unit[]; canWrite: boolean; changes: Changes }) {
  const { t } = useI18n();
  const id = useId();
  const [, setRole] = useMutation(PortalUserSetRole);
  const [, grant] = useMutation(PortalUserGrantScope);
  const [, revoke] = useMutation(PortalUserRevokeScope);
  const held = new Set((user.scopeUnits ?? []).map((unit) => unit.id));
  const grantable = units.filter((unit) => !held.has(unit.id));
  const roles = GIVEN_ROLES.filter((role) => role !== user.role);
  const [role, setChosenRole] = useState<Role | "">("");
  const [unit, setUnit] = useState("");
  const who = `${user.name ?? ""} (${user.login ?? ""})`;
  const roleName = (value: string | null | undefined) => (value ? (t.role[value] ?? value) : "—");

  const proposeRole = () => {
    if (!role) return;
    changes.propose({
      title: t.accessRoleTitle,
      text: <p>{t.accessRoleText(who, roleName(user.role), roleName(role))}</p>,
      confirm: t.accessRoleConfirm,
      run: async (idempotencyKey) => {
        const answer = await setRole({ input: { user: user.id, role, idempotencyKey } });
        const done = t.accessRoleDone(user.login ?? "", roleName(role));
        return outcomeOf(answer.error, answer.data?.portalUserSetRole.userErrors, done);
      },
    });
  };
  const proposeGrant = () => {
    const chosen = units.find((u) => u.id === unit);
    if (!chosen) return;
    changes.propose({
      title: t.accessGrantTitle,
      text: <p>{t.accessGrantText(who, chosen.name)}</p>,
      confirm: t.accessGrantConfirm,
      run: async (idempotencyKey) => {
        const answer = await grant({ input: { user: user.id, orgUnit: chosen.id, idempotencyKey } });
        const done = t.accessGrantDone(user.login ?? "", chosen.name);
        return outcomeOf(answer.error, answer.data?.portalUserGrantScope.userErrors, done);
      },
    });
  };
  const proposeRevoke = (target: { id: string; name?: string | null }) => {
    const name = target.name ?? target.id;
    changes.propose({
      title: t.accessRevokeTitle,
      text: <p>{t.accessRevokeText(who, name)}</p>,
      confirm: t.accessRevokeConfirm,
      danger: true,
      run: async (idempotencyKey) => {
        const answer = await revoke({ input: { user: user.id, orgUnit: target.id, idempotencyKey } });
        const done = t.accessRevokeDone(user.login ?? "", name);
        return outcomeOf(answer.error, answer.data?.portalUserRevokeScope.userErrors, done);
      },
    });
  };

  return (
    <li className="user-card" data-user={user.id} data-login={user.login ?? ""} data-role={user.role ?? ""}>
      <h3 id={`${id}-name`}>{user.name || user.login}</h3>
      <dl className="facts">
        <div>
          <dt>{t.accessLogin}</dt>
          <dd className="user-login">{user.login}</dd>
        </div>
        <div>
          <dt>{t.accessRole}</dt>
          <dd className="user-role">{roleName(user.role)}</dd>
        </div>
        {user.email && (
          <div>
            <dt>{t.accessEmail}</dt>
            <dd>{user.email}</dd>
          </div>
        )}
        {user.active === false && (
          <div>
            <dt>{t.accessStatus}</dt>
            <dd>{t.accessDisabled}</dd>
          </div>
        )}
      </dl>
      <h4>{t.accessSubtrees}</h4>
      {(user.scopeUnits ?? []).length === 0 ? (
        <p className="hint">{t.accessNoSubtrees}</p>
      ) : (
        <ul className="user-units">
          {(user.scopeUnits ?? []).map((granted) => (
            <li key={granted.id} data-unit={granted.id}>
              <span className="unit-name">{granted.name}</span>
              {canWrite && (
                <button type="button" className="small" onClick={() => proposeRevoke(granted)}
                  aria-label={t.accessRevokeLabel(granted.name ?? granted.id, user.login ?? "")}>
                  {t.accessRevoke}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <div className="user-changes">
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              proposeRole();
            }}
          >
            <label htmlFor={`${id}-role`}>{t.accessNewRole}</label>
            <select id={`${id}-role`} value={role} onChange={(event) => setChosenRole(event.target.value as Role | "")}>
              <option value="">{t.accessChoose}</option>
              {roles.map((value) => (
                <option key={value} value={value}>
                  {roleName(value)}
                </option>
              ))}
            </select>
            <button type="submit" disabled={!role}>
              {t.accessChangeRole}
            </button>
          </form>
          {grantable.length > 0 && (
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                proposeGrant();
              }}
            >
              <label htmlFor={`${id}-unit`}>{t.accessGrantUnit}</label>
              <select id={`${id}-unit`} value={unit} onChange={(event) => setUnit(event.target.value)}>
                <option value="">{t.accessChoose}</option>
                {grantable.map((u) => (
                  <option key={u.id} value={u.id}>
                    {indented(u)}
                  </option>
                ))}
              </select>
              <button type="submit" disabled={!unit}>
                {t.accessGrant}
              </button>
            </form>
          )}
        </div>
      )}
    </li>
  );
}
