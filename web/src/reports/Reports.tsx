// Screen 6, Reports: spending grouped four ways, budget against actual with the forecast, the top
// spenders, the month's anomalies and the savings finder, over a period of months chosen here.
// Each report is a tab with its figures as a table (the chart's accessible form) and a chart drawn
// after them (its library is loaded apart, after first paint), and a CSV link to the same figures.
// Only the tab on show asks the API: with the shell's, the two operations of first paint.
import { useState, type KeyboardEvent } from "react";
import { useI18n } from "../i18n";
import { useViewer } from "../Shell";
import { useCustomerArgument } from "../company";
import { CompanyPicker } from "../CompanyPicker";
import { AnomaliesReport } from "./AnomaliesReport";
import { BudgetReport } from "./BudgetReport";
import { monthsBack, thisMonth, type Period } from "./period";
import { SavingsReport } from "./SavingsReport";
import { SpendingReport } from "./SpendingReport";
import { TopSpendersReport } from "./TopSpendersReport";
import "./reports.css";

// Each report and the permissions its field's @requires (and its type's) take in schema.graphql.
const TABS = {
  spending: ["spending:read"],
  budget: ["budget:read"],
  top: ["spending:read", "line:read"],
  anomalies: ["spending:read", "line:read"],
  savings: ["product:read", "line:read"],
} as const;
type Tab = keyof typeof TABS;
const ORDER = Object.keys(TABS) as Tab[];

function tabInAddress(): Tab {
  const asked = new URLSearchParams(window.location.search).get("report");
  return ORDER.find((tab) => tab === asked) ?? "spending";
}

export default function Reports() {
  const { t } = useI18n();
  const viewer = useViewer();
  const [tab, setTab] = useState<Tab>(tabInAddress);
  const [period, setPeriod] = useState<Period>(() => ({ from: monthsBack(thisMonth(), 5), to: thisMonth() }));
  const { unchosen } = useCustomerArgument();
  if (unchosen) return <CompanyPicker />;
  // Until the shell has answered, the default report (spending:read, held by every role that sees
  // this screen) is asked for at once: the two operations of first paint go out together.
  const allowed = new Set(viewer?.permissions ?? []);
  const offered = viewer ? ORDER.filter((name) => TABS[name].every((p) => allowed.has(p))) : [tab];
  if (!viewer && tab !== "spending") return <p role="status">{t.loading}</p>;
  if (viewer && (!allowed.has("org:read") || offered.length === 0)) {
    return (
      <section className="panel">
        <h1>{t.reportsScreen}</h1>
        <p>{t.reportsNotAllowed}</p>
      </section>
    );
  }
  const shown = offered.includes(tab) ? tab : offered[0];
  const choose = (next: Tab) => {
    setTab(next);
    const address = new URL(window.location.href);
    address.searchParams.set("report", next);
    window.history.replaceState(null, "", address);
  };
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = offered[(offered.indexOf(shown) + step + offered.length) % offered.length];
    choose(next);
    document.getElementById(`report-tab-${next}`)?.focus();
  };
  const valid = period.from <= period.to;
  return (
    <div className="reports">
      <div className="screen-title">
        <h1>{t.reportsScreen}</h1>
      </div>
      <fieldset className="report-period">
        <legend>{t.reportsPeriod}</legend>
        <label className="field">
          <span>{t.reportsFrom}</span>
          <input type="month" value={period.from} max={period.to} required
            onChange={(event) => event.target.value && setPeriod({ ...period, from: event.target.value })} />
        </label>
        <label className="field">
          <span>{t.reportsTo}</span>
          <input type="month" value={period.to} required
            onChange={(event) => event.target.value && setPeriod({ ...period, to: event.target.value })} />
        </label>
        {!valid && <p role="alert">{t.reportsPeriodInvalid}</p>}
      </fieldset>
      <div className="report-tabs" role="tablist" aria-label={t.reportsTabs} onKeyDown={onKey}>
        {offered.map((name) => (
          <button key={name} type="button" role="tab" id={`report-tab-${name}`} aria-controls="report-panel"
            aria-selected={name === shown} tabIndex={name === shown ? 0 : -1} onClick={() => choose(name)}>
            {t.reportsTab[name]}
          </button>
        ))}
      </div>
      <section className="panel report-panel" id="report-panel" role="tabpanel" aria-labelledby={`report-tab-${shown}`}>
        {valid && shown === "spending" && <SpendingReport period={period} />}
        {valid && shown === "budget" && <BudgetReport period={period} />}
        {valid && shown === "top" && <TopSpendersReport period={period} />}
        {valid && shown === "anomalies" && <AnomaliesReport period={period} />}
        {shown === "savings" && <SavingsReport />}
      </section>
    </div>
  );
}
