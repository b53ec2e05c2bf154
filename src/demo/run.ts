/**
 * `os-vif demo`: a guided run in a sandbox of its own. It plugs example VIFs with every plugin
 * and mode this machine can run, shows what was created, proves the data path by pinging
 * between two namespaces standing in for guests behind hybrid plugs, unplugs everything, shows
 * that nothing is left, and prints the time each step took. It spawns only the OVS daemons
 * (through src/sandbox) and `ping` (see ping.ts), and cleans up also on SIGINT/SIGTERM.
 */
import { Netlink } from '../netlink/index.js';
import { OvsdbClient, VSwitch } from '../ovsdb/index.js';
import { hostFactory, OvsPlugin, pluginClasses } from '../plugins/index.js';
import * as osvif from '../vif/index.js';
import {
  type Example,
  exampleInstance,
  hybridVif,
  linuxBridgeVif,
  ovsVif,
  vhostUserVif,
} from './examples.js';
import { attachGuests } from './guest.js';
import { pingFrom } from './ping.js';
import { DemoSandbox, ovsInstalled } from './sandbox.js';
import { Steps } from './steps.js';
import { linkTree, ovsTree } from './tree.js';

/** Where the demo prints. */
export interface DemoIo {
  out(line: string): void;
}

const ID = {
  g1: 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8',
  g2: 'e2b3c4d5-e6f7-4081-92a3-b4c5d6e7f809',
  ovs: 'b679325f-ca89-4ee0-a8be-6db1409b69ea',
  vhu: 'f3c4d5e6-f708-4192-a3b4-c5d6e7f8091a',
  ppb: 'a4d5e6f7-0819-42a3-b4c5-d6e7f8091a2b',
  lb: '7a9b8c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  noop: 'c5e6f708-192a-43b4-c5d6-e7f8091a2b3c',
};

