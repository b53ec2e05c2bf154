/**
 * The addon's three calls for the helper: SO_PEERCRED, capability reduction and execve. The
 * capability calls act on the calling thread, so they run in child processes, never in the
 * test process itself.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { type NativeError, native } from '../../src/native/addon.js';
import { isRoot, readableBy } from '../harness/netns.js';
import { gatedTest } from '../plugins/e2e-host.js';

const addon = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'dist',
  'src',
  'native',
  'addon.js',
);
const rootOnly = gatedTest(
  'capability tests',
  !isRoot
    ? 'needs root (child processes change uid)'
    : !readableBy(4242, addon)
      ? `the checkout is not readable by uid 4242 (${addon}; under /root?)`
      : undefined,
);

/** Runs an ESM snippet with `native` imported; returns its exit status and output. */
function child(code: string, options: { uid?: number; prefix?: string[] } = {}) {
  const script = `import { native } from ${JSON.stringify(addon)};\n${code}`;
  const argv = [process.execPath, '--input-type=module', '-e', script];
  const [cmd, ...args] = [...(options.prefix ?? []), ...argv] as [string, ...string[]];
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 30_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('peerCredentials names the process at the other end of a unix socket', async (t) => {
  const sock = path.join(tmpdir(), `ovth${process.pid}-peer.sock`);
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  t.teardown(() => server.close());
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect(sock);
  const s = await accepted;
  const fd = (s as unknown as { _handle: { fd: number } })._handle.fd;
  const peer = native().peerCredentials(fd);
  t.like(peer, { pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() });
  // SO_PEERGROUPS lists the supplementary groups; getgroups() may add the gid itself
  const own = process.getgroups?.() as number[];
  t.deepEqual(
    [...new Set([...peer.groups, peer.gid])].sort(),
    [...new Set([...own, process.getgid?.() as number])].sort(),
  );
  client.destroy();
  s.destroy();
});

test('peerCredentials on a file or a bad fd is a NativeError; a non-integer is a TypeError', (t) => {
  const fd = openSync(fileURLToPath(import.meta.url), 'r');
  try {
    const e = t.throws(() => native().peerCredentials(fd)) as NativeError;
    t.is(e.code, 'ENOTSOCK');
    t.is(e.syscall, 'getsockopt');
  } finally {
    closeSync(fd);
  }
  t.is((t.throws(() => native().peerCredentials(1_000_000)) as NativeError).code, 'EBADF');
  t.throws(() => native().peerCredentials(-1), { instanceOf: TypeError });
  t.throws(() => native().peerCredentials('3' as unknown as number), { instanceOf: TypeError });
});

rootOnly('capsRestrict leaves the calling thread CAP_NET_ADMIN only, with no_new_privs', (t) => {
  const r = child(
    `
    import { readFileSync } from 'node:fs';
    native().capsRestrict(12);
    const status = readFileSync('/proc/thread-self/status', 'utf8');
    console.log(status.split('\\n').filter((l) => /^(Cap|NoNewPrivs)/.test(l)).join(' ').replace(/\\s+/g, ' '));
  `.replace("import { gettid } from 'node:process';", ''),
  );
  t.is(r.status, 0, r.stderr);
  t.is(
    r.stdout.trim(),
    'CapInh: 0000000000000000 CapPrm: 0000000000001000 CapEff: 0000000000001000 CapBnd: 0000000000001000 CapAmb: 0000000000000000 NoNewPrivs: 1',
  );
});

rootOnly('capsRestrict without the capability, or without CAP_SETPCAP, is EPERM', (t) => {
  const r = child(
    `try { native().capsRestrict(12); console.log('no error'); } catch (e) { console.log(e.code, e.syscall, e.message); }`,
    { uid: 4242 },
  );
  t.regex(r.stdout, /^EPERM capget .*capability 12 is not in this thread's permitted set/);
  // CAP_NET_ADMIN (ambient, as uid 4242) but no CAP_SETPCAP: the bounding set cannot shrink
  const ambient = child(
    `try { native().capsRestrict(12); console.log('no error'); } catch (e) { console.log(e.code, e.syscall, e.message); }`,
    {
      prefix: [
        'setpriv',
        '--reuid',
        '4242',
        '--regid',
        '4242',
        '--clear-groups',
        '--inh-caps',
        '+net_admin',
        '--ambient-caps',
        '+net_admin',
      ],
    },
  );
  t.regex(
    ambient.stdout,
    /^EPERM prctl prctl PR_CAPBSET_DROP 0: reducing the bounding set needs CAP_SETPCAP/,
  );
});

test('execSelf checks its arrays before anything and reports execve errors', (t) => {
  t.throws(() => native().execSelf('/bin/true', [], []), {
    instanceOf: TypeError,
    message: /argv must not be empty/,
  });
  t.throws(() => native().execSelf('/bin/true', ['true', 1 as unknown as string], []), {
    instanceOf: TypeError,
  });
  t.throws(() => native().execSelf('/bin/true', ['a\0b'], []), { instanceOf: TypeError });
  t.throws(
    () =>
      native().execSelf(
        '/bin/true',
        Array.from({ length: 5000 }, () => 'x'),
        [],
      ),
    {
      instanceOf: TypeError,
      message: /too many/,
    },
  );
  const e = t.throws(() => native().execSelf('/nonexistent/program', ['x'], [])) as NativeError;
  t.is(e.code, 'ENOENT');
  t.is(e.syscall, 'execve');
});

test('execSelf replaces the program, keeping the standard streams', (t) => {
  const r = child(
    `native().execSelf('/bin/sh', ['sh', '-c', 'echo "replaced $MARK"; echo to-stderr >&2'], ['MARK=yes']);`,
  );
  t.is(r.status, 0);
  t.is(r.stdout, 'replaced yes\n');
  t.is(r.stderr, 'to-stderr\n');
});
