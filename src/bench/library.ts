/**
 * This library's methods, each through its public entry points with the sandbox's
 * configuration (the built-in plugins bound to the sandbox's namespace, its ovsdb-server, a
 * lock directory of its own): the facade's `plug()` one VIF at a time, every `plug()` in flight
 * at once (`Promise.all`), `plugAll`, and the CLI's batch mode as a whole process (start-up
 * included). Loading the library is untimed; the first OVSDB connection is made by the first
 * plug and timed, as Python os-vif's is.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { pluginClasses } from '../plugins/index.js';
import { initialize, plug, reset, unplug } from '../vif/index.js';
import { type BatchApi, CLI_BIN, cliHasBatchMode, facadeBatchApi } from './batch-api.js';
import type { BenchContext, Method, MethodRun } from './types.js';

async function loadLibrary(ctx: BenchContext): Promise<void> {
  await reset();
  await initialize({
    builtins: false,
    discover: false,
    plugins: pluginClasses({ netns: ctx.ns }),
    config: ctx.config,
  });
}

function facadeRun(all: (action: 'plug' | 'unplug') => Promise<void>): MethodRun {
  const timed = async (action: 'plug' | 'unplug') => {
    const t0 = performance.now();
    await all(action);
    return performance.now() - t0;
  };
  return { plug: () => timed('plug'), unplug: () => timed('unplug'), close: () => reset() };
}

const always = async () => undefined;

/** `await plug(vif)` for each VIF in turn. */
export const oneAtATime: Method = {
  id: 'lib-serial',
  label: 'this library, one at a time',
  family: 'library',
  oneAtATime: true,
  unavailable: always,
  async open(ctx) {
    await loadLibrary(ctx);
    return facadeRun(async (action) => {
      for (const vif of ctx.vifs) await (action === 'plug' ? plug : unplug)(vif, ctx.instance);
    });
  },
};

/** `Promise.all(vifs.map(plug))`. */
export const allInFlight: Method = {
  id: 'lib-inflight',
  label: 'this library, all in flight',
  family: 'library',
  unavailable: always,
  async open(ctx) {
    await loadLibrary(ctx);
    return facadeRun(async (action) => {
      await Promise.all(ctx.vifs.map((vif) => (action === 'plug' ? plug : unplug)(vif, ctx.instance)));
    });
  },
};

function failures(results: Awaited<ReturnType<BatchApi['plugAll']>>, action: string): void {
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    const first = failed[0] as { vifId: string; error: unknown };
    throw new Error(`${action}All: ${failed.length} failed, first ${first.vifId}: ${String(first.error)}`);
  }
}

/** The facade's `plugAll`/`unplugAll` with its default concurrency. */
export const plugAllMethod: Method = {
  id: 'lib-plugall',
  label: 'this library, plugAll',
  family: 'library',
  async unavailable() {
    return (await facadeBatchApi()) ? undefined : 'this build has no plugAll on the facade';
  },
  async open(ctx) {
    const api = (await facadeBatchApi()) as BatchApi;
    await loadLibrary(ctx);
    const pairs = ctx.vifs.map((vif) => ({ vif, instanceInfo: ctx.instance }));
    return facadeRun(async (action) => {
      const results = await (action === 'plug' ? api.plugAll(pairs) : api.unplugAll(pairs));
      if (results.length !== pairs.length)
        throw new Error(`${action}All returned ${results.length} results for ${pairs.length} VIFs`);
      failures(results, action);
    });
  },
};

function runCli(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { timeout: 900_000, killSignal: 'SIGKILL', maxBuffer: 1 << 26 },
      (error, _stdout, stderr) => {
        const ms = performance.now() - t0;
        if (error)
          reject(new Error(`os-vif ${args[0]} (batch): ${stderr.trim().split('\n').pop() ?? error.message}`));
        else resolve(ms);
      },
    );
  });
}

/** `os-vif plug|unplug --vifs F --instances F --netns NS --config C.json`, a whole process each. */
export const cliBatch: Method = {
  id: 'cli-batch',
  label: 'os-vif CLI, batch mode (whole process)',
  family: 'library',
  async unavailable() {
    return (await cliHasBatchMode()) ? undefined : "this build's `os-vif plug` has no --vifs/--instances";
  },
  async open(ctx) {
    const vifs = `${ctx.workDir}/vifs.json`;
    const instances = `${ctx.workDir}/instances.json`;
    const config = `${ctx.workDir}/config.json`;
    await writeFile(vifs, JSON.stringify(ctx.vifs.map((v) => v.toPrimitive())));
    await writeFile(instances, JSON.stringify(ctx.vifs.map(() => ctx.instance.toPrimitive())));
    await writeFile(config, JSON.stringify(ctx.config));
    const args = ['--vifs', vifs, '--instances', instances, '--netns', ctx.ns, '--config', config];
    return {
      plug: () => runCli(['plug', ...args]),
      unplug: () => runCli(['unplug', ...args]),
      close: always,
    };
  },
};

/** This library's methods, in table order. */
export const LIBRARY_METHODS: readonly Method[] = [oneAtATime, allInFlight, plugAllMethod, cliBatch];
