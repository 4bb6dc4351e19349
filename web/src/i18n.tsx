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
  // Lines screen
  linesScreen: "Lines",
  linesTotal: (count: string) => `${count} in all`,
  linesFilters: "Filter and sort",
  linesAllUnits: "All units",
  linesStatus: "Status",
  linesAllStatuses: "Any status",
  lineStatus: { ACTIVE: "Active", SUSPENDED: "Suspended", TERMINATED: "Terminated" },
  linesSortBy: "Sort by",
  linesOrderDefault: "Default order",
  linesOrder: { NAME: "Name", MSISDN: "Number", STATUS: "Status", ACTIVATED_ON: "Activated" },
  linesSearch: "Name or number",
  linesSearchButton: "Search",
  linesPaging: "Pages",
  linesPrevious: "Previous page",
  linesNext: "Next page",
  linesNone: "No line matches.",
  linesSelectPage: "Select every line on this page",
  linesSelect: "Select",
  linesEmployee: "Employee",
  linesNumber: "Number",
  linesPlan: "Plan",
  linesLine: "Line",
  bulkTitle: "Change lines",
  bulkWhich: "Which lines",
  bulkTicked: (count: string) => `The ${count} selected`,
  bulkSubtree: (unit: string) => `Every line in ${unit} and its units`,
  bulkFiltered: (count: string) => `All ${count} lines the filter finds`,
  bulkNothingSelected: "Select lines in the table, or filter the list, to change them.",
  bulkAction: "Change",
  bulkAdd: "Add a service",
  bulkRemove: "Remove a service",
  bulkService: "Service",
  bulkChooseService: "Choose a service",
  bulkDryRun: "Check first (dry run)",
  bulkChecking: "Checking each line…",
  bulkApplying: "Applying the change…",
  bulkProgress: (done: string, total: string) => `${done} of ${total} lines done`,
  bulkCancel: "Cancel the change",
  bulkCancelling: "Cancelling…",
  bulkStartOver: "Start another change",
  bulkApply: "Apply…",
  bulkBack: "Back",
  bulkConfirmTitle: "Apply this change?",
  bulkConfirmText: (count: string, cost: string) =>
    `${count} lines will change; the monthly bill changes by ${cost}. Lines already changed stay changed if you cancel.`,
  bulkConfirmApply: "Apply now",
  bulkDryRunDone: "Dry run: nothing has changed yet.",
  bulkDone: "The change is done.",
  bulkCancelled: "The change was cancelled: lines not reached were skipped.",
  outcome: { APPLIED: "Changed", WOULD_APPLY: "Would change", SKIPPED: "Skipped", FAILED: "Failed" },
  bulkCostImpact: "Monthly cost impact",
  bulkPerLine: "Each line",
  bulkOutcome: "Outcome",
  bulkChange: "Before → after",
  bulkMoreResults: "Only the first 100 lines are shown.",
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
  // Lines screen
  linesScreen: "Номера",
  linesTotal: (count: string) => `всего ${count}`,
  linesFilters: "Фильтр и сортировка",
  linesAllUnits: "Все подразделения",
  linesStatus: "Статус",
  linesAllStatuses: "Любой статус",
  lineStatus: { ACTIVE: "Активен", SUSPENDED: "Приостановлен", TERMINATED: "Отключён" },
  linesSortBy: "Сортировка",
  linesOrderDefault: "По умолчанию",
  linesOrder: { NAME: "Имя", MSISDN: "Номер", STATUS: "Статус", ACTIVATED_ON: "Подключён" },
  linesSearch: "Имя или номер",
  linesSearchButton: "Найти",
  linesPaging: "Страницы",
  linesPrevious: "Предыдущая страница",
  linesNext: "Следующая страница",
  linesNone: "Ни один номер не подходит.",
  linesSelectPage: "Выбрать все номера на странице",
  linesSelect: "Выбрать",
  linesEmployee: "Сотрудник",
  linesNumber: "Номер",
  linesPlan: "Тариф",
  linesLine: "Номер",
  bulkTitle: "Изменить номера",
  bulkWhich: "Какие номера",
  bulkTicked: (count: string) => `Выбранные (${count})`,
  bulkSubtree: (unit: string) => `Все номера подразделения «${unit}» и его подразделений`,
  bulkFiltered: (count: string) => `Все найденные фильтром (${count})`,
  bulkNothingSelected: "Выберите номера в таблице или задайте фильтр, чтобы изменить их.",
  bulkAction: "Изменение",
  bulkAdd: "Подключить услугу",
  bulkRemove: "Отключить услугу",
  bulkService: "Услуга",
  bulkChooseService: "Выберите услугу",
  bulkDryRun: "Сначала проверить",
  bulkChecking: "Проверяем каждый номер…",
  bulkApplying: "Применяем изменение…",
  bulkProgress: (done: string, total: string) => `Готово ${done} из ${total}`,
  bulkCancel: "Отменить изменение",
  bulkCancelling: "Отменяем…",
  bulkStartOver: "Новое изменение",
  bulkApply: "Применить…",
  bulkBack: "Назад",
  bulkConfirmTitle: "Применить изменение?",
  bulkConfirmText: (count: string, cost: string) =>
    `Изменится номеров: ${count}; ежемесячный счёт изменится на ${cost}. При отмене уже изменённые номера останутся изменёнными.`,
  bulkConfirmApply: "Применить",
  bulkDryRunDone: "Проверка: пока ничего не изменено.",
  bulkDone: "Изменение выполнено.",
  bulkCancelled: "Изменение отменено: необработанные номера пропущены.",
  outcome: { APPLIED: "Изменён", WOULD_APPLY: "Будет изменён", SKIPPED: "Пропущен", FAILED: "Ошибка" },
  bulkCostImpact: "Изменение ежемесячного счёта",
  bulkPerLine: "По номерам",
  bulkOutcome: "Результат",
  bulkChange: "До → после",
  bulkMoreResults: "Показаны только первые 100 номеров.",
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
