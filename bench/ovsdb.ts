/**
 * OVSDB benchmark: `node dist/bench/ovsdb.js [--n 10,100,1000] [--json]`.
 *
 * In private sandboxes (own ovsdb-server, no ovs-vswitchd, so every method measures the
 * database work only and ovs-vsctl runs with --no-wait), adds then deletes N ports with:
 *   vsctl-each   one ovs-vsctl process per port (what agents do today)
 *   vsctl-one    one ovs-vsctl process for all N ports (one transaction)
 *   client-each  this client, one port per transaction, all N calls in flight
 *   client-batch this client, all N ports in one batched transaction
 * and checks the resulting state after each step. Then raw transact round trips (sequential
 * and pipelined), the replica load time for a database of 10,000 ports, and the framing
 * throughput on 5 MB and 50 MB replies (it must scale linearly).
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { JsonFramer, OvsdbClient, VSwitch } from '../src/ovsdb/index.js';
import { OvsSandbox } from '../src/sandbox/index.js';

const exec = promisify(execFile);
const { values } = parseArgs({
  options: { n: { type: 'string', default: '10,100,1000' }, json: { type: 'boolean', default: false } },
});
const sizes = values.n.split(',').map(Number);

interface Row {
  method: string;
  n: number;
  addMs: number;
  delMs: number;
}
const rows: Row[] = [];

async function vsctl(remote: string, args: string[]): Promise<void> {
  await exec('ovs-vsctl', [`--db=${remote}`, '--no-wait', '--timeout=60', ...args], { maxBuffer: 1 << 26 });
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `tap${i}`);
const ids = (name: string) => ({ 'iface-id': `id-${name}`, 'iface-status': 'active' });

async function timed(f: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function check(vs: VSwitch, remote: string, n: number, what: string): Promise<void> {
  await vs.replica.client.echo();
  const { stdout } = await exec('ovs-vsctl', [`--db=${remote}`, '--no-wait', 'list-ports', 'br0']);
  const listed = stdout.split('\n').filter(Boolean).length;
  if (listed !== n || vs.listPorts('br0').length !== n + 1) {
    throw new Error(
      `${what}: expected ${n} ports, ovs-vsctl sees ${listed}, replica ${vs.listPorts('br0').length - 1}`,
    );
  }
}

async function portMethods(n: number): Promise<void> {
  const sb = await OvsSandbox.start();
  const client = await OvsdbClient.connect(sb.dbRemote, { timeoutMs: 120_000 });
  try {
    const vs = await VSwitch.open(client);
    await vs.ensureBridge('br0', { datapathType: 'netdev' });
    const list = names(n);
    const run = async (method: string, add: () => Promise<void>, del: () => Promise<void>) => {
      const addMs = await timed(add);
      await check(vs, sb.dbRemote, n, `${method} add`);
      const delMs = await timed(del);
      await check(vs, sb.dbRemote, 0, `${method} del`);
      rows.push({ method, n, addMs, delMs });
    };
    await run(
      'vsctl-each',
      async () => {
        for (const p of list) {
          await vsctl(sb.dbRemote, [
            '--may-exist',
            'add-port',
            'br0',
            p,
            '--',
            'set',
            'Interface',
            p,
            ...Object.entries(ids(p)).map(([k, v]) => `external_ids:${k}=${v}`),
          ]);
        }
      },
      async () => {
        for (const p of list) await vsctl(sb.dbRemote, ['--if-exists', 'del-port', 'br0', p]);
      },
    );
    await run(
      'vsctl-one',
      () =>
        vsctl(
          sb.dbRemote,
          list.flatMap((p) => [
            '--',
            '--may-exist',
            'add-port',
            'br0',
            p,
            '--',
            'set',
            'Interface',
            p,
            ...Object.entries(ids(p)).map(([k, v]) => `external_ids:${k}=${v}`),
          ]),
        ),
      () =>
        vsctl(
          sb.dbRemote,
          list.flatMap((p) => ['--', '--if-exists', 'del-port', 'br0', p]),
        ),
    );
    await run(
      'client-each',
      async () => {
        await Promise.all(list.map((p) => vs.addPort('br0', p, { externalIds: ids(p) })));
      },
      async () => {
        await Promise.all(list.map((p) => vs.delPort(p, { bridge: 'br0' })));
      },
    );
    await run(
      'client-batch',
      async () => {
        await vs.batch((b) => {
          for (const p of list) b.addPort('br0', p, { externalIds: ids(p) });
        });
      },
      async () => {
        await vs.batch((b) => {
          for (const p of list) b.delPort(p, { bridge: 'br0' });
        });
      },
    );
  } finally {
    await client.close();
    await sb.stop();
  }
}

async function rawRoundTrips(): Promise<Record<string, number>> {
  const sb = await OvsSandbox.start();
  const client = await OvsdbClient.connect(sb.dbRemote);
  try {
    const vs = await VSwitch.open(client);
    const root = vs.root();
    const op = {
      op: 'mutate' as const,
      table: 'Open_vSwitch',
      where: [['_uuid', '==', root] as ['_uuid', '==', typeof root]],
      mutations: [['next_cfg', '+=', 1] as ['next_cfg', '+=', number]],
    };
    const N = 1000;
    for (let i = 0; i < 50; i++) await client.transact('Open_vSwitch', [op]); // warm-up
    const seq = await timed(async () => {
      for (let i = 0; i < N; i++) await client.transact('Open_vSwitch', [op]);
    });
    const pipe = await timed(async () => {
      await Promise.all(Array.from({ length: N }, () => client.transact('Open_vSwitch', [op])));
    });
    const echo = await timed(async () => {
      for (let i = 0; i < N; i++) await client.echo(i);
    });
    return { sequentialUs: (seq * 1000) / N, pipelinedUs: (pipe * 1000) / N, echoUs: (echo * 1000) / N };
  } finally {
    await client.close();
    await sb.stop();
  }
}

async function replicaLoad(ports: number): Promise<Record<string, number>> {
  const sb = await OvsSandbox.start();
  const client = await OvsdbClient.connect(sb.dbRemote, { timeoutMs: 120_000 });
  try {
    const vs = await VSwitch.open(client);
    await vs.ensureBridge('br0', { datapathType: 'netdev' });
    for (let base = 0; base < ports; base += 1000) {
      await vs.batch((b) => {
        for (let i = base; i < Math.min(ports, base + 1000); i++)
          b.addPort('br0', `p${i}`, { externalIds: ids(`p${i}`), mtuRequest: 1450 });
      });
    }
    const best = [];
    for (let r = 0; r < 3; r++) {
      const c2 = await OvsdbClient.connect(sb.dbRemote, { timeoutMs: 120_000 });
      let count = 0;
      best.push(
        await timed(async () => {
          const v2 = await VSwitch.open(c2);
          count = v2.listPorts('br0').length;
        }),
      );
      await c2.close();
      if (count !== ports + 1) throw new Error(`replica has ${count} ports, expected ${ports + 1}`);
    }
    return { ports, loadMs: Math.min(...best) };
  } finally {
    await client.close();
    await sb.stop();
  }
}

/** Best of 3: this framer on 64 KiB chunks, and a bare JSON.parse of the same bytes (the floor). */
function framing(mb: number): { framerMs: number; parseMs: number } {
  const row = JSON.stringify({
    name: 'tap-é😀',
    external_ids: ['map', [['iface-id', 'x'.repeat(36)]]],
    ofport: 1,
  });
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < mb * 1024 * 1024) {
    const p = `"${(i++).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000":{"initial":${row}}`;
    parts.push(p);
    size += p.length + 1;
  }
  const msg = Buffer.from(`{"id":1,"result":[true,"0",{"Interface":{${parts.join(',')}}}],"error":null}`);
  let framerMs = Number.POSITIVE_INFINITY;
  let parseMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    let t0 = process.hrtime.bigint();
    const f = new JsonFramer();
    let got = 0;
    for (let off = 0; off < msg.length; off += 65536) got += f.push(msg.subarray(off, off + 65536)).length;
    framerMs = Math.min(framerMs, Number(process.hrtime.bigint() - t0) / 1e6);
    if (got !== 1) throw new Error('framing lost the message');
    t0 = process.hrtime.bigint();
    JSON.parse(msg.toString('utf8'));
    parseMs = Math.min(parseMs, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { framerMs, parseMs };
}

