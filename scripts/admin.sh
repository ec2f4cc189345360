#!/usr/bin/env bash
# The admin UI (admin/, issue 13):
#   1. the sources are prettier-formatted and type-check (npm run lint), and the
#      committed bundle admin/dist is what they build to (npm run build, then no
#      difference and no new file under admin/dist);
#   2. the browser tests (admin/e2e, Playwright driving Debian's chromium) run against
#      the release binary in a fresh SQLite data directory. Screenshots of every
#      screen land in admin/e2e-artifacts/ (gitignored; kept as CI artifacts).
# Needs: node + npm, chromium (installed here with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium, and an emoji font so the sidebar's glyphs render in the screenshots.
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi

echo "== admin: npm ci && npm run build"
(cd admin && npm ci --no-audit --no-fund --loglevel=error && npm run lint && npm run build)
if ! git diff --exit-code --stat -- admin/dist || [ -n "$(git status --porcelain -- admin/dist)" ]; then
  echo "admin/dist differs from a build of admin/src: run (cd admin && npm ci && npm run build) and commit admin/dist" >&2
  git status --porcelain -- admin/dist | head -20 >&2
  exit 1
fi

echo "== admin: browser tests against the release binary"
cargo build --release --quiet -p rocket
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/rocket"
rm -rf admin/e2e-artifacts
(cd admin && ROCKET_BIN="$BIN" npx playwright test)
echo "screenshots: admin/e2e-artifacts/screens ($(ls admin/e2e-artifacts/screens | wc -l) files)"
