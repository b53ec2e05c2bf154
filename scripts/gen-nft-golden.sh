#!/usr/bin/env bash
# Regenerates test/fixtures/nftables/golden.json: the datagrams `nft` 1.0.6 and `iptables-nft`
# 1.8.9 send for each message kind os-vif/nftables writes, captured with
# `strace -e trace=sendmsg,sendto -e write=all` inside a throwaway network namespace (as root).
# test/nftables/golden.test.ts encodes the same changes and compares the bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/nftables/golden.json
ns="ovtgold$$"
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

cases=()
# name|setup (nft -f text, may be empty)|nft:COMMANDS (run as `nft -f`) or run:ARGV (split on spaces)
add() { cases+=("$1|$2|$3"); }
base='table ip filter { chain FORWARD { type filter hook forward priority 0; policy drop; } ; chain os-vif-br-br0 { } ; chain os-vif-filter-top { } ; }'
ipt='table ip filter { chain FORWARD { type filter hook forward priority 0; policy accept; } ; chain os-vif-br-br0 { } ; }'
add newtable '' 'nft:add table ip os-vif'
add newchain-base 'table ip os-vif { }' 'nft:add chain ip os-vif forward { type filter hook forward priority 0 ; policy accept ; }'
add newchain-regular "$base" 'nft:add chain ip filter os-vif-br-br1'
add newrule-iif-accept "$base" 'nft:add rule ip filter os-vif-br-br0 iifname "br0" counter accept comment "os-vif:br0"'
add newrule-oif-drop "$base" 'nft:add rule ip filter os-vif-br-br0 oifname "br0" counter drop comment "os-vif:br0"'
add newrule-iif-oif-accept "$base" 'nft:add rule ip filter os-vif-br-br0 iifname "br0" oifname "eth1" counter accept comment "os-vif:br0"'
add newrule-oif-reject "$base" 'nft:add rule ip filter os-vif-br-br0 oifname "br0" counter reject comment "os-vif:br0"'
add newrule-insert-jump "$base" 'nft:insert rule ip filter FORWARD counter jump os-vif-filter-top comment "os-vif"'
add newrule-append-jump "$base" 'nft:add rule ip filter os-vif-filter-top counter jump os-vif-br-br0 comment "os-vif:br0"'
add newrule-wildcard "$base" 'nft:add rule ip filter os-vif-br-br0 iifname "eth*" counter accept'
add delrule "$base ; add rule ip filter os-vif-br-br0 counter accept" 'nft:delete rule ip filter os-vif-br-br0 handle 4'
add flushchain "$base" 'nft:flush chain ip filter os-vif-br-br0'
add delchain "$base" 'nft:delete chain ip filter os-vif-br-br0'
add deltable 'table ip os-vif { }' 'nft:delete table ip os-vif'
add iptables-reject "$ipt" 'run:iptables-nft -A os-vif-br-br0 -o br0 -j REJECT'
add iptables-accept "$ipt" 'run:iptables-nft -A os-vif-br-br0 -i br0 -j ACCEPT'
add list-chain "$base" 'nft:list chain ip filter os-vif-br-br0'
add list-ruleset "$base" 'nft:list ruleset'

echo "[" > "$tmp/out.json"
first=1
for c in "${cases[@]}"; do
  IFS='|' read -r name setup cmd <<<"$c"
  ip netns add "$ns"
  if [ -n "$setup" ]; then printf '%s\n' "$setup" | ip netns exec "$ns" nft -f -; fi
  if [[ $cmd == nft:* ]]; then
    printf '%s\n' "${cmd#nft:}" > "$tmp/cmd.nft"
    argv=(nft -f "$tmp/cmd.nft")
  else
    read -r -a argv <<<"${cmd#run:}"
  fi
  ip netns exec "$ns" strace -o "$tmp/trace" -e trace=sendmsg,sendto -e write=all -- "${argv[@]}" > /dev/null
  python3 - "$tmp/trace" "$name" "${cmd#*:}" > "$tmp/case.json" <<'PY'
import json, re, sys
trace, name, cmd = sys.argv[1:]
datagrams, cur = [], None
for line in open(trace):
    if re.match(r'(sendmsg|sendto)\(', line):
        cur = bytearray(); datagrams.append(cur); continue
    m = re.match(r'\s*\| [0-9a-f]{5}  (.{1,49})', line)
    if m and cur is not None:
        cur.extend(bytes.fromhex(''.join(re.findall(r'[0-9a-f]{2}', m.group(1)))))
print(json.dumps({'name': name, 'command': cmd, 'datagrams': [d.hex() for d in datagrams]}))
PY
  [ $first = 1 ] || echo "," >> "$tmp/out.json"
  first=0
  cat "$tmp/case.json" >> "$tmp/out.json"
  ip netns del "$ns"
done
echo "]" >> "$tmp/out.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump({"generator":"scripts/gen-nft-golden.sh","nft":sys.argv[2],"iptables":sys.argv[3],"cases":d}, open(sys.argv[4],"w"), indent=1)' \
  "$tmp/out.json" "$(nft --version)" "$(iptables-nft --version)" "$out"
# the repository's formatter, so `biome check` passes on the fixture
npx biome format --write "$out" > /dev/null
echo "wrote $out"
