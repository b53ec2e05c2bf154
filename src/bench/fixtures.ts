/**
 * The VIFs the benchmark plugs: N of one kind with distinct ids, MACs and device names
 * (os-vif's `prefix + id[:11]`), on one integration bridge (OVS kinds) or one bridge each
 * (linux_bridge: a network per VIF, the only layout where plugging N VIFs does N times the work).
 */
import { objects } from '../vif/index.js';
import type { Kind } from './types.js';

/** The instance every VIF belongs to. */
export const BENCH_INSTANCE_UUID = '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10';
/** The OVS kinds' integration bridge. */
export const BENCH_BRIDGE = 'br-int';
/** The networks' MTU (not the 1500 default, so a missed MTU step shows). */
export const BENCH_MTU = 1450;

/** The devices of VIF `i` of a kind. */
export interface VifNames {
  id: string;
  address: string;
  /** The guest tap (made by the hypervisor). */
  tap: string;
  /** hybrid: `qbr…`; linux_bridge: `brq…`. */
  bridge: string;
  qvb: string;
  qvo: string;
}

/** Id, MAC and device names of VIF `i`. */
export function vifNames(i: number): VifNames {
  const id = `${(0x10000000 + i).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`;
  const b = (shift: number) => ((i >> shift) & 255).toString(16).padStart(2, '0');
  const short = id.slice(0, 11);
  return {
    id,
    address: `fa:16:3e:${b(16)}:${b(8)}:${b(0)}`,
    tap: `tap${short}`,
    bridge: `qbr${short}`,
    qvb: `qvb${short}`,
    qvo: `qvo${short}`,
  };
}

/** The linux_bridge kind's bridge of VIF `i` (Neutron's `brq` + network id). */
export function lbBridge(i: number): string {
  return `brq${vifNames(i).id.slice(0, 11)}`;
}

/** The instance. */
export function benchInstance(): objects.InstanceInfo {
  return new objects.InstanceInfo({ uuid: BENCH_INSTANCE_UUID, name: 'bench', project_id: 'bench' });
}

/** VIF `i` of `kind`. */
export function benchVif(kind: Kind, i: number): objects.VIFBase {
  const names = vifNames(i);
  const profile = (createPort: boolean) =>
    new objects.VIFPortProfileOpenVSwitch({
      interface_id: names.id,
      profile_id: '',
      datapath_type: 'netdev',
      ...(createPort ? { create_port: true } : {}),
    });
  if (kind === 'linux_bridge') {
    return new objects.VIFBridge({
      id: names.id,
      address: names.address,
      plugin: 'linux_bridge',
      vif_name: names.tap,
      bridge_name: lbBridge(i),
      has_traffic_filtering: true,
      network: new objects.Network({
        id: names.id,
        bridge: lbBridge(i),
        mtu: BENCH_MTU,
        should_provide_bridge: true,
        bridge_interface: null,
        subnets: new objects.SubnetList({ objects: [] }),
      }),
    });
  }
  const network = new objects.Network({
    id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
    bridge: BENCH_BRIDGE,
    mtu: BENCH_MTU,
    bridge_interface: null,
    subnets: new objects.SubnetList({ objects: [] }),
  });
  if (kind === 'plain') {
    return new objects.VIFOpenVSwitch({
      id: names.id,
      address: names.address,
      plugin: 'ovs',
      vif_name: names.tap,
      bridge_name: BENCH_BRIDGE,
      has_traffic_filtering: true,
      network,
      port_profile: profile(true),
    });
  }
  return new objects.VIFBridge({
    id: names.id,
    address: names.address,
    plugin: 'ovs',
    vif_name: names.tap,
    bridge_name: names.bridge,
    has_traffic_filtering: true,
    network,
    port_profile: profile(false),
  });
}

/** N VIFs of `kind`. */
export function benchVifs(kind: Kind, n: number): objects.VIFBase[] {
  return Array.from({ length: n }, (_, i) => benchVif(kind, i));
}
