/**
 * Shared bits of the OVSDB tests: a private sandbox per test file (removed afterwards, also on
 * failure), and `ovs-vsctl` as the independent witness of what the client wrote.
 */
import type { TestFn } from 'ava';
import { OvsSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { isRoot, sh, trySh } from '../harness/netns.js';

export { isRoot };

/** Runs `ovs-vsctl --db=REMOTE --no-wait --timeout=10 ARGS...` and returns trimmed stdout. */
export function vsctl(remote: string, ...args: string[]): string {
  return sh('ovs-vsctl', [`--db=${remote}`, '--no-wait', '--timeout=10', ...args]).trim();
}

/** Like {@link vsctl} but never throws. */
export function tryVsctl(
  remote: string,
  ...args: string[]
): { status: number; stdout: string; stderr: string } {
  return trySh('ovs-vsctl', [`--db=${remote}`, '--no-wait', '--timeout=10', ...args]);
}

/** Parses `ovs-vsctl --format=json` table output into objects. */
export function vsctlRows(remote: string, ...args: string[]): Array<Record<string, unknown>> {
  const out = JSON.parse(vsctl(remote, '--format=json', ...args)) as {
    headings: string[];
    data: unknown[][];
  };
  return out.data.map((row) => Object.fromEntries(out.headings.map((h, i) => [h, row[i]])));
}

/** Registers a `before` that starts a sandbox and an `after.always` that stops it. */
export function useSandbox(test: TestFn, options: SandboxOptions = {}): () => OvsSandbox {
  let sb: OvsSandbox | undefined;
  test.serial.before(async () => {
    if (isRoot) sb = await OvsSandbox.start(options);
  });
  test.after.always(async () => {
    await sb?.stop();
  });
  return () => sb!;
}

/** `test.serial` when root, else `test.skip` (saying why once). */
export function rootSerial(test: TestFn): TestFn['serial'] {
  if (!isRoot) {
    console.warn('ovsdb integration tests skipped: they need root to start private OVS daemons');
    return test.skip as unknown as TestFn['serial'];
  }
  return test.serial;
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
