// A change to a line goes in two steps: a dry run shows what would happen and its monthly cost,
// and only a confirmation sends it (with an idempotency key, so a retry cannot change twice).
// The answer then says per line what was done, or why not.
import { useState, type ReactNode } from "react";
import { graphql } from "../gql";
import type { ChangeOutcomeFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatMoney, formatMoneyChange } from "../format";

graphql(`
  fragment ChangeOutcome on LineChangePayload {
    dryRun
    applied
    failed
    skipped
    wouldApply
    monthlyCostImpact {
      amount
      currency
    }
    userErrors {
      field
      code
      message
    }
    results {
      lineId
      outcome
      code
      message
      before
      after
    }
  }
`);

export type Send = (dryRun: boolean, idempotencyKey: string | null) => Promise<ChangeOutcomeFragment | null>;

type Step = { kind: "idle" } | { kind: "busy" } | { kind: "preview" | "done"; outcome: ChangeOutcomeFragment } | { kind: "error" };

/** The two steps' state: check (dry run), confirm (the change), cancel. */
export function useChange(onChanged: () => void) {
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const [proposal, setProposal] = useState<{ send: Send; what: string } | null>(null);
  const check = async (what: string, send: Send) => {
    setProposal({ send, what });
    setStep({ kind: "busy" });
    const outcome = await send(true, null);
    setStep(outcome ? { kind: "preview", outcome } : { kind: "error" });
  };
  const confirm = async () => {
    if (!proposal) return;
    setStep({ kind: "busy" });
    const outcome = await proposal.send(false, crypto.randomUUID());
    setStep(outcome ? { kind: "done", outcome } : { kind: "error" });
    onChanged();
  };
  const cancel = () => {
    setProposal(null);
    setStep({ kind: "idle" });
  };
  return { step, what: proposal?.what ?? "", check, confirm, cancel, busy: step.kind === "busy" };
}

export function ChangeSteps({ change }: { change: ReturnType<typeof useChange> }) {
  const { t, language } = useI18n();
  const { step } = change;
  if (step.kind === "idle") return null;
  if (step.kind === "busy") return <p role="status">{t.checking}</p>;
  if (step.kind === "error") return <p role="alert">{t.loadFailed}</p>;
  const { outcome } = step;
  const result = outcome.results[0];
  const problems: ReactNode[] = [
    ...outcome.userErrors.map((e) => <li key={`${e.code}-${e.field.join(".")}`}>{e.message}</li>),
    ...(result?.outcome === "FAILED" ? [<li key="line">{result.message ?? result.code}</li>] : []),
  ];
  const cost = outcome.monthlyCostImpact && (
    <p className="cost-impact">
      {t.costImpact}: <data value={outcome.monthlyCostImpact.amount}>{formatMoneyChange(outcome.monthlyCostImpact, language)}</data>
    </p>
  );
  if (step.kind === "preview") {
    const possible = outcome.wouldApply > 0 && problems.length === 0;
    return (
      <div className="proposal" role="group" aria-label={change.what}>
        <p className="proposal-what">{change.what}</p>
        {cost}
        {possible ? <p>{t.wouldApply}</p> : <p>{t.wouldRefuse}</p>}
        {problems.length > 0 && <ul className="problems">{problems}</ul>}
        <div className="actions">
          {possible && (
            <button type="button" className="primary" onClick={() => void change.confirm()}>
              {t.confirm}
            </button>
          )}
          <button type="button" onClick={change.cancel}>
            {t.cancel}
          </button>
        </div>
      </div>
    );
  }
  const message =
    outcome.applied > 0 ? t.changeApplied : outcome.skipped > 0 && problems.length === 0 ? t.changeSkipped : t.changeFailed;
  return (
    <div className="change-result" role="status" data-outcome={result?.outcome ?? "NONE"}>
      <p>
        {message} {result?.before && result.after && `${result.before} → ${result.after}`}
      </p>
      {outcome.applied > 0 && cost}
      {problems.length > 0 && <ul className="problems">{problems}</ul>}
    </div>
  );
}

type Priced = { id: string; name: string; monthlyFee: { amount: string; currency: string } };

/** A choice of plans or services, each with its monthly fee. */
export function PricedChoice({ label, choices, chosen, onChoose, disabled }: {
  label: string;
  choices: readonly Priced[];
  chosen: string | undefined;
  onChoose: (id: string) => void;
  disabled: boolean;
}) {
  const { t, language } = useI18n();
  return (
    <label>
      {label}
      <select value={chosen} onChange={(event) => onChoose(event.target.value)} disabled={disabled}>
        {choices.map((choice) => (
          <option key={choice.id} value={choice.id}>
            {choice.name} ({t.perMonth(formatMoney(choice.monthlyFee, language))})
          </option>
        ))}
      </select>
    </label>
  );
}
