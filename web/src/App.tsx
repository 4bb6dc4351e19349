import { useMemo } from "react";
import { Provider } from "urql";
import { createClient } from "./client";
import { I18nProvider, useI18n } from "./i18n";
import { Link, Router, usePath } from "./router";
import { SCREENS } from "./screens";
import { Shell } from "./Shell";

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="panel">
      <h1>{t.notFound}</h1>
      <Link to="/">{t.backToDashboard}</Link>
    </section>
  );
}

function CurrentScreen() {
  const path = usePath();
  const Screen = SCREENS.find((screen) => screen.path === path)?.component ?? NotFound;
  return <Screen />;
}

export function App() {
  const client = useMemo(createClient, []);
  return (
    <Provider value={client}>
      <I18nProvider>
        <Router>
          <Shell>
            <CurrentScreen />
          </Shell>
        </Router>
      </I18nProvider>
    </Provider>
  );
}
