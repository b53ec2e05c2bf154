/**
 * `os-vif demo` end to end (root, OVS installed): it succeeds, proves the data path, and leaves
 * no namespace, daemon or run directory behind, also when interrupted with SIGINT.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { isRoot, trySh } from '../harness/netns.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const e2e =
  isRoot && trySh('sh', ['-c', 'command -v ovs-vswitchd && command -v ping']).status === 0
    ? test.serial
    : test.skip;

function leftovers(pid: number): string[] {
  const namespaces = existsSync('/run/netns')
    ? readdirSync('/run/netns').filter((n) => n.startsWith(`osvd${pid}`))
    : [];
  const dirs = readdirSync('/tmp').filter((d) => d === `os-vif-demo${pid}`);
  return [...namespaces, ...dirs];
}

function daemonsOf(pid: number): string[] {
  const r = trySh('pgrep', ['-af', `/tmp/os-vif-demo${pid}/`]);
  return r.stdout.split('\n').filter(Boolean);
}

function runDemo(onOutput?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; pid: number }>(
    (resolve) => {
      const child = spawn('node', [BIN, 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        onOutput?.(out, child);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('close', (code, signal) => resolve({ code, signal, out, pid: child.pid ?? -1 }));
    },
  );
}

e2e('the demo plugs every mode, pings across hybrid plugs, unplugs and cleans up', async (t) => {
  const r = await runDemo();
  t.is(r.code, 0, r.out);
  t.regex(r.out, / 0% packet loss/);
  t.regex(r.out, /left behind: nothing/);
  t.regex(r.out, /step timings/);
  t.deepEqual(leftovers(r.pid), []);
  t.deepEqual(daemonsOf(r.pid), []);
});

e2e('SIGINT in the middle of the demo still removes everything', async (t) => {
  let sent = false;
  const r = await runDemo((out, child) => {
    if (!sent && out.includes('plug hybrid VIFBridge for guest1')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  t.true(sent);
  t.is(r.code, 130, r.out);
  t.deepEqual(leftovers(r.pid), [], r.out);
  t.deepEqual(daemonsOf(r.pid), [], r.out);
});
