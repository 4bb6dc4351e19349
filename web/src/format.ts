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

export function formatDate(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}

export type QuantityUnit = "SECONDS" | "MESSAGES" | "KILOBYTES";

/** A bundle's or a call's quantity in the unit a person reads it in: minutes, messages, MB or GB. */
export function formatQuantity(
  quantity: number,
  unit: QuantityUnit,
  messages: Partial<Record<Intl.LDMLPluralRule, string>>,
  language: Language,
): string {
  const locale = LOCALES[language];
  if (unit === "MESSAGES") return formatCounted(quantity, messages, language);
  if (unit === "SECONDS") {
    const minutes = quantity / 60;
    return new Intl.NumberFormat(locale, { style: "unit", unit: "minute", maximumFractionDigits: 1 }).format(minutes);
  }
  const gigabytes = quantity / (1024 * 1024);
  if (gigabytes >= 1)
    return new Intl.NumberFormat(locale, { style: "unit", unit: "gigabyte", maximumFractionDigits: 2 }).format(gigabytes);
  return new Intl.NumberFormat(locale, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 }).format(
    quantity / 1024,
  );
}

/** A change of an amount, signed: "+€5.00", "−€3.00", "€0.00". */
export function formatMoneyChange(money: Money, language: Language): string {
  const format = new Intl.NumberFormat(LOCALES[language], {
    style: "currency",
    currency: money.currency,
    signDisplay: "exceptZero",
  });
  return format.format(money.amount as Intl.StringNumericLiteral);
}
