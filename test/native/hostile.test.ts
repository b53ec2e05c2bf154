/**
 * The addon read as an attacker would: arrays that grow while they are read, namespace names
 * that leave the netns directory, symlinks and FIFOs where a namespace file should be, and a
 * multi-queue tap held by another process. Each case failed (or crashed, or hung) before the
 * fix it names.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  constants as fs,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { native } from '../../src/native/addon.js';
import { TestNetns, trySh } from '../harness/netns.js';
import { rootTest } from './gate.js';

const it = rootTest('test/native/hostile.test.ts', true);

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = `/tmp/ovt${process.pid}hostile`;
let ns: TestNetns | undefined;
const space = (): TestNetns => {
  ns ??= TestNetns.create();
  return ns;
};
test.after.always(() => {
  ns?.destroy();
  trySh('umount', [`${tmp}/mnt`]);
  trySh('rm', ['-f', `/run/netns/ovt${process.pid}link`]);
  rmSync(tmp, { recursive: true, force: true });
});

function grow(mode: string): {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
} {
  const r = spawnSync(process.execPath, [path.join(here, 'fixtures', 'grow.js'), mode, space().path], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

it('tunCreateBatch reads the devices array once: a getter that grows it writes nothing past the copy', (t) => {
  const r = grow('tun');
  t.is(r.signal, null, r.stderr);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), 'results 2 ok,ok');
  t.deepEqual(
    space()
      .links()
      .map((l) => l.ifname)
      .filter((n) => n.startsWith('ovtgrow'))
      .sort(),
    ['ovtgrow0', 'ovtgrow1'],
  );
});

it('openNetlink reads the groups array once: elements a getter appends are never read', (t) => {
  const r = grow('groups');
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), 'opened');
});

it('arrays past their cap are refused with a TypeError before anything starts', async (t) => {
  const devices = Array.from({ length: 1025 }, (_, i) => ({ name: `ovtcap${i}`, mode: 'tap' as const }));
  t.throws(() => native().tunCreateBatch({ netns: space().path, devices }), { instanceOf: TypeError });
  const groups = Array.from({ length: 33 }, (_, i) => i + 1);
  t.throws(() => native().openNetlink({ protocol: 0, groups, onMessages() {}, onError() {} }), {
    instanceOf: TypeError,
  });
  t.false(
    space()
      .links()
      .some((l) => l.ifname.startsWith('ovtcap')),
  );
});

it('netnsCreate/netnsDelete take a name under /run/netns, never a path', async (t) => {
  mkdirSync(tmp, { recursive: true });
  const victim = `${tmp}/victim`;
  writeFileSync(victim, 'keep me\n');
  for (const name of [victim, '../../tmp/x', '..', '.', '', 'a/b', 'x'.repeat(256), 'a\nb']) {
    await t.throwsAsync(native().netnsDelete(name), { code: 'EINVAL' }, JSON.stringify(name));
    await t.throwsAsync(native().netnsCreate(name), { code: 'EINVAL' }, JSON.stringify(name));
  }
  t.true(existsSync(victim), 'netnsDelete did not unlink a file outside /run/netns');
  t.false(existsSync(`${tmp}/x`));
});

it('netnsDelete does not follow a symlink in /run/netns to a mount point elsewhere', async (t) => {
  const mnt = `${tmp}/mnt`;
  mkdirSync(mnt, { recursive: true });
  trySh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'ovthostile', mnt]);
  writeFileSync(`${mnt}/marker`, 'mounted\n');
  mkdirSync('/run/netns', { recursive: true });
  const link = `ovt${process.pid}link`;
  symlinkSync(mnt, `/run/netns/${link}`);
  await native()
    .netnsDelete(link)
    .catch(() => undefined);
  t.true(existsSync(`${mnt}/marker`), 'the tmpfs the symlink points to is still mounted');
  t.false(existsSync(`/run/netns/${link}`), 'the symlink itself is gone');
});

it('a FIFO or a regular file as netns is refused at once (EINVAL), without opening it for reading', async (t) => {
  mkdirSync(tmp, { recursive: true });
  const fifo = `${tmp}/fifo`;
  trySh('mkfifo', [fifo]);
  const call = native().sysctlRead({ netns: fifo, path: 'ipv4/conf/lo/arp_ignore' });
  const timer = setTimeout(() => {
    // Before the fix the thread blocks in open(); a writer releases it so the test ends.
    closeSync(openSync(fifo, fs.O_WRONLY | fs.O_NONBLOCK));
  }, 3000);
  const error = await t.throwsAsync(call);
  clearTimeout(timer);
  t.like(error, { code: 'EINVAL', path: fifo });
  t.regex(error?.message ?? '', /not a namespace file/);
  writeFileSync(`${tmp}/plain`, '');
  await t.throwsAsync(native().sysctlRead({ netns: `${tmp}/plain`, path: 'ipv4/conf/lo/arp_ignore' }), {
    code: 'EINVAL',
  });
  t.truthy(
    await native().sysctlRead({ netns: `/proc/${process.pid}/ns/net`, path: 'ipv4/conf/lo/arp_ignore' }),
  );
});

it('tunDelete of a multi-queue tap whose queue another process holds is EBUSY and leaves it as it was', async (t) => {
  const ns = space();
  await native().tunCreateBatch({
    netns: ns.path,
    devices: [{ name: 'ovtmq0', mode: 'tap', multiQueue: true }],
  });
  // A python3 process in the namespace attaches one queue and holds it until its stdin closes.
  const holder = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns.name,
      'python3',
      '-c',
      `import fcntl, struct, os, sys
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', b'ovtmq0', 0x0002 | 0x1000 | 0x0100))
print('held', flush=True)
sys.stdin.read()`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  try {
    await t.throwsAsync(
      native().tunDelete({ name: 'ovtmq0', netns: ns.path, mode: 'tap', multiQueue: true }),
      {
        code: 'EBUSY',
      },
    );
    t.like(ns.link('ovtmq0')?.linkinfo?.info_data, { persist: true, multi_queue: true });
  } finally {
    holder.stdin.end();
    await new Promise((resolve) => holder.once('exit', resolve));
  }
  await native().tunDelete({ name: 'ovtmq0', netns: ns.path, mode: 'tap', multiQueue: true });
  t.is(ns.link('ovtmq0'), undefined);
});
