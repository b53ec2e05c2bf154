/**
 * Plug and unplug N taps into a bridge in a sandbox namespace, four ways, and compare:
 *   shell     one `ip` process per step (tuntap add; link set mtu; link set master; link set up; link del)
 *   ip-batch  one `ip -batch` process for all steps (per-device deletes)
 *   lib-seq   this library, one VIF at a time (links.add with mtu/master/up; links.del)
 *   lib-many  this library, all VIFs in flight (batched datagrams) and one group delete to unplug
 * Each method runs in a fresh namespace; the resulting state is verified with `ip -j -d link`.
 *
 *   node dist/bench/netlink.js [--n 10,100,1000] [--methods shell,ip-batch,lib-seq,lib-many] [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createNetns, deleteNetns, Netlink } from '../src/netlink/index.js';

type Method = 'shell' | 'ip-batch' | 'lib-seq' | 'lib-many';
const METHODS: Method[] = ['shell', 'ip-batch', 'lib-seq', 'lib-many'];
const MTU = 1450;
const GROUP = 4242;

interface Result {
  method: Method;
  n: number;
  plugMs: number;
  unplugMs: number;
}

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10,100,1000' },
    methods: { type: 'string', default: METHODS.join(',') },
    json: { type: 'boolean', default: false },
  },
});
const sizes = values.n.split(',').map(Number);
const methods = values.methods.split(',') as Method[];
for (const m of methods) if (!METHODS.includes(m)) throw new Error(`unknown method ${m}`);
if (!sizes.every((n) => Number.isInteger(n) && n > 0 && n <= 5000))
  throw new Error('--n takes sizes from 1 to 5000');

let counter = 0;
const nsName = () => `ovt${process.pid}xb${counter++}`;
const taps = (n: number) => Array.from({ length: n }, (_, i) => `tap${i}`);

function ip(ns: string, ...args: string[]): void {
  const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

function ipBatch(ns: string, lines: string[]): void {
  execFileSync('ip', ['-n', ns, '-batch', '-'], {
    input: `${lines.join('\n')}\n`,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

/** What `ip -j -d link` shows: every tap a port of br0 with the MTU, up; or no tap at all. */
function verify(ns: string, n: number, plugged: boolean): void {
  const links = JSON.parse(
    execFileSync('ip', ['-n', ns, '-j', '-d', 'link', 'show'], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  ) as {
    ifname: string;
    mtu: number;
    master?: string;
    flags: string[];
    linkinfo?: { info_kind?: string; info_data?: { type?: string } };
  }[];
  const tapLinks = links.filter((l) => l.linkinfo?.info_kind === 'tun');
  if (!plugged) {
    if (tapLinks.length) throw new Error(`${tapLinks.length} taps left after unplug`);
    return;
  }
  const good = tapLinks.filter(
    (l) =>
      l.master === 'br0' && l.mtu === MTU && l.flags.includes('UP') && l.linkinfo?.info_data?.type === 'tap',
  );
  if (good.length !== n)
    throw new Error(`expected ${n} plugged taps, found ${good.length} (of ${tapLinks.length})`);
}

async function plug(method: Method, ns: string, nl: Netlink, n: number): Promise<void> {
  const names = taps(n);
  switch (method) {
    case 'shell':
      for (const t of names) {
        ip(ns, 'tuntap', 'add', 'dev', t, 'mode', 'tap');
        ip(ns, 'link', 'set', t, 'mtu', String(MTU));
        ip(ns, 'link', 'set', t, 'master', 'br0');
        ip(ns, 'link', 'set', t, 'up');
      }
      return;
    case 'ip-batch':
      ipBatch(
        ns,
        names.flatMap((t) => [`tuntap add dev ${t} mode tap`, `link set ${t} mtu ${MTU} master br0 up`]),
      );
      return;
    case 'lib-seq':
      for (const t of names) await nl.links.add({ kind: 'tap', name: t, mtu: MTU, master: 'br0', up: true });
      return;
    case 'lib-many':
      await Promise.all(
        names.map((t) =>
          nl.links.add({ kind: 'tap', name: t, mtu: MTU, master: 'br0', up: true, group: GROUP }),
        ),
      );
      return;
  }
}

async function unplug(method: Method, ns: string, nl: Netlink, n: number): Promise<void> {
  const names = taps(n);
  switch (method) {
    case 'shell':
      for (const t of names) ip(ns, 'link', 'del', t);
      return;
    case 'ip-batch':
      ipBatch(
        ns,
        names.map((t) => `link del ${t}`),
      );
      return;
    case 'lib-seq':
      for (const t of names) await nl.links.del(t);
      return;
    case 'lib-many':
      await nl.links.del({ group: GROUP });
      return;
  }
}

/** The namespace in use, removed on Ctrl-C too. */
let current: string | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (current) spawnSync('ip', ['netns', 'del', current]);
    process.exit(130);
  });
}

async function run(method: Method, n: number): Promise<Result> {
  const ns = nsName();
  await createNetns(ns);
  current = ns;
  const nl = await Netlink.open({ netns: ns });
  try {
    await nl.links.add({ kind: 'bridge', name: 'br0', up: true });
    let t0 = performance.now();
    await plug(method, ns, nl, n);
    const plugMs = performance.now() - t0;
    verify(ns, n, true);
    t0 = performance.now();
    await unplug(method, ns, nl, n);
    const unplugMs = performance.now() - t0;
    verify(ns, n, false);
    return { method, n, plugMs, unplugMs };
  } finally {
    nl.close();
    await deleteNetns(ns);
    current = undefined;
  }
}

function table(results: Result[]): string {
  const rows = [
    '| N | method | plug VIFs/s | plug µs/VIF | plug vs shell | plug vs ip-batch | unplug VIFs/s | unplug µs/VIF | unplug vs shell |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const shell = results.find((x) => x.n === r.n && x.method === 'shell');
    const batch = results.find((x) => x.n === r.n && x.method === 'ip-batch');
    const ratio = (base: number | undefined, v: number) =>
      base === undefined ? '-' : `${(base / v).toFixed(2)}x`;
    rows.push(
      `| ${r.n} | ${r.method} | ${((r.n / r.plugMs) * 1000).toFixed(0)} | ${((r.plugMs * 1000) / r.n).toFixed(0)} | ${ratio(shell?.plugMs, r.plugMs)} | ${ratio(batch?.plugMs, r.plugMs)} | ${((r.n / r.unplugMs) * 1000).toFixed(0)} | ${((r.unplugMs * 1000) / r.n).toFixed(0)} | ${ratio(shell?.unplugMs, r.unplugMs)} |`,
    );
  }
  return rows.join('\n');
}

const results: Result[] = [];
for (const n of sizes) {
  for (const m of methods) {
    const r = await run(m, n);
    results.push(r);
    if (!values.json) {
      console.error(
        `${m} N=${n}: plug ${r.plugMs.toFixed(1)} ms, unplug ${r.unplugMs.toFixed(1)} ms (state verified)`,
      );
    }
  }
}
console.log(values.json ? JSON.stringify(results, null, 2) : table(results));
