#!/usr/bin/env bash
# npm's prepack (npm pack, npm publish): the compiled JavaScript, fresh, and the prebuild when it is
# missing or older than the C++. Needs the dev dependencies (TypeScript, node-addon-api's headers): npm ci; a missing
# prebuild fetches the pinned zig on first use (scripts/prebuilds.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsc ] || { echo "os-vif prepack: run 'npm ci' first (TypeScript is a dev dependency)" >&2; exit 1; }
rm -rf dist
npx tsc -p tsconfig.json
bash scripts/prebuilds.sh --if-missing
