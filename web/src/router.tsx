// A tiny client-side router over the History API: the portal has a handful of screens, each a
// path pattern (segments starting with ":" are parameters, e.g. /lines/:id) the server also
// answers with index.html (server/portal SCREENS).
import { createContext, useCallback, useContext, useEffect, useState, type MouseEvent, type ReactNode } from "react";

type Navigate = (path: string, options?: { replace?: boolean }) => void;

const RouterContext = createContext<{ path: string; navigate: Navigate }>({
  path: "/",
  navigate: () => {},
});

export type Params = Record<string, string>;

/** The parameters of `path` under `pattern`, or null when it does not match. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = pattern.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return null;
  const params: Params = {};
  for (const [index, segment] of want.entries()) {
    if (segment.startsWith(":") && have[index] !== "") params[segment.slice(1)] = decodeURIComponent(have[index]);
    else if (segment !== have[index]) return null;
  }
  return params;
}

export function Router({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback<Navigate>((next, options) => {
    if (options?.replace) window.history.replaceState(null, "", next);
    else window.history.pushState(null, "", next);
    setPath(next);
  }, []);
  return <RouterContext value={{ path, navigate }}>{children}</RouterContext>;
}

export function usePath(): string {
  return useContext(RouterContext).path;
}

export function useNavigate(): Navigate {
  return useContext(RouterContext).navigate;
}

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { path, navigate } = useContext(RouterContext);
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className} aria-current={path === to ? "page" : undefined}>
      {children}
    </a>
  );
}
