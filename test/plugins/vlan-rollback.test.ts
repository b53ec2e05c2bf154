/**
 * The linux_bridge VLAN path failing at every step after `vlan<N>` exists: the plug rejects and
 * what it created (the VLAN device, the bridge) is gone, the uplink is as before; the plug after
 * that succeeds. On the recording host, so it runs on kernels without 8021q and without root
 * (the real-kernel rollback tests are in e2e-faults.test.ts).
 */
import test from 'ava';
import type { LinkChange } from '../../src/plugins/host/links.js';
import { LinuxBridgePlugin } from '../../src/plugins/linux-bridge/plugin.js';
import { objects } from '../../src/vif/index.js';
import { RecordingFirewall, RecordingLinks } from './recording-host.js';

const BRIDGE = 'brq7a9b8c6d-5e';
const NIC = 'eth2';

const instance = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'instance-0000002a',
  project_id: '7d3c5a1b2e4f4a6b8c9d0e1f2a3b4c5d',
});
const vif = new objects.VIFBridge({
  id: 'b679325f-ca89-4ee0-a8be-6db1409b69ea',
  address: 'fa:16:3e:7c:2a:01',
  plugin: 'linux_bridge',
  vif_name: 'tapb679325f-ca',
  bridge_name: BRIDGE,
  network: new objects.Network({
    id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
    label: 'private',
    bridge: BRIDGE,
    mtu: 9000,
    multi_host: false,
    should_provide_bridge: true,
    should_provide_vlan: true,
    bridge_interface: NIC,
    vlan: 1000,
    subnets: new objects.SubnetList({ objects: [] }),
  } as ConstructorParameters<typeof objects.Network>[0]),
} as ConstructorParameters<typeof objects.VIFBridge>[0]);

/** A recording host whose k-th change after `vlan1000` exists fails (once), as a kernel refusal would. */
class FailingLinks extends RecordingLinks {
  private armed = false;
  private count = 0;
  failed: string | undefined;
  constructor(private readonly failAt: number) {
    super([NIC]);
  }
  private step(what: string): void {
    if (!this.armed || this.failed) return;
    if (this.count++ === this.failAt) {
      this.failed = what;
      throw Object.assign(new Error(`injected failure at ${what}`), { code: 'EIO' });
    }
  }
  override async addVlan(name: string, parent: string, id: number) {
    await super.addVlan(name, parent, id);
    this.armed = true;
  }
  override async set(name: string, change: LinkChange) {
    this.step(`set ${name} ${JSON.stringify(change)}`);
    return super.set(name, change);
  }
  override async addBridge(name: string, options?: { ageingTime?: number }) {
    this.step(`add bridge ${name}`);
    return super.addBridge(name, options);
  }
  override async writeSysctl(path: string, value: string) {
    this.step(`sysctl ${path}`);
    return super.writeSysctl(path, value);
  }
}

test('the VLAN path failing at each step after vlan1000 exists leaves neither vlan1000 nor the bridge; the next plug works', async (t) => {
  const failedAt: string[] = [];
  for (let k = 0; k < 50; k++) {
    const links = new FailingLinks(k);
    const plugin = new LinuxBridgePlugin(
      {},
      { links: async () => links, firewall: async () => new RecordingFirewall() },
    );
    const error = await plugin.plug(vif, instance).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    if (!links.failed) {
      t.is(error, undefined, 'with no failure injected the plug succeeds');
      t.true(links.devices.has('vlan1000') && links.devices.has(BRIDGE));
      break;
    }
    failedAt.push(links.failed);
    t.truthy(error, `the plug rejects when ${links.failed} fails`);
    t.deepEqual(
      [...links.devices.keys()],
      [NIC],
      `after a failure at ${links.failed}: only the uplink is left`,
    );
    t.is(
      links.devices.get(NIC)?.master,
      undefined,
      `after a failure at ${links.failed}: the uplink is on no bridge`,
    );
    // the plug after a failed one starts from a clean host and succeeds (one failure per host)
    await plugin.plug(vif, instance);
    t.true(links.devices.has('vlan1000'), `the next plug after a failure at ${links.failed} makes vlan1000`);
  }
  t.true(
    failedAt[0]?.startsWith('set vlan1000'),
    `the first step after creation is vlan1000's own: ${failedAt[0]}`,
  );
  t.true(failedAt.length >= 4, `failures injected at ${failedAt.length} steps: ${failedAt.join('; ')}`);
  t.log(`failed at each of: ${failedAt.join('; ')}`);
});
