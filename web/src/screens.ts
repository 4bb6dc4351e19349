// The portal's screens: their path patterns (which the server also answers with index.html, see
// server/portal), titles, the permissions that put them in the navigation (all of them), and
// whether they are in it at all (a line's detail is reached from a line, not from the menu).
// Each screen is its own chunk (React.lazy): a page loads the shell and its own screen's code only.
import { lazy, type ComponentType } from "react";
import type { Params } from "./router";

export type Screen = {
  path: string;
  title: "dashboard" | "linesScreen" | "myLine" | "lineDetail" | "invoicesScreen" | "invoiceDetail";
  permissions: readonly string[];
  /** In the navigation: always, never, or only for a caller whose scope is one line of their own. */
  nav: "always" | "never" | "ownLine";
  component: ComponentType<{ params: Params }>;
};

const Dashboard = lazy(() => import("./dashboard/Dashboard"));
const Lines = lazy(() => import("./lines/Lines"));
const MyLine = lazy(() => import("./me/MyLine"));
const LineScreen = lazy(() => import("./line/LineScreen"));
const Invoices = lazy(() => import("./invoices/Invoices"));
const InvoiceScreen = lazy(() => import("./invoices/InvoiceScreen"));

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permissions: ["org:read"], nav: "always", component: Dashboard },
  // Lines by unit: an employee (line:read, their own line only) has no units to filter by.
  { path: "/lines", title: "linesScreen", permissions: ["line:read", "org:read"], nav: "always", component: Lines },
  { path: "/me", title: "myLine", permissions: ["line:read"], nav: "ownLine", component: MyLine },
  { path: "/lines/:id", title: "lineDetail", permissions: ["line:read"], nav: "never", component: LineScreen },
  // Invoices: finance's history of the company's billing accounts, and one invoice's drill-down.
  { path: "/invoices", title: "invoicesScreen", permissions: ["invoice:read"], nav: "always", component: Invoices },
  { path: "/invoices/:id", title: "invoiceDetail", permissions: ["invoice:read"], nav: "never", component: InvoiceScreen },
];
