// Browser session (spec 17 §3.2): platform tokens, the selected app, JWT claims.
import { createSignal } from "solid-js";

const ACCESS = "rocket_access_token";
const REFRESH = "rocket_refresh_token";
const APP = "rocket_selected_app";
// Set when the session belongs to an app user (signed in through the app's own
// login) rather than a platform user: the tokens are that app's, and the UI
// offers only the screens an app user may use (data browser, API playground).
const SESSION_APP = "rocket_session_app";
// The email the user signed in with: the tokens' `sub` is a user id, not an email.
const EMAIL = "rocket_user_email";

const [access, setAccess] = createSignal<string | null>(localStorage.getItem(ACCESS));
const [app, setAppSignal] = createSignal<string | null>(localStorage.getItem(APP));
const [sessionApp, setSessionApp] = createSignal<string | null>(localStorage.getItem(SESSION_APP));

/** The app of an app-user session, or null for a platform session. */
export { sessionApp };
export const isAppUser = () => !!sessionApp();
export const isPlatformUser = () => !!access() && !sessionApp();

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

/** Starts an app-user session: the tokens are `app`'s and the app is fixed. */
export function startAppSession(app: string, accessToken: string, refresh: string) {
  localStorage.setItem(SESSION_APP, app);
  setSessionApp(app);
  selectApp(app);
  storeTokens(accessToken, refresh);
}

/** Remembers the email the user signed in with, for the sidebar. */
export function rememberEmail(email: string) {
  localStorage.setItem(EMAIL, email);
}

/** Who is signed in: the email they gave, else the token's subject. */
export function identity(): string {
  return (access() && localStorage.getItem(EMAIL)) || claims().sub || "";
}

export function clearTokens() {
  localStorage.removeItem(EMAIL);
  localStorage.removeItem(ACCESS);
  localStorage.removeItem(REFRESH);
  localStorage.removeItem(SESSION_APP);
  setSessionApp(null);
  setAccess(null);
}

/** Where refresh and logout go: the platform's auth, or the session app's. */
export function authBase(): string {
  const a = sessionApp();
  return a ? `/api/${encodeURIComponent(a)}` : "/api/_platform";
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
