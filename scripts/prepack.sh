#!/usr/bin/env bash
# npm's prepack (npm pack, npm publish): the compiled JavaScript, fresh, and the prebuild when it is
# missing or older than the C++. Needs the dev dependencies (TypeScript, prebuildify): npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsc ] || { echo "os-vif prepack: run 'npm ci' first (TypeScript and prebuildify are dev dependencies)" >&2; exit 1; }
rm -rf dist
npx tsc -p tsconfig.json
bash scripts/prebuilds.sh --if-missing
