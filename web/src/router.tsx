// A tiny client-side router over the History API: the portal has a handful of screens, each a
// path the server also answers with index.html (server/portal SCREENS).
import { createContext, useCallback, useContext, useEffect, useState, type MouseEvent, type ReactNode } from "react";

const RouterContext = createContext<{ path: string; navigate: (path: string) => void }>({
  path: "/",
  navigate: () => {},
});

export function Router({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback((next: string) => {
    window.history.pushState(null, "", next);
    setPath(next);
  }, []);
  return <RouterContext value={{ path, navigate }}>{children}</RouterContext>;
}

export function usePath(): string {
  return useContext(RouterContext).path;
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
