// The portal's screens: their path patterns (which the server also answers with index.html, see
// server/portal), titles, the permissions that put them in the navigation (all of them), and
// whether they are in it at all (a line's detail is reached from a line, not from the menu).
// Each screen is its own chunk (React.lazy): a page loads the shell and its own screen's code only.
import { lazy, type ComponentType } from "react";
import type { Params } from "./router";

export type Screen = {
  path: string;
  title: "dashboard" | "linesScreen" | "myLine" | "lineDetail" | "reportsScreen";
  permissions: readonly string[];
  /** In the navigation: always, never, or only for a caller whose scope is one line of their own. */
  nav: "always" | "never" | "ownLine";
  component: ComponentType<{ params: Params }>;
};

const Dashboard = lazy(() => import("./dashboard/Dashboard"));
const Lines = lazy(() => import("./lines/Lines"));
const MyLine = lazy(() => import("./me/MyLine"));
const LineScreen = lazy(() => import("./line/LineScreen"));
const Reports = lazy(() => import("./reports/Reports"));

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permissions: ["org:read"], nav: "always", component: Dashboard },
  // Lines by unit: an employee (line:read, their own line only) has no units to filter by.
  { path: "/lines", title: "linesScreen", permissions: ["line:read", "org:read"], nav: "always", component: Lines },
  { path: "/me", title: "myLine", permissions: ["line:read"], nav: "ownLine", component: MyLine },
  { path: "/lines/:id", title: "lineDetail", permissions: ["line:read"], nav: "never", component: LineScreen },
  // Reports over units: spendingReport's spending:read, for callers who see the organisation (an
  // employee's spending is their own line's, on My line). Each report inside asks for its own.
  {
    path: "/reports",
    title: "reportsScreen",
    permissions: ["spending:read", "org:read"],
    nav: "always",
    component: Reports,
  },
];
