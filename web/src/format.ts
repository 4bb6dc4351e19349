// Money, numbers and dates through Intl, in the page's language. Amounts arrive as decimal
// strings (never floats) and are formatted from the string, so no digit is lost.
import type { Language } from "./i18n";

export type Money = { amount: string; currency: string };

const LOCALES: Record<Language, string> = { en: "en-GB", ru: "ru-RU" };

export function formatMoney(money: Money, language: Language): string {
  const format = new Intl.NumberFormat(LOCALES[language], { style: "currency", currency: money.currency });
  return format.format(money.amount as Intl.StringNumericLiteral);
}

export function formatCount(count: number, language: Language): string {
  return new Intl.NumberFormat(LOCALES[language]).format(count);
}

/** A count and its word in the language's plural form, for example "1 line", "5 номеров". */
export function formatCounted(
  count: number,
  words: Partial<Record<Intl.LDMLPluralRule, string>>,
  language: Language,
): string {
  const category = new Intl.PluralRules(LOCALES[language]).select(count);
  return `${formatCount(count, language)} ${words[category] ?? words.other}`;
}

export function formatPercent(percent: string, language: Language): string {
  const format = new Intl.NumberFormat(LOCALES[language], { style: "percent", maximumFractionDigits: 0 });
  return format.format(Number(percent) / 100);
}

/** A billing month (YYYY-MM) as its name and year. */
export function formatMonth(month: string, language: Language): string {
  const [year, index] = month.split("-").map(Number);
  const format = new Intl.DateTimeFormat(LOCALES[language], { month: "long", year: "numeric", timeZone: "UTC" });
  return format.format(new Date(Date.UTC(year, index - 1, 1)));
}

export function formatDateTime(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
