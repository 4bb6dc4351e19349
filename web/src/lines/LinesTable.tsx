// One page of lines as a table: each line's name links to its detail (/lines/<id>); a caller
// who may change lines gets a checkbox per line and one for the whole page.
import type { LinesQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { Link } from "../router";

export type Line = NonNullable<LinesQuery["subscribers"]>["nodes"][number];

type Props = {
  lines: Line[];
  selectable: boolean;
  selected: ReadonlySet<string>;
  onSelect: (selected: ReadonlySet<string>) => void;
};

export function LinesTable({ lines, selectable, selected, onSelect }: Props) {
  const { t } = useI18n();
  if (lines.length === 0) return <p>{t.linesNone}</p>;
  const allOnPage = lines.every((line) => selected.has(line.id));
  const toggle = (ids: string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    onSelect(next);
  };
  return (
    <table className="lines-table">
      <thead>
        <tr>
          {selectable && (
            <th scope="col" className="pick">
              <input
                type="checkbox"
                aria-label={t.linesSelectPage}
                checked={allOnPage}
                onChange={(e) => toggle(lines.map((line) => line.id), e.target.checked)}
              />
            </th>
          )}
          <th scope="col">{t.linesEmployee}</th>
          <th scope="col">{t.linesNumber}</th>
          <th scope="col">{t.unit}</th>
          <th scope="col">{t.linesPlan}</th>
          <th scope="col">{t.linesStatus}</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, index) => {
          const label = line.employeeName ?? line.msisdn ?? `${t.linesLine} ${index + 1}`;
          return (
            <tr key={line.id} data-line={line.id}>
              {selectable && (
                <td className="pick">
                  <input
                    type="checkbox"
                    aria-label={`${t.linesSelect} ${label}`}
                    checked={selected.has(line.id)}
                    onChange={(e) => toggle([line.id], e.target.checked)}
                  />
                </td>
              )}
              <th scope="row" className="line-name">
                <Link to={`/lines/${encodeURIComponent(line.id)}`}>{label}</Link>
              </th>
              <td className="line-msisdn" data-label={t.linesNumber}>
                {line.msisdn ?? "—"}
              </td>
              <td className="line-unit" data-label={t.unit}>
                {line.orgUnit?.name ?? "—"}
              </td>
              <td className="line-plan" data-label={t.linesPlan}>
                {line.tariffPlan?.name ?? "—"}
              </td>
              <td className="line-status" data-label={t.linesStatus} data-status={line.status ?? ""}>
                {line.status ? t.lineStatus[line.status] : "—"}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
