// The frame of every screen: who is signed in and for which company, the screens the caller's
// permissions allow, the language switch and sign-out. Screens read the same answer (useViewer:
// urql serves it from the one request) to offer only what the caller's permissions allow.
import type { ReactNode } from "react";
import { useQuery } from "urql";
import { useCompany } from "./company";
import { graphql } from "./gql";
import type { ShellQuery as ShellAnswer } from "./gql/graphql";
import { LANGUAGES, useI18n, type Language } from "./i18n";
import { Link } from "./router";
import { SCREENS } from "./screens";
import { signOut } from "./session";

export const ShellQuery = graphql(`
  query Shell {
    viewer {
      login
      name
      role
      permissions
      customer {
        id
        name
      }
      scope {
        line {
          id
        }
      }
    }
  }
`);

export type ShellViewer = NonNullable<ShellAnswer["viewer"]>;

/** The signed-in caller as the shell asked for it (undefined while it loads). */
export function useViewer(): ShellViewer | undefined {
  const [{ data }] = useQuery({ query: ShellQuery });
  return data?.viewer;
}

export function Shell({ children }: { children: ReactNode }) {
  const { t, language, setLanguage } = useI18n();
  const viewer = useViewer();
  const { company, choose } = useCompany();
  const allowed = new Set(viewer?.permissions ?? []);
  const ownLine = Boolean(viewer?.scope.line);
  const screens = SCREENS.filter(
    (screen) =>
      screen.permissions.every((permission) => allowed.has(permission)) &&
      (screen.nav === "always" || (screen.nav === "ownLine" && ownLine)),
  );
  return (
    <div className="shell">
      <a className="skip" href="#content">
        {t.skipToContent}
      </a>
      <header className="shell-header">
        <div className="brand">
          <span className="company">{viewer?.customer?.name ?? company?.name ?? t.appName}</span>
          {company && viewer?.permissions.includes("customers:all") && (
            <button type="button" className="change-company" onClick={() => choose(null)}>
              {t.changeCompany}
            </button>
          )}
        </div>
        <div className="account">
          {viewer && (
            <p className="who">
              <span className="visually-hidden">{t.signedInAs} </span>
              <span className="name">{viewer.name}</span>
              <span className="role">{t.role[viewer.role] ?? viewer.role}</span>
            </p>
          )}
          <label className="language">
            <span className="visually-hidden">{t.language}</span>
            <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
              {Object.entries(LANGUAGES).map(([code, name]) => (
                <option key={code} value={code} lang={code}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="sign-out" onClick={() => void signOut()}>
            {t.signOut}
          </button>
        </div>
      </header>
      {screens.length > 0 && (
        <nav className="shell-nav" aria-label={t.mainNavigation}>
          <ul>
            {screens.map((screen) => (
              <li key={screen.path}>
                <Link to={screen.path}>{t[screen.title]}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
