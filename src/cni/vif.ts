/**
 * The os-vif objects of one attachment: a VIFBridge (linux_bridge) or VIFOpenVSwitch (ovs)
 * whose id, MAC and device name derive from the container id and interface name alone, so DEL,
 * CHECK and GC rebuild the same VIF without any state.
 */
import { createHash } from 'node:crypto';
import { objects } from '../vif/index.js';
import type { NetConf } from './netconf.js';
import type { CniDns, CniIp, CniRoute } from './types.js';

/** The derived identity of an attachment. */
export interface Identity {
  /** The VIF id (a UUID with version 5 bits, from SHA-256). */
  id: string;
  /** The container side's MAC: locally administered unicast, 46 bits of the hash. */
  mac: string;
  /** The host end's name: `tap` and the id's first 11 characters, as nova names a VIF's tap. */
  vifName: string;
  /** The InstanceInfo uuid (from the container id alone). */
  instanceUuid: string;
}

function uuidFrom(h: Buffer): string {
  const b = Buffer.from(h.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The identity of container `containerId`'s interface `ifname`. */
export function identity(containerId: string, ifname: string): Identity {
  const h = createHash('sha256').update(`os-vif-cni\0${containerId}\0${ifname}`).digest();
  const id = uuidFrom(h);
  const m = Buffer.from(h.subarray(16, 22));
  m[0] = ((m[0] as number) & 0xfc) | 0x02;
  const mac = [...m].map((x) => x.toString(16).padStart(2, '0')).join(':');
  const instanceUuid = uuidFrom(createHash('sha256').update(`os-vif-cni-instance\0${containerId}`).digest());
  return { id, mac, vifName: `tap${id.slice(0, 11)}`, instanceUuid };
}

/** The network address of `address/prefix` (`10.1.2.3/24` gives `10.1.2.0/24`). */
export function networkOf(cidr: string): string {
  const [addr = '', len = ''] = cidr.split('/');
  const prefix = Number(len);
  if (!addr.includes(':')) {
    const n = addr.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
    const masked = prefix === 0 ? 0n : (n >> BigInt(32 - prefix)) << BigInt(32 - prefix);
    return `${[24n, 16n, 8n, 0n].map((s) => String((masked >> s) & 255n)).join('.')}/${prefix}`;
  }
  const [head = '', tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const n = groups.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n);
  const masked = prefix === 0 ? 0n : (n >> BigInt(128 - prefix)) << BigInt(128 - prefix);
  const out = Array.from({ length: 8 }, (_, i) => ((masked >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
  return `${out.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}/${prefix}`;
}

const familyOf = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);

/** Subnets from the addresses to configure: one per address, with the routes of its family. */
export function subnetsFrom(ips: CniIp[], routes: CniRoute[], dns: CniDns | undefined): objects.Subnet[] {
  const seen = new Set<4 | 6>();
  return ips.map((ip) => {
    const address = ip.address.split('/')[0] ?? '';
    const family = familyOf(address);
    // the routes of a family go with its first address only (a route is added once)
    const own = seen.has(family) ? [] : routes.filter((r) => familyOf(r.dst) === family);
    seen.add(family);
    return new objects.Subnet({
      cidr: networkOf(ip.address),
      dns: dns?.nameservers ?? [],
      ...(ip.gateway ? { gateway: ip.gateway } : {}),
      ips: new objects.FixedIPList({ objects: [new objects.FixedIP({ address })] }),
      routes: new objects.RouteList({
        objects: own.map(
          (r) =>
            new objects.Route({
              cidr: r.dst,
              interface: '',
              // a CNI route without gw goes through the address's gateway, as the reference plugins do
              ...((r.gw ?? ip.gateway) ? { gateway: (r.gw ?? ip.gateway) as string } : {}),
            }),
        ),
      }),
    } as ConstructorParameters<typeof objects.Subnet>[0]);
  });
}

/** The VIF and InstanceInfo of an attachment. */
export function buildVif(
  conf: NetConf,
  containerId: string,
  ifname: string,
  subnets: objects.Subnet[] = [],
): { vif: objects.VIFBridge | objects.VIFOpenVSwitch; instance: objects.InstanceInfo; ident: Identity } {
  const ident = identity(containerId, ifname);
  const network = new objects.Network({
    id: ident.id,
    label: conf.name,
    bridge: conf.bridge,
    mtu: conf.mtu ?? null,
    multi_host: false,
    should_provide_bridge: conf.plugin === 'linux_bridge',
    should_provide_vlan: conf.vlan !== undefined,
    bridge_interface: conf.bridgeInterface ?? null,
    vlan: conf.vlan ?? null,
    subnets: new objects.SubnetList({ objects: subnets }),
  } as ConstructorParameters<typeof objects.Network>[0]);
  const common = {
    id: ident.id,
    address: ident.mac,
    vif_name: ident.vifName,
    bridge_name: conf.bridge,
    network,
    active: true,
  };
  const vif =
    conf.plugin === 'ovs'
      ? new objects.VIFOpenVSwitch({
          ...common,
          plugin: 'ovs',
          port_profile: new objects.VIFPortProfileOpenVSwitch({
            interface_id: ident.id,
            profile_id: '',
            datapath_type: conf.datapathType ?? null,
            create_port: true,
          }),
        } as ConstructorParameters<typeof objects.VIFOpenVSwitch>[0])
      : new objects.VIFBridge({ ...common, plugin: 'linux_bridge' } as ConstructorParameters<
          typeof objects.VIFBridge
        >[0]);
  const instance = new objects.InstanceInfo({ uuid: ident.instanceUuid, name: containerId, project_id: '' });
  return { vif, instance, ident };
}
