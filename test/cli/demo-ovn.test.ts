/**
 * `os-vif demo --ovn` end to end (root, OVS and OVN installed): two chassis, plain and hybrid
 * guests plugged with the wait for ovn-installed, ping and TCP across chassis, unplug; exit 0,
 * and no namespace, daemon or run directory of that process is left, also after SIGINT.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trySh } from '../harness/netns.js';
import { gatedTest } from '../plugins/e2e-host.js';
import { ovnSkipReason } from '../plugins/ovn-host.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const it = gatedTest('OVN demo tests', ovnSkipReason);

function leftovers(pid: number): string[] {
  const namespaces = existsSync('/run/netns')
    ? readdirSync('/run/netns').filter((n) => n.startsWith(`ovt${pid}o`))
    : [];
  const dirs = readdirSync('/tmp').filter((d) => d.startsWith(`ovt${pid}n`));
  const daemons = trySh('pgrep', ['-af', `/tmp/ovt${pid}n`])
    .stdout.split('\n')
    .filter(Boolean);
  return [...namespaces, ...dirs, ...daemons];
}

function runDemo(onOutput?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; pid: number }>(
    (resolve) => {
      const child = spawn(process.execPath, [BIN, 'demo', '--ovn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        onOutput?.(out, child);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, out, pid: child.pid ?? -1 });
      });
    },
  );
}

it.serial(
  'the OVN demo binds guests on two chassis, pings and TCPs across them, unplugs and cleans up',
  async (t) => {
    const r = await runDemo();
    t.is(r.code, 0, r.out);
    t.regex(r.out, /Port_Binding "a1b2c3d4-0001/);
    t.regex(r.out, /✓ TCP echo plain hv1 → plain hv2/);
    t.regex(r.out, /✓ TCP echo hybrid hv2 → hybrid hv1/);
    t.regex(r.out, /no reply: the ports are gone/);
    t.deepEqual(leftovers(r.pid), []);
  },
);

it.serial('SIGINT in the middle of the OVN demo still removes everything', async (t) => {
  let sent = false;
  const r = await runDemo((out, child) => {
    if (!sent && out.includes('plug hybrid VIFBridge on hv1')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  t.true(sent, r.out);
  t.is(r.code, 130, r.out);
  t.deepEqual(leftovers(r.pid), []);
});
