/**
 * The network configuration on stdin and the `CNI_*` environment, checked before anything
 * changes (bad input is a CNI error with the spec's code: 1 version, 4 environment, 6 decode,
 * 7 configuration).
 */
import { OSLO_CONCURRENCY_OPTIONS } from '../concurrency/index.js';
import { checkName } from '../netlink/index.js';
import { LINUX_BRIDGE_OPTIONS, OVS_OPTIONS } from '../plugins/index.js';
import type { ConfigGroups } from '../vif/index.js';
import { CNI_CODES, CniError } from './errors.js';
import { checkVersion, decode } from './version.js';

export { checkVersion, decode, SUPPORTED_VERSIONS } from './version.js';

import type { CniEnv, CniResult } from './types.js';

const COMMANDS = ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'] as const;
/** The spec's network name and container id alphabets. */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const DEFAULT_DATA_DIR = '/var/lib/cni/os-vif';

/** The checked network configuration. */
export interface NetConf {
  cniVersion: string;
  name: string;
  plugin: 'linux_bridge' | 'ovs';
  bridge: string;
  mtu?: number;
  /** os-vif configuration groups from the netconf's os-vif option names. */
  config: ConfigGroups;
  /** For ovs: the port profile's datapath type (default `system`, as os-vif's). */
  datapathType?: string;
  /** For linux_bridge: a VLAN on `bridge_interface`. */
  vlan?: number;
  bridgeInterface?: string;
  ipam?: { type: string };
  prevResult?: CniResult;
  /** Where attachment records live (for GC). */
  dataDir: string;
  /** GC's `cni.dev/valid-attachments`. */
  validAttachments?: { containerId: string; ifname: string }[];
  /** The netconf as received, passed to IPAM unchanged. */
  raw: string;
}

const fail = (code: number, msg: string): never => {
  throw new CniError(code, msg);
};

/** Reads the environment; CNI_COMMAND and (for ADD/DEL/CHECK) the container's variables. */
export function readEnv(env: Record<string, string | undefined>): CniEnv {
  const command = env.CNI_COMMAND;
  if (!command || !(COMMANDS as readonly string[]).includes(command))
    fail(CNI_CODES.invalidEnv, `CNI_COMMAND must be one of ${COMMANDS.join(', ')}`);
  const out: CniEnv = {
    command: command as CniEnv['command'],
    path: (env.CNI_PATH ?? '').split(':').filter((p) => p !== ''),
  };
  if (command === 'ADD' || command === 'DEL' || command === 'CHECK') {
    const id = env.CNI_CONTAINERID;
    if (!id || !NAME_RE.test(id))
      fail(CNI_CODES.invalidEnv, 'CNI_CONTAINERID must be set (letters, digits, _ . -)');
    out.containerId = id as string;
    const ifname = env.CNI_IFNAME;
    if (!ifname) fail(CNI_CODES.invalidEnv, 'CNI_IFNAME must be set');
    try {
      out.ifname = checkName('CNI_IFNAME', ifname);
    } catch (e) {
      fail(CNI_CODES.invalidEnv, (e as Error).message);
    }
    if (command !== 'DEL' && !env.CNI_NETNS)
      fail(CNI_CODES.invalidEnv, `CNI_NETNS must be set for ${command}`);
    if (env.CNI_NETNS) out.netns = env.CNI_NETNS;
  }
  if (env.CNI_ARGS) out.args = env.CNI_ARGS;
  return out;
}

function optionGroups(conf: Record<string, unknown>, plugin: NetConf['plugin']): ConfigGroups {
  const declared = plugin === 'ovs' ? OVS_OPTIONS : LINUX_BRIDGE_OPTIONS;
  const group = plugin === 'ovs' ? 'os_vif_ovs' : 'os_vif_linux_bridge';
  const pick = (names: readonly { name: string }[]) =>
    Object.fromEntries(names.filter((o) => o.name in conf).map((o) => [o.name, conf[o.name]]));
  const concurrency = pick(OSLO_CONCURRENCY_OPTIONS);
  return {
    [group]: pick(declared),
    ...(Object.keys(concurrency).length > 0 ? { oslo_concurrency: concurrency } : {}),
  };
}

