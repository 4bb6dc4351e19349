// The line's services, and for a role that may change them (an employee on their own line), the
// ones to add or remove: the line's serviceChoices, what the policy in force allows. Each change is
// a dry run first (the API's verdict and its monthly cost), then confirmed.
import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { LineFieldsFragment } from "../gql/graphql";
import { useI18n } from "../i18n";
import { formatMoney } from "../format";
import { ChangeSteps, PricedChoice, useChange } from "./change";

const ServicesAdd = graphql(`
  mutation ServicesAdd($input: SubscriberServicesInput!) {
    subscriberServicesAdd(input: $input) {
      ...ChangeOutcome
    }
  }
`);

const ServicesRemove = graphql(`
  mutation ServicesRemove($input: SubscriberServicesInput!) {
    subscriberServicesRemove(input: $input) {
      ...ChangeOutcome
    }
  }
`);

type Props = { line: LineFieldsFragment; canChange: boolean; onChanged: () => void };

export function Services({ line, canChange, onChanged }: Props) {
  const { t, language } = useI18n();
  const [, add] = useMutation(ServicesAdd);
  const [, remove] = useMutation(ServicesRemove);
  const change = useChange(onChanged);
  const [chosen, setChosen] = useState("");
  if (!line.services) return null;
  const addable = line.serviceChoices?.add ?? [];
  const removable = new Set(line.serviceChoices?.remove.map((s) => s.id));
  const toAdd = addable.find((s) => s.id === chosen) ?? addable[0];
  const propose = (kind: "add" | "remove", service: { id: string; name: string }) => {
    const mutate = kind === "add" ? add : remove;
    const what = kind === "add" ? t.adding(service.name) : t.removing(service.name);
    void change.check(what, async (dryRun, idempotencyKey) => {
      const input = { selection: { ids: [line.id] }, services: [service.id], dryRun, idempotencyKey };
      const answer = await mutate({ input });
      const data = answer.data;
      if (!data) return null;
      return "subscriberServicesAdd" in data ? data.subscriberServicesAdd : data.subscriberServicesRemove;
    });
  };
  return (
    <section className="panel" aria-labelledby="services-title">
      <h2 id="services-title">{t.services}</h2>
      {line.services.length === 0 ? (
        <p>{t.noServices}</p>
      ) : (
        <ul className="services">
          {line.services.map(({ service, monthlyFee }) => (
            <li key={service.id} data-service={service.id}>
              <span className="service-name">{service.name}</span>
              <span className="service-fee">{t.perMonth(formatMoney(monthlyFee, language))}</span>
              {canChange && removable.has(service.id) && (
                <button
                  type="button"
                  aria-label={t.removeService(service.name)}
                  disabled={change.busy}
                  onClick={() => propose("remove", service)}
                >
                  {t.remove}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canChange &&
        (addable.length === 0 ? (
          <p>{t.noServiceToAdd}</p>
        ) : (
          <form
            className="change-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (toAdd) propose("add", toAdd);
            }}
          >
            <PricedChoice
              label={t.addService}
              choices={addable}
              chosen={toAdd?.id}
              onChoose={setChosen}
              disabled={change.busy}
            />
            <button type="submit" disabled={change.busy}>
              {t.showCost}
            </button>
          </form>
        ))}
      <ChangeSteps change={change} />
    </section>
  );
}
