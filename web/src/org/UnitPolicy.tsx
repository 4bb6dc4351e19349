// The selected unit's spending policy in force: each setting, and where it comes from (this unit,
// the nearest unit above that sets it, or the default), as the API's `origins` say. A caller who
// may change policies sets each setting here or lets it inherit; only what changed is sent
// (an omitted setting is left as it is, a null one inherits again).
import { useState } from "react";
import { useMutation } from "urql";
import type { PolicyAttribute, PolicyInput } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatMoney } from "../format";
import { ConfirmSteps, payloadOf, type useConfirm } from "./confirm";
import { OrgUnitSetPolicy } from "./operations";
import type { Unit } from "./tree";

const ATTRIBUTES: readonly PolicyAttribute[] = [
  "MONTHLY_LIMIT",
  "LIMIT_ACTION",
  "COMPANY_SHARE_PERCENT",
  "CONTENT_FILTER",
  "ROAMING_ALLOWED",
];
const CHOICES: Partial<Record<PolicyAttribute, readonly string[]>> = {
  LIMIT_ACTION: ["NOTIFY", "BLOCK", "CHARGE_EMPLOYEE"],
  CONTENT_FILTER: ["OFF", "MODERATE", "STRICT"],
  ROAMING_ALLOWED: ["true", "false"],
};
const AMOUNT = /^\d{1,12}([.,]\d{1,2})?$/;
const PERCENT = /^\d{1,3}$/;

type Policy = NonNullable<Unit["effectivePolicy"]>;
type Setting = { mode: "inherit" | "set"; value: string };
type Props = { unit: Unit; canChange: boolean; change: ReturnType<typeof useConfirm> };

function valueOf(policy: Policy, attribute: PolicyAttribute): string {
  switch (attribute) {
    case "MONTHLY_LIMIT":
      return policy.monthlyLimit?.amount ?? "";
    case "LIMIT_ACTION":
      return policy.limitAction;
    case "COMPANY_SHARE_PERCENT":
      return String(policy.companySharePercent);
    case "CONTENT_FILTER":
      return policy.contentFilter;
    case "ROAMING_ALLOWED":
      return String(policy.roamingAllowed);
  }
}

/** The attribute's value in PolicyInput's field, from the form's text. */
function inputOf(attribute: PolicyAttribute, value: string): PolicyInput {
  switch (attribute) {
    case "MONTHLY_LIMIT":
      return { monthlyLimit: value.replace(",", ".") };
    case "LIMIT_ACTION":
      return { limitAction: value as PolicyInput["limitAction"] };
    case "COMPANY_SHARE_PERCENT":
      return { companySharePercent: Number(value) };
    case "CONTENT_FILTER":
      return { contentFilter: value as PolicyInput["contentFilter"] };
    case "ROAMING_ALLOWED":
      return { roamingAllowed: value === "true" };
  }
}

const CLEARED: Record<PolicyAttribute, PolicyInput> = {
  MONTHLY_LIMIT: { monthlyLimit: null },
  LIMIT_ACTION: { limitAction: null },
  COMPANY_SHARE_PERCENT: { companySharePercent: null },
  CONTENT_FILTER: { contentFilter: null },
  ROAMING_ALLOWED: { roamingAllowed: null },
};

