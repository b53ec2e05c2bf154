/**
 * Benchmark: what going through `os-vif helper` costs per call, without the plugins' own work.
 * An in-process HelperServer with a handler that does nothing answers plug requests (a
 * VIFOpenVSwitch primitive, loaded and checked as the helper always does) from HelperClient
 * (a connection per call, SO_PEERCRED checked on each), one at a time and 16 at a time; the
 * same VIF's toPrimitive + fromPrimitive alone is the floor. No root needed.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/helper.js [--n 2000] [--json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HelperClient } from '../src/helper/client.js';
import { HelperServer } from '../src/helper/server.js';
import { objects } from '../src/vif/index.js';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, json: { type: 'boolean', default: false } },
});
const N = Math.min(Math.max(Number(args.n) || 2000, 100), 100_000);
const examples = new URL('../../examples/', import.meta.url);
const vif = objects.fromPrimitive(
  JSON.parse(readFileSync(new URL('vif-ovs.json', examples), 'utf8')),
  objects.VIFBase,
);
const instance = objects.fromPrimitive(
  JSON.parse(readFileSync(new URL('instance.json', examples), 'utf8')),
  objects.InstanceInfo,
);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function timed(n: number, concurrency: number, call: () => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const t0 = performance.now();
        await call();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    calls: n,
    concurrency,
    perSecond: Math.round(n / seconds),
    p50ms: Number(quantile(latencies, 0.5).toFixed(3)),
    p99ms: Number(quantile(latencies, 0.99).toFixed(3)),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), `ovth${process.pid}-bench-`));
const socket = path.join(dir, 'helper.sock');
const server = await HelperServer.listen({
  socket,
  allowUids: [process.getuid?.() ?? 0],
  handler: { plug: async () => undefined, unplug: async () => undefined, hostInfo: () => null },
});
try {
  const client = new HelperClient({ socket, timeoutMs: 10_000 });
  await timed(200, 4, () => client.plug(vif, instance)); // warm up
  const floor = await timed(N, 1, async () => {
    objects.fromPrimitive(JSON.parse(JSON.stringify(vif.toPrimitive())), objects.VIFBase);
  });
  const serial = await timed(N, 1, () => client.plug(vif, instance));
  const parallel = await timed(N, 16, () => client.plug(vif, instance));
  const rows = [
    { what: 'toPrimitive + JSON + fromPrimitive (in process)', ...floor },
    { what: 'plug through the helper, 1 at a time', ...serial },
    { what: 'plug through the helper, 16 at a time', ...parallel },
  ];
  if (args.json) console.log(JSON.stringify(rows));
  else {
    console.log(`helper round trips (no-op handler), n=${N}`);
    for (const r of rows)
      console.log(
        `  ${r.what.padEnd(50)} ${String(r.perSecond).padStart(7)}/s  p50 ${r.p50ms.toFixed(3)} ms  p99 ${r.p99ms.toFixed(3)} ms`,
      );
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
