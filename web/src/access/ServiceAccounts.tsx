// Service accounts and their API keys. A key's secret is in the answer that issued it and nowhere
// else: the page shows it once, with a copy button and a warning, keeps it only in memory until it
// is dismissed, and shows only the key's prefix and dates after that (and after any reload).
import { useEffect, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import type { Role } from "../gql/graphql";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { outcomeOf, type Changes } from "./changes";
import { ApiKeyCreate, ApiKeyRevoke, ServiceAccountCreate } from "./operations";
import { GIVEN_ROLES, indented, type AccessUser, type Unit } from "./units";

type Issued = { secret: string; prefix: string; name: string; account: string };
type Props = { accounts: AccessUser[]; units: Unit[]; canWrite: boolean; changes: Changes };

export function ServiceAccounts({ accounts, units, canWrite, changes }: Props) {
  const { t } = useI18n();
  const [issued, setIssued] = useState<Issued | null>(null);
  return (
    <section className="panel" aria-labelledby="access-accounts-title">
      <h2 id="access-accounts-title">{t.accessAccounts}</h2>
      <p className="hint">{t.accessAccountsHint}</p>
      {issued && <SecretOnce issued={issued} onDone={() => setIssued(null)} />}
      {accounts.length === 0 ? (
        <p>{t.accessNoAccounts}</p>
      ) : (
        <ul className="access-accounts">
          {accounts.map((account) => (
            <Account key={account.id} account={account} canWrite={canWrite} changes={changes} onIssued={setIssued} />
          ))}
        </ul>
      )}
      {canWrite && <NewAccount units={units} changes={changes} />}
    </section>
  );
}

function SecretOnce({ issued, onDone }: { issued: Issued; onDone: () => void }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => heading.current?.focus(), [issued]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="secret-once" role="region" aria-labelledby="access-secret-title">
      <h3 id="access-secret-title" ref={heading} tabIndex={-1}>
        {t.accessSecretTitle(issued.name)}
      </h3>
      <p className="warning">{t.accessSecretWarning}</p>
      <p className="secret-value">
        <code data-secret="">{issued.secret}</code>
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void copy()}>
          {t.accessCopy}
        </button>
        <button type="button" onClick={onDone}>
          {t.accessSecretDone}
        </button>
      </div>
      <p aria-live="polite" className="hint">
        {copied === true ? t.accessCopied : copied === false ? t.accessCopyFailed : ""}
      </p>
    </div>
  );
}

type AccountProps = { account: AccessUser; canWrite: boolean; changes: Changes; onIssued: (issued: Issued) => void };

