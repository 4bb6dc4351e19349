// The line's bundles as gauges, kept current by `bundleUpdates`: the subscription answers the
// balances at once and again after each usage event, so the page never reloads to show use.
import { useSubscription } from "urql";
import { graphql } from "../gql";
import type { BalanceFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatQuantity } from "../format";

const BundleUpdates = graphql(`
  subscription BundleUpdates($subscriber: ID!) {
    bundleUpdates(subscriber: $subscriber) {
      ...Balance
    }
  }
`);

export function Bundles({ line, bundles }: { line: string; bundles: BalanceFragment[] | null | undefined }) {
  const { t } = useI18n();
  const readable = bundles !== null && bundles !== undefined;
  const [{ data }] = useSubscription({ query: BundleUpdates, variables: { subscriber: line }, pause: !readable });
  if (!readable) return null;
  const shown = data?.bundleUpdates ?? bundles;
  return (
    <section className="panel" aria-labelledby="bundles-title">
      <h2 id="bundles-title">{t.bundles}</h2>
      <p className="hint">{t.liveUpdates}</p>
      {shown.length === 0 ? (
        <p>{t.noBundles}</p>
      ) : (
        <ul className="gauges">
          {shown.map((balance) => (
            <Gauge key={balance.bundle.code} balance={balance} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Gauge({ balance }: { balance: BalanceFragment }) {
  const { t, language } = useI18n();
  const quantity = (value: number) => formatQuantity(value, balance.unit, t.messages, language);
  const name = `gauge-${balance.bundle.code}`;
  const used = t.usedOf(quantity(balance.used), quantity(balance.allowance));
  const low = balance.allowance > 0 && balance.remaining / balance.allowance < 0.1;
  return (
    <li className={low ? "gauge low" : "gauge"} data-bundle={balance.bundle.code} data-used={balance.used}>
      <span className="gauge-name" id={name}>
        {balance.bundle.name}
      </span>
      <meter
        min={0}
        max={Math.max(balance.allowance, 1)}
        value={balance.used}
        low={balance.allowance * 0.75}
        high={balance.allowance * 0.9}
        optimum={0}
        aria-labelledby={name}
        aria-valuetext={used}
      />
      <span className="gauge-text">
        {used} · {t.remainingOf(quantity(balance.remaining))}
      </span>
    </li>
  );
}
