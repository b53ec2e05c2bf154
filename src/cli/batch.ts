/**
 * `os-vif plug|unplug` for many VIFs in one process, through the facade's batch calls:
 *
 * - files (`--vifs VIFS.json --instances INSTANCES.json`): `plugAll`, results printed in input
 *   order once all are done;
 * - stream (`--stream`): one `{"vif": …, "instance": …}` per line of stdin, each VIF started as
 *   soon as its line is read (`plugEach`), one JSON result line per VIF on stdout as each
 *   completes; stdin is read no faster than VIFs finish (`--concurrency` in flight).
 *
 * Either way each VIF gets its own result and a bad one fails alone; a progress bar is drawn on
 * stderr when it is a terminal and the batch takes more than a moment.
 */
import type { BatchProgress, BatchResult, VifPair } from '../vif/index.js';
import { type BatchEntry, fileEntry, lineEntry } from './batch-input.js';
import { BatchReport, type Origin } from './batch-report.js';
import { Interruptions } from './interrupt.js';
import { lines } from './lines.js';
import { ProgressBar } from './progress.js';
import type { Runtime } from './runtime.js';
import type { Io } from './usage.js';

/** What a batch command runs with. */
export interface BatchContext {
  action: 'plug' | 'unplug';
  runtime: Runtime;
  io: Io;
  /** JSON result lines (always in stream mode). */
  json: boolean;
  /** VIFs in flight at once (the facade's default when undefined). */
  concurrency: number | undefined;
  /** The progress bar, when stderr is a terminal (`io` then writes around it). */
  bar: ProgressBar | undefined;
}

/**
 * The command's output for a batch: on a terminal, a progress bar, and an `io` whose lines (the
 * results, the summary, the logs of `--log-level`) are written around it, so none lands on it.
 */
export function batchDisplay(io: Io, action: 'plug' | 'unplug'): { io: Io; bar: ProgressBar | undefined } {
  const write = io.errWrite;
  if (!io.tty || !write) return { io, bar: undefined };
  const bar = new ProgressBar({ write, verb: action === 'plug' ? 'plugged' : 'unplugged' });
  return {
    io: {
      ...io,
      out: (line) => bar.around(() => io.out(line)),
      err: (line) => bar.around(() => io.err(line)),
    },
    bar,
  };
}

/** Runs the VIFs of the two arrays; resolves to the exit status. */
export async function runFileBatch(
  ctx: BatchContext,
  files: { vifs: unknown[]; instances: unknown[] },
): Promise<number> {
  const { runtime } = ctx;
  const entries: BatchEntry[] = files.vifs.map((v, i) => fileEntry(runtime, v, files.instances[i], i));
  const pairs = entries.flatMap((e) => ('pair' in e ? [e.pair] : []));
  const refused = entries.length - pairs.length;
  const { bar } = ctx;
  const report = new BatchReport(ctx.action, ctx.io, ctx.json);
  bar?.start();
  const interruptions = new Interruptions();
  try {
    const results = await runtime.all(ctx.action, pairs, {
      ...(ctx.concurrency !== undefined ? { concurrency: ctx.concurrency } : {}),
      signal: interruptions.signal,
      onProgress: (p) => bar?.update(refused + p.done, refused + p.failed, entries.length),
    });
    bar?.stop();
    let k = 0;
    entries.forEach((e, index) => {
      if ('pair' in e) report.result(outcome(results[k++] as BatchResult, e.pair), { index });
      else report.result({ ok: false, vifId: e.vifId, error: e.error }, { index });
    });
  } finally {
    interruptions.dispose();
    bar?.stop();
  }
  return finish(report, interruptions);
}

/** Runs the VIFs of the NDJSON lines of stdin as they come; resolves to the exit status. */
export async function runStreamBatch(ctx: BatchContext): Promise<number> {
  const { runtime, io, bar } = ctx;
  const report = new BatchReport(ctx.action, io, true);
  bar?.start();
  // the line and VIF of each pair given to the facade, until its result is printed
  const pending = new Map<number, { origin: Origin; pair: VifPair }>();
  // on a signal, stop reading: the process must not wait for more input to exit
  const interruptions = new Interruptions(() => {
    if (!io.stdinChunks) process.stdin.destroy();
  });
  async function* source(): AsyncGenerator<VifPair> {
    let index = 0;
    for await (const line of lines((io.stdinChunks ?? processStdin)())) {
      const e = lineEntry(runtime, line);
      if (e === undefined) continue;
      if ('error' in e) {
        report.result({ ok: false, vifId: e.vifId, error: e.error }, { line: line.number });
        progress(undefined);
        continue;
      }
      pending.set(index++, { origin: { line: line.number }, pair: e.pair });
      yield e.pair;
    }
  }
  const progress = (total: number | undefined) => {
    const { done, failed } = report.counts();
    bar?.update(done, failed, total);
  };
  try {
    await runtime.each(ctx.action, source(), {
      ...(ctx.concurrency !== undefined ? { concurrency: ctx.concurrency } : {}),
      signal: interruptions.signal,
      onProgress: (p: BatchProgress) => {
        const at = pending.get(p.index);
        pending.delete(p.index);
        if (!at) return;
        report.result(outcome(p.result, at.pair), at.origin);
        progress(undefined);
      },
    });
  } finally {
    interruptions.dispose();
    bar?.stop();
  }
  return finish(report, interruptions);
}

/** The summary line and the exit status: 128 + the signal's number when one stopped the batch. */
function finish(report: BatchReport, interruptions: Interruptions): number {
  const code = report.finish(interruptions.received);
  return interruptions.exitCode() ?? code;
}

function outcome(result: BatchResult, pair: VifPair) {
  return result.ok
    ? { ok: true as const, vifId: result.vifId, plugin: String(pair.vif.objGet('plugin')), ms: result.ms }
    : { ok: false as const, vifId: result.vifId || undefined, error: result.error };
}

function processStdin(): AsyncIterable<Buffer> {
  return process.stdin;
}
