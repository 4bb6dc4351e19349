// The line's tariff plan, the change waiting for next month if any, and (for a role that may)
// a change of plan now or from next month, its monthly cost shown before it is confirmed.
import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { CatalogueFragment, LineFieldsFragment, PlanChangeEffective } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatDate, formatMoney } from "../format";
import { ChangeSteps, PricedChoice, useChange } from "./change";

const PlanChange = graphql(`
  mutation PlanChange($input: SubscriberPlanChangeInput!) {
    subscriberPlanChange(input: $input) {
      ...ChangeOutcome
    }
  }
`);

type Props = {
  line: LineFieldsFragment;
  plans: NonNullable<CatalogueFragment["tariffPlans"]>;
  canChange: boolean;
  onChanged: () => void;
};

export function Plan({ line, plans, canChange, onChanged }: Props) {
  const { t, language } = useI18n();
  const [, send] = useMutation(PlanChange);
  const change = useChange(onChanged);
  const current = line.tariffPlan;
  const others = plans.filter((plan) => plan.id !== current?.id);
  const [chosen, setChosen] = useState("");
  const [effective, setEffective] = useState<PlanChangeEffective>("NEXT_PERIOD");
  if (!current) return null;
  const plan = others.find((p) => p.id === chosen) ?? others[0];
  const scheduled = line.scheduledPlanChange;
  const check = () => {
    if (!plan) return;
    const when = effective === "NOW" ? t.effectiveNow : t.effectiveNextPeriod;
    void change.check(`${t.changePlan}: ${current.name} → ${plan.name} (${when})`, async (dryRun, idempotencyKey) => {
      const input = { selection: { ids: [line.id] }, plan: plan.id, effective, dryRun, idempotencyKey };
      const answer = await send({ input });
      return answer.data?.subscriberPlanChange ?? null;
    });
  };
  return (
    <section className="panel" aria-labelledby="plan-title">
      <h2 id="plan-title">{t.plan}</h2>
      <p className="plan-current" data-plan={current.id}>
        <strong>{current.name}</strong> · {t.perMonth(formatMoney(current.monthlyFee, language))}
      </p>
      {scheduled && (
        <p className="plan-pending" data-plan={scheduled.plan.id}>
          {t.pendingPlan(scheduled.plan.name, formatDate(scheduled.effectiveFrom, language))}
        </p>
      )}
      {canChange && others.length > 0 && (
        <form
          className="change-form"
          onSubmit={(event) => {
            event.preventDefault();
            check();
          }}
        >
          <PricedChoice label={t.newPlan} choices={others} chosen={plan?.id} onChoose={setChosen} disabled={change.busy} />
          <fieldset>
            <legend>{t.whenLabel}</legend>
            {(["NEXT_PERIOD", "NOW"] as const).map((value) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="effective"
                  value={value}
                  checked={effective === value}
                  onChange={() => setEffective(value)}
                />
                {value === "NOW" ? t.effectiveNow : t.effectiveNextPeriod}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={change.busy}>
            {t.showCost}
          </button>
        </form>
      )}
      <ChangeSteps change={change} />
    </section>
  );
}
