/**
 * The linux_bridge forwarding rules under concurrency, on a Docker-like host with many bridges
 * (test/harness/fanout.ts): plugs in separate processes (lock-worker.ts) on different bridges at
 * once; the same racing another process that rewrites its own rules with `iptables-nft-restore
 * --noflush` in a bounded loop (as kube-proxy and Docker do); and the same racing Python os-vif
 * 3.0.0 itself, whose every plug is a whole-table iptables-save → rewrite → iptables-restore
 * cycle, on other bridges of the same host with the same lock_path.
 *
 * In the racing cases our plugs run in passes: between passes this process removes their rules
 * (os-vif/nftables), so each pass writes again while the other writer runs.
 *
 * Each ends with packets: every guest reaches the uplink namespace only if its bridge's accept
 * rules are in place, and the other writer's path answers only if its rules survived. Then a
 * second plug of every bridge must change no rule count (no rule lost, none doubled), and
 * `iptables-nft-save` must list no jump twice. OS_VIF_SOAK=1 runs 20 rounds of each with 25
 * passes (1 round of 4 passes by default).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { BridgeFirewall, NftablesError } from '../../src/nftables/index.js';
import { objects } from '../../src/vif/index.js';
import { Fanout } from '../harness/fanout.js';
import { hasPythonLinuxBridge, PythonLinuxBridge } from '../harness/pylinuxbridge.js';
import { gatedTest } from './e2e-host.js';
import { Worker } from './lock-worker-client.js';
import { datapathSkip, INSTANCE } from './nft-cases.js';

const SOAK = process.env.OS_VIF_SOAK === '1';
const ROUNDS = SOAK ? 20 : 1;
/** Passes of plugs (rules removed in between) racing the other writer, per round. */
const PASSES = SOAK ? 25 : 4;
const PROCESSES = 6;
const race = gatedTest('nftables race tests', datapathSkip);
const pyRace = gatedTest(
  'nftables races with Python os-vif',
  datapathSkip ?? (hasPythonLinuxBridge ? undefined : 'needs python3-os-vif (/usr/bin/python3)'),
);

let pool: Worker[] | undefined;
const workers = (): Worker[] => {
  pool ??= Array.from({ length: PROCESSES }, () => Worker.start());
  return pool;
};
let python: PythonLinuxBridge | undefined;
// ava's own hook: `race` may be test.skip (no root), which has no hooks
test.after.always(() => {
  for (const w of pool ?? []) w.stop();
  python?.stop();
});

/** A flat-network VIF on `bridge` (no uplink), without traffic filtering: os-vif's gateway rules. */
function vifOn(bridge: string, i: number): objects.VIFBridge {
  const id = `${(0x2d3e4f50 + i).toString(16)}-6a7b-4c8d-9e0f-1a2b3c4d5e6f`;
  return new objects.VIFBridge({
    id,
    address: 'fa:16:3e:2d:3e:4f',
    plugin: 'linux_bridge',
    vif_name: `tap${id}`.slice(0, 14),
    bridge_name: bridge,
    has_traffic_filtering: false,
    network: new objects.Network({
      id: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
      label: 'private',
      bridge,
      mtu: 1500,
      multi_host: false,
      should_provide_bridge: true,
      should_provide_vlan: false,
      bridge_interface: null,
      subnets: new objects.SubnetList({ objects: [] }),
    }),
  });
}

const bridgeName = (i: number) => `brqrace${i}-7c`;

/**
 * A fanout and a lock directory for one round: `end()` removes them at the end of the round (and
 * the test's teardown does, if the round fails first).
 */
function round(t: ExecutionContext, bridges: number): { fan: Fanout; lockPath: string; end(): void } {
  const fan = Fanout.create(Array.from({ length: bridges }, (_, i) => bridgeName(i)));
  const lockPath = mkdtempSync(`/tmp/ovt${process.pid}lk`);
  const end = () => {
    fan.destroy();
    rmSync(lockPath, { recursive: true, force: true });
  };
  t.teardown(end);
  return { fan, lockPath, end };
}

