/**
 * The CLI's benchmark entry: the full comparison (shell-based way, this library one at a time
 * and many in flight, Python os-vif) lives in `bench/plug.ts`, outside the library, because it
 * spawns `ip` and `ovs-vsctl`. In a repository build it is loaded from `dist/bench/plug.js`.
 */
import { existsSync } from 'node:fs';

/** What a benchmark run returns. */
export interface BenchResults {
  ok: boolean;
  /** The printable table. */
  table: string[];
  [key: string]: unknown;
}

/** Options of a run. */
export interface BenchOptions {
  n: number;
  /** Progress output (a terminal). */
  progress?: ((text: string) => void) | undefined;
}

const BENCH = new URL('../../bench/plug.js', import.meta.url);

/**
 * True where the benchmarks are built beside the library (a repository build); the published
 * package ships the library only, and its CLI has no `bench` command.
 */
export function benchAvailable(): boolean {
  return existsSync(BENCH);
}

/** Runs `bench/plug.ts` when it is built beside the library; a clear message otherwise. */
export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const url = BENCH;
  let mod: { runPlugBench?: (o: BenchOptions) => Promise<BenchResults> };
  try {
    mod = (await import(url.href)) as typeof mod;
  } catch {
    return {
      ok: false,
      table: [
        'os-vif bench: the benchmark is part of the source repository (bench/plug.ts); build it with npx tsc',
      ],
    };
  }
  if (typeof mod.runPlugBench !== 'function')
    return { ok: false, table: ['os-vif bench: bench/plug.js has no runPlugBench'] };
  return mod.runPlugBench(options);
}
