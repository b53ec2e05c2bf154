#!/usr/bin/env bash
# The package as a user gets it. `npm pack` (prepack compiles the TypeScript and builds a missing
# prebuild), then the tarball is installed into an empty directory with no compiler, make or
# python on PATH, and from there, with each Node given:
#   os-vif --version, os-vif host-info, os-vif/vif imported by name, and (as root) one
#   linux_bridge plug and unplug inside a namespace this script creates and removes.
# Also checked: the install compiled nothing, and every source map names files in the package.
#
#   bash scripts/smoke-pack.sh [NODE_BINARY...]   (default: the node on PATH)
#
# Leaves nothing behind (namespace, directories), also on failure. Last line: "smoke: ok".
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=("$@")
[ ${#nodes[@]} -gt 0 ] || nodes=("$(command -v node)")

work=$(mktemp -d /tmp/os-vif-smoke.XXXXXX)
ns=osvsmoke$$
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

version=$(node -p 'require("./package.json").version')
npm pack --pack-destination "$work" --silent >"$work/pack.out" || fail "npm pack"
tarball="$work/$(tail -1 "$work/pack.out")"
tar -tzf "$tarball" >"$work/files"
echo "smoke: packed $(basename "$tarball") ($(wc -l <"$work/files") files)"
grep -q '^package/dist/src/cli.js$' "$work/files" || fail "no dist/src/cli.js in the tarball"
target=$(node -p 'process.platform + "-" + process.arch')
grep -q "^package/prebuilds/$target/.*\.node$" "$work/files" || fail "no $target prebuild in the tarball"
if grep -E '^package/(dist/)?(test|bench)/' "$work/files"; then fail "tests or benchmarks in the tarball"; fi

# A PATH like a compute host without build tools: every program of /usr/bin and /usr/sbin but the
# compilers, linkers, make and python (node-gyp needs all three kinds to build the addon).
mkdir "$work/bin" "$work/app"
for f in /usr/sbin/* /usr/bin/*; do
  t=${f##*/}
  [[ $t =~ (^|-)(cc|c\+\+|cpp|gcc|g\+\+|clang|clang\+\+|ld|as)(-[0-9.]+)?$ || $t =~ ^(make|gmake|python.*|ld\..*)$ ]] && continue
  [ -e "$work/bin/$t" ] || ln -s "$f" "$work/bin/$t"
done
bare="$work/bin"
for t in cc gcc c++ g++ clang make python3 python ld; do
  if PATH=$bare command -v "$t" >/dev/null; then fail "$t is on the stripped PATH"; fi
done
echo '{ "name": "smoke", "private": true }' >"$work/app/package.json"
(cd "$work/app" && PATH=$bare npm install --no-audit --no-fund --loglevel=error "$tarball") ||
  fail "npm install of the tarball with no compiler"
pkg="$work/app/node_modules/os-vif"
[ ! -e "$pkg/build" ] || fail "the install compiled the addon instead of using the prebuild"

# Every source map points at files that are in the package.
node -e '
  const fs = require("fs"), path = require("path");
  const root = process.argv[1]; let maps = 0; const missing = [];
  for (const f of fs.readdirSync(root, { recursive: true })) {
    if (!f.endsWith(".map")) continue;
    maps++;
    const file = path.join(root, f);
    for (const s of JSON.parse(fs.readFileSync(file, "utf8")).sources) {
      if (!fs.existsSync(path.resolve(path.dirname(file), s))) missing.push(`${f} -> ${s}`);
    }
  }
  if (missing.length) { console.error(missing.slice(0, 5).join("\n")); process.exit(1); }
  console.log(`smoke: ${maps} source maps, every source shipped`);
' "$pkg" || fail "source maps name files that are not in the package"

cat >"$work/make-vif.mjs" <<'EOF'
// Writes the VIF and instance files with the installed package's own objects layer.
import { writeFileSync } from 'node:fs';
import { objects } from 'os-vif/vif';
const [dir] = process.argv.slice(2);
const network = new objects.Network({
  id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50', label: 'smoke', bridge: 'brsmoke', mtu: 1400,
  multi_host: false, should_provide_bridge: true, should_provide_vlan: false,
  bridge_interface: null, vlan: null, subnets: new objects.SubnetList({ objects: [] }),
});
const vif = new objects.VIFBridge({
  id: '7a9b8c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', address: 'fa:16:3e:7c:2a:0b', plugin: 'linux_bridge',
  vif_name: 'tap7a9b8c6d-5e', bridge_name: 'brsmoke', has_traffic_filtering: true, network,
});
const instance = new objects.InstanceInfo({ uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10', name: 'smoke' });
writeFileSync(`${dir}/vif.json`, JSON.stringify(vif.toPrimitive()));
writeFileSync(`${dir}/instance.json`, JSON.stringify(instance.toPrimitive()));
EOF
cp "$work/make-vif.mjs" "$work/app/"

[ "$(id -u)" = 0 ] || echo "smoke: not root: plug/unplug in a namespace skipped" >&2
osvif="$work/app/node_modules/.bin/os-vif"
i=0
for node in "${nodes[@]}"; do
  i=$((i + 1))
  mkdir "$work/node$i" && ln -s "$(readlink -f "$node")" "$work/node$i/node"
  path="$work/node$i:$bare"
  run() { (cd "$work/app" && PATH=$path "$@"); }
  nv=$(run node --version)
  got=$(run "$osvif" --version) || fail "$nv: os-vif --version"
  [ "$got" = "$version" ] || fail "$nv: os-vif --version said '$got', package.json says $version"
  run "$osvif" host-info >"$work/host-info.json" || fail "$nv: os-vif host-info"
  grep -q '"versioned_object.name": "HostInfo"' "$work/host-info.json" || fail "$nv: os-vif host-info printed no HostInfo"
  run node make-vif.mjs "$work" || fail "$nv: import of os-vif/vif"
  done_what="--version, host-info, os-vif/vif"
  if [ "$(id -u)" = 0 ]; then
    ip netns add "$ns"
    run "$osvif" plug --vif "$work/vif.json" --instance "$work/instance.json" --netns "$ns" ||
      fail "$nv: os-vif plug"
    ip -n "$ns" -d link show brsmoke >"$work/link" || fail "$nv: no link brsmoke after plug"
    grep -q 'bridge forward_delay 0 ' "$work/link" || fail "$nv: brsmoke is not the bridge os-vif makes"
    run "$osvif" unplug --vif "$work/vif.json" --instance "$work/instance.json" --netns "$ns" ||
      fail "$nv: os-vif unplug"
    ip netns del "$ns"
    done_what="$done_what, plug/unplug in a namespace"
  fi
  echo "smoke: node $nv: $done_what: ok"
done
echo "smoke: ok"
