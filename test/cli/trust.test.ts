/**
 * Exit status 2 means "nothing changed", always: the CLI (bin/os-vif.js, a real process) inside a
 * namespace with a private ovsdb-server, fed VIF files an operator could write. Each refusal
 * exits 2 with one line, and the host is witnessed unchanged (ip, ovs-vsctl, and the next ifindex,
 * which a device created and deleted again would move). A non-root caller is told which
 * capability is missing.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { isRoot, readableBy, TestNetns, trySh } from '../harness/netns.js';
import { ovsState } from '../plugins/witness.js';
import { hybrid, INSTANCE } from './fixtures.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
// serial: each test runs the CLI through spawnSync, which blocks this process's event loop (and
// with it a concurrent test's sandbox start) for the seconds a node process takes to start
const e2e = isRoot && trySh('sh', ['-c', 'command -v ovsdb-server']).status === 0 ? test.serial : test.skip;
/** The no-capability case runs the CLI as uid 65534: the checkout must be readable by it. */
const nobodyCanRead = isRoot && readableBy(65534, BIN);
if (isRoot && !nobodyCanRead)
  console.log(`CLI test as uid 65534 skipped: ${BIN} is not readable by it (under /root?)`);
const asNobody = nobodyCanRead ? e2e : test.skip;

const dir = mkdtempSync(path.join(tmpdir(), 'ovtclitrust'));
chmodSync(dir, 0o755); // the non-root case reads its files too
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (content: unknown) => {
  const p = path.join(dir, `f${files++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(p, 0o644);
  return p;
};

async function cliHost(t: import('ava').ExecutionContext) {
  const ns = TestNetns.create();
  const sb = await OvsSandbox.start({ netns: ns.path });
  t.teardown(async () => {
    await sb.stop();
    ns.destroy();
  });
  const config = file({ os_vif_ovs: { ovsdb_connection: sb.dbRemote, wait_for_vswitchd: false } });
  const inst = file(INSTANCE.toPrimitive());
  let probes = 0;
  /** Links and OVS rows, plus the next ifindex (read by creating a probe bridge). */
  const witness = () => {
    const probe = `probe${probes++}`;
    ns.ip('link', 'add', probe, 'type', 'bridge');
    const links = ns.links();
    return {
      next: links.find((l) => l.ifname === probe)?.ifindex ?? -1,
      links: links.filter((l) => !l.ifname.startsWith('probe')).map((l) => [l.ifname, l.flags, l.mtu]),
      ovs: ovsState(sb.dbRemote),
    };
  };
  const run = (action: string, vif: string, configFile = config) =>
    trySh('node', [
      BIN,
      action,
      '--vif',
      vif,
      '--instance',
      inst,
      '--config',
      configFile,
      '--netns',
      ns.name,
    ]);
  /** `action` with VIF file `vif` must exit 2 with one line matching `line`, the host unchanged. */
  const refused = (action: string, vif: string, line: RegExp, configFile = config) => {
    const before = witness();
    const r = run(action, vif, configFile);
    const after = witness();
    t.is(r.status, 2, r.stderr);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.regex(r.stderr, line);
    t.deepEqual({ ...after, next: after.next - 1 }, before, `${line}: nothing changed`);
  };
  return { ns, sb, run, refused, inst };
}

e2e('unplug with an invalid bridge_name exits 2 and the OVS port and devices are still there', async (t) => {
  const h = await cliHost(t);
  const plug = h.run('plug', file(hybrid().toPrimitive()));
  t.is(plug.status, 0, plug.stderr);
  t.truthy(ovsState(h.sb.dbRemote).ports['qvod1a2b3c4-d5']);
  h.refused(
    'unplug',
    file(hybrid({ bridge_name: 'bad/name' }).toPrimitive()),
    /InvalidVif: .*bridge_name "bad\/name"/,
  );
  // a bridge_name naming an existing device of another kind: refused before the port goes
  h.ns.ip('link', 'add', 'victim0', 'type', 'veth', 'peer', 'name', 'victim1');
  h.refused(
    'unplug',
    file(hybrid({ bridge_name: 'victim0' }).toPrimitive()),
    /UnexpectedDevice: .*victim0 is of kind veth/,
  );
  t.truthy(ovsState(h.sb.dbRemote).ports['qvod1a2b3c4-d5'], 'the OVS port is still there');
});

e2e(
  'a hybrid plug with network.mtu -1 (or a name OVSDB or the kernel cannot take) exits 2, no device ever created',
  async (t) => {
    const h = await cliHost(t);
    h.refused('plug', file(hybrid({}, { mtu: -1 }).toPrimitive()), /InvalidVif: .*network\.mtu -1/);
    h.refused('plug', file(hybrid({}, { mtu: 70000 }).toPrimitive()), /network\.mtu 70000/);
    // JSON escapes an operator can write: a lone surrogate (no UTF-8 form) and NUL
    const primitive = JSON.stringify(hybrid({ bridge_name: 'LONE' }).toPrimitive());
    h.refused('plug', file(primitive.replace('"LONE"', '"qbr\\ud800"')), /bridge_name .*valid Unicode/);
    h.refused('plug', file(primitive.replace('"LONE"', '"qbr\\u0000x"')), /bridge_name .*NUL/);
    h.refused('plug', file(primitive.replace('"LONE"', '"qbr\\nx"')), /bridge_name .*whitespace/);
    h.refused(
      'plug',
      file(hybrid({}, { bridge: 'br-int-with-16ch' }).toPrimitive()),
      /network\.bridge .*1 to 15 bytes/,
    );
    h.refused(
      'plug',
      file(hybrid().toPrimitive()),
      /Invalid configuration \[os_vif_ovs\] ovsdb_connection: remote bogus:x: unknown transport/,
      file({ os_vif_ovs: { ovsdb_connection: 'bogus:x' } }),
    );
  },
);

asNobody('without CAP_NET_ADMIN the failure says which capability is needed (exit 1)', async (t) => {
  const h = await cliHost(t);
  const vif = file(
    hybrid({ plugin: 'linux_bridge', bridge_name: 'brqx' }, { should_provide_bridge: true }).toPrimitive(),
  );
  const nobody = [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
  ];
  for (const netns of [['--netns', h.ns.name], []]) {
    // with --netns the namespace cannot be entered; without, run inside it (ip netns exec) and
    // the link request itself is refused
    // a lock directory the caller may write: the linux_bridge plug takes os-vif's file lock first
    const locks = path.join(dir, 'locks');
    mkdirSync(locks, { recursive: true, mode: 0o777 });
    chmodSync(locks, 0o777);
    const argv = [
      'env',
      `OSLO_LOCK_PATH=${locks}`,
      'setpriv',
      ...nobody,
      'node',
      BIN,
      'plug',
      '--vif',
      vif,
      '--instance',
      h.inst,
      ...netns,
    ];
    const r = netns.length ? trySh(argv[0]!, argv.slice(1)) : h.ns.exec(argv[0]!, argv.slice(1));
    t.is(r.status, 1, r.stderr);
    t.regex(r.stderr, /EPERM.*needs CAP_NET_ADMIN/);
    if (netns.length) t.regex(r.stderr, /CAP_SYS_ADMIN to enter the namespace/);
  }
  t.is(h.ns.link('brqx'), undefined);
});
