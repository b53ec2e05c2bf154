#!/usr/bin/env bash
# Checks the addon's prebuilds from their ELF headers alone (binutils' readelf reads any
# architecture), so it runs on this x86-64 machine for the arm64 binaries too. For each
# prebuilds/<platform-arch>/os-vif.<libc>.node it checks:
#   - the ELF machine matches the folder's arch (x64: X86-64, arm64: AArch64), 64-bit;
#   - NEEDED names only the C library's own parts (no libstdc++, libgcc_s or libc++: C++ is linked
#     statically), and for musl only libc.so (musl's loader serves every libc name itself);
#   - glibc: every symbol version it needs is GLIBC_x.y with x.y <= 2.28 (no GLIBCXX_, CXXABI_,
#     GCC_), and every undefined symbol is either versioned, weak, or Node's (napi_*, node_api_*,
#     uv_*), so none can bind to a newer glibc by accident (an unversioned `gettid` would);
#   - musl: no glibc versions, and every undefined symbol that is not Node's is defined by musl's
#     libc.so when one is installed (Debian's `musl` package; the check says when it is skipped);
#   - it exports only the two N-API entry points (the static libc++ stays private).
# Prints one row per binary (arch, libc, highest GLIBC version, NEEDED) and exits 1 on any failure.
#
# Usage: bash scripts/check-prebuilds.sh [DIR]     DIR: where prebuilds/ is (default: the repo).
# Expects all four prebuilds; OS_VIF_PREBUILDS_EXPECT="linux-x64/os-vif.glibc.node ..." changes that.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-.}
max_glibc=2.28
musl_libc=/usr/lib/x86_64-linux-musl/libc.so
expect=${OS_VIF_PREBUILDS_EXPECT:-linux-x64/os-vif.glibc.node linux-x64/os-vif.musl.node linux-arm64/os-vif.glibc.node linux-arm64/os-vif.musl.node}
command -v readelf >/dev/null || { echo "check-prebuilds: readelf not found (Debian package binutils)" >&2; exit 1; }

failures=0
fail() {
  echo "check-prebuilds: $1: $2" >&2
  failures=$((failures + 1))
}

# Is version $1 <= version $2 (dotted numbers)?
version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]; }

musl_symbols=
if [ -r "$musl_libc" ]; then
  musl_symbols=$(readelf --dyn-syms -W "$musl_libc" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && NF >= 8 { sub(/@.*/, "", $8); print $8 }' | sort -u)
fi

printf '%-31s %-7s %-5s %-11s %s\n' binary arch libc max-GLIBC NEEDED
for rel in $expect; do
  file=$root/prebuilds/$rel
  [ -f "$file" ] || { fail "$rel" "missing (build it with: npm run build:prebuilds)"; continue; }
  dir=${rel%%/*}
  arch=${dir#linux-}
  name=${rel#*/}
  libc=${name%.node}
  libc=${libc##*.}

  header=$(readelf -h "$file")
  machine=$(sed -n 's/^ *Machine: *//p' <<<"$header")
  case $arch in
    x64) want_machine='Advanced Micro Devices X86-64' loader=ld-linux-x86-64.so.2 ;;
    arm64) want_machine=AArch64 loader=ld-linux-aarch64.so.1 ;;
    *) fail "$rel" "unknown arch folder '$dir'"; continue ;;
  esac
  [ "$machine" = "$want_machine" ] || fail "$rel" "machine is '$machine', expected '$want_machine'"
  grep -q 'Class: *ELF64' <<<"$header" || fail "$rel" "not a 64-bit ELF"
  grep -q 'Type: *DYN' <<<"$header" || fail "$rel" "not a shared object"

  needed=$(readelf -d -W "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  for lib in $needed; do
    case $libc:$lib in
      glibc:libc.so.6 | glibc:libm.so.6 | glibc:libpthread.so.0 | glibc:libdl.so.2 | glibc:librt.so.1 | glibc:"$loader") ;;
      musl:libc.so) ;;
      *) fail "$rel" "needs $lib (only the $libc C library may be needed)" ;;
    esac
  done

  versions=$(readelf -V -W "$file" | sed -n 's/.*Name: \([A-Za-z_][A-Za-z0-9_.]*\) .*Flags.*/\1/p' | sort -u)
  highest=-
  for v in $versions; do
    case $v in
      GLIBC_PRIVATE) fail "$rel" "needs GLIBC_PRIVATE" ;;
      GLIBC_[0-9]*)
        n=${v#GLIBC_}
        [ "$libc" = glibc ] || fail "$rel" "a musl build needs glibc's $v"
        version_le "$n" "$max_glibc" || fail "$rel" "needs $v, newer than GLIBC_$max_glibc"
        if [ "$highest" = - ] || ! version_le "$n" "$highest"; then highest=$n; fi
        ;;
      *) fail "$rel" "needs symbol version $v (only GLIBC_x.y is allowed)" ;;
    esac
  done

  # Undefined, non-weak symbols that Node does not provide.
  undefined=$(readelf --dyn-syms -W "$file" |
    awk '$1 ~ /^[0-9]+:$/ && $7 == "UND" && $5 != "WEAK" && NF >= 8 { print $8 }' |
    grep -Ev '^(napi_|node_api_|uv_)' || true)
  if [ "$libc" = glibc ]; then
    unversioned=$(grep -v '@' <<<"$undefined" | tr '\n' ' ' || true)
    [ -z "${unversioned// /}" ] || fail "$rel" "unversioned undefined symbols (not in glibc $max_glibc?): $unversioned"
  elif [ -n "$musl_symbols" ]; then
    missing=$(comm -23 <(sed 's/@.*//' <<<"$undefined" | sort -u) <(printf '%s\n' "$musl_symbols") | tr '\n' ' ')
    [ -z "${missing// /}" ] || fail "$rel" "undefined symbols that musl's libc.so does not define: $missing"
  else
    echo "check-prebuilds: $rel: $musl_libc not found (Debian package musl): undefined symbols not checked against musl" >&2
  fi

  exported=$(readelf --dyn-syms -W "$file" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $5 != "LOCAL" && NF >= 8 { print $8 }' | sort | tr '\n' ' ')
  [ "$exported" = "napi_register_module_v1 node_api_module_get_api_version_v1 " ] ||
    fail "$rel" "exports more than the N-API entry points: ${exported:0:200}"

  [ "$libc" = glibc ] || highest='(musl)'
  printf '%-31s %-7s %-5s %-11s %s\n' "$dir/$name" "$arch" "$libc" "$highest" "$needed"
done

if [ $failures -gt 0 ]; then
  echo "check-prebuilds: $failures problem(s)" >&2
  exit 1
fi
echo "check-prebuilds: ok"
