// Browser session (spec 17 §3.2): platform tokens, the selected app, JWT claims.
import { createSignal } from "solid-js";

const ACCESS = "rocket_access_token";
const REFRESH = "rocket_refresh_token";
const APP = "rocket_selected_app";

const [access, setAccess] = createSignal<string | null>(localStorage.getItem(ACCESS));
const [app, setAppSignal] = createSignal<string | null>(localStorage.getItem(APP));

export const accessToken = access;
export const selectedApp = app;
export const isAuthenticated = () => !!access();

export function refreshToken(): string | null {
  return localStorage.getItem(REFRESH);
}

export function storeTokens(accessToken: string, refresh: string) {
  localStorage.setItem(ACCESS, accessToken);
  localStorage.setItem(REFRESH, refresh);
  setAccess(accessToken);
}

export function clearTokens() {
  localStorage.removeItem(ACCESS);
  localStorage.removeItem(REFRESH);
  setAccess(null);
}

export function selectApp(name: string | null) {
  if (name) localStorage.setItem(APP, name);
  else localStorage.removeItem(APP);
  setAppSignal(name);
}

/** The payload of a JWT, decoded without verification (display only, §3.2). */
export function claims(token: string | null = access()): { sub?: string; roles?: string[]; exp?: number } {
  if (!token) return {};
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(decodeURIComponent(escape(json)));
  } catch {
    return {};
  }
}
