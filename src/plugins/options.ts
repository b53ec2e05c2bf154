/**
 * Configuration options of the reference plugins, with os-vif's names, types and defaults
 * (§6.2, §6.3), and
 * the `[DEFAULT]` aliases os-vif declares (`deprecated_group`). The library checks a group against these before a plugin is built; a plugin
 * built directly checks its options with {@link readOptions}.
 */
import { type ConfigOption, resolveOptions } from '../vif/index.js';

/** Checks `given` against `specs` (InvalidConfig naming group, option and value) and fills defaults. */
export function readOptions<T>(
  group: string,
  specs: readonly ConfigOption[],
  given: Readonly<Record<string, unknown>> = {},
): T {
  return resolveOptions(group, specs, given) as unknown as T;
}

/** Options of the ovs plugin (group `os_vif_ovs`). */
export const OVS_OPTIONS: readonly ConfigOption[] = [
  {
    name: 'network_device_mtu',
    deprecatedGroup: 'DEFAULT',
    type: 'integer',
    default: 1500,
    min: 68,
    help: 'MTU when the network has none',
  },
  {
    name: 'ovs_vsctl_timeout',
    deprecatedGroup: 'DEFAULT',
    type: 'integer',
    default: 120,
    min: 0,
    help: 'OVSDB request timeout, and bound of the wait for ovs-vswitchd, in seconds (0: wait forever)',
  },
  {
    name: 'wait_for_vswitchd',
    type: 'boolean',
    default: true,
    help: 'After each transaction wait (up to ovs_vsctl_timeout) for ovs-vswitchd to apply it, as os-vif does; false: return at the commit (an addition of this library, for hosts or tests without ovs-vswitchd)',
  },
  {
    name: 'wait_for_ovn_installed',
    type: 'boolean',
    default: false,
    help: 'A plug resolves only once ovn-controller marked the port external_ids:ovn-installed=true, and an unplug once the port no longer carries its iface-id, within ovs_vsctl_timeout (an addition of this library; OvnNotInstalled otherwise)',
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
  wait_for_vswitchd: boolean;
  wait_for_ovn_installed: boolean;
  ovsdb_connection: string;
  ovsdb_interface: 'native' | 'vsctl';
  isolate_vif: boolean;
  per_port_bridge: boolean;
  sysfs_root: string;
}

/** Options of the linux_bridge plugin (group `os_vif_linux_bridge`). */
export const LINUX_BRIDGE_OPTIONS: readonly ConfigOption[] = [
  {
    name: 'use_ipv6',
    deprecatedGroup: 'DEFAULT',
    type: 'boolean',
    default: false,
    help: 'Also manage the IPv6 filter table',
  },
  {
    name: 'iptables_top_regex',
    deprecatedGroup: 'DEFAULT',
    type: 'string',
    default: '',
    help: 'Rules matching it are moved to the top',
  },
  {
    name: 'iptables_bottom_regex',
    deprecatedGroup: 'DEFAULT',
    type: 'string',
    default: '',
    help: 'Rules matching it are moved to the bottom',
  },
  {
    name: 'iptables_drop_action',
    deprecatedGroup: 'DEFAULT',
    type: 'string',
    default: 'DROP',
    help: 'Target of drop rules',
  },
  {
    name: 'forward_bridge_interface',
    deprecatedGroup: 'DEFAULT',
    type: 'string-list',
    default: ['all'],
    help: 'Interfaces a bridge may forward to',
  },
  {
    name: 'vlan_interface',
    deprecatedGroup: 'DEFAULT',
    type: 'string',
    default: null,
    help: 'Parent NIC for VLAN networks',
  },
  {
    name: 'flat_interface',
    deprecatedGroup: 'DEFAULT',
    type: 'string',
    default: null,
    help: 'NIC for flat networks',
  },
  {
    name: 'network_device_mtu',
    deprecatedGroup: 'DEFAULT',
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
