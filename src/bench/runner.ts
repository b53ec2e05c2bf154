/**
 * Runs the chosen methods for every kind and size, one after the other, each in a sandbox of
 * its own: open (untimed), plug (timed by the method), the hypervisor's taps (untimed), verify
 * (untimed), unplug (timed), verify, close. A method that fails or leaves the host wrong gets a
 * `failed` sample with the reason and the run goes on; its time is never reported as a result.
 * On SIGINT/SIGTERM the current sandbox is removed before the process exits.
 */
import os from 'node:os';
import { BenchSandbox } from './sandbox.js';
import type { BenchReport, Kind, Method, Sample } from './types.js';
import { verifyPlugged, verifyUnplugged } from './verify.js';

/** What to run. */
export interface RunOptions {
  sizes: readonly number[];
  kinds: readonly Kind[];
  methods: readonly Method[];
  /** One line per finished sample (and per phase of long ones); stderr in the commands. */
  progress?: ((line: string) => void) | undefined;
  /** Run the one-at-a-time methods only for N up to this (default: every N). */
  serialMax?: number | undefined;
  /** Called after each sample with the report so far (`complete: false`). */
  onSample?: ((partial: BenchReport) => Promise<void>) | undefined;
}

const fmt = (ms: number, n: number) => `${ms.toFixed(0)} ms (${(ms / n).toFixed(3)} ms/VIF)`;

/** The sandbox being measured, for the signal handler. */
interface Live {
  box: BenchSandbox | undefined;
}

async function measure(
  kind: Kind,
  n: number,
  method: Method,
  live: Live,
  note: (s: string) => void,
): Promise<Sample> {
  const base = { kind, n, method: method.id, label: method.label, family: method.family } as const;
  const reason = await method.unavailable(kind);
  if (reason !== undefined) return { ...base, status: 'unavailable', reason };
  let box: BenchSandbox | undefined;
  const sample: Sample = { ...base, status: 'failed' };
  try {
    box = await BenchSandbox.open(kind, n);
    live.box = box;
    if (box.settledMs > 500) note(`waited ${(box.settledMs / 1000).toFixed(1)} s for a quiet rtnl lock`);
    const run = await method.open(box.ctx);
    try {
      const plugMs = await run.plug();
      note(`plug ${fmt(plugMs, n)}`);
      if (kind !== 'plain') await box.hypervisorTaps(true);
      const afterPlug = await verifyPlugged(box.ctx);
      if (afterPlug.length > 0) throw new Error(`after plug: ${afterPlug.join('; ')}`);
      const unplugMs = await run.unplug();
      const afterUnplug = await verifyUnplugged(box.ctx);
      if (afterUnplug.length > 0) throw new Error(`after unplug: ${afterUnplug.join('; ')}`);
      Object.assign(sample, { status: 'ok', plugMs, unplugMs });
    } finally {
      await run.close();
    }
  } catch (error) {
    sample.reason = error instanceof Error ? error.message : String(error);
  } finally {
    live.box = undefined;
    await box?.close().catch((error: unknown) => {
      sample.status = 'failed';
      sample.reason = `${sample.reason ? `${sample.reason}; ` : ''}${String(error)}`;
    });
  }
  return sample;
}

/** Cheap methods first, so a long run interrupted late still has the comparisons that matter. */
const COST_RANK: Readonly<Record<string, number>> = { floor: 0, python: 2, shell: 3 };
const rank = (m: Method) => COST_RANK[m.id] ?? 1;

/**
 * Runs every (size, kind, method): sizes in increasing order, and at each size the floor and
 * this library's methods before Python and the shell. The samples come back in table order
 * (kind, size, method as given); `onSample` gets the report so far after each sample.
 */
export async function runScaleBench(options: RunOptions): Promise<BenchReport> {
  const started = new Date();
  const t0 = performance.now();
  const say = options.progress ?? (() => undefined);
  const live: Live = { box: undefined };
  const onSignal = (signal: NodeJS.Signals) => {
    say(`bench: ${signal}, removing the sandbox and stopping`);
    const exit = () => process.exit(signal === 'SIGINT' ? 130 : 143);
    void (live.box?.close() ?? Promise.resolve()).then(exit, exit);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const samples: Sample[] = [];
  const report = (complete: boolean): BenchReport => {
    const order = (s: Sample) => [
      options.kinds.indexOf(s.kind),
      options.sizes.indexOf(s.n),
      options.methods.findIndex((m) => m.id === s.method),
    ];
    const sorted = [...samples].sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return (
        (x[0] as number) - (y[0] as number) ||
        (x[1] as number) - (y[1] as number) ||
        (x[2] as number) - (y[2] as number)
      );
    });
    return {
      started: started.toISOString(),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      complete,
      host: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), kernel: os.release() },
      sizes: [...options.sizes],
      kinds: [...options.kinds],
      serialMax: options.serialMax,
      methods: options.methods.map((m) => ({ id: m.id, label: m.label, family: m.family })),
      samples: sorted,
    };
  };
  const byCost = [...options.methods].sort((a, b) => rank(a) - rank(b));
  try {
    for (const n of [...options.sizes].sort((a, b) => a - b)) {
      for (const kind of options.kinds) {
        for (const method of byCost) {
          const tag = `${kind} N=${n} ${method.id}`;
          const skip = method.oneAtATime === true && options.serialMax !== undefined && n > options.serialMax;
          const sample: Sample = skip
            ? {
                kind,
                n,
                method: method.id,
                label: method.label,
                family: method.family,
                status: 'skipped',
                reason: `one VIF at a time: run up to N=${options.serialMax} (--serial-max)`,
              }
            : await measure(kind, n, method, live, (s) => say(`${tag}: ${s}`));
          samples.push(sample);
          if (sample.status === 'ok') say(`${tag}: unplug ${fmt(sample.unplugMs as number, n)}, verified`);
          else say(`${tag}: ${sample.status.toUpperCase()}: ${sample.reason}`);
          await options.onSample?.(report(false));
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return report(true);
}
