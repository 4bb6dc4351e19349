// Changes to the tree around the selected unit: its name and cost-centre code, a unit below it,
// a new parent, deletion. Each is proposed in words and sent only once confirmed. The move offers
// every other unit: the API refuses a parent inside the moved subtree or at the wrong level, and
// the page shows that refusal as it comes.
import { useState } from "react";
import { useMutation } from "urql";
import { useI18n } from "../i18n";
import { ConfirmSteps, payloadOf, type useConfirm } from "./confirm";
import { OrgUnitCreate, OrgUnitDelete, OrgUnitMove, OrgUnitUpdate } from "./operations";
import { inOrder, type Tree, type Unit } from "./tree";

type Props = { unit: Unit; tree: Tree; change: ReturnType<typeof useConfirm>; onSelect: (id: string) => void };

export function Structure({ unit, tree, change, onSelect }: Props) {
  const { t } = useI18n();
  const [, create] = useMutation(OrgUnitCreate);
  const [, update] = useMutation(OrgUnitUpdate);
  const [, move] = useMutation(OrgUnitMove);
  const [, remove] = useMutation(OrgUnitDelete);
  const [name, setName] = useState(unit.name ?? "");
  const [code, setCode] = useState(unit.costCentreCode ?? "");
  const [child, setChild] = useState("");
  const parents = inOrder(tree).filter((other) => other.id !== unit.id && other.id !== unit.parent?.id);
  const [newParent, setNewParent] = useState(parents[0]?.id ?? "");
  const isRoot = !unit.parent;
  const canHaveChildren = (unit.depth ?? 0) < 3;
  const current = unit.name ?? "";

  const rename = () => {
    const values: { name?: string; costCentreCode?: string | null } = {};
    if (name.trim() !== current) values.name = name.trim();
    if (code.trim() !== (unit.costCentreCode ?? "")) values.costCentreCode = code.trim() || null;
    if (Object.keys(values).length === 0) return change.refuse(t.orgNothingToChange);
    if (values.name === "") return change.refuse(t.orgEnterName);
    const to = [values.name ?? current, code.trim()].filter(Boolean).join(" · ");
    change.propose({
      question: t.orgConfirmRename([current, unit.costCentreCode].filter(Boolean).join(" · "), to),
      done: t.orgRenamed(to),
      send: async (idempotencyKey) => {
        const answer = await update({ input: { orgUnit: unit.id, ...values, idempotencyKey } });
        return payloadOf(answer.data?.orgUnitUpdate, answer.error);
      },
    });
  };
  const add = () => {
    const wanted = child.trim();
    if (!wanted) return change.refuse(t.orgEnterName);
    change.propose({
      question: t.orgConfirmCreate(wanted, current),
      done: t.orgCreated(wanted),
      send: async (idempotencyKey) => {
        const answer = await create({ input: { parent: unit.id, name: wanted, idempotencyKey } });
        return payloadOf(answer.data?.orgUnitCreate, answer.error);
      },
      after: (created) => {
        setChild("");
        if (created) onSelect(created.id);
      },
    });
  };
  const relocate = () => {
    const target = tree.byId.get(newParent);
    if (!target) return;
    change.propose({
      question: t.orgConfirmMove(current, target.name ?? ""),
      done: t.orgMoved(current, target.name ?? ""),
      send: async (idempotencyKey) => {
        const answer = await move({ input: { orgUnit: unit.id, newParent: target.id, idempotencyKey } });
        return payloadOf(answer.data?.orgUnitMove, answer.error);
      },
    });
  };
  const drop = () => {
    const parent = unit.parent?.id;
    change.propose({
      question: t.orgConfirmDelete(current),
      done: t.orgDeleted(current),
      send: async (idempotencyKey) => {
        const answer = await remove({ input: { orgUnit: unit.id, idempotencyKey } });
        return payloadOf(answer.data?.orgUnitDelete, answer.error);
      },
      after: () => {
        if (parent) onSelect(parent);
      },
    });
  };
  const submit = (action: () => void) => (event: { preventDefault: () => void }) => {
    event.preventDefault();
    action();
  };
  return (
    <section className="panel org-structure" aria-labelledby="org-structure-title">
      <h2 id="org-structure-title">{t.orgStructure}</h2>
      <form className="change-form" data-form="rename" onSubmit={submit(rename)}>
        <label>
          {t.orgNewName}
          <input value={name} onChange={(event) => setName(event.target.value)} disabled={change.busy} required />
        </label>
        <label>
          {t.orgNewCostCentre}
          <input value={code} onChange={(event) => setCode(event.target.value)} disabled={change.busy} />
        </label>
        <button type="submit" disabled={change.busy}>
          {t.orgRename}
        </button>
      </form>
      {canHaveChildren && (
        <form className="change-form" data-form="create" onSubmit={submit(add)}>
          <label>
            {t.orgChildName}
            <input value={child} onChange={(event) => setChild(event.target.value)} disabled={change.busy} />
          </label>
          <button type="submit" disabled={change.busy}>
            {t.orgAddChild}
          </button>
        </form>
      )}
      {!isRoot && parents.length > 0 && (
        <form className="change-form" data-form="move" onSubmit={submit(relocate)}>
          <label>
            {t.orgNewParent}
            <select value={newParent} onChange={(event) => setNewParent(event.target.value)} disabled={change.busy}>
              {parents.map((other) => (
                <option key={other.id} value={other.id}>
                  {"\u2003".repeat(other.depth ?? 0)}
                  {other.name} ({t.orgKind[other.kind ?? ""] ?? other.kind})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={change.busy}>
            {t.orgMove}
          </button>
        </form>
      )}
      {!isRoot && (
        <form className="change-form" data-form="delete" onSubmit={submit(drop)}>
          <p className="hint">{t.orgDeleteHint}</p>
          <button type="submit" className="danger" disabled={change.busy}>
            {t.orgDelete}
          </button>
        </form>
      )}
      <ConfirmSteps change={change} />
    </section>
  );
}
