// The line's usage, newest first, a page at a time both ways: the first page comes with the
// line's query; older and newer pages are asked for only when the person turns to them.
import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { UsagePageFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatCounted, formatDateTime, formatMoney, formatQuantity } from "../format";

const PAGE = 10;

const LineUsage = graphql(`
  query LineUsage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    node(id: $id) {
      id
      ... on Subscriber {
        usage(first: $first, after: $after, last: $last, before: $before) {
          ...UsagePage
        }
      }
    }
  }
`);

type Turn = { first: number; after: string } | { last: number; before: string };

export function Usage({ line, first }: { line: string; first: UsagePageFragment | null | undefined }) {
  const { t, language } = useI18n();
  const [turn, setTurn] = useState<Turn | null>(null);
  const [{ data, fetching }] = useQuery({ query: LineUsage, variables: { id: line, ...turn }, pause: turn === null });
  const node = data?.node;
  const turned = node?.__typename === "Subscriber" ? node.usage : null;
  const page = turn && turned ? turned : first;
  if (!page) return null;
  const { pageInfo } = page;
  return (
    <section className="panel usage-panel" aria-labelledby="usage-title" aria-busy={fetching}>
      <h2 id="usage-title">{t.usage}</h2>
      {page.totalCount !== null && page.totalCount !== undefined && (
        <p className="hint">{formatCounted(page.totalCount, t.usageRecords, language)}</p>
      )}
      {page.nodes.length === 0 ? (
        <p>{t.noUsage}</p>
      ) : (
        <table className="usage">
          <thead>
            <tr>
              <th scope="col">{t.startedAt}</th>
              <th scope="col">{t.usageKindLabel}</th>
              <th scope="col" className="wide-only">
                {t.destination}
              </th>
              <th scope="col">{t.quantity}</th>
              <th scope="col">{t.amount}</th>
            </tr>
          </thead>
          <tbody>
            {page.nodes.map((record, index) => (
              <tr key={`${record.startedAt}-${index}`}>
                <td>{formatDateTime(record.startedAt, language)}</td>
                <td>{t.usageKind[record.kind] ?? record.kind}</td>
                <td className="wide-only">{record.destination}</td>
                <td>{formatQuantity(record.quantity, record.unit, t.messages, language)}</td>
                <td>
                  <data value={record.amount.amount}>{formatMoney(record.amount, language)}</data>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={fetching || !(turn ? pageInfo.hasPreviousPage : false) || !pageInfo.startCursor}
          onClick={() => setTurn(pageInfo.startCursor ? { last: PAGE, before: pageInfo.startCursor } : null)}
        >
          {t.newer}
        </button>
        <button
          type="button"
          disabled={fetching || !pageInfo.hasNextPage || !pageInfo.endCursor}
          onClick={() => setTurn(pageInfo.endCursor ? { first: PAGE, after: pageInfo.endCursor } : null)}
        >
          {t.older}
        </button>
      </div>
    </section>
  );
}
