// A change to many lines as a person makes it: choose the lines (those ticked, a unit's subtree
// or everything the filter finds) and the change; a dry run first shows what each line would
// get and what it adds to the monthly bill; Apply asks once more, then runs in the background
// (background: true) so a live progress bar (bulkOperationProgress) follows it and Cancel can
// stop it; each line's result is shown at the end.
import { useEffect, useId, useRef, useState } from "react";
import { useClient, useSubscription } from "urql";
import type {
  BulkProgressFragment,
  LineChangeSummaryFragment,
  LineResultFragment,
  LineSelection,
  SubscriberFilter,
} from "../gql/graphql";
import { formatCount, formatMoney, type Money } from "../format";
import { useI18n } from "../i18n";
import { BulkResults } from "./BulkResults";
import { BulkCancel, BulkProgressSubscription, BulkResultsQuery, ServicesAdd, ServicesRemove } from "./operations";

export type Selection =
  | { kind: "ids"; ids: string[]; count: number }
  | { kind: "orgUnit"; orgUnit: string; name: string }
  | { kind: "filter"; filter: SubscriberFilter; count: number };

type Service = { id: string; name: string; monthlyFee: Money };
type Action = "add" | "remove";
type Request = { selection: Selection; action: Action; service: Service };
type Outcome = {
  dryRun: boolean;
  progress: BulkProgressFragment | null;
  summary: { wouldApply: number; applied: number; skipped: number; failed: number; cost: Money | null };
  results: LineResultFragment[];
  more: boolean;
};
type Step =
  | { name: "choose" }
  | { name: "working"; request: Request; dryRun: boolean; operation: string | null }
  | { name: "checked" | "done"; request: Request; outcome: Outcome }
  | { name: "failed"; request: Request; message: string };

const ENDED = new Set(["COMPLETED", "CANCELLED"]);

function lineSelection(selection: Selection): LineSelection {
  if (selection.kind === "ids") return { ids: selection.ids };
  if (selection.kind === "orgUnit") return { orgUnit: selection.orgUnit };
  return { filter: selection.filter };
}

function fromProgress(progress: BulkProgressFragment, results: LineResultFragment[], more: boolean): Outcome {
  const { wouldApply, applied, skipped, failed } = progress;
  const summary = { wouldApply, applied, skipped, failed, cost: progress.monthlyCostImpact ?? null };
  return { dryRun: progress.dryRun, progress, summary, results, more };
}

function fromPayload(payload: LineChangeSummaryFragment): Outcome {
  const { wouldApply, applied, skipped, failed } = payload;
  const summary = { wouldApply, applied, skipped, failed, cost: payload.monthlyCostImpact ?? null };
  return { dryRun: payload.dryRun, progress: null, summary, results: payload.results, more: false };
}

