#!/usr/bin/env bash
# The API reference (docs/api, Markdown) from the doc comments, with typedoc. typedoc needs
# TypeScript's compiler API (5.x), which the TypeScript 7 that builds the library does not
# have, so it lives in a package of its own: tools/typedoc (pinned in its package-lock.json).
# Every exported symbol must be documented and every {@link} must resolve, or this fails.
#   bash scripts/api-docs.sh          rewrite docs/api
#   bash scripts/api-docs.sh --check  fail when docs/api is not what the sources give, or a link is broken
set -euo pipefail
cd "$(dirname "$0")/.."
tools=tools/typedoc
if [ ! -d $tools/node_modules ] || [ $tools/package-lock.json -nt $tools/node_modules/.package-lock.json ]; then
  npm ci --prefix $tools --no-audit --no-fund >/dev/null
fi
out=$PWD/docs/api
if [ "${1:-}" = --check ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
rm -rf "${out:?}"/*
node $tools/node_modules/typedoc/bin/typedoc --options $tools/typedoc.json --out "$out"
node scripts/check-doc-links.mjs README.md docs "$out"
if [ "${1:-}" = --check ]; then
  if ! diff -r "$out" docs/api >/dev/null; then
    echo "docs/api is out of date: run 'bash scripts/api-docs.sh' and commit it" >&2
    diff -r "$out" docs/api | head -20 >&2
    exit 1
  fi
  echo "docs/api is current; every export is documented and every link resolves"
fi
