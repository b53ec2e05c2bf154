/**
 * The forwarding-rule cases of os-vif's linux_bridge plugin (os-vif-model.md §6.2), each with the
 * host it runs on and what every path of test/harness/datapath.ts meets before and after the plug.
 * The expected outcomes are os-vif 3.0.0's: nft-python-twin.test.ts checks them against Python.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { Locks } from '../../src/concurrency/index.js';
import { hostFactory, LinuxBridgePlugin } from '../../src/plugins/index.js';
import { objects } from '../../src/vif/index.js';
import {
  Datapath,
  type HostPolicy,
  hasBrNetfilter,
  hasDatapathTools,
  outcomes,
  type Reachability,
} from '../harness/datapath.js';
import { isRoot } from '../harness/netns.js';

/** The bridge every case plugs (one per host namespace, so every case may use the same name). */
export const BRIDGE = 'brq5e6f7a8b-9c';

/** One case. */
export interface FilterCase {
  title: string;
  policy: HostPolicy;
  /** `os_vif_linux_bridge` options. */
  options: Record<string, unknown>;
  /** The VLAN path (needs 8021q): the uplink is `vlan<N>` on nic0. */
  vlan?: number;
  /** The VIF's `has_traffic_filtering`. */
  filtering?: boolean;
  before: Reachability;
  after: Reachability;
}

const ALL_REACH = outcomes('reach', 'reach', 'reach', 'reach');
const NONE_REACH = outcomes('drop', 'drop', 'drop', 'drop');

/** Every flat-path case (runs on any kernel with br_netfilter). */
export const FLAT_CASES: readonly FilterCase[] = [
  {
    title: "forward_bridge_interface=['all'] on a Docker-like host (FORWARD policy DROP)",
    policy: 'drop',
    options: {},
    before: NONE_REACH,
    // in and out of the bridge is accepted; the bystander's own traffic still meets the policy
    after: outcomes('reach', 'reach', 'reach', 'drop'),
  },
  {
    title: "forward_bridge_interface=['up1'] on a Docker-like host",
    policy: 'drop',
    options: { forward_bridge_interface: ['up1'] },
    before: NONE_REACH,
    // bridge to bridge and bridge to up1 accepted; bridge to up2 dropped by the bridge's own rule
    after: outcomes('reach', 'reach', 'drop', 'drop'),
  },
  {
    title: "forward_bridge_interface=['up1'] on a host without any ruleset (the drops take effect)",
    policy: 'accept',
    options: { forward_bridge_interface: ['up1'] },
    before: ALL_REACH,
    after: outcomes('reach', 'reach', 'drop', 'reach'),
  },
  {
    title: "forward_bridge_interface=['up1'] with iptables_drop_action=REJECT on a host without any ruleset",
    policy: 'accept',
    options: { forward_bridge_interface: ['up1'], iptables_drop_action: 'REJECT' },
    before: ALL_REACH,
    after: outcomes('reach', 'reach', 'reject', 'reach'),
  },
  {
    title: "forward_bridge_interface=['up1'] with iptables_drop_action=REJECT on a Docker-like host",
    policy: 'drop',
    options: { forward_bridge_interface: ['up1'], iptables_drop_action: 'REJECT' },
    before: NONE_REACH,
    after: outcomes('reach', 'reach', 'reject', 'drop'),
  },
  {
    title: 'has_traffic_filtering=true on a Docker-like host (no rules: nothing changes)',
    policy: 'drop',
    options: {},
    filtering: true,
    before: NONE_REACH,
    after: NONE_REACH,
  },
];

/** The VLAN path: os-vif's non-gateway rules drop in and out of the bridge. */
export const VLAN_CASE: FilterCase = {
  title: 'VLAN network on a host without any ruleset (drop in and out of the bridge)',
  policy: 'accept',
  options: {},
  vlan: 100,
  before: ALL_REACH,
  after: outcomes('drop', 'drop', 'drop', 'reach'),
};

/** The VIF of a case: plugged onto {@link BRIDGE} with nic0 as the bridge's interface. */
export function caseVif(c: FilterCase): objects.VIFBridge {
  return new objects.VIFBridge({
    id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    address: 'fa:16:3e:5e:6f:7a',
    plugin: 'linux_bridge',
    vif_name: 'tapc3d4e5f6-a7',
    bridge_name: BRIDGE,
    has_traffic_filtering: c.filtering ?? false,
    network: new objects.Network({
      id: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
      label: 'private',
      bridge: BRIDGE,
      mtu: 1500,
      multi_host: false,
      should_provide_bridge: true,
      should_provide_vlan: c.vlan !== undefined,
      bridge_interface: 'nic0',
      vlan: c.vlan ?? null,
      subnets: new objects.SubnetList({ objects: [] }),
    }),
  });
}

/** The instance of every plug here. */
export const INSTANCE = new objects.InstanceInfo({
  uuid: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  name: 'instance-0000004d',
  project_id: '7d3c5a1b2e4f4a6b8c9d0e1f2a3b4c5d',
});

/** This library's linux_bridge plugin on namespace `netns`, with its own lock directory. */
export function libraryPlugin(
  netns: string,
  options: Record<string, unknown>,
  lockPath: string,
): LinuxBridgePlugin {
  return new LinuxBridgePlugin(options, hostFactory({ netns }), new Locks({ lock_path: lockPath }));
}

/** Why the datapath tests cannot run here, or undefined. */
export const datapathSkip = !isRoot
  ? 'needs root (network namespaces)'
  : !hasDatapathTools
    ? 'needs iptables (iptables-nft), nftables and iputils-ping'
    : !hasBrNetfilter()
      ? 'needs br_netfilter in the kernel (/proc/sys/net/bridge missing)'
      : undefined;

/** A datapath for `c`, removed after the test, also on failure. */
export function datapathFor(t: ExecutionContext, c: FilterCase): Datapath {
  const d = Datapath.create({
    policy: c.policy,
    bridge: BRIDGE,
    ...(c.vlan === undefined ? {} : { vlan: c.vlan }),
  });
  t.teardown(() => d.destroy());
  return d;
}

/** A lock directory for one test, removed after it. */
export function lockDir(t: ExecutionContext): string {
  const dir = mkdtempSync(`/tmp/ovt${process.pid}lk`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