export function UnitPolicy({ unit, canChange, change }: Props) {
  const { t, language } = useI18n();
  const [, send] = useMutation(OrgUnitSetPolicy);
  const policy = unit.effectivePolicy;
  const origins = new Map((policy?.origins ?? []).map((origin) => [origin.attribute, origin]));
  const [settings, setSettings] = useState<Record<string, Setting>>(() =>
    Object.fromEntries(
      ATTRIBUTES.map((attribute) => [
        attribute,
        { mode: origins.get(attribute)?.setBy === "OWN" ? "set" : "inherit", value: policy ? valueOf(policy, attribute) : "" },
      ]),
    ),
  );
  if (!policy) return null;
  const labels: Record<PolicyAttribute, string> = {
    MONTHLY_LIMIT: t.monthlyLimit,
    LIMIT_ACTION: t.limitActionLabel,
    COMPANY_SHARE_PERCENT: t.companySharePercent,
    CONTENT_FILTER: t.contentFilterLabel,
    ROAMING_ALLOWED: t.roaming,
  };
  const shown = (attribute: PolicyAttribute, value: string): string => {
    switch (attribute) {
      case "MONTHLY_LIMIT":
        return value === "" ? t.noLimit : formatMoney({ amount: value, currency: policy.monthlyLimit?.currency ?? unit.monthlyBudget?.currency ?? "EUR" }, language);
      case "LIMIT_ACTION":
        return t.limitAction[value] ?? value;
      case "COMPANY_SHARE_PERCENT":
        return `${value} %`;
      case "CONTENT_FILTER":
        return t.contentFilter[value] ?? value;
      case "ROAMING_ALLOWED":
        return value === "true" ? t.allowed : t.notAllowed;
    }
  };
  const originText = (attribute: PolicyAttribute): string => {
    const origin = origins.get(attribute);
    if (!origin || origin.setBy === "DEFAULT") return t.orgDefault;
    if (origin.setBy === "OWN") return t.orgSetHere;
    return origin.orgUnit?.name ? t.orgInheritedFrom(origin.orgUnit.name) : t.orgInheritedHidden;
  };
  const set = (attribute: PolicyAttribute, next: Partial<Setting>) =>
    setSettings((before) => ({ ...before, [attribute]: { ...before[attribute], ...next } }));

  const propose = () => {
    let input: PolicyInput = {};
    const words: string[] = [];
    for (const attribute of ATTRIBUTES) {
      const { mode, value } = settings[attribute];
      const own = origins.get(attribute)?.setBy === "OWN";
      if (mode === "inherit") {
        if (!own) continue;
        input = { ...input, ...CLEARED[attribute] };
        words.push(t.orgInherits(labels[attribute]));
        continue;
      }
      if (own && value === valueOf(policy, attribute)) continue;
      if (attribute === "MONTHLY_LIMIT" && !AMOUNT.test(value.trim())) return change.refuse(t.orgEnterAmount);
      if (attribute === "COMPANY_SHARE_PERCENT" && !PERCENT.test(value.trim())) {
        return change.refuse(`${labels[attribute]}: 0–100`);
      }
      input = { ...input, ...inputOf(attribute, value.trim()) };
      words.push(`${labels[attribute]}: ${shown(attribute, value.trim().replace(",", "."))}`);
    }
    if (words.length === 0) return change.refuse(t.orgNothingToChange);
    change.propose({
      question: t.orgConfirmPolicy(unit.name ?? "", words.join("; ")),
      done: t.orgPolicySaved,
      send: async (idempotencyKey) => {
        const answer = await send({ input: { orgUnit: unit.id, policy: input, idempotencyKey } });
        return payloadOf(answer.data?.orgUnitSetPolicy, answer.error);
      },
    });
  };

  return (
    <section className="panel org-policy" aria-labelledby="org-policy-title">
      <h2 id="org-policy-title">{t.orgPolicy}</h2>
      <p className="hint">{t.orgPolicyHint}</p>
      <dl className="facts policy-facts">
        {ATTRIBUTES.map((attribute) => {
          const origin = origins.get(attribute);
          return (
            <div
              key={attribute}
              data-attribute={attribute}
              data-set-by={origin?.setBy ?? "DEFAULT"}
              data-from={origin?.orgUnit?.id ?? ""}
            >
              <dt>{labels[attribute]}</dt>
              <dd>
                <span className="policy-value">{shown(attribute, valueOf(policy, attribute))}</span>
                <span className="policy-origin">{originText(attribute)}</span>
              </dd>
            </div>
          );
        })}
      </dl>
      {canChange && (
        <form
          className="change-form policy-form"
          onSubmit={(event) => {
            event.preventDefault();
            propose();
          }}
        >
          <h3>{t.orgChangePolicy}</h3>
          {ATTRIBUTES.map((attribute) => {
            const { mode, value } = settings[attribute];
            const choices = CHOICES[attribute];
            const control = {
              "aria-label": t.orgValueOf(labels[attribute]),
              value,
              disabled: change.busy || mode !== "set",
            };
            return (
              <fieldset key={attribute} data-attribute={attribute}>
                <legend>{labels[attribute]}</legend>
                <div className="policy-choice">
                  {(["inherit", "set"] as const).map((option) => (
                    <label key={option} className="choice">
                      <input
                        type="radio"
                        name={`policy-${attribute}`}
                        checked={mode === option}
                        onChange={() => set(attribute, { mode: option })}
                        disabled={change.busy}
                      />
                      {option === "set" ? t.orgSetHere : t.orgInherit}
                    </label>
                  ))}
                  {choices ? (
                    <select {...control} onChange={(event) => set(attribute, { value: event.target.value })}>
                      {choices.map((choice) => (
                        <option key={choice} value={choice}>
                          {shown(attribute, choice)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      {...control}
                      inputMode={attribute === "MONTHLY_LIMIT" ? "decimal" : "numeric"}
                      autoComplete="off"
                      onChange={(event) => set(attribute, { value: event.target.value })}
                    />
                  )}
                </div>
              </fieldset>
            );
          })}
          <button type="submit" disabled={change.busy}>
            {t.orgSavePolicy}
          </button>
        </form>
      )}
      <ConfirmSteps change={change} />
    </section>
  );
}
