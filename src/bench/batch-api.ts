/**
 * The batch entry points this benchmark measures, found at run time: the facade's
 * `plugAll`/`unplugAll` and the CLI's batch mode (`os-vif plug --vifs F --instances F`). Where
 * a build lacks them the methods say "unavailable"; nothing stands in for them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { objects } from '../vif/index.js';

/** One VIF's outcome in a batch. */
export type BatchOutcome =
  | { vifId: string; ok: true; ms: number }
  | { vifId: string; ok: false; error: unknown; ms: number };

/** A `{vif, instanceInfo}` pair of a batch. */
export interface BatchPair {
  vif: objects.VIFBase;
  instanceInfo: objects.InstanceInfo;
}

/** The facade's batch functions. */
export interface BatchApi {
  plugAll(pairs: BatchPair[], options?: { concurrency?: number }): Promise<BatchOutcome[]>;
  unplugAll(pairs: BatchPair[], options?: { concurrency?: number }): Promise<BatchOutcome[]>;
}

/** The facade's `plugAll`/`unplugAll`, or undefined when this build has none. */
export async function facadeBatchApi(): Promise<BatchApi | undefined> {
  const facade = (await import('../index.js')) as unknown as Partial<Record<keyof BatchApi, unknown>>;
  if (typeof facade.plugAll !== 'function' || typeof facade.unplugAll !== 'function') return undefined;
  return facade as BatchApi;
}

/** The package's `os-vif` command (bin/os-vif.js beside dist/). */
export const CLI_BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));

let cliBatch: Promise<boolean> | undefined;

/**
 * True when `os-vif plug --help` lists `--vifs` (the batch mode). It runs this package's own
 * command, the one process the benchmark's library methods start (as `os-vif helper` re-executes
 * itself); the baselines that run `ip`, `ovs-vsctl` or Python live outside src/ (bench/).
 */
export function cliHasBatchMode(): Promise<boolean> {
  cliBatch ??= new Promise((resolve) => {
    execFile(process.execPath, [CLI_BIN, 'plug', '--help'], { timeout: 30_000 }, (error, stdout) =>
      resolve(!error && /--vifs\b/.test(stdout) && /--instances\b/.test(stdout)),
    );
  });
  return cliBatch;
}
