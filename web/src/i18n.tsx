// English and Russian: one dictionary per language, the same keys in both (the type checks it).
// The choice is kept in localStorage and written to <html lang> so screen readers follow it.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

const en = {
  appName: "Corporate self-care",
  skipToContent: "Skip to content",
  mainNavigation: "Main",
  dashboard: "Dashboard",
  signedInAs: "Signed in as",
  signOut: "Sign out",
  language: "Language",
  loading: "Loading…",
  loadFailed: "The data could not be loaded.",
  notFound: "There is no such page.",
  backToDashboard: "Back to the dashboard",
  orgTree: "Organisation",
  orgTreeHint: "Lines and this month's spending per unit",
  // A count's word by its plural category (Intl.PluralRules): English has two, Russian four.
  lines: { one: "line", other: "lines" } as Partial<Record<Intl.LDMLPluralRule, string>>,
  spending: "Spending",
  budget: "Budget",
  noBudget: "no budget",
  nothingCharged: "nothing charged",
  spendingByMonth: "Spending by month",
  spendingByCategory: "Spending by category, this month",
  category: {
    SUBSCRIPTION: "Subscriptions",
    VOICE: "Calls",
    SMS: "SMS",
    DATA: "Data",
    ROAMING: "Roaming",
    CONTENT: "Content",
  } as Record<string, string>,
  used: "used",
  thisMonth: "This month",
  overBudget: "Units over budget",
  overBudgetNone: "No unit is over budget or forecast to be.",
  unit: "Unit",
  actual: "Spent",
  forecast: "Forecast",
  asOf: "As of",
  notAvailable: "not available",
  noOrgAccess: "Your role does not show the organisation.",
  role: {
    CUSTOMER_ADMIN: "Company admin",
    UNIT_ADMIN: "Unit admin",
    FINANCE: "Finance",
    ANALYST: "Analyst",
    EMPLOYEE: "Employee",
    SUPPORT: "Operator support",
    AGGREGATE_VIEWER: "Aggregate viewer",
  } as Record<string, string>,
};

type Dictionary = typeof en;

const ru: Dictionary = {
  appName: "Корпоративный кабинет",
  skipToContent: "Перейти к содержимому",
  mainNavigation: "Основное",
  dashboard: "Обзор",
  signedInAs: "Вы вошли как",
  signOut: "Выйти",
  language: "Язык",
  loading: "Загрузка…",
  loadFailed: "Не удалось загрузить данные.",
  notFound: "Такой страницы нет.",
  backToDashboard: "Вернуться к обзору",
  orgTree: "Организация",
  orgTreeHint: "Номера и расходы этого месяца по подразделениям",
  lines: { one: "номер", few: "номера", many: "номеров", other: "номера" },
  spending: "Расходы",
  budget: "Бюджет",
  noBudget: "без бюджета",
  nothingCharged: "ничего не начислено",
  spendingByMonth: "Расходы по месяцам",
  spendingByCategory: "Расходы по категориям, этот месяц",
  category: {
    SUBSCRIPTION: "Абонентская плата",
    VOICE: "Звонки",
    SMS: "SMS",
    DATA: "Интернет",
    ROAMING: "Роуминг",
    CONTENT: "Контент",
  },
  used: "израсходовано",
  thisMonth: "Этот месяц",
  overBudget: "Подразделения сверх бюджета",
  overBudgetNone: "Ни одно подразделение не превышает бюджет и не превысит по прогнозу.",
  unit: "Подразделение",
  actual: "Израсходовано",
  forecast: "Прогноз",
  asOf: "По состоянию на",
  notAvailable: "нет данных",
  noOrgAccess: "Ваша роль не даёт доступа к структуре организации.",
  role: {
    CUSTOMER_ADMIN: "Администратор компании",
    UNIT_ADMIN: "Администратор подразделения",
    FINANCE: "Финансы",
    ANALYST: "Аналитик",
    EMPLOYEE: "Сотрудник",
    SUPPORT: "Поддержка оператора",
    AGGREGATE_VIEWER: "Сводный просмотр",
  },
};

export const LANGUAGES = { en: "English", ru: "Русский" } as const;
export type Language = keyof typeof LANGUAGES;
const DICTIONARIES: Record<Language, Dictionary> = { en, ru };
const STORAGE_KEY = "corpcare.language";

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === "en" || stored === "ru") return stored;
  return navigator.language.toLowerCase().startsWith("ru") ? "ru" : "en";
}

type I18n = { language: Language; t: Dictionary; setLanguage: (language: Language) => void };
const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  const value = useMemo(() => ({ language, t: DICTIONARIES[language], setLanguage }), [language, setLanguage]);
  return <I18nContext value={value}>{children}</I18nContext>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (i18n === null) throw new Error("useI18n outside I18nProvider");
  return i18n;
}
