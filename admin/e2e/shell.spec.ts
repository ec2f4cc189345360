// Shell: login with a wrong and a right password, the guard, apps, switching,
// dark mode over a reload, a deep link, logout.
import { expect, test } from "@playwright/test";
import { adminApi, createApp, login, shot } from "./helpers";

test("a wrong password shows the API's message and stays on login", async ({ page }) => {
  await page.goto("/admin/dashboard");
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.getByLabel("Email").fill("platform@localhost");
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("error-banner")).toContainText(/invalid/i);
  await expect(page).toHaveURL(/\/admin\/login$/);
  await shot(page, "01-login-error");
});

test("create an app in the form, open it, switch apps, log out", async ({ page }) => {
  const api = await adminApi();
  await createApp(api, "shell_other");
  await login(page);
  await page.getByRole("button", { name: "Create App" }).click();
  await page.getByLabel("App Name (URL-safe slug)").fill("shell_app");
  await page.getByLabel("Display Name").fill("Shell App");
  await page.getByLabel("Database Driver").selectOption("sqlite");
  await shot(page, "02-apps-create-form");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByTestId("toast-success")).toContainText('App "shell_app" created');
  const row = page.getByTestId("apps-table").getByRole("row", { name: /shell_app/ });
  await expect(row).toContainText("SQLite");
  // The sidebar's list follows creates without a reload (§10.2).
  await expect(page.getByTestId("app-switcher").locator("option", { hasText: "Shell App" })).toHaveCount(1);
  await shot(page, "03-apps");
  await expect(page.getByTestId("identity")).toHaveText("platform@localhost");
  await row.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(/\/admin\/entities$/);
  await expect(page.getByText("Current app:")).toContainText("shell_app");
  await page.getByTestId("app-switcher").selectOption("shell_other");
  await expect(page.getByText("Current app:")).toContainText("shell_other");
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.goto("/admin/apps");
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test("dark mode persists over a reload and a deep link reloads on its page", async ({ page }) => {
  const api = await adminApi();
  await createApp(api, "shell_theme");
  await login(page);
  await page
    .getByTestId("apps-table")
    .getByRole("row", { name: /shell_theme/ })
    .getByRole("button", { name: "Open" })
    .click();
  const html = page.locator("html");
  // The default is system; the button cycles light → system → dark.
  const toggle = page.getByTestId("theme-toggle");
  await expect(toggle).toHaveAttribute("title", "Theme: system");
  await toggle.click();
  await expect(toggle).toHaveAttribute("title", "Theme: dark");
  await expect(html).toHaveClass(/dark/);
  await page.goto("/admin/users");
  await page.reload();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(html).toHaveClass(/dark/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await shot(page, "04-dark-users");
  await toggle.click();
  await expect(toggle).toHaveAttribute("title", "Theme: light");
  await expect(html).not.toHaveClass(/dark/);
  await page.reload();
  await expect(html).not.toHaveClass(/dark/);
});

test("the shell fits a phone-sized viewport without horizontal scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, "05-phone-apps");
});
