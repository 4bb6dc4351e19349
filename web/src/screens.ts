// The portal's screens: their path patterns (which the server also answers with index.html, see
// server/portal), titles, the permission that puts them in the navigation, and whether they are
// in it at all (a line's detail is reached from a line, not from the menu).
import type { ComponentType } from "react";
import { Dashboard } from "./dashboard/Dashboard";
import { LineScreen } from "./line/LineScreen";
import { MyLine } from "./me/MyLine";
import type { Params } from "./router";

export type Screen = {
  path: string;
  title: "dashboard" | "myLine" | "lineDetail";
  permission: string;
  /** In the navigation: always, never, or only for a caller whose scope is one line of their own. */
  nav: "always" | "never" | "ownLine";
  component: ComponentType<{ params: Params }>;
};

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permission: "org:read", nav: "always", component: Dashboard },
  { path: "/me", title: "myLine", permission: "line:read", nav: "ownLine", component: MyLine },
  { path: "/lines/:id", title: "lineDetail", permission: "line:read", nav: "never", component: LineScreen },
];
