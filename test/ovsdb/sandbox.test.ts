/**
 * The sandbox itself: daemons in a given namespace (through nsenter), stopped by pid and really
 * gone afterwards, the run directory removed; a failed start leaves nothing behind; a process
 * that exits without stop() takes its daemons with it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import test from 'ava';
import { OvsdbClient, VSwitch } from '../../src/ovsdb/index.js';
import { isGone, OvsSandbox } from '../../src/sandbox/index.js';
import { sh, TestNetns, trySh } from '../harness/netns.js';
import { isRoot, rootSerial, sleep, vsctl } from './_helpers.js';

const it = rootSerial(test);
let ns: TestNetns | undefined;
test.serial.before(() => {
  if (isRoot) ns = TestNetns.create();
});
test.after.always(() => ns?.destroy());

it('ovs-vswitchd runs in the given namespace; stop() leaves no process and no directory', async (t) => {
  const sb = await OvsSandbox.start({ vswitchd: true, netns: ns!.path });
  const pids = [sb.serverPid!, sb.vswitchdPid!];
  try {
    t.true(sb.dir.startsWith('/tmp/ovt'));
    t.is(sb.netnsPath, ns!.path);
    t.regex(vsctl(sb.dbRemote, 'get', 'Open_vSwitch', '.', '_uuid'), /^[0-9a-f-]{36}$/);
    const client = await OvsdbClient.connect(sb.dbRemote);
    const vs = await VSwitch.open(client);
    await vs.ensureBridge(
      'br-sb',
      { datapathType: 'netdev' },
      { wait: { timeoutMs: 10_000, onTimeout: 'reject' } },
    );
    await client.close();
    t.truthy(ns!.link('br-sb'), 'the bridge device is inside the namespace');
    t.is(sh('ip', ['-j', 'link', 'show']).includes('"br-sb"'), false, 'and not on the host');
  } finally {
    await sb.stop();
  }
  for (const pid of pids) t.true(await isGone(pid), `pid ${pid} gone`);
  t.false(existsSync(sb.dir));
});

it('a failed start cleans up what it started', async (t) => {
  const dir = mkdtempSync('/tmp/ovtfail');
  const running = () => trySh('pgrep', ['-f', `^ovs.*${dir}/`]).stdout.trim();
  try {
    await t.throwsAsync(OvsSandbox.start({ dir, schema: '/nonexistent.ovsschema' }), {
      message: /ovsdb-tool/,
    });
    t.is(running(), '');
    // ovsdb-server starts, then ovs-vswitchd cannot enter a namespace that does not exist
    await t.throwsAsync(OvsSandbox.start({ dir, vswitchd: true, netns: '/run/netns/ovt-no-such-ns' }), {
      message: /nsenter/,
    });
    await sleep(20);
    t.is(running(), '', 'no daemon of that directory runs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a process that exits without stop() takes its daemons with it', async (t) => {
  const mod = new URL('../../src/sandbox/index.js', import.meta.url).href;
  const code = `const { OvsSandbox } = await import(${JSON.stringify(mod)});
    const sb = await OvsSandbox.start();
    console.log(JSON.stringify({ pid: sb.serverPid, dir: sb.dir }));
    process.exit(3);`;
  const r = trySh(process.execPath, ['--input-type=module', '-e', code]);
  t.is(r.status, 3, r.stderr);
  const { pid, dir } = JSON.parse(r.stdout) as { pid: number; dir: string };
  const deadline = Date.now() + 5000;
  while (!(await isGone(pid)) && Date.now() < deadline) await sleep(20);
  t.true(await isGone(pid));
  rmSync(dir, { recursive: true, force: true });
});
