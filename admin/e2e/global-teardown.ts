import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export default async function globalTeardown() {
  const dir = process.env.ROCKET_E2E_DIR;
  if (!dir) return;
  try {
    process.kill(Number(readFileSync(join(dir, "pid"), "utf8")), "SIGTERM");
  } catch {
    /* already gone */
  }
  await new Promise((r) => setTimeout(r, 300));
  if (!process.env.ROCKET_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
}
