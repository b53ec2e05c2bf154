/**
 * Configuration options of the reference plugins, with os-vif's names, types and defaults
 * (§6.2, §6.3). Each plugin reads its group (`os_vif_<plugin>`) through {@link readOptions},
 * which checks every value before the plugin sees it.
 */

/** One declared option. */
export interface OptionSpec {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'string-list';
  default: string | number | boolean | string[] | null;
  help: string;
  /** Allowed values (for enumerated strings). */
  choices?: readonly string[];
  /** Inclusive minimum for integers. */
  min?: number;
}

/** The error for a bad option value; names group, option and value. */
export class InvalidOption extends Error {
  constructor(group: string, option: string, value: unknown, why: string) {
    super(`[${group}] ${option}=${JSON.stringify(value)}: ${why}`);
    this.name = 'InvalidOption';
  }
}

/** Validates `given` against `specs` and fills defaults; unknown keys are rejected. */
export function readOptions<T>(
  group: string,
  specs: readonly OptionSpec[],
  given: Record<string, unknown> = {},
): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!specs.some((s) => s.name === key)) throw new InvalidOption(group, key, given[key], 'unknown option');
  }
  for (const spec of specs) {
    const value = given[spec.name];
    out[spec.name] = value === undefined ? spec.default : check(group, spec, value);
  }
  return out as T;
}

function check(group: string, spec: OptionSpec, value: unknown): unknown {
  const bad = (why: string) => new InvalidOption(group, spec.name, value, why);
  if (value === null && spec.default === null) return null;
  switch (spec.type) {
    case 'integer':
      if (!Number.isSafeInteger(value)) throw bad('must be an integer');
      if (spec.min !== undefined && (value as number) < spec.min) throw bad(`must be at least ${spec.min}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('must be true or false');
      return value;
    case 'string':
      if (typeof value !== 'string') throw bad('must be a string');
      if (spec.choices && !spec.choices.includes(value))
        throw bad(`must be one of ${spec.choices.join(', ')}`);
      return value;
    case 'string-list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw bad('must be a list of strings');
      return value;
  }
}

/** Options of the ovs plugin (group `os_vif_ovs`). */
export const OVS_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'network_device_mtu',
    type: 'integer',
    default: 1500,
    min: 68,
    help: 'MTU when the network has none',
  },
  {
    name: 'ovs_vsctl_timeout',
    type: 'integer',
    default: 120,
    min: 0,
    help: 'OVSDB request timeout in seconds (0: wait forever)',
  },
  {
    name: 'ovsdb_connection',
    type: 'string',
    default: 'tcp:127.0.0.1:6640',
    help: 'OVSDB endpoint: tcp:, ssl: or unix:',
  },
  {
    name: 'ovsdb_interface',
    type: 'string',
    default: 'native',
    choices: ['native', 'vsctl'],
    help: 'Accepted for compatibility; both values use the native OVSDB client (no ovs-vsctl processes)',
  },
  {
    name: 'isolate_vif',
    type: 'boolean',
    default: false,
    help: 'Put new ports on VLAN tag 4095 until an agent wires them',
  },
  {
    name: 'per_port_bridge',
    type: 'boolean',
    default: false,
    help: 'Per-VIF OVS bridge joined to the integration bridge by patch ports',
  },
  {
    name: 'sysfs_root',
    type: 'string',
    default: '/sys',
    help: 'Where sysfs is mounted (representor lookups; tests give a made-up tree)',
  },
];

/** Values of the ovs plugin's options. */
export interface OvsOptions {
  network_device_mtu: number;
  ovs_vsctl_timeout: number;
  ovsdb_connection: string;
  ovsdb_interface: 'native' | 'vsctl';
  isolate_vif: boolean;
  per_port_bridge: boolean;
  sysfs_root: string;
}

/** Options of the linux_bridge plugin (group `os_vif_linux_bridge`). */
export const LINUX_BRIDGE_OPTIONS: readonly OptionSpec[] = [
  { name: 'use_ipv6', type: 'boolean', default: false, help: 'Also manage the IPv6 filter table' },
  { name: 'iptables_top_regex', type: 'string', default: '', help: 'Rules matching it are moved to the top' },
  {
    name: 'iptables_bottom_regex',
    type: 'string',
    default: '',
    help: 'Rules matching it are moved to the bottom',
  },
  { name: 'iptables_drop_action', type: 'string', default: 'DROP', help: 'Target of drop rules' },
  {
    name: 'forward_bridge_interface',
    type: 'string-list',
    default: ['all'],
    help: 'Interfaces a bridge may forward to',
  },
  { name: 'vlan_interface', type: 'string', default: null, help: 'Parent NIC for VLAN networks' },
  { name: 'flat_interface', type: 'string', default: null, help: 'NIC for flat networks' },
  {
    name: 'network_device_mtu',
    type: 'integer',
    default: 1500,
    min: 68,
    help: 'MTU when the network has none',
  },
];

/** Values of the linux_bridge plugin's options. */
export interface LinuxBridgeOptions {
  use_ipv6: boolean;
  iptables_top_regex: string;
  iptables_bottom_regex: string;
  iptables_drop_action: string;
  forward_bridge_interface: string[];
  vlan_interface: string | null;
  flat_interface: string | null;
  network_device_mtu: number;
}
