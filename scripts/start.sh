#!/usr/bin/env bash
# `npm start`: set up what is missing, build the site if needed, serve on $HOST:$PORT (default 0.0.0.0:3000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-site.sh
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 ORT_DISABLE_TELEMETRY=1
exec node --import tsx server/main.ts
