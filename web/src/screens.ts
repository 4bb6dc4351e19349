// The portal's screens: their paths (which the server also answers with index.html, see
// server/portal), titles and the permission that puts them in the navigation.
import type { ComponentType } from "react";
import { Dashboard } from "./dashboard/Dashboard";

export type Screen = {
  path: string;
  title: "dashboard";
  permission: string;
  component: ComponentType;
};

export const SCREENS: readonly Screen[] = [{ path: "/", title: "dashboard", permission: "org:read", component: Dashboard }];
