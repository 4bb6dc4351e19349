// The portal's screens: their path patterns (which the server also answers with index.html, see
// server/portal), titles, the permissions that put them in the navigation (all of them), and
// whether they are in it at all (a line's detail is reached from a line, not from the menu).
import type { ComponentType } from "react";
import { Dashboard } from "./dashboard/Dashboard";
import { LineScreen } from "./line/LineScreen";
import { Lines } from "./lines/Lines";
import { MyLine } from "./me/MyLine";
import type { Params } from "./router";

export type Screen = {
  path: string;
  title: "dashboard" | "linesScreen" | "myLine" | "lineDetail";
  permissions: readonly string[];
  /** In the navigation: always, never, or only for a caller whose scope is one line of their own. */
  nav: "always" | "never" | "ownLine";
  component: ComponentType<{ params: Params }>;
};

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permissions: ["org:read"], nav: "always", component: Dashboard },
  // Lines by unit: an employee (line:read, their own line only) has no units to filter by.
  { path: "/lines", title: "linesScreen", permissions: ["line:read", "org:read"], nav: "always", component: Lines },
  { path: "/me", title: "myLine", permissions: ["line:read"], nav: "ownLine", component: MyLine },
  { path: "/lines/:id", title: "lineDetail", permissions: ["line:read"], nav: "never", component: LineScreen },
];
