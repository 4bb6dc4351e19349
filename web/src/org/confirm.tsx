// Every change on the Org structure screen goes in two steps: the form proposes it in words, and
// only Confirm sends it (with an idempotency key, so a retry cannot change twice). The answer then
// says what was done, or the API's refusal: its message and its code.
import { useState } from "react";
import type { OrgChangeFragment } from "../gql/graphql";
import { useI18n } from "../i18n";

/** Sends the change with an idempotency key; the payload, or null when no answer came. */
export type Send = (idempotencyKey: string) => Promise<OrgChangeFragment | null>;

type Proposal = { question: string; done: string; send: Send; after?: (unit: OrgChangeFragment["orgUnit"]) => void };
type Step =
  | { kind: "idle" }
  | { kind: "asking"; proposal: Proposal }
  | { kind: "busy"; proposal: Proposal }
  | { kind: "done"; message: string }
  | { kind: "refused"; problems: { code: string; message: string }[] };

export function useConfirm(onChanged: () => void) {
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const propose = (proposal: Proposal) => setStep({ kind: "asking", proposal });
  const refuse = (message: string) => setStep({ kind: "refused", problems: [{ code: "", message }] });
  const confirm = async () => {
    if (step.kind !== "asking") return;
    const { proposal } = step;
    setStep({ kind: "busy", proposal });
    const payload = await proposal.send(crypto.randomUUID());
    if (payload === null) {
      setStep({ kind: "refused", problems: [] });
      return;
    }
    if (payload.userErrors.length > 0) {
      setStep({ kind: "refused", problems: payload.userErrors });
      return;
    }
    setStep({ kind: "done", message: proposal.done });
    onChanged();
    proposal.after?.(payload.orgUnit);
  };
  const cancel = () => setStep({ kind: "idle" });
  return { step, propose, refuse, confirm, cancel, busy: step.kind === "busy" || step.kind === "asking" };
}

export function ConfirmSteps({ change }: { change: ReturnType<typeof useConfirm> }) {
  const { t } = useI18n();
  const { step } = change;
  if (step.kind === "idle") return null;
  if (step.kind === "asking" || step.kind === "busy") {
    return (
      <div className="proposal" role="group" aria-label={t.orgConfirmTitle}>
        <p className="proposal-what">{step.proposal.question}</p>
        {step.kind === "busy" && <p role="status">{t.orgSaving}</p>}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void change.confirm()} disabled={step.kind === "busy"}>
            {t.confirm}
          </button>
          <button type="button" onClick={change.cancel} disabled={step.kind === "busy"}>
            {t.cancel}
          </button>
        </div>
      </div>
    );
  }
  if (step.kind === "done") {
    return (
      <div className="change-result" role="status" data-outcome="APPLIED">
        <p>{step.message}</p>
      </div>
    );
  }
  return (
    <div className="change-result" role="alert" data-outcome="REFUSED">
      <p>{t.orgRefused}</p>
      <ul className="problems">
        {step.problems.length === 0 && <li>{t.loadFailed}</li>}
        {step.problems.map((problem) => (
          <li key={`${problem.code}-${problem.message}`} data-code={problem.code}>
            {problem.message}
            {problem.code && <span className="code"> ({problem.code})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A mutation's payload, or the GraphQL errors that refused it whole (FORBIDDEN, say) as its problems. */
export function payloadOf(
  payload: OrgChangeFragment | undefined,
  error: { graphQLErrors: readonly { message: string; extensions?: Record<string, unknown> }[] } | undefined,
): OrgChangeFragment | null {
  if (payload) return payload;
  const errors = error?.graphQLErrors ?? [];
  if (errors.length === 0) return null;
  return {
    __typename: "OrgUnitPayload",
    orgUnit: null,
    userErrors: errors.map((e) => ({
      __typename: "UserError" as const,
      field: [],
      code: String(e.extensions?.code ?? ""),
      message: e.message,
    })),
  };
}
