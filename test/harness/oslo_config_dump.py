"""The witness for test/config/oslo.test.ts: reads oslo.config files as Python os-vif would.

stdin: a JSON list of cases, each a list of config file paths. For each case, registers the
ovs and linux_bridge plugins' CONFIG_OPTS (os-vif 3.0.0) in their groups and
oslo.concurrency's [oslo_concurrency] options (lock_path, disable_process_locking), parses the files with
python3-oslo.config, and prints one JSON line: {"ok": {group: {option: value}}} or
{"error": class name, "message": text}.
"""
import json
import sys

from oslo_concurrency import lockutils
from oslo_config import cfg
from vif_plug_linux_bridge.linux_bridge import LinuxBridgePlugin
from vif_plug_ovs.ovs import OvsPlugin

GROUPS = {
    'os_vif_linux_bridge': LinuxBridgePlugin.CONFIG_OPTS,
    'os_vif_ovs': OvsPlugin.CONFIG_OPTS,
    'oslo_concurrency': lockutils._opts,
}


def read(files):
    conf = cfg.ConfigOpts()
    for group, opts in GROUPS.items():
        conf.register_opts(opts, group=group)
    args = [a for f in files for a in ('--config-file', f)]
    try:
        conf(args=args, project='os-vif-test', default_config_files=[],
             default_config_dirs=[], use_env=False)
        return {'ok': {g: {o.dest: conf[g][o.dest] for o in opts}
                       for g, opts in GROUPS.items()}}
    except Exception as e:  # every failure is an answer here
        return {'error': type(e).__name__, 'message': str(e)}


for case in json.load(sys.stdin):
    print(json.dumps(read(case)))
