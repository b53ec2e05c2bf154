/**
 * The demo's guest-side section (`os-vif/guest`): a container (a namespace, the netns target)
 * and a tap-backed guest (the tap target, as a VMM without libvirt would open it) side by side
 * on br-int, plugged by the ovs plugin; then both detached.
 */
import { attach, detach } from '../guest/index.js';
import { objects } from '../vif/index.js';

type Step = <T>(title: string, fn: () => Promise<T>) => Promise<T>;

const CONTAINER_ID = '0c1d2e3f-4a5b-4c6d-8e7f-a0b1c2d3e4f5';
const TAP_ID = '1d2e3f4a-5b6c-4d7e-8f90-b1c2d3e4f5a6';

function vif(id: string, mac: string, subnets: objects.Subnet[] = []): objects.VIFOpenVSwitch {
  return new objects.VIFOpenVSwitch({
    id,
    address: mac,
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: 'br-int',
    network: new objects.Network({
      id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      label: 'demo',
      bridge: 'br-int',
      mtu: 1450,
      subnets: new objects.SubnetList({ objects: subnets }),
    }),
    // create_port false, nova's default: libvirt would add the OVS port; attach has the plugin do it
    port_profile: new objects.VIFPortProfileOpenVSwitch({
      interface_id: id,
      profile_id: '',
      datapath_type: 'netdev',
      create_port: false,
    }),
  });
}

/** Attaches a container and a tap guest; resolves to the function that detaches both. */
export async function attachGuests(
  out: (line: string) => void,
  step: Step,
  host: string,
  containerNs: string,
  instance: objects.InstanceInfo,
): Promise<() => Promise<void>> {
  const subnet = new objects.Subnet({
    cidr: '10.99.9.0/24',
    gateway: '10.99.9.1',
    dns: [],
    ips: new objects.FixedIPList({ objects: [new objects.FixedIP({ address: '10.99.9.2' })] }),
    routes: new objects.RouteList({ objects: [] }),
  });
  const pod = vif(CONTAINER_ID, 'fa:16:3e:00:00:21', [subnet]);
  const guest = vif(TAP_ID, 'fa:16:3e:00:00:22');
  const podTarget = { kind: 'netns', netns: containerNs } as const;
  const r = await step(
    'attach a container (netns target: veth, eth0 with MAC, MTU, 10.99.9.2/24, gateway)',
    () => attach(pod, instance, podTarget, { netns: host }),
  );
  out(`    CNI-shaped result: ${JSON.stringify({ interfaces: r.interfaces, ips: r.ips, routes: r.routes })}`);
  const tap = await step('attach a tap-backed guest (tap target: owner 107, vnet_hdr, multi_queue)', () =>
    attach(guest, instance, { kind: 'tap', owner: 107, vnetHdr: true, multiQueue: true }, { netns: host }),
  );
  out(`    ${tap.name}: ifindex ${tap.ifindex}, host MAC ${tap.mac} (the guest's NIC uses ${tap.guestMac})`);
  return async () => {
    await step('detach the container and the tap guest', async () => {
      await detach(pod, instance, podTarget, { netns: host });
      await detach(guest, instance, { kind: 'tap' }, { netns: host });
    });
  };
}
