/**
 * ovsdb-server and ovs-vswitchd restarted while an agent plugs N hybrid VIFs (real kernel, real
 * daemons in a namespace, the plugin waiting for ovs-vswitchd as os-vif does): ovsdb-server
 * killed and back at once, ovs-vswitchd restarted, then ovsdb-server down for longer than a
 * request's timeout, each while calls are in flight. Every call
 * resolves, with success or a typed error, within its limit; a re-plug of the failed ones
 * converges (each VIF plugged, every port and interface once); unplugging all leaves nothing.
 * N = 40 by default, 200 with OS_VIF_SOAK=1.
 *
 * The limit of one call: `ovs_vsctl_timeout` bounds each OVSDB request and each wait for
 * ovs-vswitchd (docs/plugins.md), and a hybrid plug makes at most two changing transactions and,
 * rolling back, a replica sync and two more: five times the timeout.
 */
import { hostFactory, OvsPlugin } from '../../src/plugins/index.js';
import { type Logger, silentLogger } from '../../src/vif/index.js';
import { hybridProblems, nameCounts } from './converged.js';
import { gatedTest, testHost } from './e2e-host.js';
import { AGENT_INSTANCE, agentVif } from './fixtures/agent-vifs.js';
import { linkState } from './witness.js';

const e2e = gatedTest('daemon restart tests');
const SOAK = process.env.OS_VIF_SOAK === '1';
const N = SOAK ? 200 : 40;
const TIMEOUT_S = 2;
const LIMIT_MS = 5 * TIMEOUT_S * 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Outcome {
  i: number;
  ms: number;
  error?: string;
}

e2e(
  `ovsdb-server and ovs-vswitchd restarted during ${N} plugs: every call resolves within its limit, a re-plug converges`,
  async (t) => {
    const host = await testHost(t, { vswitchd: true });
    let warnings = 0;
    const logger: Logger = { ...silentLogger, warn: () => void warnings++ };
    const plugin = new OvsPlugin(
      { ovsdb_connection: host.sb.dbRemote, ovs_vsctl_timeout: TIMEOUT_S },
      hostFactory({ netns: host.ns.name }),
      logger,
    );
    t.teardown(() => plugin.close());
    await plugin.plug(agentVif(0), AGENT_INSTANCE); // the connection and br-int exist before the faults

    // three waves of concurrent plugs, as an agent starting a batch of instances; each wave is hit
    // by one fault while its calls are in flight
    const outcomes: Promise<Outcome>[] = [];
    let resolved = 0;
    const inFlight: number[] = [];
    const wave = (from: number, to: number) => {
      const started: Promise<Outcome>[] = [];
      for (let i = from; i < to; i++) {
        const start = performance.now();
        started.push(
          plugin
            .plug(agentVif(i), AGENT_INSTANCE)
            .then(
              () => ({ i, ms: performance.now() - start }),
              (e: Error) => ({ i, ms: performance.now() - start, error: `${e.name}: ${e.message}` }),
            )
            .finally(() => void resolved++),
        );
      }
      outcomes.push(...started);
      return started;
    };
    const third = Math.ceil(N / 3);
    const faults: Array<[string, () => Promise<void>]> = [
      [
        'ovsdb-server killed and restarted',
        async () => {
          await host.sb.stopServer(true);
          await sleep(100);
          await host.sb.startServer();
        },
      ],
      [
        'ovs-vswitchd restarted',
        async () => {
          await host.sb.stopVswitchd();
          await sleep(100);
          await host.sb.startVswitchd(host.ns.path);
        },
      ],
      [
        `ovsdb-server down for ${TIMEOUT_S + 0.5} s`,
        async () => {
          await host.sb.stopServer(true);
          await sleep(TIMEOUT_S * 1000 + 500);
          await host.sb.startServer();
        },
      ],
    ];
    for (const [k, [, fault]] of faults.entries()) {
      const started = wave(Math.max(1, k * third), Math.min(N, (k + 1) * third));
      await sleep(20);
      inFlight.push(outcomes.length - resolved);
      await fault();
      // a hang would stop here: bound the wait by the limit, then say which calls never resolved
      const settled = await Promise.race([
        Promise.all(started),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), LIMIT_MS + 10_000).unref()),
      ]);
      if (!settled) return t.fail(`wave ${k}: some calls did not resolve within ${LIMIT_MS + 10_000} ms`);
    }
    const settled = await Promise.all(outcomes);
    t.log(
      `calls in flight at each fault: ${faults.map(([what], k) => `${what}: ${inFlight[k]}`).join('; ')}`,
    );
    t.true(
      inFlight.every((n) => n > 0),
      'every fault hit calls in flight',
    );

    const failed = settled.filter((o) => o.error !== undefined);
    const slowest = Math.max(...settled.map((o) => o.ms));
    const kinds = [...new Set(failed.map((o) => o.error!.split(':')[0]))];
    t.log(
      `${settled.length} plugs: ${settled.length - failed.length} ok, ${failed.length} failed (${kinds.join(', ') || 'none'}); slowest ${slowest.toFixed(0)} ms; ${warnings} vswitchd warnings`,
    );
    for (const o of settled) t.true(o.ms <= LIMIT_MS, `plug ${o.i} took ${o.ms.toFixed(0)} ms`);
    for (const o of failed)
      t.regex(
        o.error!,
        /^(Ovsdb\w+Error|VSwitchError|NetlinkError)/,
        `plug ${o.i} failed with a typed error`,
      );

    // the failed ones again, with the daemons back: everything converges
    const again = await Promise.allSettled(failed.map((o) => plugin.plug(agentVif(o.i), AGENT_INSTANCE)));
    t.deepEqual(
      again.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])),
      [],
      'the re-plugs succeed',
    );
    t.deepEqual(hybridProblems(host.ns, host.sb.dbRemote, N), [], 'every VIF plugged, nothing twice');

    await Promise.all(Array.from({ length: N }, (_, i) => plugin.unplug(agentVif(i), AGENT_INSTANCE)));
    t.deepEqual(linkState(host.ns.links(), { ignore: ['br-int'] }), {}, 'no qbr, qvb or qvo left');
    t.deepEqual([...nameCounts(host.sb.dbRemote, 'Port').keys()], ['br-int']);
  },
);
