// A line as one caller may see it: who and which SIM (personal data only for roles that read it),
// the plan, services, live bundles, usage, this month's spending and the policy in force. Each
// part a role cannot read is null in the answer (FORBIDDEN at its path) and left out here; each
// change is offered only to a role whose permission the API would accept.
import type { CombinedError } from "urql";
import type { CatalogueFragment, LineFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useViewer } from "../Shell";
import { Bundles } from "./Bundles";
import { Person } from "./Person";
import { Plan } from "./Plan";
import { Policy } from "./Policy";
import { Services } from "./Services";
import { Spending } from "./Spending";
import { Usage } from "./Usage";

type Props = {
  line: LineFieldsFragment | null;
  catalogue: CatalogueFragment | undefined;
  fetching: boolean;
  error: CombinedError | undefined;
  refresh: () => void;
  /** The caller's own line (/me): "you" rather than "the employee". */
  own: boolean;
};

export function LineView({ line, catalogue, fetching, error, refresh, own }: Props) {
  const { t } = useI18n();
  const viewer = useViewer();
  const allowed = new Set(viewer?.permissions ?? []);
  const title = own ? t.myLine : (line?.employeeName ?? line?.position ?? t.lineDetail);
  if (!line) {
    return (
      <div className="line-detail">
        <h1>{own ? t.myLine : t.lineDetail}</h1>
        {fetching && <p role="status">{t.loading}</p>}
        {!fetching && <p role="alert">{error && !notFound(error) ? t.loadFailed : t.lineNotFound}</p>}
      </div>
    );
  }
  return (
    <div className="line-detail" data-line={line.id}>
      <div className="screen-title">
        <h1>{title}</h1>
        {line.msisdn && <p className="period">{line.msisdn}</p>}
      </div>
      <div className="line-grid">
        <Bundles line={line.id} bundles={line.bundles} />
        <Spending spending={line.spending} own={own} />
        <Plan
          line={line}
          plans={catalogue?.tariffPlans ?? []}
          canChange={allowed.has("product:write")}
          onChanged={refresh}
        />
        <Services line={line} canChange={allowed.has("service:write")} onChanged={refresh} />
        <Person line={line} personal={allowed.has("personal:read")} />
        <Policy policy={line.effectivePolicy} />
        <Usage line={line.id} first={line.usage} />
      </div>
    </div>
  );
}

function notFound(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === "NOT_FOUND");
}