/** Runs the demo; resolves to the exit code. */
export async function runDemo(io: DemoIo): Promise<number> {
  const steps = new Steps(io);
  const step = <T>(title: string, fn: () => Promise<T>): Promise<T> => steps.run(title, fn);
  const sandbox = new DemoSandbox();
  let hostNl: Netlink | undefined;
  let client: OvsdbClient | undefined;
  let vs: VSwitch | undefined;
  const extraPlugins: OvsPlugin[] = [];
  try {
    io.out('os-vif demo: a sandbox of its own namespaces; nothing outside it is touched.\n');
    const host = await step('create namespaces (host, guest1, guest2, container1)', async () => {
      const h = await sandbox.namespace('h');
      await sandbox.namespace('g1');
      await sandbox.namespace('g2');
      await sandbox.namespace('c1');
      return h;
    });
    hostNl = await Netlink.open({ netns: host });
    const nl = hostNl;
    const printTree = async (title: string) => {
      io.out(`\n▸ ${title}`);
      await client?.echo();
      for (const line of await linkTree(nl)) io.out(line);
      if (vs) for (const line of ovsTree(vs)) io.out(line);
    };
    const withOvs = ovsInstalled();
    let dbRemote = '';
    if (withOvs) {
      const ovs = await step('start private ovsdb-server and ovs-vswitchd (userspace datapath)', () =>
        sandbox.startOvs(host),
      );
      dbRemote = ovs.dbRemote;
      client = await OvsdbClient.connect(dbRemote);
      vs = await VSwitch.open(client);
    } else {
      io.out(
        '  ! Open vSwitch is not installed: the ovs plugin steps are skipped (apt-get install openvswitch-switch).',
      );
    }
    await step('initialize os-vif (built-in plugins bound to the host namespace)', async () => {
      await osvif.reset();
      await osvif.initialize({
        builtins: false,
        discover: false,
        plugins: pluginClasses({ netns: host }),
        config: withOvs ? { os_vif_ovs: { ovsdb_connection: dbRemote } } : {},
      });
    });
    const instance = exampleInstance();
    const plugged: Example[] = [];

    io.out('\n▸ linux_bridge');
    await hostNl.links.add({ kind: 'veth', name: 'eth-demo', peer: { name: 'eth-demo-peer' }, up: true });
    await hostNl.addresses.add({ interface: 'eth-demo', address: '10.99.8.1/24' });
    const lb = {
      title: 'linux_bridge flat network (NIC eth-demo enslaved, its address moved)',
      vif: linuxBridgeVif(ID.lb, 'fa:16:3e:00:00:0b', 'eth-demo'),
    };
    await step(`plug ${lb.title}`, () => osvif.plug(lb.vif, instance));
    plugged.push(lb);
    const vlanVif = linuxBridgeVif(ID.lb, 'fa:16:3e:00:00:0b', 'eth-demo');
    if (vlanVif.network) {
      vlanVif.network.should_provide_vlan = true;
      vlanVif.network.vlan = 100;
      vlanVif.bridge_name = 'brq-vlan100';
    }
    await step(
      'plug linux_bridge VLAN network (this kernel has no 8021q: expect a typed error)',
      async () => {
        try {
          await osvif.plug(vlanVif, instance);
          io.out('    VLAN path plugged (this kernel has 8021q)');
        } catch (error) {
          const root = rootCause(error);
          const left =
            (await hostNl?.links.get('vlan100')) !== undefined ||
            (await hostNl?.links.get('brq-vlan100')) !== undefined;
          io.out(`    ${(error as Error).name} ← ${root.name}: ${root.message}`);
          io.out(`    left behind: ${left ? 'SOMETHING (bug)' : 'nothing'}`);
        }
      },
    );

    io.out('\n▸ noop');
    const noop = {
      title: 'noop VIFVHostUser (nothing to do on the host)',
      vif: vhostUserVif(ID.noop, 'fa:16:3e:00:00:0c', 'noop'),
    };
    await step(`plug ${noop.title}`, () => osvif.plug(noop.vif, instance));
    plugged.push(noop);

    if (withOvs) {
      io.out('\n▸ ovs');
      const g1 = {
        title: 'hybrid VIFBridge for guest1 (qbr + qvb/qvo veth + OVS port)',
        vif: hybridVif(ID.g1, 'fa:16:3e:00:00:01'),
      };
      const g2 = { title: 'hybrid VIFBridge for guest2', vif: hybridVif(ID.g2, 'fa:16:3e:00:00:02') };
      for (const ex of [g1, g2]) {
        await step(`plug ${ex.title}`, () => osvif.plug(ex.vif, instance));
        plugged.push(ex);
      }
      await step('stand in for the hypervisor: guest tap (veth into guest1/guest2) on each qbr', async () => {
        for (const [ex, ns, ip] of [
          [g1, `${sandbox.prefix}g1`, '10.99.7.1/24'],
          [g2, `${sandbox.prefix}g2`, '10.99.7.2/24'],
        ] as const) {
          const vif = ex.vif as osvif.objects.VIFBridge;
          await hostNl?.links.add({
            kind: 'veth',
            name: vif.vif_name,
            peer: { name: 'eth0', netns: ns },
            master: vif.bridge_name,
            up: true,
          });
          const guest = await Netlink.open({ netns: ns });
          try {
            await guest.addresses.add({ interface: 'eth0', address: ip });
            await guest.links.set('eth0', { up: true, mtu: 1450 });
          } finally {
            guest.close();
          }
        }
      });
      const tapOvs = {
        title: 'VIFOpenVSwitch with create_port (tap made first, as a hypervisor does)',
        vif: ovsVif(ID.ovs, 'fa:16:3e:00:00:03'),
      };
      await hostNl.links.add({ kind: 'tap', name: (tapOvs.vif as osvif.objects.VIFOpenVSwitch).vif_name });
      await step(`plug ${tapOvs.title}`, () => osvif.plug(tapOvs.vif, instance));
      plugged.push(tapOvs);
      const vhu = {
        title: 'VIFVHostUser server mode (dpdkvhostuserclient row; no DPDK here)',
        vif: vhostUserVif(ID.vhu, 'fa:16:3e:00:00:04'),
      };
      await step(`plug ${vhu.title}`, () => osvif.plug(vhu.vif, instance));
      plugged.push(vhu);
      const ppbPlugin = new OvsPlugin(
        { ovsdb_connection: dbRemote, per_port_bridge: true, isolate_vif: true },
        hostFactory({ netns: host }),
      );
      extraPlugins.push(ppbPlugin);
      const ppb = {
        title: 'VIFOpenVSwitch with per_port_bridge and isolate_vif (patch pair, tag 4095)',
        vif: ovsVif(ID.ppb, 'fa:16:3e:00:00:05'),
      };
      await step(`plug ${ppb.title}`, () => ppbPlugin.plug(ppb.vif, instance));

      io.out('\n▸ the guest side without libvirt (os-vif/guest): a container and a tap guest on br-int');
      const detachGuests = await attachGuests(io.out, step, host, `${sandbox.prefix}c1`, instance);
      io.out(
        '  · VIFHostDevice (SR-IOV representors) needs a NIC in switchdev mode; none here, so it is not plugged',
      );
      io.out('    (tests cover it with a made-up sysfs tree: test/plugins/e2e-ovs.test.ts).');
      await printTree('what was created (host namespace)');
      io.out('\n▸ data path: guest1 → guest2 through qbr/qvb/qvo, br-int (userspace datapath) and back');
      await step('ping 10.99.7.2 from guest1 (spawns the system ping)', async () => {
        io.out(`    ${await pingFrom(`${sandbox.prefix}g1`, '10.99.7.2')}`);
      });
      await step('unplug the per-port-bridge VIF', () => ppbPlugin.unplug(ppb.vif, instance));
      await detachGuests();
    } else {
      await printTree('what was created (host namespace)');
    }

    io.out('\n▸ plug everything again (idempotent: nothing changes)');
    await step(`re-plug ${plugged.length} VIFs`, async () => {
      for (const ex of plugged) await osvif.plug(ex.vif, instance);
    });

    io.out('\n▸ unplug');
    await step(`unplug ${plugged.length} VIFs`, async () => {
      for (const ex of plugged.reverse()) await osvif.unplug(ex.vif, instance);
    });
    await step('the hypervisor removes its taps', async () => {
      for (const name of ['tapd1a2b3c4-d5', 'tape2b3c4d5-e6', 'eth-demo']) {
        if (await hostNl?.links.get(name)) await hostNl?.links.del(name);
      }
    });
    await printTree('what is left (linux_bridge never removes shared bridges, as in os-vif; br-int stays)');
    return 0;
  } catch (error) {
    const root = rootCause(error);
    io.out(
      `\nos-vif demo failed: ${(error as Error).message}${root !== error ? ` (cause: ${root.name}: ${root.message})` : ''}`,
    );
    return 1;
  } finally {
    for (const p of extraPlugins) await p.close().catch(() => undefined);
    await osvif.reset().catch(() => undefined);
    await vs?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    hostNl?.close();
    const t0 = performance.now();
    const problems = await sandbox.cleanup();
    steps.record('clean up (daemons, namespaces, run dir)', performance.now() - t0);
    steps.print();
    if (problems.length) io.out(`  cleanup problems: ${problems.join('; ')}`);
  }
}

function rootCause(error: unknown): Error {
  let e = error as Error & { cause?: unknown };
  for (let i = 0; i < 10 && e.cause instanceof Error; i++) e = e.cause as Error & { cause?: unknown };
  return e;
}
