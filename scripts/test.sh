#!/usr/bin/env bash
# The whole test suite: installs missing system packages, builds, runs every ava test (unit
# tests, then kernel and OVS integration tests in private namespaces and daemons) and ends
# with the line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/system-deps.sh
[ "$(id -u)" = 0 ] || echo "os-vif: not root: the integration tests will be skipped" >&2
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { echo "os-vif: Node.js 20 or newer is needed" >&2; exit 2; }
[ "$(id -u)" = 0 ] && ensure_system_packages
ensure_node_modules || exit 1
npx tsc -p tsconfig.json || exit 1
cleanup_leftovers
log=$(mktemp)
npx ava --tap "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
cleanup_leftovers
count() { sed -n "s/^# $1 \([0-9]*\)\$/\1/p" "$log" | tail -1; }
pass=$(count pass); fail=$(count fail); skip=$(count skip)
# a crash that prints no summary is a failure, never "0 failed"
[ -z "$pass" ] && pass=0 && fail=${fail:-1}
[ "$status" != 0 ] && [ "${fail:-0}" = 0 ] && fail=1
rm -f "$log"
echo "${pass} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit "$status"
