"""Runs the real Python os-vif 3.0.0 (Debian python3-os-vif) once, for cross-checks.

Reads one JSON request on stdin:
  {"action": "plug"|"unplug", "vif": <primitive>, "instance_info": <primitive>,
   "config": {"os_vif_ovs": {...}, "os_vif_linux_bridge": {...}}}
and prints one JSON line: {"ok": true} or {"ok": false, "error": "<class>: <message>"}.
With "vifs": [<primitive>, ...] instead of "vif", it runs the action on each in turn (for the
benchmark) and adds "ms": the time taken by those calls inside this process.

Run it inside the test namespace (`ip netns exec NS /usr/bin/python3 pyosvif.py`). oslo.privsep
runs in-process: the contexts' client mode is switched off, so no privsep daemon is started.
"""
import json
import logging
import os
import shutil
import sys
import tempfile
import time

from oslo_config import cfg
import os_vif
from os_vif.objects import base as vo_base
from vif_plug_linux_bridge import privsep as lb_privsep
from vif_plug_linux_bridge import linux_bridge
from vif_plug_ovs import ovs
from vif_plug_ovs import privsep as ovs_privsep


def main():
    request = json.load(sys.stdin)
    logging.basicConfig(level=logging.CRITICAL)
    cfg.CONF([], project="pyosvif", default_config_files=[])
    for ctx in (ovs_privsep.vif_plug, lb_privsep.vif_plug):
        ctx.set_client_mode(False)
    # The plugins read some options when they are loaded: register and set them first.
    cfg.CONF.register_opts(ovs.OvsPlugin.CONFIG_OPTS, group="os_vif_ovs")
    cfg.CONF.register_opts(linux_bridge.LinuxBridgePlugin.CONFIG_OPTS,
                           group="os_vif_linux_bridge")
    for group, options in (request.get("config") or {}).items():
        for name, value in options.items():
            cfg.CONF.set_override(name, value, group=group)
    # linux_bridge takes oslo.concurrency external locks, which need a lock directory.
    lock_dir = tempfile.mkdtemp(prefix="ovtpylock")
    cfg.CONF.set_override("lock_path", lock_dir, group="oslo_concurrency")
    os_vif.initialize()
    load = vo_base.VersionedObject.obj_from_primitive
    vifs = [load(p) for p in request.get("vifs") or [request["vif"]]]
    instance = load(request["instance_info"])
    call = os_vif.plug if request["action"] == "plug" else os_vif.unplug
    try:
        started = time.perf_counter()
        for vif in vifs:
            call(vif, instance)
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"ok": True, "ms": ms} if "vifs" in request else {"ok": True}))
    except Exception as err:  # report, never crash: the caller compares outcomes
        cause = getattr(err, "kwargs", {}).get("err", "")
        detail = "%s: %s" % (type(err).__name__, err)
        if cause:
            detail += " (cause %s: %s)" % (type(cause).__name__, cause)
        print(json.dumps({"ok": False, "error": detail}))
    sys.stdout.flush()
    shutil.rmtree(lock_dir, ignore_errors=True)
    os._exit(0)  # the OVSDB IDL thread must not keep the process alive


if __name__ == "__main__":
    main()
