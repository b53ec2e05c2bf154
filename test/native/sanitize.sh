#!/usr/bin/env bash
# The addon under sanitizers, outside the default suite (slower). Needs root.
#   test/native/sanitize.sh [asan|valgrind]
# asan (default, what CI runs): builds the addon with clang, -fsanitize=address,undefined
#   (-O1 -g, every UBSan check fatal) into a directory of its own (node-gyp-build loads it
#   through OS_VIF_PREBUILD; build/Release is untouched), then runs, with the ASan runtime
#   preloaded into node: fixtures/exercise.js (every entry point, success and failure paths,
#   LeakSanitizer on) and the ava tests that load the addon: test/native and the netlink
#   *.kernel tests (leak checking off: Node itself does not free everything at exit). Every report goes to a log file; any report, or any
#   failing test, fails the run. prebuilds.test.js is left out (it loads the zig-built prebuilds,
#   not this build, and runs musl's loader, which cannot load the ASan runtime);
#   faults.test.js is left out: its shim replaces operator new,
#   which ASan must own.
# valgrind: the same exercise under valgrind with a g++ build (no errors, nothing definitely lost).
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-asan}
out=/tmp/ovtsan$$
ns=ovt$$san
mkdir -p "$out/build/Release" "$out/logs"
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$out"' EXIT
ip netns add "$ns"
npx tsc -p tsconfig.json >/dev/null
headers=(-I/usr/include/node -Inode_modules/node-addon-api)
defines=(-DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_CPP_EXCEPTIONS_ALL)
flags=(-std=gnu++17 -shared -fPIC -O1 -g -fno-omit-frame-pointer -Wall -Wextra "${defines[@]}" "${headers[@]}")
exercise=(node dist/test/native/fixtures/exercise.js "/run/netns/$ns")
started=$SECONDS
case $mode in
asan)
  command -v clang++ >/dev/null || { echo "sanitize.sh: clang++ is needed (apt-get install clang)" >&2; exit 2; }
  clang++ "${flags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=undefined -shared-libsan \
    native/*.cc -o "$out/build/Release/os_vif.node"
  runtime=$(clang++ -print-file-name=libclang_rt.asan-x86_64.so)
  export OS_VIF_PREBUILD=$out LD_PRELOAD=$runtime
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$out/logs/ubsan
  ASAN_OPTIONS=detect_leaks=1:log_path=$out/logs/exercise "${exercise[@]}" >/dev/null
  tests=$(ls dist/test/native/*.test.js dist/test/netlink/*.kernel.test.js | grep -Ev '/(faults|prebuilds)\.test\.js$')
  # shellcheck disable=SC2086
  status=0
  ASAN_OPTIONS=detect_leaks=0:log_path=$out/logs/asan npx ava --timeout=300s $tests || status=$?
  if compgen -G "$out/logs/*" >/dev/null; then
    for log in "$out"/logs/*; do echo "== $log" >&2; cat "$log" >&2; done
    echo "sanitize.sh asan: sanitizer reports (above)" >&2
    exit 1
  fi
  [ "$status" = 0 ] || { echo "sanitize.sh asan: tests failed under the sanitizers" >&2; exit "$status"; }
  ;;
valgrind)
  g++ "${flags[@]}" native/*.cc -o "$out/build/Release/os_vif.node"
  OS_VIF_PREBUILD=$out valgrind --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --error-exitcode=9 --trace-children=no "${exercise[@]}"
  ;;
*) echo "usage: $0 [asan|valgrind]" >&2; exit 2 ;;
esac
echo "sanitize.sh $mode: clean ($((SECONDS - started)) s)"
