/**
 * `os-vif demo --ovn`: a two-chassis OVN of its own (src/sandbox/ovn-sandbox.ts: NB, SB, northd;
 * each chassis a namespace with ovsdb-server, ovs-vswitchd and ovn-controller; Geneve over an
 * underlay bridge), a logical switch, four guests (a plain and a hybrid VIF on each chassis)
 * plugged by the ovs plugin with `wait_for_ovn_installed`, ping and TCP across chassis, unplug,
 * and the proof that traffic stops. Everything is removed at the end, also on failure or
 * SIGINT/SIGTERM.
 */
import { Netlink } from '../netlink/index.js';
import { LogicalPorts } from '../ovsdb/index.js';
import { hostFactory, OvsPlugin } from '../plugins/index.js';
import { createGuest, OvnSandbox, pingOk, tcpOk } from '../sandbox/index.js';
import type { objects } from '../vif/index.js';
import { exampleInstance, hybridVif, ovsVif } from './examples.js';
import type { DemoIo } from './run.js';
import { Steps } from './steps.js';

interface Guest {
  title: string;
  kind: 'plain' | 'hybrid';
  chassis: number;
  vif: objects.VIFOpenVSwitch | objects.VIFBridge;
  mac: string;
  ip: string;
  netns: string;
}

const GUESTS: { title: string; chassis: number; kind: 'plain' | 'hybrid'; id: string }[] = [
  {
    title: 'plain VIFOpenVSwitch on hv1',
    chassis: 0,
    kind: 'plain',
    id: 'a1b2c3d4-0001-4000-8000-0000000000a1',
  },
  {
    title: 'hybrid VIFBridge on hv1',
    chassis: 0,
    kind: 'hybrid',
    id: 'b1b2c3d4-0002-4000-8000-0000000000b2',
  },
  {
    title: 'plain VIFOpenVSwitch on hv2',
    chassis: 1,
    kind: 'plain',
    id: 'c1b2c3d4-0003-4000-8000-0000000000c3',
  },
  {
    title: 'hybrid VIFBridge on hv2',
    chassis: 1,
    kind: 'hybrid',
    id: 'd1b2c3d4-0004-4000-8000-0000000000d4',
  },
];

