/**
 * Faults a real kernel or allocator produces only under pressure, injected into a child
 * process by a preloaded shim (fixtures/faults.cc, built here with g++): operator new failing
 * on the addon's own threads and in the socket's constructor, recvmsg failing, and the order
 * in which a socket's fd and its poll handle are closed when a worker thread ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { TestNetns } from '../harness/netns.js';
import { rootTest } from './gate.js';

const it = rootTest('test/native/faults.test.ts', true);
// A prebuild (PREBUILDS_ONLY=1) links libc++ statically and keeps it private, so a preloaded
// operator new cannot reach it: those three run on the node-gyp build only.
const itNew: typeof it = process.env.PREBUILDS_ONLY ? (test.skip as unknown as typeof it) : it;
if (process.env.PREBUILDS_ONLY) {
  process.stderr.write('faults: the operator new tests are skipped on a prebuild (static, private libc++)\n');
}

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, '..', '..', '..', 'test', 'native', 'fixtures', 'faults.cc');
const dir = `/tmp/ovt${process.pid}faults`;
const shim = `${dir}/faults.so`;
let ns: TestNetns | undefined;
test.before(() => {
  mkdirSync(dir, { recursive: true });
  const built = spawnSync('g++', ['-O1', '-shared', '-fPIC', source, '-o', shim, '-ldl'], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`g++ faults.cc: ${built.stderr}`);
});
test.after.always(() => {
  ns?.destroy();
  rmSync(dir, { recursive: true, force: true });
});
const space = (): TestNetns => {
  ns ??= TestNetns.create();
  return ns;
};

function run(fault: string, fixture: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, 'fixtures', fixture), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LD_PRELOAD: shim, OVT_FAULT: fault },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr };
}

itNew('operator new failing on a namespace thread rejects that call with ENOMEM; the process lives', (t) => {
  const r = run('task-new', 'faulted.js', 'task-new', space().path);
  t.is(r.signal, null, r.stderr);
  t.is(r.stdout, 'sysctlRead ENOMEM');
});

itNew('operator new failing on the sender thread fails the sends with ENOMEM and closes the socket', (t) => {
  const r = run('send-new', 'faulted.js', 'send-new', space().path);
  t.is(r.signal, null, r.stderr);
  t.regex(r.stdout, /^sends (ENOMEM|ENOMEM,ok) onError ENOMEM$/);
});

itNew('operator new failing in the socket constructor rejects openNetlink and leaves no socket open', (t) => {
  const r = run('open-new', 'faulted.js', 'open-new', space().path);
  t.is(r.signal, null, r.stderr);
  t.is(r.stdout, 'rejected std::bad_alloc; sockets left 0');
});

it('a receive error closes the socket and reaches onError, with gc() run inside it', (t) => {
  const r = run('recvmsg', 'faulted.js', 'recvmsg', space().path);
  t.is(r.signal, null, r.stderr);
  t.is(r.stdout, 'onError EIO; send after EBADF');
});

it('a worker ending with sockets open closes each poll handle before its fd', (t) => {
  const r = run('order', 'workers.js', space().path);
  t.is(r.status, 0, r.stderr);
  t.notRegex(r.stderr, /ovt-fault/);
});
