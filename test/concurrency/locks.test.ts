/**
 * os-vif's lock files: the same fcntl record lock oslo.concurrency takes (Python holding a lock
 * makes this library wait, and the other way round), the wait off the event loop, exclusion
 * inside one process too, timeouts, cancelling, removable per-object lock files, refused
 * names and paths. Needs no root; the Python cases need python3-oslo.concurrency.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import test, { type ExecutionContext } from 'ava';
import { DEFAULT_LOCK_PATH, LockError, Locks, resolveLockPath } from '../../src/concurrency/index.js';
import * as osvif from '../../src/index.js';
import {
  describePlugin,
  InvalidConfig,
  type objects,
  PluginBase,
  type PluginContext,
} from '../../src/vif/index.js';
import { hasOsloConcurrency, PythonLockHolder, pythonTryLock, until } from '../harness/pylock.js';

const py = hasOsloConcurrency ? test : test.skip;
if (!hasOsloConcurrency) {
  test('the Python interoperability cases are skipped', (t) => {
    t.log('needs python3-oslo.concurrency');
    t.pass();
  });
}

function lockDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ovt${process.pid}lk`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** How many descriptors of this process are open on `file`. */
function openCount(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
}

/** True while this process has `file` open (a lock wait opens the file before its first try). */
function openHere(file: string): boolean {
  return openCount(file) > 0;
}

py(
  'Python os-vif holding nova-lock_bridge makes a lock here wait, with the event loop running, until it releases',
  async (t) => {
    const dir = lockDir(t);
    const python = await PythonLockHolder.hold(dir, 'nova-lock_bridge');
    t.teardown(() => python.kill());
    const events: string[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    t.teardown(() => clearInterval(timer));
    const locks = new Locks({ lock_path: dir });
    const ours = locks.synchronized('nova-lock_bridge', async () => {
      events.push('ours runs');
    });
    await until(() => openHere(path.join(dir, 'nova-lock_bridge')), 'the wait has opened the lock file');
    const atWait = ticks;
    await until(() => ticks >= atWait + 5, 'timers fire while the lock is awaited');
    t.deepEqual(events, [], 'nothing ran while Python holds the lock');
    events.push('python releases');
    await python.release();
    await ours;
    t.deepEqual(events, ['python releases', 'ours runs']);
    t.false(openHere(path.join(dir, 'nova-lock_bridge')), 'the lock file is closed after');
  },
);

py(
  'a lock held here is busy for Python (same file name, same record lock), and free once released',
  async (t) => {
    const dir = lockDir(t);
    const locks = new Locks({ lock_path: dir });
    t.is(pythonTryLock(dir, 'nova-lock_vlan'), 'free');
    const inside = await locks.synchronized('nova-lock_vlan', async () =>
      pythonTryLock(dir, 'nova-lock_vlan'),
    );
    t.is(inside, 'busy');
    t.is(pythonTryLock(dir, 'nova-lock_vlan'), 'free');
    t.deepEqual(
      readdirSync(dir),
      ['nova-lock_vlan'],
      'one file, named as oslo.concurrency names it (no prefix)',
    );
  },
);

test('two Locks of one process exclude each other (an open file description lock), in order', async (t) => {
  const dir = lockDir(t);
  const a = new Locks({ lock_path: dir });
  const b = new Locks({ lock_path: dir });
  let inside = 0;
  let most = 0;
  const body = async () => {
    inside++;
    most = Math.max(most, inside);
    await new Promise((resolve) => setTimeout(resolve, 3));
    inside--;
  };
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).synchronized('nova-lock_bridge', body)),
  );
  t.is(most, 1);
});

test('a lock held elsewhere: timeoutMs gives LockError ETIMEDOUT; an abort signal ends the wait', async (t) => {
  const dir = lockDir(t);
  const holder = new Locks({ lock_path: dir });
  let release!: () => void;
  const held = holder.synchronized('x', () => new Promise<void>((resolve) => (release = resolve)));
  await until(() => release !== undefined, 'the holder runs');
  const timed = new Locks({ lock_path: dir, timeoutMs: 30 });
  const error = await t.throwsAsync(timed.synchronized('x', async () => 'ran'));
  t.true(error instanceof LockError);
  t.is((error as LockError).code, 'ETIMEDOUT');
  t.regex(error?.message ?? '', /cannot take lock x .*another process holds it/);
  const aborter = new AbortController();
  const waiting = new Locks({ lock_path: dir }).synchronized('x', async () => 'ran', {
    signal: aborter.signal,
  });
  await until(() => openHere(path.join(dir, 'x')), 'the wait started');
  aborter.abort(new Error('given up'));
  await t.throwsAsync(waiting, { message: 'given up' });
  release();
  await held;
  t.is(await timed.synchronized('x', async () => 'ran'), 'ran', 'free again');
});

test('removeFile: the file goes with the release, and a waiter on the removed file never runs beside a newer holder', async (t) => {
  const dir = lockDir(t);
  const file = path.join(dir, 'os-vif-ovs-v1');
  let inside = 0;
  let most = 0;
  const body = async () => {
    inside++;
    most = Math.max(most, inside);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inside--;
  };
  const many = Array.from({ length: 8 }, () => new Locks({ lock_path: dir }));
  await Promise.all(
    many.flatMap((locks, i) =>
      [0, 1, 2].map(() => locks.synchronized('os-vif-ovs-v1', body, { removeFile: i % 2 === 0 })),
    ),
  );
  t.is(most, 1, 'never two holders, although files were removed under waiters');
  await many[0]?.synchronized('os-vif-ovs-v1', async () => undefined, { removeFile: true });
  t.false(existsSync(file), 'removed by the last release');
});

