/**
 * An unprivileged agent for test/helper/e2e.test.ts: run as another uid, it uses the library
 * through the helper (`initialize({ helper: { socket } })`) and prints what it saw as one JSON
 * line: the plugins, the filtered HostInfo, and for each VIF file the outcome of the operation
 * (the error's class chain when it fails, with `instanceof` checks against the library's classes).
 *
 *   node agent-child.js SOCKET INSTANCE.json ACTION:VIF.json ...
 */
import { readFileSync } from 'node:fs';
import * as osvif from '../../src/index.js';

const [socket, instanceFile, ...steps] = process.argv.slice(2) as [string, string, ...string[]];
const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as unknown;

function chain(error: unknown): { name: string; message: string }[] {
  const out: { name: string; message: string }[] = [];
  for (let e = error; e instanceof Error && out.length < 8; e = e.cause)
    out.push({ name: e.name, message: e.message });
  return out;
}

const report: Record<string, unknown> = { uid: process.getuid?.() };
try {
  await osvif.initialize({ helper: { socket, timeoutMs: 60_000 } });
  report.plugins = osvif.loadedPlugins();
  report.hostInfo = osvif.hostInfo(['VIFBridge']).toPrimitive();
  const instance = osvif.objects.fromPrimitive(load(instanceFile), osvif.objects.InstanceInfo);
  const results: unknown[] = [];
  for (const step of steps) {
    const [action, file] = step.split(':') as ['plug' | 'unplug', string];
    const vif = osvif.objects.fromPrimitive(load(file), osvif.objects.VIFBase);
    try {
      await (action === 'plug' ? osvif.plug(vif, instance) : osvif.unplug(vif, instance));
      results.push({ ok: true });
    } catch (error) {
      results.push({
        ok: false,
        chain: chain(error),
        isPlugException: error instanceof osvif.PlugException,
        isExceptionBase: error instanceof osvif.ExceptionBase,
      });
    }
  }
  report.results = results;
} catch (error) {
  report.initError = chain(error);
} finally {
  await osvif.reset();
}
process.stdout.write(`${JSON.stringify(report)}\n`);
