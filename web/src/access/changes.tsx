// Every change on this screen is asked for in a dialog that says what will happen, and sent only
// once it is confirmed (with an idempotency key: a retry cannot change twice). The answer is then
// told in one live region: what was done, or the API's coded refusal.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { CombinedError } from "urql";
import { useI18n } from "../i18n";

export type Outcome = { ok: true; message: string } | { ok: false; code: string; message: string };

export type Proposal = {
  title: string;
  text: ReactNode;
  confirm: string;
  danger?: boolean;
  run: (idempotencyKey: string) => Promise<Outcome>;
};

type Refusal = { code: string; message: string };

/** The outcome of a mutation's answer: its transport or GraphQL error, its first user error, or ``done``. */
export function outcomeOf(error: CombinedError | undefined, refusals: readonly Refusal[] | undefined, done: string): Outcome {
  if (error) {
    const first = error.graphQLErrors[0];
    const code = typeof first?.extensions?.code === "string" ? first.extensions.code : "NETWORK_ERROR";
    return { ok: false, code, message: first?.message ?? error.message };
  }
  const refused = refusals?.[0];
  if (refused) return { ok: false, code: refused.code, message: refused.message };
  return { ok: true, message: done };
}

export function useChanges(onChanged: () => void) {
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    if (!proposal) return;
    setBusy(true);
    let result: Outcome;
    try {
      result = await proposal.run(crypto.randomUUID());
    } catch (failure) {
      result = { ok: false, code: "NETWORK_ERROR", message: String(failure) };
    }
    setBusy(false);
    setProposal(null);
    setOutcome(result);
    onChanged();
  };
  const propose = (next: Proposal) => {
    setOutcome(null);
    setProposal(next);
  };
  return { proposal, outcome, busy, propose, confirm, cancel: () => setProposal(null) };
}

export type Changes = ReturnType<typeof useChanges>;

export function ConfirmDialog({ changes }: { changes: Changes }) {
  const { t } = useI18n();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const { proposal, busy } = changes;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (proposal && !element.open) element.showModal();
    if (!proposal && element.open) element.close();
  }, [proposal]);
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) changes.cancel();
      }}
    >
      {proposal && (
        <>
          <h2 id={`${id}-title`}>{proposal.title}</h2>
          <div id={`${id}-text`} className="confirm-text">
            {proposal.text}
          </div>
          <div className="actions">
            <button
              type="button"
              className={proposal.danger ? "danger" : "primary"}
              disabled={busy}
              onClick={() => void changes.confirm()}
            >
              {proposal.confirm}
            </button>
            <button type="button" disabled={busy} onClick={changes.cancel}>
              {t.cancel}
            </button>
          </div>
          {busy && <p role="status">{t.accessSending}</p>}
        </>
      )}
    </dialog>
  );
}

/** The last change's outcome, in a region screen readers announce. */
export function Feedback({ changes }: { changes: Changes }) {
  const { t } = useI18n();
  const { outcome } = changes;
  return (
    // A live region without the status role: the portal's role="status" means "still loading".
    <div className="access-feedback" aria-live="polite" aria-atomic="true">
      {outcome?.ok === true && (
        <p className="feedback ok" data-outcome="ok">
          {outcome.message}
        </p>
      )}
      {outcome?.ok === false && (
        <p className="feedback refused" data-outcome="refused" data-code={outcome.code}>
          {t.accessRefused} {outcome.message} <code>{outcome.code}</code>
        </p>
      )}
    </div>
  );
}
