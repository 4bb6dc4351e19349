// The selected unit's monthly budget, in the company's currency: set it, or remove it.
import { useState } from "react";
import { useMutation } from "urql";
import { useI18n } from "../i18n";
import { formatMoney } from "../format";
import { ConfirmSteps, payloadOf, type useConfirm } from "./confirm";
import { OrgUnitSetBudget } from "./operations";
import type { Unit } from "./tree";

const AMOUNT = /^\d{1,12}([.,]\d{1,2})?$/;

type Props = { unit: Unit; currency: string; change: ReturnType<typeof useConfirm> };

export function Budget({ unit, currency, change }: Props) {
  const { t, language } = useI18n();
  const [, send] = useMutation(OrgUnitSetBudget);
  const budget = unit.monthlyBudget;
  const [amount, setAmount] = useState(budget?.amount ?? "");
  const name = unit.name ?? "";
  const propose = (monthlyBudget: string | null) => {
    const shown = monthlyBudget === null ? "" : formatMoney({ amount: monthlyBudget, currency }, language);
    change.propose({
      question: monthlyBudget === null ? t.orgConfirmNoBudget(name) : t.orgConfirmBudget(name, shown),
      done: monthlyBudget === null ? t.orgBudgetRemoved : t.orgBudgetSet(shown),
      send: async (idempotencyKey) => {
        const answer = await send({ input: { orgUnit: unit.id, monthlyBudget, idempotencyKey } });
        return payloadOf(answer.data?.orgUnitSetBudget, answer.error);
      },
    });
  };
  return (
    <section className="panel org-budget" aria-labelledby="org-budget-title">
      <h2 id="org-budget-title">{t.orgBudget}</h2>
      <p className="budget-current">
        {budget ? <data value={budget.amount}>{formatMoney(budget, language)}</data> : t.noBudget}
      </p>
      <form
        className="change-form"
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = amount.trim().replace(",", ".");
          if (!AMOUNT.test(wanted)) return change.refuse(t.orgEnterAmount);
          propose(wanted);
        }}
      >
        <label>
          {t.orgBudgetAmount(currency)}
          <input
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            disabled={change.busy}
          />
        </label>
        <div className="actions">
          <button type="submit" disabled={change.busy}>
            {t.orgSetBudget}
          </button>
          {budget && (
            <button type="button" className="danger" onClick={() => propose(null)} disabled={change.busy}>
              {t.orgRemoveBudget}
            </button>
          )}
        </div>
      </form>
      <ConfirmSteps change={change} />
    </section>
  );
}
