// Shared by the browser tests: sign in through the form, API shortcuts for setup
// (so each test drives only the screens it is about), and screenshots kept under
// e2e-artifacts/screens (gitignored, a CI artifact).
import { expect, Page, APIRequestContext, request } from "@playwright/test";

export const PLATFORM_EMAIL = "platform@localhost";
export const PLATFORM_PASSWORD = "changeme";

export function baseURL(): string {
  const u = process.env.ROCKET_E2E_URL;
  if (!u) throw new Error("ROCKET_E2E_URL is not set (global setup did not run)");
  return u;
}

/** Signs in through the login form and waits for the apps page. */
export async function login(page: Page, email = PLATFORM_EMAIL, password = PLATFORM_PASSWORD) {
  await page.goto("/admin/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/apps$/);
}

/** A platform token for API setup calls. */
export async function platformToken(): Promise<string> {
  const ctx = await request.newContext({ baseURL: baseURL() });
  const res = await ctx.post("/api/_platform/auth/login", { data: { email: PLATFORM_EMAIL, password: PLATFORM_PASSWORD } });
  expect(res.ok()).toBeTruthy();
  const token = (await res.json()).data.access_token as string;
  await ctx.dispose();
  return token;
}

/** An API context with the platform token, rooted at the server. */
export async function adminApi(): Promise<APIRequestContext> {
  const token = await platformToken();
  return request.newContext({ baseURL: baseURL(), extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

/** Creates an app (SQLite) through the API; returns its name. */
export async function createApp(api: APIRequestContext, name: string) {
  const res = await api.post("/api/_platform/apps", { data: { name, display_name: name, db_driver: "sqlite" } });
  expect(res.status(), await res.text()).toBe(201);
  return name;
}

/** Selects `app` in the browser's storage, as the Apps page's "Open" does. */
export async function useApp(page: Page, app: string) {
  await page.evaluate((a) => localStorage.setItem("rocket_selected_app", a), app);
}

/** Saves a full-page screenshot as e2e-artifacts/screens/{name}.png. */
export async function shot(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: `e2e-artifacts/screens/${name}.png`, fullPage: true });
}

/** Signs in, selects `app` and opens `/admin{path}`. */
export async function openApp(page: Page, app: string, path: string) {
  await login(page);
  await useApp(page, app);
  await page.goto(`/admin${path}`);
}

/** GETs `path` with an admin API context, asserts 2xx and returns `data`. */
export async function data<T>(api: APIRequestContext, path: string): Promise<T> {
  const res = await api.get(path);
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()).data as T;
}
