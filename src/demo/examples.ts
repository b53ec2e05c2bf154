/**
 * Example VIFs for the demo and `examples/`: what Nova would hand a compute agent, built with
 * the os-vif object classes. Addresses and ids are fixed so runs are comparable.
 */
import { objects } from '../vif/index.js';

/** One example: a VIF, the plugin options it needs, and what it shows. */
export interface Example {
  title: string;
  vif: objects.VIFBase;
  /** Extra options for a dedicated plugin instance (e.g. per_port_bridge). */
  ovsOptions?: Record<string, unknown>;
}

const INSTANCE_UUID = '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10';

/** The instance all examples belong to. */
export function exampleInstance(): objects.InstanceInfo {
  return new objects.InstanceInfo({
    uuid: INSTANCE_UUID,
    name: 'instance-0000002a',
    project_id: '7d3c5a1b2e4f4a6b8c9d0e1f2a3b4c5d',
  });
}

function network(fields: {
  bridge: string;
  mtu?: number;
  provideBridge?: boolean;
  iface?: string | null;
}): objects.Network {
  return new objects.Network({
    id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
    label: 'demo',
    bridge: fields.bridge,
    mtu: fields.mtu ?? 1450,
    multi_host: false,
    should_provide_bridge: fields.provideBridge ?? false,
    should_provide_vlan: false,
    bridge_interface: fields.iface ?? null,
    vlan: null,
    subnets: new objects.SubnetList({ objects: [] }),
  });
}

function ovsProfile(
  id: string,
  fields: { datapath?: string; createPort?: boolean } = {},
): objects.VIFPortProfileOpenVSwitch {
  return new objects.VIFPortProfileOpenVSwitch({
    interface_id: id,
    profile_id: '',
    datapath_type: fields.datapath ?? 'netdev',
    create_port: fields.createPort ?? false,
  });
}

/** A hybrid-plugged VIF (ovs plugin, VIFBridge): qbr + qvb/qvo + OVS port. */
export function hybridVif(id: string, mac: string): objects.VIFBridge {
  return new objects.VIFBridge({
    id,
    address: mac,
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    has_traffic_filtering: true,
    network: network({ bridge: 'br-int' }),
    port_profile: ovsProfile(id),
  });
}

/** A VIFOpenVSwitch with create_port (the tap is made by the hypervisor, here by the demo). */
export function ovsVif(id: string, mac: string): objects.VIFOpenVSwitch {
  return new objects.VIFOpenVSwitch({
    id,
    address: mac,
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: 'br-int',
    network: network({ bridge: 'br-int' }),
    port_profile: ovsProfile(id, { createPort: true }),
  });
}

/** A vhost-user VIF, server mode (OVS is the client): only OVS rows (no DPDK here). */
export function vhostUserVif(id: string, mac: string, plugin: 'ovs' | 'noop' = 'ovs'): objects.VIFVHostUser {
  return new objects.VIFVHostUser({
    id,
    address: mac,
    plugin,
    mode: 'server',
    path: `/tmp/os-vif-demo${process.pid}/vhu${id.slice(0, 8)}.sock`,
    vif_name: `vhu${id}`.slice(0, 14),
    network: network({ bridge: 'br-int' }),
    port_profile: ovsProfile(id),
  });
}

/** A linux_bridge VIF on a flat network whose NIC is `iface`. */
export function linuxBridgeVif(id: string, mac: string, iface: string): objects.VIFBridge {
  return new objects.VIFBridge({
    id,
    address: mac,
    plugin: 'linux_bridge',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: 'brq-demo',
    has_traffic_filtering: true,
    network: network({ bridge: 'brq-demo', provideBridge: true, iface, mtu: 1500 }),
  });
}
