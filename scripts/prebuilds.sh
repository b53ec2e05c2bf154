#!/usr/bin/env bash
# Builds the addon's prebuilds into prebuilds/<platform>-<arch>/ with prebuildify (Node-API: one
# binary serves every Node version the package supports). `npm run build:prebuilds` runs it;
# npm's prepack runs it with --if-missing, which builds only when the prebuild is missing or older
# than a file of native/ or binding.gyp (so a tarball never ships a stale binary).
#
# This version builds the prebuild of the machine it runs on (linux-x64, glibc, here).
set -euo pipefail
cd "$(dirname "$0")/.."

target="$(node -p 'process.platform + "-" + process.arch')"
if [ "${1:-}" = --if-missing ]; then
  current=
  for f in prebuilds/"$target"/*.node; do
    [ -e "$f" ] && [ -z "$(find native binding.gyp -newer "$f" -print -quit)" ] && current=$f
  done
  [ -z "$current" ] || exit 0
fi
# node-gyp needs Node's headers: the distribution's (Debian's nodejs-dev: /usr/include/node) when
# the running node is the system one, else whatever npm_config_nodedir already says.
if [ -z "${npm_config_nodedir:-}" ] && [ "$(command -v node)" = /usr/bin/node ] && [ -e /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi
npx prebuildify --napi --strip
ls -l prebuilds/"$target"/
