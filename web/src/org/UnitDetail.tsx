// The selected unit: its facts, then (as the caller's permissions allow) its structure changes,
// its budget and its spending policy with where each setting comes from.
import type { Ref } from "react";
import { useI18n } from "../i18n";
import { formatCounted, formatMoney } from "../format";
import type { useConfirm } from "./confirm";
import { Budget } from "./Budget";
import { Structure } from "./Structure";
import type { Tree, Unit } from "./tree";
import { UnitPolicy } from "./UnitPolicy";

export type Changes = Record<"structure" | "budget" | "policy", ReturnType<typeof useConfirm>>;

type Props = {
  ref: Ref<HTMLElement>;
  unit: Unit;
  tree: Tree;
  currency: string;
  allowed: ReadonlySet<string>;
  changes: Changes;
  onSelect: (id: string) => void;
};

export function UnitDetail({ ref, unit, tree, currency, allowed, changes, onSelect }: Props) {
  const { t, language } = useI18n();
  const parent = unit.parent ? tree.byId.get(unit.parent.id) : undefined;
  const count = unit.subscriberCount;
  const facts: [string, string, string][] = [
    ["kind", t.orgKindLabel, t.orgKind[unit.kind ?? ""] ?? unit.kind ?? "—"],
    ["parent", t.orgParent, parent?.name ?? "—"],
    ["cost-centre", t.orgCostCentre, unit.costCentreCode ?? t.orgNone],
    ["lines", t.orgLines, count === null || count === undefined ? t.notAvailable : formatCounted(count, t.lines, language)],
    ["budget", t.orgBudget, unit.monthlyBudget ? formatMoney(unit.monthlyBudget, language) : t.noBudget],
  ];
  return (
    <div className="org-detail" data-unit={unit.id}>
      <section className="panel unit-detail" aria-labelledby="unit-title" ref={ref} tabIndex={-1}>
        <h2 id="unit-title">{unit.name}</h2>
        <dl className="facts">
          {facts.map(([key, label, value]) => (
            <div key={key} data-fact={key}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      {/* Keyed by what they show: after a change (or another's), the forms start from the unit as it is now. */}
      {allowed.has("org:write") && (
        <Structure
          key={[unit.name, unit.costCentreCode, unit.parent?.id, tree.byId.size].join("|")}
          unit={unit}
          tree={tree}
          change={changes.structure}
          onSelect={onSelect}
        />
      )}
      {allowed.has("budget:write") && (
        <Budget key={unit.monthlyBudget?.amount ?? ""} unit={unit} currency={currency} change={changes.budget} />
      )}
      <UnitPolicy
        key={JSON.stringify(unit.effectivePolicy)}
        unit={unit}
        canChange={allowed.has("policy:write")}
        change={changes.policy}
      />
    </div>
  );
}
