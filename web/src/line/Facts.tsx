// A panel of labelled facts (a description list): each row's key names it for tests and styles.
import type { ReactNode } from "react";

export type Fact = [key: string, label: string, value: ReactNode];

export function Facts({ id, title, rows }: { id: string; title: string; rows: Fact[] }) {
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <dl className="facts">
        {rows.map(([key, label, value]) => (
          <div key={key} data-fact={key}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
