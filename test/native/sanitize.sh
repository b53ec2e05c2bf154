#!/usr/bin/env bash
# Runs the addon under AddressSanitizer (default) or valgrind, outside the ava suite (slow).
# Builds a -O1 -g copy of the addon into /tmp/ovtsan/build/Release (node-gyp-build loads it
# through OS_VIF_PREBUILD; the normal build is untouched) and runs fixtures/exercise.js, which
# calls every entry point, in a throwaway namespace. Needs root.
#   test/native/sanitize.sh [asan|valgrind]
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-asan}
out=/tmp/ovtsan
ns=ovt$$san
mkdir -p "$out/build/Release"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
npx tsc -p tsconfig.json >/dev/null || true # others' type errors do not stop the emit
flags=(-std=gnu++17 -shared -fPIC -O1 -g -fno-omit-frame-pointer -Wall -Wextra
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -I/usr/include/node -Inode_modules/node-addon-api)
run=(node dist/test/native/fixtures/exercise.js "/run/netns/$ns")
case $mode in
asan)
  g++ "${flags[@]}" -fsanitize=address native/*.cc -o "$out/build/Release/os_vif.node"
  OS_VIF_PREBUILD=$out LD_PRELOAD=$(gcc -print-file-name=libasan.so) \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "${run[@]}"
  ;;
valgrind)
  g++ "${flags[@]}" native/*.cc -o "$out/build/Release/os_vif.node"
  OS_VIF_PREBUILD=$out valgrind --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --error-exitcode=9 --trace-children=no "${run[@]}"
  ;;
*) echo "usage: $0 [asan|valgrind]" >&2; exit 2 ;;
esac
echo "sanitize.sh $mode: clean"