function Account({ account, canWrite, changes, onIssued }: AccountProps) {
  const { t, language } = useI18n();
  const id = useId();
  const [, create] = useMutation(ApiKeyCreate);
  const [, revoke] = useMutation(ApiKeyRevoke);
  const [name, setName] = useState("");
  const [expires, setExpires] = useState("");
  const keys = account.apiKeys ?? [];
  const when = (iso: string | null | undefined) => (iso ? formatDateTime(iso, language) : "—");

  const proposeKey = () => {
    const label = name.trim();
    const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : null;
    changes.propose({
      title: t.accessKeyTitle,
      text: <p>{t.accessKeyText(label, account.name ?? account.login ?? "")}</p>,
      confirm: t.accessKeyConfirm,
      run: async (idempotencyKey) => {
        const input = { serviceAccount: account.id, name: label, expiresAt, idempotencyKey };
        const answer = await create({ input });
        const made = answer.data?.apiKeyCreate;
        const outcome = outcomeOf(answer.error, made?.userErrors, t.accessKeyDone(label));
        if (outcome.ok && made?.secret && made.apiKey) {
          onIssued({ secret: made.secret, prefix: made.apiKey.prefix ?? "", name: label, account: account.id });
          setName("");
          setExpires("");
        }
        return outcome;
      },
    });
  };
  const proposeRevoke = (key: (typeof keys)[number]) => {
    changes.propose({
      title: t.accessKeyRevokeTitle,
      text: <p>{t.accessKeyRevokeText(key.name ?? "", key.prefix ?? "")}</p>,
      confirm: t.accessKeyRevokeConfirm,
      danger: true,
      run: async (idempotencyKey) => {
        const answer = await revoke({ input: { apiKey: key.id, idempotencyKey } });
        return outcomeOf(answer.error, answer.data?.apiKeyRevoke.userErrors, t.accessKeyRevokeDone(key.prefix ?? ""));
      },
    });
  };

  return (
    <li className="account-card" data-account={account.id} data-login={account.login ?? ""}>
      <h3>{account.name}</h3>
      <dl className="facts">
        <div>
          <dt>{t.accessLogin}</dt>
          <dd>{account.login}</dd>
        </div>
        <div>
          <dt>{t.accessRole}</dt>
          <dd>{account.role ? (t.role[account.role] ?? account.role) : "—"}</dd>
        </div>
        <div>
          <dt>{t.accessSubtrees}</dt>
          <dd>{(account.scopeUnits ?? []).map((u) => u.name).join(", ") || t.accessWholeCompany}</dd>
        </div>
      </dl>
      <h4>{t.accessKeys}</h4>
      {keys.length === 0 ? (
        <p className="hint">{t.accessNoKeys}</p>
      ) : (
        <ul className="api-keys">
          {keys.map((key) => (
            <li key={key.id} data-key={key.id} data-active={key.active ? "true" : "false"}>
              <p className="key-head">
                <strong>{key.name}</strong> <code className="key-prefix">{key.prefix}…</code>{" "}
                <span className={key.active ? "key-state ok" : "key-state off"}>
                  {key.active ? t.accessKeyActive : key.revokedAt ? t.accessKeyRevoked : t.accessKeyExpired}
                </span>
              </p>
              <p className="hint">
                {t.accessKeyMade(when(key.createdAt), key.createdBy ?? "—")}
                {" · "}
                {t.accessKeyUsed(when(key.lastUsedAt))}
                {key.expiresAt && ` · ${t.accessKeyExpires(when(key.expiresAt))}`}
                {key.revokedAt && ` · ${t.accessKeyRevokedAt(when(key.revokedAt))}`}
              </p>
              {canWrite && key.active && (
                <button type="button" className="small danger" onClick={() => proposeRevoke(key)}
                  aria-label={t.accessKeyRevokeLabel(key.name ?? "", key.prefix ?? "")}>
                  {t.accessKeyRevoke}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && account.active !== false && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            proposeKey();
          }}
        >
          <label htmlFor={`${id}-key`}>{t.accessKeyName}</label>
          <input id={`${id}-key`} required autoComplete="off" value={name} onChange={(e) => setName(e.target.value)}
            placeholder={t.accessKeyNameExample} />
          <label htmlFor={`${id}-expires`}>{t.accessKeyExpiry}</label>
          <input id={`${id}-expires`} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          <button type="submit">{t.accessIssueKey}</button>
        </form>
      )}
    </li>
  );
}

function NewAccount({ units, changes }: { units: Unit[]; changes: Changes }) {
  const { t } = useI18n();
  const id = useId();
  const [, create] = useMutation(ServiceAccountCreate);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("ANALYST");
  const [unit, setUnit] = useState("");
  const unitName = units.find((u) => u.id === unit)?.name ?? t.accessWholeCompany;
  const propose = () => {
    const label = name.trim();
    changes.propose({
      title: t.accessAccountTitle,
      text: <p>{t.accessAccountText(label, t.role[role] ?? role, unitName)}</p>,
      confirm: t.accessAccountConfirm,
      run: async (idempotencyKey) => {
        const answer = await create({ input: { name: label, role, units: unit ? [unit] : [], idempotencyKey } });
        const outcome = outcomeOf(answer.error, answer.data?.serviceAccountCreate.userErrors, t.accessAccountDone(label));
        if (outcome.ok) setName("");
        return outcome;
      },
    });
  };
  return (
    <form
      className="stacked-form new-account"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        propose();
      }}
    >
      <h3 id={`${id}-title`}>{t.accessNewAccount}</h3>
      <div className="field">
        <label htmlFor={`${id}-name`}>{t.accessAccountName}</label>
        <input id={`${id}-name`} required autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-role`}>{t.accessAccountRole}</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {GIVEN_ROLES.map((value) => (
            <option key={value} value={value}>
              {t.role[value] ?? value}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-unit`}>{t.accessAccountSubtree}</label>
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
        {t.accessCreateAccount}
      </button>
    </form>
  );
}
