// Screen 4, a line's detail (/lines/<global id>): one query for the line and the catalogue its
// changes pick from, sent at first paint beside the shell's. A line outside the caller's view is
// null with NOT_FOUND, exactly like one that does not exist: the page says so plainly.
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { Params } from "../router";
import { LineView } from "./LineView";

const LineDetailQuery = graphql(`
  query LineDetail($id: ID!) {
    node(id: $id) {
      id
      ... on Subscriber {
        ...LineFields
      }
    }
    ...Catalogue
  }
`);

export default function LineScreen({ params }: { params: Params }) {
  const [result, reexecute] = useQuery({ query: LineDetailQuery, variables: { id: params.id } });
  const node = result.data?.node;
  const line = node?.__typename === "Subscriber" ? node : null;
  return (
    <LineView
      line={line}
      catalogue={result.data}
      fetching={result.fetching}
      error={result.error}
      refresh={() => reexecute({ requestPolicy: "network-only" })}
      own={false}
    />
  );
}
