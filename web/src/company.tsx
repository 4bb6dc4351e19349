// Operator staff (customers:all) act for one company at a time: the one they chose, kept for the
// browser tab (sessionStorage). A company's own people act for their own: no argument is sent.
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { useViewer } from "./Shell";

export type Company = { id: string; name: string };

const KEY = "corpcare.company";

const CompanyContext = createContext<{ company: Company | null; choose: (company: Company | null) => void }>({
  company: null,
  choose: () => {},
});

function stored(): Company | null {
  try {
    const kept = JSON.parse(window.sessionStorage.getItem(KEY) ?? "null") as Company | null;
    return kept && typeof kept.id === "string" && typeof kept.name === "string" ? kept : null;
  } catch {
    return null;
  }
}

export function CompanyProvider({ children }: { children: ReactNode }) {
  const [company, setCompany] = useState<Company | null>(stored);
  const choose = useCallback((next: Company | null) => {
    if (next) window.sessionStorage.setItem(KEY, JSON.stringify(next));
    else window.sessionStorage.removeItem(KEY);
    setCompany(next);
  }, []);
  return <CompanyContext value={{ company, choose }}>{children}</CompanyContext>;
}

export function useCompany() {
  return useContext(CompanyContext);
}

/**
 * The `customer` argument of a screen's operations: the chosen company for operator staff, null
 * (one's own) for anyone else; `unchosen` while operator staff have not chosen one (the screen
 * then asks them to). Until the shell's operation says who is signed in, a screen sends its own
 * beside it with null (no waterfall for the company's own people, whom this is nearly always).
 */
export function useCustomerArgument(): { customer: string | null; unchosen: boolean } {
  const viewer = useViewer();
  const { company } = useCompany();
  const operator = viewer?.permissions.includes("customers:all") ?? false;
  return { customer: operator ? (company?.id ?? null) : null, unchosen: operator && !company };
}
