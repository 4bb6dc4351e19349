// Billing months as YYYY-MM strings, which sort as they run.
export type Period = { from: string; to: string };

/** The current month, by the browser's clock in UTC (as billing periods are). */
export function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

export function monthsBack(month: string, count: number): string {
  const [year, index] = month.split("-").map(Number);
  const date = new Date(Date.UTC(year, index - 1 - count, 1));
  return date.toISOString().slice(0, 7);
}
