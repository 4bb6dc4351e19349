// The org tree as nested lists: each unit a button that selects it, with its lines.
import type { Tree, Unit } from "./tree";
import { useI18n } from "../i18n";
import { formatCounted } from "../format";

type Props = { tree: Tree; selected: string | null; onSelect: (id: string) => void };

function Item({ unit, tree, selected, onSelect }: Props & { unit: Unit }) {
  const { t, language } = useI18n();
  const below = tree.children.get(unit.id) ?? [];
  const count = unit.subscriberCount;
  return (
    <li data-unit={unit.id}>
      <button
        type="button"
        className="org-node"
        aria-current={unit.id === selected ? "true" : undefined}
        onClick={() => onSelect(unit.id)}
      >
        <span className="unit-name">{unit.name}</span>
        <data className="unit-lines" value={count ?? ""}>
          {count === null || count === undefined ? t.notAvailable : formatCounted(count, t.lines, language)}
        </data>
      </button>
      {below.length > 0 && (
        <ul>
          {below.map((child) => (
            <Item key={child.id} unit={child} tree={tree} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function UnitTree(props: Props) {
  return (
    <ul className="org-units">
      {props.tree.roots.map((root) => (
        <Item key={root.id} unit={root} {...props} />
      ))}
    </ul>
  );
}
