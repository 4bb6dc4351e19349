// The browser's session is an HttpOnly cookie the page never sees. Requests carry it
// (same origin) with the CSRF pre-flight header; a 401 means it has ended: sign in again and
// come back here.

export const PREFLIGHT = { "X-Corpcare-Preflight": "1" } as const;

export function signIn(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/auth/sign-in?next=${encodeURIComponent(next)}`);
}

export async function signOut(): Promise<void> {
  await fetch("/auth/sign-out", { method: "POST", credentials: "same-origin", headers: PREFLIGHT });
  window.location.assign("/auth/sign-in");
}
