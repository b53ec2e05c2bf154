/**
 * The batch command on a real host: `bin/os-vif.js` inside `--netns` with a private ovsdb-server,
 * hybrid VIFs plugged from files, from stdin and from an NDJSON stream; the host checked with
 * `ip` and `ovs-vsctl` after each step. In the stream, each VIF is on the host (its qvo port in
 * OVSDB) before the next line is written: plugging starts before stdin ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { objects } from '../../src/vif/index.js';
import { TestNetns, trySh } from '../harness/netns.js';
import { gatedTest, INSTANCE, net, profile } from '../plugins/e2e-host.js';
import { BIN, writeIn } from './batch-fixtures.js';

const e2e = gatedTest('batch CLI end-to-end tests');

const idOf = (n: number) => `${(0xc1700000 + n).toString(16)}-d5e6-4f70-8192-a3b4c5d6e7f8`;
const qvoOf = (n: number) => `qvo${idOf(n)}`.slice(0, 14);

/** Hybrid VIF n's primitive; `bad` gives it a port profile the ovs plugin refuses. */
function hybrid(n: number, bad = false): unknown {
  const id = idOf(n);
  return new objects.VIFBridge({
    id,
    address: `fa:16:3e:7c:2c:${n.toString(16).padStart(2, '0')}`,
    plugin: 'ovs',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: `qbr${id}`.slice(0, 14),
    has_traffic_filtering: true,
    network: net('br-int'),
    port_profile: bad ? new objects.VIFPortProfileBase({}) : profile(id),
  }).toPrimitive();
}
const instance = INSTANCE.toPrimitive();