/** Checks the network configuration of ADD, DEL, CHECK, STATUS and GC. */
export function readNetConf(stdin: string): NetConf {
  const conf = decode(stdin);
  const cniVersion = checkVersion(conf.cniVersion);
  const name = conf.name;
  if (typeof name !== 'string' || !NAME_RE.test(name))
    fail(CNI_CODES.invalidConfig, 'name must be set (letters, digits, _ . -)');
  const plugin = conf.plugin ?? 'linux_bridge';
  if (plugin !== 'linux_bridge' && plugin !== 'ovs')
    fail(CNI_CODES.invalidConfig, `plugin must be linux_bridge or ovs, not ${JSON.stringify(plugin)}`);
  const p = plugin as NetConf['plugin'];
  const bridge = conf.bridge ?? (p === 'ovs' ? 'br-int' : 'cni0');
  try {
    checkName('bridge', bridge);
  } catch (e) {
    fail(CNI_CODES.invalidConfig, (e as Error).message);
  }
  const out: NetConf = {
    cniVersion,
    name: name as string,
    plugin: p,
    bridge: bridge as string,
    config: optionGroups(conf, p),
    dataDir: DEFAULT_DATA_DIR,
    raw: stdin,
  };
  if (conf.mtu !== undefined) {
    if (!Number.isInteger(conf.mtu) || (conf.mtu as number) < 68 || (conf.mtu as number) > 65535)
      fail(CNI_CODES.invalidConfig, 'mtu must be an integer from 68 to 65535');
    out.mtu = conf.mtu as number;
  }
  if (conf.dataDir !== undefined) {
    if (typeof conf.dataDir !== 'string' || !conf.dataDir.startsWith('/'))
      fail(CNI_CODES.invalidConfig, 'dataDir must be an absolute path');
    out.dataDir = conf.dataDir as string;
  }
  if (conf.datapath_type !== undefined) {
    if (typeof conf.datapath_type !== 'string')
      fail(CNI_CODES.invalidConfig, 'datapath_type must be a string');
    out.datapathType = conf.datapath_type as string;
  }
  if (conf.vlan !== undefined) {
    if (!Number.isInteger(conf.vlan) || (conf.vlan as number) < 1 || (conf.vlan as number) > 4094)
      fail(CNI_CODES.invalidConfig, 'vlan must be a VLAN id from 1 to 4094');
    if (typeof conf.bridge_interface !== 'string')
      fail(CNI_CODES.invalidConfig, 'vlan needs bridge_interface');
    out.vlan = conf.vlan as number;
  }
  if (conf.bridge_interface !== undefined) {
    try {
      out.bridgeInterface = checkName('bridge_interface', conf.bridge_interface);
    } catch (e) {
      fail(CNI_CODES.invalidConfig, (e as Error).message);
    }
  }
  if (conf.ipam !== undefined) {
    const ipam = conf.ipam as { type?: unknown } | null;
    if (typeof ipam !== 'object' || ipam === null || Object.keys(ipam).length === 0) {
      // an empty ipam section means none, as the reference plugins read it
    } else if (typeof ipam.type !== 'string' || !NAME_RE.test(ipam.type))
      fail(CNI_CODES.invalidConfig, 'ipam.type must name a plugin (letters, digits, _ . -)');
    else out.ipam = { type: ipam.type };
  }
  if (conf.prevResult !== undefined) {
    if (typeof conf.prevResult !== 'object' || conf.prevResult === null)
      fail(CNI_CODES.invalidConfig, 'prevResult must be an object');
    out.prevResult = conf.prevResult as CniResult;
  }
  const valid = conf['cni.dev/valid-attachments'];
  if (valid !== undefined) {
    if (!Array.isArray(valid)) fail(CNI_CODES.invalidConfig, 'cni.dev/valid-attachments must be a list');
    out.validAttachments = (valid as { containerID?: unknown; ifname?: unknown }[]).map((a) => ({
      containerId: String(a?.containerID ?? ''),
      ifname: String(a?.ifname ?? ''),
    }));
  }
  return out;
}
