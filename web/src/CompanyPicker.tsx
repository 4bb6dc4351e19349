// Operator staff find a company by part of its name or code (customers) and act for it.
import { useId, useState } from "react";
import { useQuery } from "urql";
import { useCompany } from "./company";
import { graphql } from "./gql";
import { useI18n } from "./i18n";

const CustomersQuery = graphql(`
  query Customers($search: String!) {
    customers(search: $search, first: 20) {
      id
      code
      name
    }
  }
`);

export function CompanyPicker() {
  const { t } = useI18n();
  const id = useId();
  const { choose } = useCompany();
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }] = useQuery({ query: CustomersQuery, variables: { search } });
  const found = data?.customers ?? [];
  return (
    <section className="panel company-picker" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t.chooseCompany}</h1>
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(typed.trim());
        }}
      >
        <label>
          {t.companySearch}
          <input type="search" value={typed} onChange={(event) => setTyped(event.target.value)} />
        </label>
        <button type="submit">{t.find}</button>
      </form>
      {fetching && !data && <p role="status">{t.loading}</p>}
      {error && !data && <p role="alert">{t.loadFailed}</p>}
      {data && found.length === 0 && <p>{t.noCompanyFound}</p>}
      <ul className="companies">
        {found.map((company) => (
          <li key={company.id}>
            <button
              type="button"
              data-customer={company.id}
              onClick={() => choose({ id: company.id, name: company.name })}
            >
              {company.name} <span className="hint-inline">{company.code}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
