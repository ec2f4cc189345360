// Starts the rocket binary (ROCKET_BIN, default the release build) in a fresh
// temporary directory on a free port, with SQLite (the zero-setup default), and
// waits for /health. The URL reaches the tests through ROCKET_E2E_URL.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export default async function globalSetup() {
  // A server that is already running (a dev loop, or `npm run dev` proxying to one).
  if (process.env.ROCKET_E2E_URL) return;
  const bin = resolve(process.env.ROCKET_BIN ?? "../target/release/rocket");
  const dir = mkdtempSync(join(tmpdir(), "rocket-e2e-"));
  const port = await freePort();
  const log = openSync(join(dir, "server.log"), "w");
  const child = spawn(bin, [], {
    cwd: dir,
    env: {
      ...process.env,
      ROCKET_SERVER_PORT: String(port),
      ROCKET_SERVER_HOST: "127.0.0.1",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", log, log],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`rocket exited early: see ${dir}/server.log`);
    await new Promise((r) => setTimeout(r, 200));
  }
  process.env.ROCKET_E2E_URL = url;
  process.env.ROCKET_E2E_DIR = dir;
  writeFileSync(join(dir, "pid"), String(child.pid));
  console.log(`rocket ${bin} on ${url} (data in ${dir})`);
}
