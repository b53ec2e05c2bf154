/**
 * The agent killed (SIGKILL) in the middle of plugging N hybrid VIFs at once, against the real
 * kernel and ovsdb-server: a fresh run of the same N plugs converges (every VIF plugged
 * correctly, every OVS port and interface exactly once), and unplugging all of them leaves
 * nothing. N = 40 by default, 200 with OS_VIF_SOAK=1.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hostFactory, OvsPlugin } from '../../src/plugins/index.js';
import { hybridProblems, nameCounts } from './converged.js';
import { gatedTest, testHost } from './e2e-host.js';
import { AGENT_INSTANCE, agentVif } from './fixtures/agent-vifs.js';

const e2e = gatedTest('agent kill tests');
const N = process.env.OS_VIF_SOAK === '1' ? 200 : 40;
const AGENT = fileURLToPath(new URL('./fixtures/agent.js', import.meta.url));

/** Runs the agent to its end, or to its SIGKILL at host call `killAt`. */
function runAgent(
  args: string[],
): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      resolve({ signal, stdout, stderr });
    });
  });
}

e2e(
  `agent SIGKILLed while plugging ${N} VIFs at once: the next run converges, unplug leaves nothing`,
  async (t) => {
    const host = await testHost(t);
    // killed three times, each run starting from what the one before left: half-way through
    // making the veth pairs; a quarter of the way through adding the OVS ports; and (the veths all
    // made now, so each plug reads the replica to see whether its port is missing) a quarter of
    // the way through those reads. Other calls are in flight each time.
    const kills = [`links.addVeth@${N / 2}`, `addPort qvo@${N / 4}`, `bridgePorts(br-int@${N / 4}`];
    for (const killAt of kills) {
      const run = await runAgent([host.sb.dbRemote, host.ns.name, String(N), 'plug', killAt]);
      const links = host.ns.links().length - 1;
      const ports = Math.max(0, nameCounts(host.sb.dbRemote, 'Port').size - 1);
      t.log(
        `killed before ${killAt}: ${run.signal ?? run.stdout.trim()}; left ${links} links, ${ports} OVS ports`,
      );
      t.is(run.signal, 'SIGKILL', `the agent was killed mid-way (stderr: ${run.stderr})`);
    }

    // a fresh agent: the same N plugs, concurrently
    const plugin = new OvsPlugin(
      { ovsdb_connection: host.sb.dbRemote, ovs_vsctl_timeout: 30, wait_for_vswitchd: false },
      hostFactory({ netns: host.ns.name }),
    );
    t.teardown(() => plugin.close());
    const vifs = Array.from({ length: N }, (_, i) => agentVif(i));
    const results = await Promise.allSettled(vifs.map((v) => plugin.plug(v, AGENT_INSTANCE)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${i}: ${String(r.reason)}`] : []));
    t.deepEqual(failed, [], 'every plug of the second run succeeds');
    t.deepEqual(hybridProblems(host.ns, host.sb.dbRemote, N), [], 'every VIF plugged, nothing twice');

    await Promise.all(vifs.map((v) => plugin.unplug(v, AGENT_INSTANCE)));
    t.deepEqual(host.state().links, {}, 'no qbr, qvb or qvo left');
    t.deepEqual(host.state().ovs.bridges['br-int']?.ports, ['br-int'], 'no port left on br-int');
    t.deepEqual([...nameCounts(host.sb.dbRemote, 'Interface').keys()], ['br-int']);
  },
);