test('refused before anything: names that are not a file name, a relative lock_path, a symlink, a FIFO', async (t) => {
  const dir = lockDir(t);
  const locks = new Locks({ lock_path: dir });
  for (const name of ['', '.', '..', '../escape', 'a/b', 'nul\0x', 'x'.repeat(256)]) {
    let ran = false;
    const error = await t.throwsAsync(
      locks.synchronized(name, async () => {
        ran = true;
      }),
    );
    t.is((error as LockError).code, 'EINVAL', JSON.stringify(name));
    t.false(ran);
  }
  t.throws(() => new Locks({ lock_path: 'relative/locks' }), { instanceOf: InvalidConfig });
  t.throws(() => new Locks({ env: { OSLO_LOCK_PATH: 'rel' } }), { instanceOf: InvalidConfig });
  symlinkSync('/etc/hostname', path.join(dir, 'linked'));
  t.is(((await t.throwsAsync(locks.synchronized('linked', async () => 1))) as LockError).code, 'ELOOP');
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  const fifo = (await t.throwsAsync(locks.synchronized('fifo', async () => 1))) as LockError;
  t.true(['ENXIO', 'EINVAL'].includes(fifo.code), `a FIFO is refused at once (${fifo.code})`);
  writeFileSync(path.join(dir, 'plain'), '');
  const unusable = new Locks({ lock_path: path.join(dir, 'plain', 'locks') });
  const dirError = (await t.throwsAsync(unusable.synchronized('n', async () => 1))) as LockError;
  t.true(dirError instanceof LockError);
  t.is(dirError.code, 'ENOTDIR');
  t.regex(dirError.message, /lock_path/);
});

test('lock_path: the option, else OSLO_LOCK_PATH, else the default; disable_process_locking takes no file', async (t) => {
  t.is(resolveLockPath('/a', { OSLO_LOCK_PATH: '/b' }), '/a');
  t.is(resolveLockPath(null, { OSLO_LOCK_PATH: '/b' }), '/b');
  t.is(resolveLockPath(null, { OSLO_LOCK_PATH: '' }), DEFAULT_LOCK_PATH);
  t.is(resolveLockPath(undefined, {}), DEFAULT_LOCK_PATH);
  const dir = lockDir(t);
  const off = new Locks({ lock_path: path.join(dir, 'never'), disable_process_locking: true });
  t.is(await off.synchronized('nova-lock_bridge', async () => 7), 7);
  t.false(existsSync(path.join(dir, 'never')), 'no directory, no file');
});

test('a worker thread ending while it waits for a lock file ends promptly (the wait is cancelled at teardown)', async (t) => {
  const dir = lockDir(t);
  const holder = new Locks({ lock_path: dir });
  let release!: () => void;
  const held = holder.synchronized('busy', () => new Promise<void>((resolve) => (release = resolve)));
  await until(() => release !== undefined, 'the holder runs');
  const addon = fileURLToPath(new URL('../../src/native/addon.js', import.meta.url));
  const worker = new Worker(
    `import(${JSON.stringify(addon)}).then(({ native }) => {
       native().fileLock({ path: ${JSON.stringify(path.join(dir, 'busy'))} }).acquired.then(() => process.exit(3));
       require('node:worker_threads').parentPort.postMessage('waiting');
     });`,
    { eval: true },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  const file = path.join(dir, 'busy');
  await until(() => openCount(file) === 2, 'the worker waits on the file (the holder has it open too)');
  t.is(await worker.terminate(), 1, 'terminated (not hung in the join of the waiting thread)');
  t.is(openCount(file), 1, "the worker's descriptor is closed; the holder's stays");
  release();
  await held;
});

test('initialize: [oslo_concurrency] is checked before any plugin is built and its lock_path reaches every plugin', async (t) => {
  const dir = lockDir(t);
  const seen: PluginContext[] = [];
  class Peek extends PluginBase {
    static override readonly pluginName = 'peek';
    constructor(ctx: PluginContext) {
      super();
      seen.push(ctx);
    }
    describe(): objects.HostPluginInfo {
      return describePlugin({ plugin_name: 'peek', vif_info: [] });
    }
    async plug(): Promise<void> {}
    async unplug(): Promise<void> {}
    static override load(ctx: PluginContext): PluginBase {
      return new Peek(ctx);
    }
  }
  const init = (config: Record<string, Record<string, unknown>>) =>
    osvif.initialize({ plugins: [Peek], builtins: false, discover: false, config });
  t.teardown(() => osvif.reset());
  for (const bad of [
    { lock_path: 'relative' },
    { lock_path: 5 },
    { lock_dir: dir },
    { disable_process_locking: 'yes' },
  ]) {
    await osvif.reset();
    await t.throwsAsync(init({ oslo_concurrency: bad }), { instanceOf: InvalidConfig }, JSON.stringify(bad));
  }
  t.is(seen.length, 0, 'no plugin was built');
  await osvif.reset();
  await init({ oslo_concurrency: { lock_path: dir } });
  t.is(seen[0]?.locks.lockPath, dir);
  t.true(seen[0]?.locks.interProcess);
  await osvif.reset();
  await init({ DEFAULT: { lock_path: `${dir}/legacy` } });
  t.is(seen[1]?.locks.lockPath, `${dir}/legacy`, 'also read from DEFAULT, as oslo.concurrency does');
});
