/**
 * The OVN sandbox itself and the NB `up` helper: 3-member NB and SB clusters come up with one
 * chassis registered; LogicalPorts over the three NB remotes sees a port go up (bound through a
 * plain OVS port added by ovs-vsctl, the witness) even after the NB leader it was connected to is
 * killed; `stop()` leaves no daemon, namespace or directory; a start that fails half-way (an
 * ovn-controller that exits at once) cleans up the same way before it rethrows.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { listNetns } from '../../src/netlink/index.js';
import { LogicalPorts, LogicalPortTimeoutError, waitLogicalPortUp } from '../../src/ovsdb/index.js';
import { OvnSandbox } from '../../src/sandbox/index.js';
import { sh } from '../harness/netns.js';
import { gatedTest } from '../plugins/e2e-host.js';
import { ovnSkipReason } from '../plugins/ovn-host.js';

const it = gatedTest('OVN sandbox tests', ovnSkipReason);

/** Pids of processes whose command line mentions `dir`. */
function processesUsing(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (cmd.includes(dir) && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

it.serial(
  'clustered NB and SB: a chassis registers, LogicalPorts follows a port up across an NB leader kill, stop leaves nothing',
  async (t) => {
    const sb = await OvnSandbox.start({ chassis: 1, nbCluster: true, sbCluster: true });
    let nb: LogicalPorts | undefined;
    try {
      t.is(sb.nbRemote.split(',').length, 3);
      t.regex(await sb.sbctl('--bare', '--columns=name', 'list', 'Chassis'), /hv1/);
      t.true((await sb.nb.leader()) >= 1);
      nb = await LogicalPorts.open(sb.nbRemote);
      await sb.nbctl(
        'ls-add',
        'ls1',
        '--',
        'lsp-add',
        'ls1',
        'lp1',
        '--',
        'lsp-set-addresses',
        'lp1',
        '02:00:00:00:00:01',
      );
      t.not(nb.isUp('lp1'), true, 'not bound anywhere yet');
      await t.throwsAsync(nb.waitUp('lp1', { timeoutMs: 300 }), { instanceOf: LogicalPortTimeoutError });
      await sb.nb.kill(await sb.nb.leader());
      const up = nb.waitUp('lp1', { timeoutMs: 60_000 });
      const ch = sb.chassis[0]!;
      sh('ip', ['-n', ch.netns, 'link', 'add', 'vp1', 'type', 'veth', 'peer', 'name', 'vp1p']);
      sh('ip', ['-n', ch.netns, 'link', 'set', 'vp1', 'up']);
      sh('ovs-vsctl', [
        `--db=${ch.dbRemote}`,
        '--timeout=20',
        'add-port',
        'br-int',
        'vp1',
        '--',
        'set',
        'Interface',
        'vp1',
        'external_ids:iface-id=lp1',
      ]);
      await up;
      t.true(nb.isUp('lp1'));
      await waitLogicalPortUp(sb.nbRemote, 'lp1', { timeoutMs: 30_000 });
      await t.throwsAsync(waitLogicalPortUp(sb.nbRemote, 'absent', { timeoutMs: 200 }), {
        instanceOf: LogicalPortTimeoutError,
        message: /absent did not become up within 200 ms \(no such port\)/,
      });
    } finally {
      await nb?.close();
      await sb.stop();
    }
    t.false(existsSync(sb.dir), 'run directory removed');
    t.deepEqual(
      (await listNetns()).filter((n) => n.startsWith(sb.prefix)),
      [],
      'namespaces removed',
    );
    t.deepEqual(processesUsing(sb.dir), [], 'no daemon left');
  },
);

it.serial(
  'a start that fails half-way (ovn-controller exits at once) stops what it started and removes everything',
  async (t) => {
    const bin = mkdtempSync(`/tmp/ovt${process.pid}bin`);
    t.teardown(() => rmSync(bin, { recursive: true, force: true }));
    const fake = path.join(bin, 'ovn-controller');
    writeFileSync(fake, '#!/bin/sh\necho "no controller here" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const before = new Set(readdirSync('/tmp').filter((d) => d.startsWith(`ovt${process.pid}n`)));
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    try {
      await t.throwsAsync(OvnSandbox.start({ chassis: 1 }), { message: /no controller here/ });
    } finally {
      process.env.PATH = savedPath;
    }
    const left = readdirSync('/tmp').filter((d) => d.startsWith(`ovt${process.pid}n`) && !before.has(d));
    t.deepEqual(left, [], 'run directory removed');
    t.deepEqual(
      (await listNetns()).filter((n) => n.startsWith(`ovt${process.pid}o`)),
      [],
      'namespaces removed',
    );
    t.deepEqual(processesUsing(`/tmp/ovt${process.pid}n`), [], 'no daemon left');
  },
);
