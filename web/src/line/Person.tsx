// Who holds the line and its SIM: personal data only where the role reads it (the API leaves it
// null otherwise, and the page says it is not shown rather than leaving a blank).
import type { LineFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { Facts, type Fact } from "./Facts";
import { formatDate } from "../format";

export function Person({ line, personal }: { line: LineFieldsFragment; personal: boolean }) {
  const { t, language } = useI18n();
  const hidden = <span className="hint-inline">{t.hiddenForRole}</span>;
  const rows: Fact[] = [
    ["name", t.employeeName, personal ? line.employeeName : hidden],
    ["msisdn", t.phoneNumber, personal ? line.msisdn : hidden],
    ["email", t.email, personal ? (line.email ?? "—") : hidden],
    ["position", t.position, line.position ?? "—"],
    ["device", t.device, line.device ?? "—"],
    ["status", t.lineStatusLabel, line.status ? (t.lineStatus[line.status] ?? line.status) : "—"],
    ["activated", t.activatedOn, line.activatedOn ? formatDate(line.activatedOn, language) : "—"],
  ];
  if (line.orgUnit) rows.push(["unit", t.orgUnitLabel, line.orgUnit.name]);
  return <Facts id="person" title={t.person} rows={rows} />;
}
