// The portal's screens: their paths (which the server also answers with index.html, see
// server/portal), titles and the permissions that put them in the navigation (all of them).
import type { ComponentType } from "react";
import { Dashboard } from "./dashboard/Dashboard";
import { Lines } from "./lines/Lines";

export type Screen = {
  path: string;
  title: "dashboard" | "linesScreen";
  permissions: readonly string[];
  component: ComponentType;
};

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permissions: ["org:read"], component: Dashboard },
  // Lines by unit: an employee (line:read, their own line only) has no units to filter by.
  { path: "/lines", title: "linesScreen", permissions: ["line:read", "org:read"], component: Lines },
];
