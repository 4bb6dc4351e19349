// Screen 2, Org structure (/org): the org tree the caller sees, and the selected unit's details,
// budget and spending policy (each setting in force, and whether this unit sets it or which unit
// above it does). A caller who may change the tree, budgets or policies gets the forms for those,
// and nothing else; each change is confirmed first, and its outcome (or the API's refusal) shown.
// One query at first paint, beside the shell's.
import { useMemo, useRef, useState } from "react";
import { useQuery } from "urql";
import { useCustomerArgument } from "../company";
import { CompanyPicker } from "../CompanyPicker";
import { useI18n } from "../i18n";
import { usePermissions } from "../permissions";
import { useConfirm } from "./confirm";
import { OrgStructureQuery } from "./operations";
import { treeOf } from "./tree";
import { UnitDetail } from "./UnitDetail";
import { UnitTree } from "./UnitTree";
import "./org.css";

export default function Org() {
  const { t } = useI18n();
  const { customer, unchosen } = useCustomerArgument();
  const [result, reexecute] = useQuery({ query: OrgStructureQuery, variables: { customer }, pause: unchosen });
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  const allowed = usePermissions();
  const company = result.data?.customer;
  const tree = useMemo(() => {
    const root = company?.orgRoot;
    return treeOf(root ? [root] : (result.data?.viewer.scope.units ?? []));
  }, [company, result.data]);
  const [selected, setSelected] = useState<string | null>(null);
  const changes = { structure: useConfirm(refresh), budget: useConfirm(refresh), policy: useConfirm(refresh) };
  const detail = useRef<HTMLElement>(null);
  const unit = (selected !== null ? tree.byId.get(selected) : undefined) ?? tree.roots[0];
  const select = (id: string) => {
    Object.values(changes).forEach((change) => change.cancel());
    setSelected(id);
    // On a phone the details are below the tree: bring them into view, and a screen reader there.
    requestAnimationFrame(() => detail.current?.focus());
  };
  if (unchosen) return <CompanyPicker />;
  const writes = ["org:write", "budget:write", "policy:write"].some((permission) => allowed.has(permission));
  return (
    <div className="org">
      <div className="screen-title">
        <h1>{t.orgScreen}</h1>
      </div>
      {result.fetching && !result.data && <p role="status">{t.loading}</p>}
      {result.error && !result.data && <p role="alert">{t.loadFailed}</p>}
      {result.data && tree.roots.length === 0 && <p>{t.noOrgAccess}</p>}
      {result.data && !writes && tree.roots.length > 0 && <p className="hint">{t.orgReadOnly}</p>}
      {unit && (
        <div className="org-grid">
          <section className="panel org-tree-panel" aria-labelledby="org-units-title">
            <h2 id="org-units-title">{t.orgUnits}</h2>
            <p className="hint">{t.orgUnitsHint}</p>
            <UnitTree tree={tree} selected={unit.id} onSelect={select} />
          </section>
          <UnitDetail
            ref={detail}
            key={unit.id}
            unit={unit}
            tree={tree}
            currency={company?.currency ?? unit.monthlyBudget?.currency ?? "EUR"}
            allowed={allowed}
            changes={changes}
            onSelect={setSelected}
          />
        </div>
      )}
    </div>
  );
}
