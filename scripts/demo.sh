#!/usr/bin/env bash
# The main job in one command: installs the system packages that are missing (Open vSwitch,
# ping, nftables; it says which), installs and builds os-vif, then runs `os-vif demo`: a
# sandbox of its own namespaces and private OVS daemons in which every plugin plugs real VIFs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/system-deps.sh
[ "$(id -u)" = 0 ] || { echo "os-vif demo: run as root (it creates network namespaces)" >&2; exit 2; }
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
  { echo "os-vif demo: Node.js 20 or newer is needed" >&2; exit 2; }
ensure_system_packages
ensure_node_modules
npx tsc -p tsconfig.json
exec node bin/os-vif.js demo "$@"
