# Sourced by the scripts in this folder: installs the Debian packages that os-vif's demo and
# tests use, but only those that are missing, and says which. Services are not started on the
# host (policy-rc.d): every OVS daemon we need is started privately by the harness.
ensure_system_packages() {
  local need=()
  command -v ip >/dev/null || need+=(iproute2)
  command -v ovs-vsctl >/dev/null || need+=(openvswitch-switch)
  command -v ovn-northd >/dev/null || need+=(ovn-central)   # OVN sandbox: NB/SB databases, northd
  command -v ovn-controller >/dev/null || need+=(ovn-host)  # OVN sandbox: one per chassis
  command -v ping >/dev/null || need+=(iputils-ping)
  [ -x /usr/sbin/nft ] || need+=(nftables) # by path: under npm, node_modules/.bin/nft is @vercel/nft
  command -v iptables-nft >/dev/null || need+=(iptables)
  command -v strace >/dev/null || need+=(strace)
  command -v gcc >/dev/null || need+=(gcc)
  command -v g++ >/dev/null || need+=(g++)
  command -v make >/dev/null || need+=(make)
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins) # CNI tests, bench/cni.ts: the reference plugins
  command -v clang++ >/dev/null || need+=(clang) # test/native/sanitize.sh (ASan + UBSan)
  /usr/bin/python3 -c 'import os_vif' 2>/dev/null || need+=(python3-os-vif)
  [ ${#need[@]} -eq 0 ] && return 0
  echo "os-vif: installing missing system packages: ${need[*]}" >&2
  local policy=/usr/sbin/policy-rc.d created=
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy; chmod +x $policy; created=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
  [ -n "$created" ] && rm -f $policy
  return 0
}

# Installs the npm dependencies if needed, and builds the addon when build/Release has none or
# one older than the C++: the tests run the addon of the sources at hand, never a prebuild left
# over from older sources (node-gyp-build would load one when build/Release is empty).
ensure_node_modules() {
  export npm_config_nodedir=${npm_config_nodedir:-/usr}
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  local addon=build/Release/os_vif.node
  if [ ! -e $addon ] || [ -n "$(find native binding.gyp -newer $addon -print -quit)" ]; then
    npx node-gyp rebuild >/dev/null
  fi
}

# Removes what a crashed test, demo or benchmark run left behind: namespaces named after a
# process that no longer runs (ovt<pid>x..., ovt<pid>b..., osvd<pid>...), and the private OVS
# daemons and run directories under /tmp/ovt* and /tmp/os-vif-demo*. Call it only when no other
# test run is going on (the scripts call it before and after the suite).
cleanup_leftovers() {
  local d p ns pid
  for d in /tmp/ovt*/ /tmp/os-vif-demo*/; do
    [ -d "$d" ] || continue
    for p in "$d"*.pid "$d"*/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
    rm -rf "$d"
  done
  rm -rf /tmp/ovtpylock* 2>/dev/null
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    pid=$(printf '%s' "$ns" | sed -nE 's/^(ovt|osvd)([0-9]+).*/\2/p')
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ip netns del "$ns" 2>/dev/null
  done
  return 0
}