/** Plugs `bridges` of `fan` at once, one worker process each (round-robin). */
async function plugAll(fan: Fanout, lockPath: string, bridges: readonly string[]): Promise<string[]> {
  const results = await Promise.all(
    bridges.map((b) =>
      (workers()[fan.bridges.indexOf(b) % PROCESSES] as Worker).call({
        plugin: 'linux_bridge',
        action: 'plug',
        vif: vifOn(b, fan.bridges.indexOf(b)).toPrimitive(),
        instance: INSTANCE.toPrimitive(),
        netns: fan.netns,
        config: { oslo_concurrency: { lock_path: lockPath }, os_vif_linux_bridge: {} },
      }),
    ),
  );
  return results.flatMap((r, i) => (r.ok ? [] : [`${bridges[i]}: ${r.error}`]));
}

/**
 * Plugs `bridges` at once, `times` times over: before each pass but the first, this process
 * removes their rules (os-vif/nftables `BridgeFirewall.remove`; an unplug never removes them), so
 * every pass writes again while the racing writer runs. The removal is the harness's tool, not
 * what is tested: one refused after its own generation retries (ERESTART: the racing writer and
 * the other removals kept committing) is tried again, up to 5 times, and counted in `retried`.
 * Returns the failed plugs (and removals that never went through).
 */
async function churn(
  fan: Fanout,
  lockPath: string,
  bridges: readonly string[],
  times: number,
): Promise<{ failures: string[]; retried: number }> {
  const failures: string[] = [];
  let retried = 0;
  const fw = await BridgeFirewall.open({ netns: fan.netns });
  const remove = async (b: string, pass: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await fw.remove(b);
        return;
      } catch (error) {
        if (!(error instanceof NftablesError && error.code === 'ERESTART') || attempt >= 5) {
          failures.push(`pass ${pass}: remove ${b}: ${error}`);
          return;
        }
        retried++;
      }
    }
  };
  try {
    for (let pass = 0; pass < times; pass++) {
      if (pass > 0) await Promise.all(bridges.map((b) => remove(b, pass)));
      failures.push(...(await plugAll(fan, lockPath, bridges)).map((f) => `pass ${pass}: ${f}`));
    }
  } finally {
    fw.close();
  }
  return { failures, retried };
}

/** Rules of `chain` in iptables-nft's `ip filter`, as `iptables-nft-save` lists them. */
function chainRules(fan: Fanout, chain: string): string[] {
  return fan
    .shell('iptables-nft-save -t filter')
    .split('\n')
    .filter((l) => l.startsWith(`-A ${chain} `));
}

/** After a race: a second plug of every bridge of ours must change no rule count. */
async function replugChangesNothing(t: ExecutionContext, fan: Fanout, lockPath: string, ours: string[]) {
  const counts = fan.rulesPerBridge();
  t.deepEqual(await plugAll(fan, lockPath, ours), [], 'second plugs succeed');
  t.deepEqual(fan.rulesPerBridge(), counts, 'a second plug of every bridge changes no rule count');
  t.true(
    ours.every((b) => (counts[b] ?? 0) > 0),
    `every bridge of ours has rules naming it: ${JSON.stringify(counts)}`,
  );
  t.deepEqual(fan.duplicateRules(), [], 'iptables-nft-save lists no jump twice');
  return counts;
}

race('six processes plug six bridges at once on a Docker-like host: every rule lands, once', async (t) => {
  for (let r = 0; r < ROUNDS; r++) {
    const { fan, lockPath, end } = round(t, PROCESSES);
    t.deepEqual(await fan.guestsCut(), fan.bridges, 'before the plugs no guest gets through');
    t.deepEqual(await plugAll(fan, lockPath, fan.bridges), [], `round ${r}: every plug succeeds`);
    t.deepEqual(await fan.guestsCut(), [], `round ${r}: every guest reaches the uplink`);
    t.is(chainRules(fan, 'FORWARD').length, 1, 'FORWARD gains one rule (one jump), however many plugs raced');
    const counts = await replugChangesNothing(t, fan, lockPath, [...fan.bridges]);
    t.is(new Set(Object.values(counts)).size, 1, `every bridge has as many rules: ${JSON.stringify(counts)}`);
    end();
  }
});