export function BulkChange({
  choices,
  services,
  onFinished,
}: {
  choices: Selection[];
  services: Service[];
  onFinished: () => void;
}) {
  const { t, language } = useI18n();
  const client = useClient();
  const id = useId();
  // Chosen by kind, not position: ticking a line adds a choice and must not shift the one made.
  const [kind, setKind] = useState<Selection["kind"]>("ids");
  const [action, setAction] = useState<Action>("add");
  const [serviceId, setServiceId] = useState("");
  const [step, setStep] = useState<Step>({ name: "choose" });
  const confirm = useRef<HTMLDialogElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const following = step.name === "working" ? step.operation : null;
  const [{ data: live }] = useSubscription({
    query: BulkProgressSubscription,
    variables: { id: following ?? "" },
    pause: following === null,
  });
  const progress = following && live?.bulkOperationProgress.id === following ? live.bulkOperationProgress : null;

  // The operation ended: read its per-line results once, then show them.
  useEffect(() => {
    if (step.name !== "working" || !progress || !ENDED.has(progress.status)) return;
    const { request, dryRun } = step;
    void client
      .query(BulkResultsQuery, { id: progress.id }, { requestPolicy: "network-only" })
      .toPromise()
      .then(({ data, error }) => {
        const node = data?.node;
        if (error || !node || node.__typename !== "BulkOperation") {
          setStep({ name: "failed", request, message: t.loadFailed });
          return;
        }
        const outcome = fromProgress(node, node.results.nodes, node.results.pageInfo.hasNextPage);
        setStep({ name: dryRun ? "checked" : "done", request, outcome });
        if (!dryRun) onFinished();
      });
  }, [step, progress, client, t, onFinished]);

  // Each new step's heading takes the focus, so a screen reader reads where the change stands.
  useEffect(() => {
    if (step.name !== "choose") heading.current?.focus();
  }, [step.name]);

  const selection = choices.find((c) => c.kind === kind) ?? choices[0];
  const service = services.find((s) => s.id === serviceId);

  async function run(request: Request, dryRun: boolean) {
    setStep({ name: "working", request, dryRun, operation: null });
    const input = {
      selection: lineSelection(request.selection),
      services: [request.service.id],
      dryRun,
      // A change is applied in the background, followed live; a dry run answers at once when small.
      background: !dryRun,
      ...(!dryRun && { idempotencyKey: crypto.randomUUID() }),
    };
    const { data, error } =
      request.action === "add"
        ? await client
            .mutation(ServicesAdd, { input })
            .toPromise()
            .then(({ data, error }) => ({ data: data?.subscriberServicesAdd, error }))
        : await client
            .mutation(ServicesRemove, { input })
            .toPromise()
            .then(({ data, error }) => ({ data: data?.subscriberServicesRemove, error }));
    const payload = data;
    if (error || !payload) {
      setStep({ name: "failed", request, message: error?.graphQLErrors[0]?.message ?? t.loadFailed });
    } else if (payload.userErrors.length > 0) {
      setStep({ name: "failed", request, message: payload.userErrors.map((e) => e.message).join(" ") });
    } else if (payload.bulkOperation) {
      setStep({ name: "working", request, dryRun, operation: payload.bulkOperation.id });
    } else {
      setStep({ name: dryRun ? "checked" : "done", request, outcome: fromPayload(payload) });
    }
  }

  async function cancel(operation: string) {
    await client.mutation(BulkCancel, { input: { bulkOperation: operation } }).toPromise();
  }

  const describe = (request: Request) => {
    const lines = request.selection;
    const what =
      lines.kind === "orgUnit"
        ? t.bulkSubtree(lines.name)
        : lines.kind === "ids"
          ? t.bulkTicked(formatCount(lines.count, language))
          : t.bulkFiltered(formatCount(lines.count, language));
    return `${request.action === "add" ? t.bulkAdd : t.bulkRemove}: ${request.service.name} — ${what}`;
  };

  return (
    <section className="panel bulk" aria-labelledby="bulk-title">
      <h2 id="bulk-title" ref={heading} tabIndex={-1}>
        {t.bulkTitle}
      </h2>
      {step.name === "choose" && (
        <form
          className="bulk-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (selection && service) void run({ selection, action, service }, true);
          }}
        >
          {choices.length === 0 ? (
            <p>{t.bulkNothingSelected}</p>
          ) : (
            <fieldset>
              <legend>{t.bulkWhich}</legend>
              {choices.map((c) => (
                <label key={c.kind} className="choice">
                  <input
                    type="radio"
                    name="bulk-lines"
                    value={c.kind}
                    checked={selection === c}
                    onChange={() => setKind(c.kind)}
                  />
                  {c.kind === "ids" && t.bulkTicked(formatCount(c.count, language))}
                  {c.kind === "orgUnit" && t.bulkSubtree(c.name)}
                  {c.kind === "filter" && t.bulkFiltered(formatCount(c.count, language))}
                </label>
              ))}
            </fieldset>
          )}
          <div className="field">
            <label htmlFor={`${id}-action`}>{t.bulkAction}</label>
            <select id={`${id}-action`} value={action} onChange={(e) => setAction(e.target.value as Action)}>
              <option value="add">{t.bulkAdd}</option>
              <option value="remove">{t.bulkRemove}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-service`}>{t.bulkService}</label>
            <select id={`${id}-service`} value={serviceId} onChange={(e) => setServiceId(e.target.value)} required>
              <option value="">{t.bulkChooseService}</option>
              {services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({formatMoney(s.monthlyFee, language)})
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={!selection || !service}>
            {t.bulkDryRun}
          </button>
        </form>
      )}

      {step.name === "working" && (
        <div className="bulk-working" data-operation={step.operation ?? undefined}>
          <p>{describe(step.request)}</p>
          <p id="bulk-progress-label">{step.dryRun ? t.bulkChecking : t.bulkApplying}</p>
          <progress
            className="bulk-progress"
            aria-labelledby="bulk-progress-label"
            max={progress?.total ?? 1}
            value={progress?.done ?? 0}
          />
          <p role="status" aria-live="polite" className="bulk-count">
            {progress ? t.bulkProgress(formatCount(progress.done, language), formatCount(progress.total, language)) : ""}
          </p>
          {step.operation && !step.dryRun && (
            <button
              type="button"
              className="danger"
              disabled={progress?.cancelRequested ?? false}
              onClick={() => step.operation && void cancel(step.operation)}
            >
              {progress?.cancelRequested ? t.bulkCancelling : t.bulkCancel}
            </button>
          )}
        </div>
      )}

      {step.name === "failed" && (
        <div>
          <p role="alert">{step.message}</p>
          <button type="button" onClick={() => setStep({ name: "choose" })}>
            {t.bulkStartOver}
          </button>
        </div>
      )}

      {(step.name === "checked" || step.name === "done") && (
        <div className={`bulk-${step.name}`}>
          <p>{describe(step.request)}</p>
          <Summary outcome={step.outcome} />
          {step.name === "checked" && (
            <div className="bulk-buttons">
              <button
                type="button"
                className="primary"
                disabled={step.outcome.summary.wouldApply === 0}
                onClick={() => confirm.current?.showModal()}
              >
                {t.bulkApply}
              </button>
              <button type="button" onClick={() => setStep({ name: "choose" })}>
                {t.bulkBack}
              </button>
            </div>
          )}
          {step.name === "done" && (
            <button type="button" onClick={() => setStep({ name: "choose" })}>
              {t.bulkStartOver}
            </button>
          )}
          <BulkResults results={step.outcome.results} more={step.outcome.more} />
          {step.name === "checked" && (
            <dialog ref={confirm} className="bulk-confirm" aria-labelledby="bulk-confirm-title">
              <h3 id="bulk-confirm-title">{t.bulkConfirmTitle}</h3>
              <p>{describe(step.request)}</p>
              <p>
                {t.bulkConfirmText(
                  formatCount(step.outcome.summary.wouldApply, language),
                  step.outcome.summary.cost ? formatMoney(step.outcome.summary.cost, language) : "—",
                )}
              </p>
              <div className="bulk-buttons">
                <button
                  type="button"
                  className="primary"
                  onClick={() => {
                    confirm.current?.close();
                    void run(step.request, false);
                  }}
                >
                  {t.bulkConfirmApply}
                </button>
                <button type="button" onClick={() => confirm.current?.close()}>
                  {t.bulkBack}
                </button>
              </div>
            </dialog>
          )}
        </div>
      )}
    </section>
  );
}

function Summary({ outcome }: { outcome: Outcome }) {
  const { t, language } = useI18n();
  const { summary } = outcome;
  const cancelled = outcome.progress?.status === "CANCELLED";
  return (
    <div className="bulk-summary" role={outcome.dryRun ? undefined : "status"}>
      <p className="bulk-headline">
        {outcome.dryRun ? t.bulkDryRunDone : cancelled ? t.bulkCancelled : t.bulkDone}
      </p>
      <dl>
        <dt>{outcome.dryRun ? t.outcome.WOULD_APPLY : t.outcome.APPLIED}</dt>
        <dd className="count-changed">{formatCount(outcome.dryRun ? summary.wouldApply : summary.applied, language)}</dd>
        <dt>{t.outcome.SKIPPED}</dt>
        <dd className="count-skipped">{formatCount(summary.skipped, language)}</dd>
        <dt>{t.outcome.FAILED}</dt>
        <dd className="count-failed">{formatCount(summary.failed, language)}</dd>
        <dt>{t.bulkCostImpact}</dt>
        <dd>
          {summary.cost ? (
            <data className="cost-impact" value={summary.cost.amount}>
              {formatMoney(summary.cost, language)}
            </data>
          ) : (
            "—"
          )}
        </dd>
      </dl>
    </div>
  );
}
