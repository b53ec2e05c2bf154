"""Drives Python os-vif 3.0.0's linux_bridge plugin (Debian python3-os-vif) in process, for the
forwarding-rule cross-checks and the nftables benchmark.

Reads one JSON request on stdin and prints one JSON line; with --serve, one request a line, one
answer a line, until stdin ends (Python's start-up, a second or more, is paid once). A request's
"netns" moves the process into that namespace first, its "lock_path" (default: a private
directory) is where os-vif's external locks go (setns, as `ip netns exec` does); the plugin
is loaded anew (os_vif.initialize(reset=True)) when the namespace or the options change.
Run as root: os-vif's iptables manager shells out to
`iptables-save -c` / `iptables-restore -c`, which are iptables-nft on Debian. oslo.privsep runs
in process (client mode off: no daemon, no rootwrap); the external locks (`nova-lock_bridge`,
`nova-iptables`, ...) live in a private lock_path.

Requests ("config" as for pyosvif.py: {"os_vif_linux_bridge": {option: value}}):
  {"action": "plug", "vif": <primitive>, "instance_info": <primitive>, "config": {...}}
      os_vif.plug, as a caller would: {"ok": true} or {"ok": false, "error": "..."}.
  {"action": "filter", "bridges": ["br0", ...], "gateway": true|false, "config": {...}}
      os-vif's own rule step, linux_net._ensure_bridge_filtering(bridge, gateway) for each bridge
      in turn: the flat path's gateway rules (gateway true) or the VLAN path's drop rules (false,
      which os-vif 3.0.0's plug never reaches: it raises TypeError one call before). Answers
      {"ok": true, "ms": [per-bridge milliseconds], "cpu_ms": [...]}: each bridge's
      iptables-save/rewrite/iptables-restore cycle, timed inside this process, and the CPU time
      it took (this process and the iptables processes it ran), which the machine's load does
      not inflate as it does the wall time.
"""
import ctypes
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time

from oslo_config import cfg
import os_vif
from os_vif.objects import base as vo_base
from vif_plug_linux_bridge import linux_bridge
from vif_plug_linux_bridge import linux_net
from vif_plug_linux_bridge import privsep as lb_privsep

CLONE_NEWNET = 0x40000000


def enter_netns(name):
    """Moves this process into network namespace /run/netns/NAME (what `ip netns exec` does)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/%s" % name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns %s" % name)
    finally:
        os.close(fd)


_loaded_for = [None]


def cpu_seconds():
    """CPU time of this process and of its waited-for children (iptables-save/-restore)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def handle(request, lock_dir):
    """Runs one request; returns the answer."""
    if request.get("netns"):
        enter_netns(request["netns"])
    # a request may share its lock directory with other processes (os-vif's external locks)
    cfg.CONF.set_override("lock_path", request.get("lock_path") or lock_dir,
                          group="oslo_concurrency")
    # os-vif keeps one IptablesManager per process and re-applies all its rules on every plug:
    # the plugin is loaded anew (a new manager) only for another namespace or other options, so
    # plugs into one namespace accumulate their rules as they do in a compute agent
    group = "os_vif_linux_bridge"
    options = (request.get("config") or {}).get(group) or {}
    key = json.dumps([request.get("netns"), options], sort_keys=True)
    if key != _loaded_for[0]:
        for opt in linux_bridge.LinuxBridgePlugin.CONFIG_OPTS:
            cfg.CONF.clear_override(opt.dest, group=group)
        for name, value in options.items():
            cfg.CONF.set_override(name, value, group=group)
        os_vif.initialize(reset=True)
        _loaded_for[0] = key
    try:
        if request["action"] == "plug":
            load = vo_base.VersionedObject.obj_from_primitive
            os_vif.plug(load(request["vif"]), load(request["instance_info"]))
            return {"ok": True}
        gateway = True if request.get("gateway") else None
        ms = []
        cpu_ms = []
        for bridge in request["bridges"]:
            started, cpu = time.perf_counter(), cpu_seconds()
            linux_net._ensure_bridge_filtering(bridge, gateway)
            ms.append((time.perf_counter() - started) * 1000)
            cpu_ms.append((cpu_seconds() - cpu) * 1000)
        return {"ok": True, "ms": ms, "cpu_ms": cpu_ms}
    except Exception as err:  # report, never crash: the caller compares outcomes
        cause = getattr(err, "kwargs", {}).get("err", "")
        detail = "%s: %s" % (type(err).__name__, err)
        if cause:
            detail += " (cause %s: %s)" % (type(cause).__name__, cause)
        return {"ok": False, "error": detail}


def main():
    logging.basicConfig(level=logging.CRITICAL)
    cfg.CONF([], project="pylinuxbridge", default_config_files=[])
    lb_privsep.vif_plug.set_client_mode(False)
    cfg.CONF.register_opts(linux_bridge.LinuxBridgePlugin.CONFIG_OPTS,
                           group="os_vif_linux_bridge")
    lock_dir = tempfile.mkdtemp(prefix="ovtpylock")
    try:
        if "--serve" in sys.argv:
            for line in sys.stdin:
                if line.strip():
                    print(json.dumps(handle(json.loads(line), lock_dir)))
                    sys.stdout.flush()
        else:
            print(json.dumps(handle(json.load(sys.stdin), lock_dir)))
            sys.stdout.flush()
    finally:
        shutil.rmtree(lock_dir, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":
    main()
