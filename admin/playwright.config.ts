// Browser tests of the admin UI (issue 13): Debian's chromium driven by Playwright
// against the real rocket binary on SQLite with a fresh data directory
// (e2e/global-setup.ts). No browser is downloaded: the system chromium is used.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  // One server and one worker: the tests share the platform and run in file order.
  workers: 1,
  fullyParallel: false,
  // One retry in CI: a test that passes only on its retry is reported as flaky in
  // the output (and its first failure keeps its trace), instead of failing the run.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: "e2e-artifacts/test-results",
  reporter: [["list"], ["html", { outputFolder: "e2e-artifacts/report", open: "never" }]],
  use: {
    baseURL: process.env.ROCKET_E2E_URL,
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