/** Runs the OVN demo; resolves to the exit code. */
export async function runOvnDemo(io: DemoIo): Promise<number> {
  const steps = new Steps(io);
  const step = <T>(title: string, fn: () => Promise<T>): Promise<T> => steps.run(title, fn);
  let sandbox: OvnSandbox | undefined;
  let nb: LogicalPorts | undefined;
  const plugins: OvsPlugin[] = [];
  let stopping: Promise<void> | undefined;
  const cleanup = () => {
    stopping ??= (async () => {
      for (const p of plugins) await p.close().catch(() => undefined);
      await nb?.close().catch(() => undefined);
      await sandbox?.stop();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup()
      .catch(() => undefined)
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    io.out('os-vif demo --ovn: a private two-chassis OVN; nothing outside its namespaces is touched.\n');
    const sb = await step(
      'start NB, SB, ovn-northd and 2 chassis (ovsdb-server, ovs-vswitchd, ovn-controller each; Geneve underlay)',
      () => OvnSandbox.start({ chassis: 2 }),
    );
    sandbox = sb;
    nb = await LogicalPorts.open(sb.nbRemote);
    const instance = exampleInstance();
    const guests: Guest[] = GUESTS.map((g, i) => {
      const mac = `fa:16:3e:00:0a:0${i + 1}`;
      const vif = g.kind === 'plain' ? ovsVif(g.id, mac) : hybridVif(g.id, mac);
      if (vif.network) vif.network.mtu = 1400;
      return {
        title: g.title,
        kind: g.kind,
        chassis: g.chassis,
        vif,
        mac,
        ip: `10.99.9.${i + 1}`,
        netns: `${sb.prefix}g${i + 1}`,
      };
    });
    await step('logical switch ls-demo with a port (addresses + port security) per guest', async () => {
      const args = ['--', 'ls-add', 'ls-demo'];
      for (const g of guests)
        args.push(
          '--',
          'lsp-add',
          'ls-demo',
          g.vif.id,
          '--',
          'lsp-set-addresses',
          g.vif.id,
          `${g.mac} ${g.ip}`,
          '--',
          'lsp-set-port-security',
          g.vif.id,
          `${g.mac} ${g.ip}`,
        );
      await sb.nbctl(...args);
    });
    await step('guests: a namespace each, joined to its chassis by a veth (the hypervisor tap)', async () => {
      for (const g of guests) {
        sb.adopt(g.netns);
        await createGuest({
          netns: g.netns,
          chassisNetns: sb.chassis[g.chassis]!.netns,
          hostIfname: g.vif.vif_name ?? '',
          mac: g.mac,
          address: `${g.ip}/24`,
        });
      }
    });
    for (const c of sb.chassis)
      plugins.push(
        new OvsPlugin(
          { ovsdb_connection: c.dbRemote, wait_for_ovn_installed: true, ovs_vsctl_timeout: 30 },
          hostFactory({ netns: c.netns }),
        ),
      );
    io.out(
      '\n▸ plug with wait_for_ovn_installed: each plug resolves once ovn-controller marked the port ovn-installed',
    );
    for (const g of guests) {
      await step(`plug ${g.title}`, () => plugins[g.chassis]!.plug(g.vif, instance));
      if (g.kind === 'hybrid' && g.vif.bridge_name) {
        const nl = await Netlink.open({ netns: sb.chassis[g.chassis]!.netns });
        try {
          await nl.links.set(g.vif.vif_name ?? '', { master: g.vif.bridge_name });
        } finally {
          nl.close();
        }
      }
    }
    await step('NB: every logical port up=true (LogicalPorts.waitUp, a monitor; no polling)', () =>
      Promise.all(guests.map((g) => nb!.waitUp(g.vif.id, { timeoutMs: 30_000 }))),
    );
    io.out('\n▸ SB port bindings');
    for (const line of (await sb.sbctl('show')).trimEnd().split('\n')) io.out(`    ${line}`);
    io.out('\n▸ data path across chassis (Geneve through OVS userspace tunnelling)');
    const [a, b, c, d] = guests as [Guest, Guest, Guest, Guest];
    const probe = async (title: string, fn: () => Promise<boolean>) => {
      const ok = await step(title, async () => {
        for (let i = 0; i < 5; i++) if (await fn()) return true;
        return false;
      });
      if (!ok) throw new Error(`${title}: failed`);
    };
    await probe(`ping ${c.ip} (plain hv2) from plain hv1`, () => pingOk(a.netns, c.ip, 2));
    await probe(`ping ${d.ip} (hybrid hv2) from hybrid hv1`, () => pingOk(b.netns, d.ip, 2));
    await probe(`ping ${b.ip} (hybrid hv1) from plain hv2`, () => pingOk(c.netns, b.ip, 2));
    await probe(`TCP echo plain hv1 → plain hv2 ${c.ip}:5201`, () => tcpOk(a.netns, c.netns, c.ip));
    await probe(`TCP echo hybrid hv2 → hybrid hv1 ${b.ip}:5201`, () => tcpOk(d.netns, b.netns, b.ip));
    io.out('\n▸ unplug');
    for (const g of guests)
      await step(`unplug ${g.title}`, () => plugins[g.chassis]!.unplug(g.vif, instance));
    await step('NB: every logical port up=false', () =>
      Promise.all(guests.map((g) => nb!.waitUp(g.vif.id, { up: false, timeoutMs: 30_000 }))),
    );
    const still = await step('ping after unplug (must fail)', () => pingOk(b.netns, d.ip, 2));
    if (still) throw new Error('traffic still flows after unplug');
    io.out('    no reply: the ports are gone');
    return 0;
  } catch (error) {
    io.out(`\nos-vif demo --ovn failed: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const t0 = performance.now();
    const problem = await cleanup().then(
      () => undefined,
      (e: unknown) => String(e),
    );
    steps.record('clean up (daemons, namespaces, run dir)', performance.now() - t0);
    steps.print();
    if (problem) io.out(`  cleanup problem: ${problem}`);
  }
}
