#!/usr/bin/env bash
# `npm test`: the one gate, in order, stopping at the first failure with its name.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 ORT_DISABLE_TELEMETRY=1

step() {
  local name=$1
  shift
  echo
  echo "=== $name"
  if ! "$@"; then
    echo "=== FAILED: $name" >&2
    exit 1
  fi
}

# A fresh clone has nothing installed yet (npx would then refuse to fetch tsc): set up first, as `npm start`
# does, plus Chromium for the end-to-end tests. Cheap when everything is in place already.
step "set-up (Debian packages with Chromium, npm packages, sandbox images)" \
  env SBPG_WITH_TEST_PACKAGES=1 bash scripts/setup.sh
step "type check" npx tsc --noEmit -p .
step "lint" npx eslint --max-warnings 0 .
step "format check" npx prettier --check .
step "demo folders" node --import tsx scripts/check-demos.ts
step "unit tests" npx vitest run --project unit
if [ "$(id -u)" != 0 ]; then
  echo "=== integration and end-to-end tests need root (they start real sandboxes)" >&2
  exit 1
fi
step "integration tests (real runc, runsc, containerd, QEMU)" npx vitest run --project integration
step "site build" bash scripts/build-site.sh
step "end-to-end tests (Chromium)" npx playwright test
step "nothing left behind" bash scripts/check-leftovers.sh