race(
  'plugs racing another writer looping iptables-nft-restore --noflush over its own chain: neither loses a rule',
  async (t) => {
    for (let r = 0; r < ROUNDS; r++) {
      const { fan, lockPath, end } = round(t, PROCESSES);
      // the other writer's chain, jumped to from FORWARD: it lets Y reach Z
      fan.shell('iptables-nft -N OTHER && iptables-nft -A FORWARD -j OTHER');
      const dir = mkdtempSync(`/tmp/ovt${process.pid}rw`);
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const [stop, done] = [path.join(dir, 'stop'), path.join(dir, 'done')];
      const rules =
        '*filter\\n:OTHER - [0:0]\\n' +
        '-A OTHER -i up1 -o up2 -m comment --comment "pass %d" -j ACCEPT\\n' +
        '-A OTHER -i up2 -o up1 -m comment --comment "pass %d" -j ACCEPT\\nCOMMIT\\n';
      const loop = spawn(
        'ip',
        [
          'netns',
          'exec',
          fan.netns,
          'sh',
          '-c',
          `i=0; while [ $i -lt 5000 ] && [ ! -e ${stop} ]; do i=$((i+1)); ` +
            `printf '${rules}' $i $i | iptables-nft-restore --noflush || echo "FAIL $i"; echo $i >> ${done}; done; echo "LAST $i"`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      loop.stdout.on('data', (d) => (out += d));
      loop.stderr.on('data', (d) => (out += d));
      const ended = new Promise<void>((resolve) => loop.on('close', () => resolve()));
      t.teardown(() => {
        loop.kill();
      });
      for (let i = 0; i < 200 && !existsSync(done); i++) await new Promise((res) => setTimeout(res, 25));
      const passes = () => readFileSync(done, 'utf8').split('\n').filter(Boolean).length;
      const passesBefore = passes();
      const { failures, retried } = await churn(fan, lockPath, fan.bridges, PASSES);
      const passesDuring = passes() - passesBefore;
      writeFileSync(stop, '');
      await ended;
      t.log(
        `round ${r}: ${passesDuring} restores while ${PASSES} passes of plugs ran; ${out.trim().split('\n').pop()}; ` +
          `${retried} removals refused after their generation retries, tried again`,
      );
      t.deepEqual(failures, [], 'every plug succeeds');
      t.deepEqual(
        out.split('\n').filter((l) => !l.startsWith('LAST') && l.trim()),
        [],
        'every iptables-nft-restore succeeds',
      );
      const last = /LAST (\d+)/.exec(out)?.[1];
      t.deepEqual(
        chainRules(fan, 'OTHER').map((l) => l.replace(/"pass \d+"/, `"pass ${last}"`)),
        chainRules(fan, 'OTHER'),
        "the other writer's chain holds its last pass",
      );
      t.is(chainRules(fan, 'OTHER').length, 2, "the other writer's chain holds its two rules");
      t.is(chainRules(fan, 'FORWARD').filter((l) => l === '-A FORWARD -j OTHER').length, 1, 'its jump stays');
      t.deepEqual(await fan.guestsCut(), [], 'every guest reaches the uplink: our rules stayed');
      t.true(await fan.yReachesZ(), "Y reaches Z: the other writer's rules stayed");
      await replugChangesNothing(t, fan, lockPath, [...fan.bridges]);
      end();
    }
  },
);

pyRace(
  "plugs racing Python os-vif's whole-table iptables-save/restore plugs on other bridges (shared lock_path): every guest gets through",
  async (t) => {
    const pyBridges = 3;
    for (let r = 0; r < ROUNDS; r++) {
      const { fan, lockPath, end } = round(t, PROCESSES + pyBridges);
      const ours = fan.bridges.slice(0, PROCESSES);
      const theirs = fan.bridges.slice(PROCESSES);
      python ??= PythonLinuxBridge.start();
      const py = python;
      const pythonPlugs = (async () => {
        const errors: string[] = [];
        for (const b of theirs) {
          const answer = await py.call({
            netns: fan.netns,
            lock_path: lockPath,
            action: 'plug',
            vif: vifOn(b, fan.bridges.indexOf(b)).toPrimitive(),
            instance_info: INSTANCE.toPrimitive(),
          });
          if (!answer.ok) errors.push(`${b}: ${answer.error}`);
        }
        return errors;
      })();
      const [pyErrors, { failures: ourErrors }] = await Promise.all([
        pythonPlugs,
        churn(fan, lockPath, ours, PASSES),
      ]);
      t.deepEqual(pyErrors, [], 'every Python plug succeeds');
      t.deepEqual(ourErrors, [], 'every plug of ours succeeds');
      t.deepEqual(
        await fan.guestsCut(),
        [],
        `round ${r}: every guest reaches the uplink (ours and Python's)`,
      );
      const counts = await replugChangesNothing(t, fan, lockPath, ours);
      t.log(`rules per bridge: ${JSON.stringify(counts)}`);
      end();
    }
  },
);
