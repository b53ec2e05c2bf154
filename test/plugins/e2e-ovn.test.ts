/**
 * The ovs plugin in a real two-chassis OVN (one shared sandbox for the file: NB, SB, northd, two
 * chassis with their own OVS and ovn-controller, Geneve over an underlay bridge). With
 * `wait_for_ovn_installed` a plug resolves only once ovn-controller marked the port
 * `ovn-installed`; the tests check that against ovs-vsctl and the NB `up` column, then prove
 * the data path across chassis (ping, TCP), port security, unplug and re-plug, for plain and
 * hybrid VIFs, and vhost-user rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { main } from '../../src/cli.js';
import { Netlink } from '../../src/netlink/index.js';
import { LogicalPorts, LogicalPortTimeoutError } from '../../src/ovsdb/index.js';
import { OvnNotInstalled } from '../../src/plugins/index.js';
import { pingOk, setGuestMac, tcpOk } from '../../src/sandbox/index.js';
import { sh } from '../harness/netns.js';
import { gatedTest } from './e2e-host.js';
import { OVN_INSTANCE, OvnLab, ovnSkipReason } from './ovn-host.js';

const it = gatedTest('OVN e2e tests', ovnSkipReason);
let lab: OvnLab;
let nb: LogicalPorts;

if (!ovnSkipReason) {
  test.before(async () => {
    lab = await OvnLab.start({ chassis: 2 });
    nb = await LogicalPorts.open(lab.sb.nbRemote);
  });
  test.after.always(async () => {
    await nb?.close().catch(() => undefined);
    await lab?.stop();
  });
}

/** `Icmp: InEchos` of a namespace (echo requests it received), from /proc/net/snmp. */
function inEchos(netns: string): number {
  const lines = sh('ip', ['netns', 'exec', netns, 'cat', '/proc/net/snmp'])
    .split('\n')
    .filter((l) => l.startsWith('Icmp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/));
  const i = names?.indexOf('InEchos') ?? -1;
  return Number(values?.[i]);
}

/** Pings until one succeeds (a bounded number of tries: the first packets may go while tunnels resolve). */
async function pingSoon(from: string, to: string, tries = 5): Promise<boolean> {
  for (let i = 0; i < tries; i++) if (await pingOk(from, to, 2)) return true;
  return false;
}

it.serial(
  'plain VIFs on two chassis: plug resolves ovn-installed, NB up, ping and TCP across chassis; port security; unplug; re-plug',
  async (t) => {
    const a = await lab.vif(0, 'plain');
    const b = await lab.vif(1, 'plain');
    const pa = lab.plugin(0);
    const pb = lab.plugin(1);
    await pa.plug(a.vif, OVN_INSTANCE);
    t.is(lab.ovnInstalled(0, a.vif.vif_name!), 'true', 'resolved only once ovn-installed was set');
    await pb.plug(b.vif, OVN_INSTANCE);
    t.is(lab.ovnInstalled(1, b.vif.vif_name!), 'true');
    await nb.waitUp(a.id, { timeoutMs: 20_000 });
    await nb.waitUp(b.id, { timeoutMs: 20_000 });
    t.is(await lab.nbUp(a.id), 'true');
    t.true(await pingSoon(a.guest!, b.ip), 'ping hv1 → hv2');
    t.true(await pingOk(b.guest!, a.ip), 'ping hv2 → hv1');
    t.true(await tcpOk(a.guest!, b.guest!, b.ip), 'TCP hv1 → hv2');

    // port security: the same guest with another MAC is dropped, and passes again with its own
    // (counted where it would arrive: B's echo requests; A still knows B's MAC, so it sends at once)
    const echos0 = inEchos(b.guest!);
    await setGuestMac(a.guest!, '02:00:00:66:66:66');
    t.false(await pingOk(a.guest!, b.ip, 2), 'a spoofed MAC is dropped');
    t.is(inEchos(b.guest!), echos0, 'no echo request from the spoofed MAC reached B');
    // the control: without port security on A's logical port the same spoofed frames do reach B
    await lab.sb.nbctl('--wait=hv', 'lsp-set-port-security', a.id);
    await pingOk(a.guest!, b.ip, 2);
    t.true(inEchos(b.guest!) > echos0, 'without port security the spoofed echo requests reach B');
    await lab.sb.nbctl('--wait=hv', 'lsp-set-port-security', a.id, `${a.mac} ${a.ip}`);
    await setGuestMac(a.guest!, a.mac);
    t.true(await pingSoon(a.guest!, b.ip), 'the real MAC passes again');

    // unplug: resolves with the row gone; NB goes down; traffic stops
    await pb.unplug(b.vif, OVN_INSTANCE);
    t.is(lab.ovnInstalled(1, b.vif.vif_name!), '', 'the interface is gone');
    await nb.waitUp(b.id, { up: false, timeoutMs: 20_000 });
    t.false(await pingOk(a.guest!, b.ip, 2), 'no traffic after unplug');

    // re-plug binds again (the hypervisor makes its tap again first: unplug deleted it, as os-vif does)
    t.is(
      await Netlink.open({ netns: lab.chassis(1).netns }).then(async (nl) => {
        try {
          return await nl.links.get(b.vif.vif_name!);
        } finally {
          nl.close();
        }
      }),
      undefined,
      'unplug deleted the device',
    );
    await lab.reattach(1, b);
    await pb.plug(b.vif, OVN_INSTANCE);
    t.is(lab.ovnInstalled(1, b.vif.vif_name!), 'true');
    await nb.waitUp(b.id, { timeoutMs: 20_000 });
    t.true(await pingSoon(a.guest!, b.ip), 'traffic again after re-plug');
    // idempotent: a second plug of a bound port resolves at once
    await pb.plug(b.vif, OVN_INSTANCE);
    await pa.unplug(a.vif, OVN_INSTANCE);
    await pb.unplug(b.vif, OVN_INSTANCE);
  },
);

it.serial(
  'hybrid VIFs on two chassis bind (qvo ovn-installed) and carry ping and TCP; plain to hybrid too',
  async (t) => {
    const c = await lab.vif(0, 'hybrid');
    const d = await lab.vif(1, 'hybrid');
    const e = await lab.vif(0, 'plain');
    const p0 = lab.plugin(0);
    const p1 = lab.plugin(1);
    await Promise.all([
      p0.plug(c.vif, OVN_INSTANCE),
      p1.plug(d.vif, OVN_INSTANCE),
      p0.plug(e.vif, OVN_INSTANCE),
    ]);
    t.is(lab.ovnInstalled(0, `qvo${c.id}`.slice(0, 14)), 'true');
    t.is(lab.ovnInstalled(1, `qvo${d.id}`.slice(0, 14)), 'true');
    // the hypervisor's tap (here the guest veth's host end) goes on qbr
    for (const [x, ch] of [
      [c, 0],
      [d, 1],
    ] as const) {
      const nl = await Netlink.open({ netns: lab.chassis(ch).netns });
      try {
        await nl.links.set(x.vif.vif_name!, { master: (x.vif as { bridge_name: string }).bridge_name });
      } finally {
        nl.close();
      }
    }
    t.true(await pingSoon(c.guest!, d.ip), 'hybrid hv1 → hybrid hv2');
    t.true(await tcpOk(c.guest!, d.guest!, d.ip), 'TCP hybrid → hybrid');
    t.true(await pingSoon(e.guest!, d.ip), 'plain hv1 → hybrid hv2');
    await p1.unplug(d.vif, OVN_INSTANCE);
    await nb.waitUp(d.id, { up: false, timeoutMs: 20_000 });
    t.false(await pingOk(c.guest!, d.ip, 2), 'no traffic after the hybrid unplug');
    await p0.unplug(c.vif, OVN_INSTANCE);
    await p0.unplug(e.vif, OVN_INSTANCE);
  },
);

it.serial(
  'vhost-user rows on br-int: no DPDK here, so no ofport and no binding; the wait ends in OvnNotInstalled naming the port',
  async (t) => {
    const v = await lab.vif(0, 'vhostuser');
    const p = lab.plugin(0, { ovs_vsctl_timeout: 1 });
    const error = await t.throwsAsync(p.plug(v.vif, OVN_INSTANCE), { instanceOf: OvnNotInstalled });
    t.regex(error?.message ?? '', new RegExp(`port vhu${v.id}`.slice(0, 17)));
    // ovs-vswitchd cannot open a dpdkvhostuserclient without DPDK (ofport -1), and ovn-controller
    // claims only interfaces with an ofport: the logical port is not bound anywhere.
    t.regex(
      await lab.sb.sbctl('--bare', '--columns=chassis', 'find', 'Port_Binding', `logical_port=${v.id}`),
      /^\s*$/,
    );
    t.is(await lab.nbUp(v.id), 'false');
    await p.unplug(v.vif, OVN_INSTANCE);
  },
);

it.serial(
  'a port with no logical port times out with OvnNotInstalled, stays plugged, and a retry after lsp-add converges',
  async (t) => {
    const x = await lab.vif(1, 'plain', { lsp: false });
    const p = lab.plugin(1, { ovs_vsctl_timeout: 1 });
    const error = await t.throwsAsync(p.plug(x.vif, OVN_INSTANCE), { instanceOf: OvnNotInstalled });
    t.true(error?.message.includes(x.vif.vif_name!), error?.message);
    t.is(lab.ovnInstalled(1, x.vif.vif_name!), '', 'not installed');
    await t.throwsAsync(nb.waitUp(x.id, { timeoutMs: 200 }), { instanceOf: LogicalPortTimeoutError });
    await lab.addLsp(x.id, x.mac, x.ip);
    await p.plug(x.vif, OVN_INSTANCE);
    t.is(lab.ovnInstalled(1, x.vif.vif_name!), 'true');
    await nb.waitUp(x.id, { timeoutMs: 20_000 });
    await p.unplug(x.vif, OVN_INSTANCE);
  },
);

it.serial(
  'without the option a plug returns at the OVSDB write: an unbindable port plugs without error',
  async (t) => {
    const y = await lab.vif(0, 'plain', { lsp: false });
    const p = lab.plugin(0, { wait_for_ovn_installed: false, ovs_vsctl_timeout: 2 });
    await p.plug(y.vif, OVN_INSTANCE);
    t.is(lab.ovnInstalled(0, y.vif.vif_name!), '', 'not bound, and the plug did not wait for it');
    await p.unplug(y.vif, OVN_INSTANCE);
  },
);

it.serial(
  'os-vif plug --wait-bound: exit 0 once ovn-installed; exit 1 with OvnNotInstalled naming the port when it cannot bind',
  async (t) => {
    const dir = mkdtempSync(`/tmp/ovt${process.pid}cli`);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, value: unknown) => {
      const p = path.join(dir, name);
      writeFileSync(p, JSON.stringify(value));
      return p;
    };
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
      return { code, out, err };
    };
    const ch = lab.chassis(0);
    const common = [
      '--ovsdb',
      ch.dbRemote,
      '--netns',
      ch.netns,
      '--set',
      `oslo_concurrency.lock_path=${dir}`,
    ];
    const inst = file('i.json', OVN_INSTANCE.toPrimitive());
    const good = await lab.vif(0, 'plain');
    const plug = await cli(
      'plug',
      '--vif',
      file('g.json', good.vif.toPrimitive()),
      '--instance',
      inst,
      ...common,
      '--wait-bound',
      '20',
    );
    t.is(plug.code, 0, plug.err.join('\n'));
    t.is(lab.ovnInstalled(0, good.vif.vif_name!), 'true', 'exit 0 came after ovn-installed');
    const unplug = await cli(
      'unplug',
      '--vif',
      file('g.json', good.vif.toPrimitive()),
      '--instance',
      inst,
      ...common,
      '--wait-bound',
      '20',
    );
    t.is(unplug.code, 0, unplug.err.join('\n'));
    const bad = await lab.vif(0, 'plain', { lsp: false });
    const r = await cli(
      'plug',
      '--vif',
      file('b.json', bad.vif.toPrimitive()),
      '--instance',
      inst,
      ...common,
      '--wait-bound',
      '1',
      '--json',
    );
    t.is(r.code, 1);
    t.regex(r.err.join('\n'), /OvnNotInstalled|ovn-installed/);
    t.true(r.err.join('\n').includes(bad.vif.vif_name!), r.err.join('\n'));
    const conflict = await cli('config', '--wait-bound', '5', '--timeout', '7');
    t.is(conflict.code, 2);
    const cfg = await cli('config', '--wait-bound', '5', '--json');
    const ovs = (JSON.parse(cfg.out[0] ?? '{}') as { os_vif_ovs: Record<string, unknown> }).os_vif_ovs;
    t.is(ovs.wait_for_ovn_installed, true);
    t.is(ovs.ovs_vsctl_timeout, 5);
    t.is((await cli('config', '--wait-bound', 'soon')).code, 2, 'not a number: exit 2');
    await cli('unplug', '--vif', file('b.json', bad.vif.toPrimitive()), '--instance', inst, ...common);
  },
);
