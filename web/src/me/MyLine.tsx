// Screen 8, employee self-care (/me): the caller's own line (viewer.scope.line), its bundles live,
// usage, their share of spending and the services the policy lets them change. One query at first
// paint beside the shell's; the employee's landing screen.
import { useQuery } from "urql";
import { graphql } from "../gql";
import { LineView } from "../line/LineView";

const MyLineQuery = graphql(`
  query MyLine {
    viewer {
      scope {
        line {
          ...LineFields
        }
      }
    }
    ...Catalogue
  }
`);

export default function MyLine() {
  const [result, reexecute] = useQuery({ query: MyLineQuery });
  return (
    <LineView
      line={result.data?.viewer.scope.line ?? null}
      catalogue={result.data}
      fetching={result.fetching}
      error={result.error}
      refresh={() => reexecute({ requestPolicy: "network-only" })}
      own
    />
  );
}