e2e.serial('files, stdin and stream against a real OVS in a namespace', async (t) => {
  const ns = TestNetns.create();
  const sb = await OvsSandbox.start({ netns: ns.path });
  const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}ce`));
  t.teardown(async () => {
    await sb.stop();
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, content: unknown) => writeIn(dir, name, content);
  // this sandbox has no ovs-vswitchd (the test is about the CLI): do not wait for one
  const config = file('config.json', {
    os_vif_ovs: { ovsdb_connection: sb.dbRemote, wait_for_vswitchd: false },
    oslo_concurrency: { lock_path: path.join(dir, 'locks') },
  });
  const common = ['--config', config, '--netns', ns.name];
  const cli = (args: string[], input?: string) =>
    spawnSync(process.execPath, [BIN, ...args, ...common], { encoding: 'utf8', input, timeout: 120_000 });
  const ports = () =>
    new Set(
      trySh('ovs-vsctl', ['--no-wait', `--db=${sb.dbRemote}`, 'list-ports', 'br-int'])
        .stdout.split('\n')
        .filter(Boolean),
    );

  // files: six VIFs, the fourth refused by the plugin
  const vifs = file(
    'vifs.json',
    [0, 1, 2, 3, 4, 5].map((n) => hybrid(n, n === 3)),
  );
  const instances = file('instances.json', Array(6).fill(instance));
  const plugged = cli(['plug', '--vifs', vifs, '--instances', instances, '--json']);
  t.is(plugged.status, 1, plugged.stderr);
  const lines = plugged.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(
    lines.map((l) => [l.index, l.vif, l.ok]),
    [0, 1, 2, 3, 4, 5].map((n) => [n, idOf(n), n !== 3]),
  );
  t.like(lines[3], { exit: 2, error: { type: 'WrongPortProfile' } });
  t.is(plugged.stderr, 'os-vif plug: 5 plugged, 1 failed\n');
  t.deepEqual([...ports()].sort(), [0, 1, 2, 4, 5].map(qvoOf).sort());
  t.is(ns.link(`qvb${idOf(0)}`.slice(0, 14))?.master, `qbr${idOf(0)}`.slice(0, 14));
  t.is(ns.link(`qbr${idOf(3)}`.slice(0, 14)), undefined, 'nothing of the refused VIF');

  // stdin: the five good ones unplugged, VIFS.json read from standard input
  const good = JSON.stringify([0, 1, 2, 4, 5].map((n) => hybrid(n)));
  const unplugged = cli(
    ['unplug', '--vifs', '-', '--instances', file('five.json', Array(5).fill(instance))],
    good,
  );
  t.is(unplugged.status, 0, unplugged.stderr);
  t.is(unplugged.stdout.trim().split('\n').length, 5);
  t.is(unplugged.stderr, 'os-vif unplug: 5 unplugged, 0 failed\n');
  t.deepEqual(ports(), new Set());
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    ['lo'],
  );

  // stream: each VIF is on the host before the next line is written
  const child = spawn(process.execPath, [BIN, 'plug', '--stream', '--concurrency', '4', ...common], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const results = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await results.next()).value)) as Record<string, unknown>;
  for (const n of [10, 11, 12]) {
    child.stdin.write(`${JSON.stringify({ vif: hybrid(n), instance })}\n`);
    t.like(await next(), { ok: true, vif: idOf(n), plugin: 'ovs' });
    t.true(ports().has(qvoOf(n)), `VIF ${n} is on the host while stdin is still open`);
  }
  child.stdin.write('{"vif": "garbage"}\n');
  t.like(await next(), { ok: false, line: 4, vif: null, exit: 2 });
  child.stdin.end();
  t.is(await exited, 1);
  t.is(stderr, 'os-vif plug: 3 plugged, 1 failed\n');
  t.deepEqual([...ports()].sort(), [10, 11, 12].map(qvoOf).sort());

  // SIGINT in the middle of a batch from files: the VIF in flight completes, the rest are not started
  const MANY = 40;
  const many = file(
    'many.json',
    Array.from({ length: MANY }, (_, i) => hybrid(20 + i)),
  );
  const batch = spawn(
    process.execPath,
    [
      BIN,
      'plug',
      '--vifs',
      many,
      '--instances',
      file('many-i.json', Array(MANY).fill(instance)),
      '--json',
      '--concurrency',
      '1',
      ...common,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  batch.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  batch.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<number | null>((resolve) => batch.on('close', (c) => resolve(c)));
  for (let i = 0; i < 600 && ports().size < 3 + 2; i++) await new Promise((r) => setTimeout(r, 50));
  batch.kill('SIGINT');
  t.is(await done, 130, err);
  const got = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ok: boolean; vif: string; error?: { type: string } });
  t.is(got.length, MANY, 'a result for every VIF');
  const ok = got.filter((r) => r.ok).map((r) => r.vif);
  t.true(ok.length >= 1 && ok.length < MANY, `${ok.length} plugged before the signal`);
  t.true(got.filter((r) => !r.ok).every((r) => r.error?.type === 'BatchInterrupted'));
  t.is(err, `os-vif plug: ${ok.length} plugged, ${MANY - ok.length} failed (stopped by SIGINT)\n`);
  const okSet = new Set(ok);
  const expected = new Set(
    Array.from({ length: MANY }, (_, i) => 20 + i)
      .filter((n) => okSet.has(idOf(n)))
      .map(qvoOf),
  );
  for (const n of [10, 11, 12]) expected.add(qvoOf(n));
  t.deepEqual([...ports()].sort(), [...expected].sort(), 'exactly the VIFs reported plugged are on the host');
  t.is(
    ns.links().filter((l) => l.ifname.startsWith('qbr')).length,
    ok.length + 3,
    'no half-made VIF: one qbr per plugged VIF',
  );
  const again = file(
    'again.json',
    Array.from({ length: MANY }, (_, i) => hybrid(20 + i)),
  );
  const cleaned = cli([
    'unplug',
    '--vifs',
    again,
    '--instances',
    file('again-i.json', Array(MANY).fill(instance)),
  ]);
  t.is(cleaned.status, 0, cleaned.stderr);

  const input = [10, 11, 12].map((n) => JSON.stringify({ vif: hybrid(n), instance })).join('\n');
  const gone = cli(['unplug', '--stream'], input);
  t.is(gone.status, 0, gone.stderr);
  t.deepEqual(ports(), new Set());
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    ['lo'],
  );
});
