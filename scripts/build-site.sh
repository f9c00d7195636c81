#!/usr/bin/env bash
# Builds the pages with `next build` unless the last build is newer than every source it reads.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${SBPG_NEXT_DIST:-.next}
if [ -f "$dist/BUILD_ID" ] && [ -z "$(find app components lib demos public next.config.js postcss.config.mjs package-lock.json -newer "$dist/BUILD_ID" -print -quit 2>/dev/null)" ]; then
  echo "build: site is up to date"
  exit 0
fi
echo "build: building the site (next build, ~40 s on 2 cores)"
NEXT_TELEMETRY_DISABLED=1 npx next build
