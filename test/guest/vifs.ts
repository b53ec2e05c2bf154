/** VIFs for the guest and CNI tests. */
import { objects } from '../../src/vif/index.js';
import { INSTANCE, net, profile } from '../plugins/e2e-host.js';

export { INSTANCE };

export const ID = '3b1f7c2e-5d4a-4e6f-9a8b-0c1d2e3f4a5b';
export const MAC = 'fa:16:3e:12:34:56';
export const TAP = 'tap3b1f7c2e-5d';

/** A subnet with one fixed IP, a static route and DNS. */
export function subnet(
  cidr: string,
  ip: string,
  gateway: string,
  extra: Partial<Record<string, unknown>> = {},
) {
  return new objects.Subnet({
    cidr,
    gateway,
    dns: ['192.0.2.53'],
    ips: new objects.FixedIPList({ objects: [new objects.FixedIP({ address: ip })] }),
    routes: new objects.RouteList({ objects: [] }),
    ...extra,
  } as ConstructorParameters<typeof objects.Subnet>[0]);
}

/** A network on `bridge` with the given subnets. */
export function network(
  bridge: string,
  subnets: objects.Subnet[] = [],
  fields: Partial<Record<string, unknown>> = {},
) {
  return net(bridge, { subnets: new objects.SubnetList({ objects: subnets }), ...fields });
}

/** A linux_bridge VIFBridge on `bridge` (the plugin creates it). */
export function bridgeVif(
  bridge: string,
  subnets: objects.Subnet[] = [],
  fields: Partial<Record<string, unknown>> = {},
) {
  return new objects.VIFBridge({
    id: ID,
    address: MAC,
    plugin: 'linux_bridge',
    vif_name: TAP,
    bridge_name: bridge,
    network: network(bridge, subnets, { should_provide_bridge: true }),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFBridge>[0]);
}

/** An ovs VIFOpenVSwitch on `bridge`, its port left to "libvirt" (create_port false). */
export function ovsVif(
  bridge: string,
  subnets: objects.Subnet[] = [],
  fields: Partial<Record<string, unknown>> = {},
) {
  return new objects.VIFOpenVSwitch({
    id: ID,
    address: MAC,
    plugin: 'ovs',
    vif_name: TAP,
    bridge_name: bridge,
    network: network(bridge, subnets),
    port_profile: profile(ID, { create_port: false }),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0]);
}

/** A VIFDirect; the lower device comes from the target. */
export function directVif(
  mode: 'vepa' | 'bridge' | 'passthrough',
  fields: Partial<Record<string, unknown>> = {},
) {
  return new objects.VIFDirect({
    id: ID,
    address: MAC,
    plugin: 'noop',
    vif_name: 'mvt3b1f7c2e',
    dev_address: '0000:00:00.0',
    mode,
    vlan_name: '',
    network: network('unused'),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFDirect>[0]);
}
