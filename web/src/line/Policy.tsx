// The spending policy in force on the line: each attribute from the nearest level that sets it.
import type { LineFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { Facts, type Fact } from "./Facts";
import { formatMoney } from "../format";

export function Policy({ policy }: { policy: LineFieldsFragment["effectivePolicy"] }) {
  const { t, language } = useI18n();
  if (!policy) return null;
  const rows: Fact[] = [
    ["limit", t.monthlyLimit, policy.monthlyLimit ? formatMoney(policy.monthlyLimit, language) : t.noLimit],
    ["action", t.limitActionLabel, t.limitAction[policy.limitAction] ?? policy.limitAction],
    ["share", t.companySharePercent, `${policy.companySharePercent} %`],
    ["filter", t.contentFilterLabel, t.contentFilter[policy.contentFilter] ?? policy.contentFilter],
    ["roaming", t.roaming, policy.roamingAllowed ? t.allowed : t.notAllowed],
    ["source", t.policySource, policy.overrides ? t.policyOnLine : t.policyInherited],
  ];
  return <Facts id="policy" title={t.policy} rows={rows} />;
}
