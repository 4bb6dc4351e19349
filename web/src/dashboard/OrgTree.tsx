// The org tree as nested lists (the subtree comes flat, in tree order, each unit naming its
// parent), each unit with its lines and this month's spending against its budget.
import type { DashboardQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatCounted, formatMoney, formatPercent } from "../format";

type Root = NonNullable<NonNullable<DashboardQuery["customer"]>["orgRoot"]>;
export type TreeUnit = Root;
type Figures = Omit<Root, "descendants">;

function childrenByParent(root: Root): Map<string, Figures[]> {
  const children = new Map<string, Figures[]>();
  for (const unit of root.descendants ?? []) {
    const parent = unit.parent?.id;
    if (parent === undefined || unit.id === root.id) continue;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  return children;
}

function UnitItem({ unit, children }: { unit: Figures; children: Map<string, Figures[]> }) {
  const { t, language } = useI18n();
  // One amount per currency the lines were charged in (never added across currencies); null when
  // the caller may not see the figure, empty when nothing was charged.
  const spent = unit.spendingByCurrency?.map((entry) => entry.total);
  const budget = unit.monthlyBudget;
  const single = spent?.length === 1 ? spent[0] : null;
  const share =
    single && budget && single.currency === budget.currency && Number(budget.amount) > 0
      ? (Number(single.amount) / Number(budget.amount)) * 100
      : null;
  const below = children.get(unit.id) ?? [];
  return (
    <li data-unit={unit.id}>
      <div className={share !== null && share > 100 ? "unit over" : "unit"}>
        <span className="unit-name">{unit.name}</span>
        <data className="unit-lines" value={unit.subscriberCount ?? ""}>
          {unit.subscriberCount === null || unit.subscriberCount === undefined
            ? t.notAvailable
            : formatCounted(unit.subscriberCount, t.lines, language)}
        </data>
        <span className="unit-spending">
          {spent === undefined || spent === null ? (
            t.notAvailable
          ) : spent.length === 0 ? (
            t.nothingCharged
          ) : (
            spent.map((money, index) => (
              <span key={money.currency}>
                {index > 0 && " + "}
                <data className="unit-spent" value={`${money.amount} ${money.currency}`}>
                  {formatMoney(money, language)}
                </data>
              </span>
            ))
          )}
          <span className="unit-budget">
            {budget ? (
              <>
                {" / "}
                <data value={budget.amount}>{formatMoney(budget, language)}</data>
              </>
            ) : (
              ` · ${t.noBudget}`
            )}
          </span>
        </span>
        {share !== null && (
          <span className="bar" aria-hidden="true">
            <span className="fill" style={{ inlineSize: `${Math.min(share, 100)}%` }} />
          </span>
        )}
        {share !== null && (
          <span className="visually-hidden">
            {formatPercent(String(share), language)} {t.used}
          </span>
        )}
      </div>
      {below.length > 0 && (
        <ul>
          {below.map((child) => (
            <UnitItem key={child.id} unit={child} children={children} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function OrgTree({ roots }: { roots: TreeUnit[] }) {
  return (
    <ul className="org-tree">
      {roots.map((root) => (
        <UnitItem key={root.id} unit={root} children={childrenByParent(root)} />
      ))}
    </ul>
  );
}
