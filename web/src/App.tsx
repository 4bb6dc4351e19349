import { Suspense, useEffect, useMemo } from "react";
import { Provider } from "urql";
import { createClient } from "./client";
import { CompanyProvider } from "./company";
import { I18nProvider, useI18n } from "./i18n";
import { Link, Router, useNavigate, usePath } from "./router";
import { screenAt } from "./screens";
import { Shell, useViewer } from "./Shell";

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="panel">
      <h1>{t.notFound}</h1>
      <Link to="/">{t.backToDashboard}</Link>
    </section>
  );
}

function Loading() {
  const { t } = useI18n();
  return <p role="status">{t.loading}</p>;
}

// An employee's portal is their own line: the organisation's dashboard is not theirs to see.
function useLanding(path: string) {
  const viewer = useViewer();
  const navigate = useNavigate();
  const ownLine = path === "/" && Boolean(viewer && !viewer.permissions.includes("org:read") && viewer.scope.line);
  useEffect(() => {
    if (ownLine) navigate("/me", { replace: true });
  }, [ownLine, navigate]);
}

function CurrentScreen() {
  const path = usePath();
  useLanding(path);
  const found = screenAt(path);
  return found ? <found.screen.component params={found.params} /> : <NotFound />;
}

export function App() {
  const client = useMemo(createClient, []);
  return (
    <Provider value={client}>
      <I18nProvider>
        <Router>
          <CompanyProvider>
            <Shell>
              <Suspense fallback={<Loading />}>
                <CurrentScreen />
              </Suspense>
            </Shell>
          </CompanyProvider>
        </Router>
      </I18nProvider>
    </Provider>
  );
}
