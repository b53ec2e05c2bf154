#!/usr/bin/python3
"""Captures golden netlink bytes from the real kernel: runs `ip` commands under strace inside a
throwaway namespace (ovtgold<pid>) and writes each command's datagrams to <name>.json.

Run as root from this folder: /usr/bin/python3 capture.py   (the unit tests read the JSON files).
"""
import json, os, re, subprocess, sys

NS = f"ovtgold{os.getpid()}"[:15]
HERE = os.path.dirname(os.path.abspath(__file__))

def ip(*args, check=True):
    return subprocess.run(["ip", "-n", NS, *args], check=check, capture_output=True, text=True)

def trace(name, *args, note=""):
    cmd = ["strace", "-f", "-qq", "-e", "trace=sendmsg,recvmsg,sendto", "-e", "write=all", "-e", "read=all",
           "-e", "signal=none", "ip", "-n", NS, *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    exchanges, cur = [], None
    for line in r.stderr.splitlines():
        m = re.match(r"^(?:\[pid\s+\d+\] )?(sendmsg|recvmsg|sendto)\((\d+),", line)
        if m:
            cur = {"op": m.group(1), "fd": int(m.group(2)), "hex": ""}
            exchanges.append(cur)
            continue
        m = re.match(r"^ \| [0-9a-f]{5}  (.{49})", line)
        if m and cur is not None:
            cur["hex"] += "".join(re.findall(r"[0-9a-f]{2}", m.group(1)))
    exchanges = [e for e in exchanges if e["hex"]]
    out = {"command": ["ip", *args], "note": note, "status": r.returncode,
           "stdout": r.stdout, "exchanges": exchanges}
    with open(os.path.join(HERE, f"{name}.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{name}: {len(exchanges)} datagrams, exit {r.returncode}")

def main():
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        ip("link", "set", "lo", "up")
        trace("link-add-bridge", "link", "add", "br0", "type", "bridge", "stp_state", "1",
              "forward_delay", "400", "ageing_time", "20000", "mcast_snooping", "0")
        trace("link-add-veth", "link", "add", "vb0", "type", "veth", "peer", "name", "vb1")
        trace("link-add-veth-mtu", "link", "add", "vb2", "mtu", "1400", "type", "veth", "peer", "name", "vb3", "mtu", "1400")
        trace("link-add-macvlan", "link", "add", "mv0", "link", "vb0", "type", "macvlan", "mode", "bridge")
        trace("link-add-macvtap", "link", "add", "mvt0", "link", "vb0", "type", "macvtap", "mode", "vepa")
        trace("link-add-vxlan", "link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "10.99.0.2",
              "local", "10.99.0.1", "dev", "vb0", "dstport", "4789", "ttl", "64", "nolearning")
        trace("link-add-dummy-unsupported", "link", "add", "d0", "type", "dummy")
        trace("link-add-vlan-unsupported", "link", "add", "link", "vb0", "name", "vb0.10", "type", "vlan", "id", "10")
        trace("link-add-exists", "link", "add", "vb0", "type", "veth", "peer", "name", "vb9")
        trace("link-set-mtu-address-up", "link", "set", "dev", "vb0", "mtu", "1400", "address", "fa:16:3e:00:00:01", "up")
        trace("link-set-master", "link", "set", "dev", "vb1", "master", "br0")
        subprocess.run(["ip", "-n", NS, "tuntap", "add", "dev", "tap0", "mode", "tap", "user", "1000"], check=True)
        ip("link", "set", "tap0", "master", "br0", "mtu", "1450")
        trace("link-get-bridge", "-d", "link", "show", "dev", "br0")
        trace("link-get-bridge-port", "-d", "link", "show", "dev", "vb1")
        trace("link-get-tap", "-d", "link", "show", "dev", "tap0")
        trace("link-get-veth", "-d", "link", "show", "dev", "vb2")
        trace("link-get-macvtap", "-d", "link", "show", "dev", "mvt0")
        trace("link-get-vxlan", "-d", "link", "show", "dev", "vx0")
        trace("link-dump", "-d", "link", "show")
        trace("link-set-bridge-stp", "link", "set", "dev", "br0", "type", "bridge", "stp_state", "0", "mcast_snooping", "1")
        trace("link-set-nomaster", "link", "set", "dev", "vb1", "nomaster")
        trace("addr-add-v4", "addr", "add", "10.99.0.1/24", "dev", "vb0")
        trace("addr-add-v6", "addr", "add", "2001:db8::1/64", "dev", "vb0", "nodad")
        ip("link", "set", "vb1", "up")
        trace("addr-dump", "addr", "show", "dev", "vb0")
        trace("route-add-via", "route", "add", "10.99.1.0/24", "via", "10.99.0.2", "dev", "vb0", "metric", "7")
        trace("route-dump", "route", "show")
        trace("route-del", "route", "del", "10.99.1.0/24", "via", "10.99.0.2", "dev", "vb0", "metric", "7")
        trace("addr-del-v4", "addr", "del", "10.99.0.1/24", "dev", "vb0")
        ip("link", "set", "vb2", "group", "7")
        ip("link", "set", "mv0", "group", "7")
        trace("link-del-group", "link", "del", "group", "7")
        trace("link-del", "link", "del", "dev", "vb0")
        trace("link-del-missing", "link", "del", "dev", "vb0")
    finally:
        subprocess.run(["ip", "netns", "del", NS])

if __name__ == "__main__":
    sys.exit(main())
