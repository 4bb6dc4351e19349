// The portal's screens: their path patterns (which the server also answers with index.html, see
// server/portal), titles, the permissions that put them in the navigation (all of them), and
// whether they are in it at all (a line's detail is reached from a line, not from the menu).
// Each screen is its own chunk (React.lazy): a page loads the shell and its own screen's code only.
import { createElement, lazy, type ComponentType } from "react";
import { matchPath, type Params } from "./router";

export type Screen = {
  path: string;
  title:
    | "dashboard"
    | "linesScreen"
    | "myLine"
    | "lineDetail"
    | "orgScreen"
    | "invoicesScreen"
    | "invoiceDetail"
    | "reportsScreen"
    | "accessScreen";
  permissions: readonly string[];
  /** In the navigation: always, never, or only for a caller whose scope is one line of their own. */
  nav: "always" | "never" | "ownLine";
  component: ComponentType<ScreenProps> & { preload: () => Promise<void> };
};

type ScreenProps = { params: Params };

/**
 * A screen's code, fetched on the first visit to it. The page a visit starts on has it fetched
 * already (the server names its chunks in index.html, see server/portal): `preload` awaits it
 * before the first render, which then sends the shell's and the screen's operations together
 * instead of suspending on the code and sending the screen's only after it.
 */
function lazyScreen(load: () => Promise<{ default: ComponentType<ScreenProps> }>) {
  let loaded: ComponentType<ScreenProps> | undefined;
  const Lazy = lazy(load);
  const component = (props: ScreenProps) => createElement(loaded ?? Lazy, props);
  const preload = async () => {
    loaded = (await load()).default;
  };
  return Object.assign(component, { preload });
}

const Dashboard = lazyScreen(() => import("./dashboard/Dashboard"));
const Lines = lazyScreen(() => import("./lines/Lines"));
const MyLine = lazyScreen(() => import("./me/MyLine"));
const LineScreen = lazyScreen(() => import("./line/LineScreen"));
const Org = lazyScreen(() => import("./org/Org"));
const Invoices = lazyScreen(() => import("./invoices/Invoices"));
const InvoiceScreen = lazyScreen(() => import("./invoices/InvoiceScreen"));
const Reports = lazyScreen(() => import("./reports/Reports"));
const Access = lazyScreen(() => import("./access/Access"));

export const SCREENS: readonly Screen[] = [
  { path: "/", title: "dashboard", permissions: ["org:read"], nav: "always", component: Dashboard },
  // Lines by unit: an employee (line:read, their own line only) has no units to filter by.
  { path: "/lines", title: "linesScreen", permissions: ["line:read", "org:read"], nav: "always", component: Lines },
  { path: "/org", title: "orgScreen", permissions: ["org:read"], nav: "always", component: Org },
  { path: "/me", title: "myLine", permissions: ["line:read"], nav: "ownLine", component: MyLine },
  { path: "/lines/:id", title: "lineDetail", permissions: ["line:read"], nav: "never", component: LineScreen },
  // Invoices: finance's history of the company's billing accounts, and one invoice's drill-down.
  { path: "/invoices", title: "invoicesScreen", permissions: ["invoice:read"], nav: "always", component: Invoices },
  { path: "/invoices/:id", title: "invoiceDetail", permissions: ["invoice:read"], nav: "never", component: InvoiceScreen },
  // Reports over units: spendingReport's spending:read, for callers who see the organisation (an
  // employee's spending is their own line's, on My line). Each report inside asks for its own.
  { path: "/reports", title: "reportsScreen", permissions: ["spending:read", "org:read"], nav: "always", component: Reports },
  // Users and access: company admins change them, operator support reads them; nobody else sees it.
  { path: "/access", title: "accessScreen", permissions: ["user:read"], nav: "always", component: Access },
];

/** The screen at `path` and its parameters, or undefined when no screen is there. */
export function screenAt(path: string): { screen: Screen; params: Params } | undefined {
  for (const screen of SCREENS) {
    const params = matchPath(screen.path, path);
    if (params) return { screen, params };
  }
  return undefined;
}
