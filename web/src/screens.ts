// The portal's screens: their path patterns (which the server also answers with index.html, see
// server/portal), titles, the permissions that put them in the navigation (all of them), and
// whether they are in it at all (a line's detail is reached from a line, not from the menu).
// Each screen is its own chunk (React.lazy): a page loads the shell and its own screen's code only.
import { createElement, lazy, type ComponentType } from "react";
import { matchPath, type Params } from "./router";

export type Screen = {
  path: string;
  title: "dashboard" | "linesScreen" | "myLine" | "lineDetail" | "reportsScreen";
  permissions: readonly string[];
  /** In the navigation: always, never, or only for a caller whose scope is one line of their own. */
  nav: "always" | "never" | "ownLine";
  component: ComponentType<{ params: Params }>;
  /** Loads the screen's code; once loaded, the component renders without suspending. */
  preload: () => Promise<void>;
};

type Props = { params: Params };

// React.lazy, except that a screen whose code is already here renders at once: a screen that
// suspended would show its fallback, and React holds the revealed screen back ~300 ms after one,
// which would send the screen's operation that much after the shell's (a waterfall). main.tsx
// loads the first screen's code before the first render.
function screen(load: () => Promise<{ default: ComponentType<Props> }>) {
  let loaded: ComponentType<Props> | undefined;
  const preload = () =>
    load().then((module) => {
      loaded = module.default;
    });
  const Lazy = lazy(() => preload().then(() => ({ default: loaded! })));
  const component = (props: Props) => createElement(loaded ?? Lazy, props);
  return { component, preload };
}

const Dashboard = screen(() => import("./dashboard/Dashboard"));
const Lines = screen(() => import("./lines/Lines"));
const MyLine = screen(() => import("./me/MyLine"));
const LineScreen = screen(() => import("./line/LineScreen"));
const Reports = screen(() => import("./reports/Reports"));

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permissions: ["org:read"], nav: "always", ...Dashboard },
  // Lines by unit: an employee (line:read, their own line only) has no units to filter by.
  { path: "/lines", title: "linesScreen", permissions: ["line:read", "org:read"], nav: "always", ...Lines },
  { path: "/me", title: "myLine", permissions: ["line:read"], nav: "ownLine", ...MyLine },
  { path: "/lines/:id", title: "lineDetail", permissions: ["line:read"], nav: "never", ...LineScreen },
  // Reports over units: spendingReport's spending:read, for callers who see the organisation (an
  // employee's spending is their own line's, on My line). Each report inside asks for its own.
  {
    path: "/reports",
    title: "reportsScreen",
    permissions: ["spending:read", "org:read"],
    nav: "always",
    ...Reports,
  },
];

/** The code of the screen at ``path`` (none: not found), loaded. */
export function preloadScreen(path: string): Promise<void> {
  return SCREENS.find((screen) => matchPath(screen.path, path))?.preload() ?? Promise.resolve();
}
