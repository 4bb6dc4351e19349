// Inviting a portal user of the company: login (under the company's code), name, e-mail, role,
// and for a scoped role the subtree it acts on; sent after a confirmation.
import { useId, useState } from "react";
import { useMutation } from "urql";
import type { Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { outcomeOf, type Changes } from "./changes";
import { PortalUserInvite } from "./operations";
import { GIVEN_ROLES, indented, type Unit } from "./units";

export function Invite({ units, changes }: { units: Unit[]; changes: Changes }) {
  const { t } = useI18n();
  const id = useId();
  const [, invite] = useMutation(PortalUserInvite);
  const [login, setLogin] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("UNIT_ADMIN");
  const [unit, setUnit] = useState("");
  const unitName = units.find((u) => u.id === unit)?.name;

  const propose = () => {
    const wanted = { login: login.trim(), name: name.trim(), email: email.trim() || null, role, units: unit ? [unit] : [] };
    const roleName = t.role[role] ?? role;
    changes.propose({
      title: t.accessInviteTitle,
      text: <p>{t.accessInviteText(`${wanted.name} (${wanted.login})`, roleName, unitName ?? t.accessWholeCompany)}</p>,
      confirm: t.accessInviteConfirm,
      run: async (idempotencyKey) => {
        const answer = await invite({ input: { ...wanted, idempotencyKey } });
        const outcome = outcomeOf(answer.error, answer.data?.portalUserInvite.userErrors, t.accessInviteDone(wanted.login));
        if (outcome.ok) {
          setLogin("");
          setName("");
          setEmail("");
          setUnit("");
        }
        return outcome;
      },
    });
  };

  return (
    <section className="panel" aria-labelledby="access-invite-title">
      <h2 id="access-invite-title">{t.accessInvite}</h2>
      <form
        className="stacked-form"
        onSubmit={(event) => {
          event.preventDefault();
          propose();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-login`}>{t.accessLogin}</label>
          <input id={`${id}-login`} required autoComplete="off" value={login} onChange={(e) => setLogin(e.target.value)}
            aria-describedby={`${id}-login-hint`} />
          <p id={`${id}-login-hint`} className="hint">{t.accessLoginHint}</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t.accessName}</label>
          <input id={`${id}-name`} required autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t.accessEmail}</label>
          <input id={`${id}-email`} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>{t.accessRole}</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {GIVEN_ROLES.map((value) => (
              <option key={value} value={value}>
                {t.role[value] ?? value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-unit`}>{t.accessSubtree}</label>
          <select id={`${id}-unit`} value={unit} onChange={(e) => setUnit(e.target.value)}>
            <option value="">{t.accessWholeCompany}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {indented(u)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary">
          {t.accessInviteButton}
        </button>
      </form>
    </section>
  );
}
