#!/usr/bin/env bash
# Builds the addon's prebuilds into prebuilds/<platform>-<arch>/ with prebuildify (Node-API: one
# binary serves every Node version the package supports). `npm run build:prebuilds` runs it;
# npm's prepack runs it with --if-missing, which builds only when a prebuild is missing.
#
# This version builds the prebuild of the machine it runs on (linux-x64, glibc, here).
set -euo pipefail
cd "$(dirname "$0")/.."

target="$(node -p 'process.platform + "-" + process.arch')"
if [ "${1:-}" = --if-missing ] && compgen -G "prebuilds/$target/*.node" >/dev/null; then
  exit 0
fi
# node-gyp needs Node's headers: the distribution's (Debian's nodejs-dev: /usr/include/node) when
# the running node is the system one, else whatever npm_config_nodedir already says.
if [ -z "${npm_config_nodedir:-}" ] && [ "$(command -v node)" = /usr/bin/node ] && [ -e /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi
npx prebuildify --napi --strip
ls -l prebuilds/"$target"/
