/**
 * The socket's life: close while a send is in flight, close twice, send after close, the event
 * loop staying free during a slow sendmsg, what keeps the process alive, and no fd or thread
 * left behind after many open/close cycles.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { type NativeError, native } from '../../src/native/addon.js';
import { NetlinkSocket } from '../../src/netlink/socket.js';
import { TestNetns } from '../harness/netns.js';
import { Conn } from './conn.js';
import { rootTest } from './gate.js';
import { concat, delLink, getLinkDump, newBridge } from './nlmsg.js';
import { tunCreate } from './tun-one.js';

const it = rootTest('test/native/lifecycle.test.ts', true);

let ns: TestNetns | undefined;
const space = (): TestNetns => {
  ns ??= TestNetns.create();
  return ns;
};
test.after.always(() => ns?.destroy());

const fds = (): number => readdirSync('/proc/self/fd').length;
const threads = (): number => readdirSync('/proc/self/task').length;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it('the event loop keeps running while the kernel works inside sendmsg', async (t) => {
  const conn = await Conn.open({ netns: space().path });
  const names = Array.from({ length: 20 }, (_, i) => `ovtslow${i}`);
  await conn.send(concat(names.map((name, i) => newBridge(i + 1, name))));
  await conn.ack(20);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 2);
  const started = performance.now();
  await conn.send(concat(names.map((name, i) => delLink(100 + i, name)))); // ~17 ms per device
  const took = performance.now() - started;
  clearInterval(timer);
  await conn.ack(119);
  conn.close();
  t.log(`20 deletes in one sendmsg: ${took.toFixed(0)} ms, timer fired ${ticks} times meanwhile`);
  t.true(ticks > 0, 'the interval fired while sendmsg ran');
  t.deepEqual(
    space()
      .links()
      .map((l) => l.ifname),
    ['lo'],
  );
});

it('close() is idempotent, and a send after close throws EBADF', async (t) => {
  const conn = await Conn.open({ netns: space().path });
  conn.close();
  conn.close();
  const error = t.throws(() => conn.socket.send(getLinkDump(1), () => {})) as NativeError;
  t.is(error.code, 'EBADF');
  t.is(error.syscall, 'sendmsg');
  t.throws(() => conn.socket.addMembership(1), { code: 'EBADF' });
});

it('close() while a send is in flight: it completes, the queued ones are cancelled', async (t) => {
  const conn = await Conn.open({ netns: space().path });
  const names = Array.from({ length: 40 }, (_, i) => `ovtc${i}`);
  await conn.send(concat(names.map((name, i) => newBridge(i + 1, name))));
  const results: string[] = [];
  const record = (datagram: Uint8Array) =>
    new Promise<void>((resolve) => {
      conn.socket.send(datagram, (error) => {
        results.push(error ? error.code : 'ok');
        resolve();
      });
    });
  const slow = record(concat(names.map((name, i) => delLink(100 + i, name)))); // ~17 ms per device
  const ours = () =>
    space()
      .links()
      .filter((l) => l.ifname.startsWith('ovtc')).length;
  while (ours() === names.length) await tick(); // the kernel has started deleting: sendmsg runs
  const queued = [record(newBridge(200, 'ovtq0')), record(newBridge(201, 'ovtq1'))];
  conn.close();
  conn.close();
  await Promise.all([slow, ...queued]);
  t.deepEqual(results, ['ok', 'ECANCELED', 'ECANCELED']);
  t.is(ours(), 0, 'the send in flight ran to its end');
  t.log(`callbacks: ${results.join(' ')}`);
  t.false(
    space()
      .links()
      .some((l) => l.ifname.startsWith('ovtq')),
    'the cancelled sends never reached the kernel',
  );
});

it('1000 open/close cycles (with sends in flight) leave fds and threads flat', async (t) => {
  const path = space().path;
  // Warm up first: the first socket's allocations, the libuv pool's threads (started lazily).
  (await Conn.open({ netns: path })).close();
  await readFile('/proc/self/status');
  await tick();
  const [fdsBefore, threadsBefore] = [fds(), threads()];
  for (let i = 0; i < 1000; i++) {
    const conn = await Conn.open({ netns: path });
    if (i % 3 === 0) conn.socket.send(getLinkDump(1), () => {});
    conn.close();
  }
  for (let i = 0; i < 50 && (fds() !== fdsBefore || threads() !== threadsBefore); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.is(fds(), fdsBefore);
  t.is(threads(), threadsBefore);
});

it('tun (single and batched), sysctl and netns calls leave fds and threads flat, on success and on failure', async (t) => {
  const netns = space().path;
  const addon = native();
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: NativeError) => e.code,
    );
  const named = `ovt${process.pid}fd`;
  const round = async () => [
    await settle(tunCreate({ name: 'ovtfd0', netns, mode: 'tap', multiQueue: true, owner: 1 })),
    await settle(tunCreate({ name: 'ovtfd0', netns, mode: 'tap' })),
    await settle(addon.tunDelete({ name: 'ovtfd0', netns, mode: 'tun' })),
    await settle(addon.tunDelete({ name: 'ovtfd0', netns, mode: 'tap', multiQueue: true })),
    await settle(addon.tunDelete({ name: 'ovtfd0', netns, mode: 'tap' })),
    // a batch: one created, one refused before any call, one taken, one the kernel refuses
    await addon
      .tunCreateBatch({
        netns,
        devices: [
          { name: 'ovtfd1', mode: 'tap', vnetHdr: true },
          { name: 'x'.repeat(16), mode: 'tap' },
          { name: 'ovtfd1', mode: 'tap' },
          { name: 'a/b', mode: 'tun' },
        ],
      })
      .then((r) => r.map((e) => e?.code ?? 'ok').join(' ')),
    await settle(addon.tunDelete({ name: 'ovtfd1', netns, mode: 'tap' })),
    await settle(
      addon.tunCreateBatch({ netns: '/run/netns/ovt-missing', devices: [{ name: 'ovtfd2', mode: 'tap' }] }),
    ),
    await settle(addon.sysctlRead({ netns, path: 'ipv4/conf/lo/arp_ignore' })),
    await settle(addon.sysctlRead({ netns, path: 'ipv4/conf/ovtnone/arp_ignore' })),
    await settle(addon.sysctlWrite({ netns, path: 'ipv4/conf/lo/arp_ignore', value: 'x' })),
    await settle(addon.sysctlRead({ netns: '/run/netns/ovt-missing', path: 'ipv4/ip_forward' })),
    await addon
      .sysctlBatch({
        netns,
        entries: [
          { path: 'ipv4/conf/lo/arp_ignore' },
          { path: 'ipv4/conf/ovtnone/arp_ignore', value: '1' },
          { path: '../x' },
        ],
      })
      .then((r) => r.map((e) => (e === null || typeof e === 'string' ? 'ok' : e.code)).join(' ')),
    await settle(
      addon.sysctlBatch({ netns: '/run/netns/ovt-missing', entries: [{ path: 'ipv4/ip_forward' }] }),
    ),
    await settle(addon.netnsCreate(named)),
    await settle(addon.netnsCreate(named)),
    await settle(addon.netnsDelete(named)),
    await settle(addon.netnsDelete(named)),
  ];
  const expected = ['ok', 'EEXIST', 'EINVAL', 'ok', 'ENODEV', 'ok EINVAL EEXIST EINVAL', 'ok', 'ENOENT'];
  expected.push('ok', 'ENOENT', 'EINVAL', 'ENOENT', 'ok ENOENT EINVAL', 'ENOENT');
  t.deepEqual(await round(), [...expected, 'ok', 'EEXIST', 'ok', 'ENOENT']);
  await readFile('/proc/self/status');
  const [fdsBefore, threadsBefore] = [fds(), threads()];
  for (let i = 0; i < 20; i++) await round();
  t.is(fds(), fdsBefore);
  t.is(threads(), threadsBefore);
});

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'keepalive.js');
const child = (mode: string, seconds: number) =>
  spawnSync(process.execPath, [fixture, mode, space().path], {
    encoding: 'utf8',
    timeout: seconds * 1000,
    killSignal: 'SIGKILL',
  });

it('an idle socket does not hold the process; one with a request in flight does until the answer', (t) => {
  const idle = child('idle', 20);
  t.is(idle.status, 0, idle.stderr);
  t.is(idle.stdout, 'opened\n');
  const dump = child('dump', 20);
  t.is(dump.status, 0, dump.stderr);
  // The answer may be read before the send callback runs (the kernel queues it inside sendmsg).
  t.deepEqual(dump.stdout.split('\n').sort(), [
    '',
    `dump done: ${space().links().length} links`,
    'opened',
    'sent ok',
  ]);
});

it('an exception thrown by onMessages is an uncaught exception of the process', (t) => {
  const thrown = child('throw', 20);
  t.is(thrown.status, 1);
  t.regex(thrown.stderr, /Error: thrown by onMessages/);
});

it('closed sockets are collected: the addon keeps no reference to them', (t) => {
  const collect = path.join(path.dirname(fixture), 'collect.js');
  const r = spawnSync(process.execPath, ['--expose-gc', collect, space().path, '100'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, 'finalized 100\n');
});

it('worker threads may end with sockets open, sends or thread tasks in flight', (t) => {
  const workers = path.join(path.dirname(fixture), 'workers.js');
  const r = spawnSync(process.execPath, [workers, space().path], { encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, `${r.signal ?? ''} ${r.stderr}`);
  t.is(r.stdout, 'workers done\n');
});

it('a watch (joined group) holds the process; unref() lets it go', async (t) => {
  // Still running 2 s after it said 'opened' (however slow its start was), then killed.
  const watch = spawn(process.execPath, [fixture, 'watch', space().path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    watch.once('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve) =>
    watch.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve();
    }),
  );
  const early = await Promise.race([
    exited,
    new Promise<string>((resolve) => setTimeout(() => resolve('running'), 2000)),
  ]);
  watch.kill('SIGKILL');
  t.is(early, 'running', 'still running 2 s after it opened its watch');
  t.is(await exited, 'SIGKILL');
  t.is(stdout, 'opened\n');
  const unref = child('watch-unref', 20);
  t.is(unref.status, 0, unref.stderr);
});

it('the receive buffer: 1 MiB asked by default (2 MiB accounted), SO_RCVBUFFORCE goes past net.core.rmem_max, receiveBuffer reports it', async (t) => {
  // `ss -m` reports rb, the kernel's doubled value of what setsockopt asked for.
  const rb = (conn: Conn): number => {
    const out = space().exec('ss', ['-f', 'netlink', '-m', '-n']).stdout;
    const port = conn.socket.portId | 0; // ss prints nl_pid as a signed number
    const line = out.split('\n').find((l) => l.includes(` 0:${port} `)) ?? '';
    return Number(/rb(\d+)/.exec(line)?.[1]);
  };
  const byDefault = await Conn.open({ netns: space().path });
  const asked = await Conn.open({ netns: space().path, rcvbuf: 3 << 20 });
  t.is(rb(byDefault), 2 * (1 << 20));
  t.is(byDefault.socket.receiveBuffer, rb(byDefault));
  t.is(rb(asked), 2 * (3 << 20));
  t.is(asked.socket.receiveBuffer, rb(asked));
  byDefault.close();
  asked.close();
  // src/netlink sizes it to its limit on requests in flight: 1 KiB each plus 512 KiB.
  const sized = await NetlinkSocket.open({ netns: space().path });
  t.is(sized.receiveBuffer, 2 * (2048 * 1024 + (512 << 10)));
  sized.close();
  const small = await NetlinkSocket.open({ netns: space().path, maxInFlight: 64 });
  t.is(small.receiveBuffer, 2 * (64 * 1024 + (512 << 10)));
  small.close();
});

it('errors for a bad netns: ENOENT for a missing file, EINVAL for a file that is no namespace', async (t) => {
  const missing = await t.throwsAsync(Conn.open({ netns: '/run/netns/ovt-no-such-ns' }));
  t.like(missing, { code: 'ENOENT', errno: 2, syscall: 'open', path: '/run/netns/ovt-no-such-ns' });
  t.is(missing?.message, 'open /run/netns/ovt-no-such-ns: ENOENT (No such file or directory)');
  const notNs = await t.throwsAsync(Conn.open({ netns: '/proc/self/status' }));
  t.like(notNs, { code: 'EINVAL', syscall: 'open', path: '/proc/self/status' });
  t.regex(notNs?.message ?? '', /not a namespace file/);
  // On nsfs but not a network namespace: setns refuses it.
  const mountNs = await t.throwsAsync(Conn.open({ netns: '/proc/self/ns/mnt' }));
  t.like(mountNs, { code: 'EINVAL', syscall: 'setns' });
  const relative = await t.throwsAsync(Conn.open({ netns: 'ovtrelative' }));
  t.like(relative, { code: 'EINVAL' });
  t.regex(relative?.message ?? '', /absolute path/);
  t.throws(() => native().openNetlink({ protocol: 99, onMessages() {}, onError() {} }), {
    instanceOf: TypeError,
  });
});