const fmt = (x: number, d = 1) => x.toFixed(d);

async function main(): Promise<void> {
  for (const n of sizes) await portMethods(n);
  const raw = await rawRoundTrips();
  const replica = await replicaLoad(10_000);
  const f5 = framing(5);
  const f50 = framing(50);
  if (values.json) {
    console.log(JSON.stringify({ rows, raw, replica, framing: { ms5: f5, ms50: f50 } }, null, 2));
    return;
  }
  console.log('add + delete N ports (no ovs-vswitchd; ovs-vsctl --no-wait)');
  console.log(
    '| method | N | add ms | del ms | µs/port (add+del) | ports/s | speed-up vs vsctl-each | vs vsctl-one |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const total = r.addMs + r.delMs;
    const each = rows.find((x) => x.n === r.n && x.method === 'vsctl-each')!;
    const one = rows.find((x) => x.n === r.n && x.method === 'vsctl-one')!;
    console.log(
      `| ${r.method} | ${r.n} | ${fmt(r.addMs)} | ${fmt(r.delMs)} | ${fmt((total * 1000) / r.n / 2, 0)} | ${fmt((2 * r.n * 1000) / total, 0)} | ${fmt((each.addMs + each.delMs) / total)}x | ${fmt((one.addMs + one.delMs) / total, 2)}x |`,
    );
  }
  console.log('');
  console.log(
    `raw transact (mutate): sequential ${fmt(raw.sequentialUs!)} µs, pipelined ${fmt(raw.pipelinedUs!)} µs each (1000 in flight); echo ${fmt(raw.echoUs!)} µs`,
  );
  console.log(
    `replica load, ${replica.ports} ports (connect + schema + monitor + index): ${fmt(replica.loadMs!)} ms`,
  );
  console.log(
    `framing (best of 3): 5 MB reply ${fmt(f5.framerMs)} ms (bare JSON.parse ${fmt(f5.parseMs)} ms), 50 MB reply ${fmt(f50.framerMs)} ms (bare JSON.parse ${fmt(f50.parseMs)} ms)`,
  );
  console.log(
    `framing overhead over JSON.parse: ${fmt(f5.framerMs / f5.parseMs, 2)}x at 5 MB, ${fmt(f50.framerMs / f50.parseMs, 2)}x at 50 MB`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
