/** Files under a namespace's own /proc/sys/net, read and written from a thread inside it. */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { native } from '../../src/native/addon.js';
import { isRoot, TestNetns } from '../harness/netns.js';
import { rootTest } from './gate.js';

const it = rootTest('test/native/sysctl.test.ts');

let ns: TestNetns | undefined;
test.before(() => {
  if (isRoot) ns = TestNetns.create();
});
test.after.always(() => ns?.destroy());
const space = (): TestNetns => ns as TestNetns;

// Read only: the host's value is the witness that nothing leaked out of the namespace.
const hostValue = (path: string): string => readFileSync(`/proc/sys/net/${path}`, 'utf8');

it('write and read a per-device sysctl inside the namespace; the host keeps its value', async (t) => {
  const path = 'ipv4/conf/lo/arp_ignore';
  const host = hostValue(path);
  const before = await native().sysctlRead({ netns: space().path, path });
  t.is(before, '0\n');
  await native().sysctlWrite({ netns: space().path, path, value: '2' });
  t.is(await native().sysctlRead({ netns: space().path, path }), '2\n');
  t.is(space().exec('cat', [`/proc/sys/net/${path}`]).stdout, '2\n', 'ip netns exec sees it too');
  t.is(hostValue(path), host);
});

it('a device that exists only in the namespace', async (t) => {
  space().ip('link', 'add', 'ovtsys0', 'type', 'bridge');
  const path = 'ipv6/conf/ovtsys0/disable_ipv6';
  await native().sysctlWrite({ netns: space().path, path, value: '1' });
  t.is(await native().sysctlRead({ netns: space().path, path }), '1\n');
  t.is(space().exec('cat', [`/proc/sys/net/${path}`]).stdout, '1\n');
});

it('errors: ENOENT for a missing file, EINVAL for a value the kernel refuses', async (t) => {
  const missing = await t.throwsAsync(
    native().sysctlRead({ netns: space().path, path: 'ipv4/conf/ovtnope/arp_ignore' }),
  );
  t.like(missing, { code: 'ENOENT', syscall: 'open', path: '/proc/sys/net/ipv4/conf/ovtnope/arp_ignore' });
  const refused = await t.throwsAsync(
    native().sysctlWrite({ netns: space().path, path: 'ipv4/conf/lo/arp_ignore', value: 'x' }),
  );
  t.like(refused, { code: 'EINVAL', syscall: 'write' });
});

it("a path with '..' or a leading '/' is refused before any system call", async (t) => {
  for (const path of [
    '../../../etc/passwd',
    'ipv4/../../kernel/hostname',
    '/proc/sys/net/ipv4/ip_forward',
    '..',
    '',
  ]) {
    const error = await t.throwsAsync(native().sysctlWrite({ netns: space().path, path, value: '1' }));
    t.like(error, { code: 'EINVAL', errno: 22 });
    t.regex(error?.message ?? '', /relative to \/proc\/sys\/net/);
  }
  t.is(
    await native()
      .sysctlRead({ netns: space().path, path: 'ipv4/conf/lo/../lo/arp_ignore' })
      .catch((e) => e.code),
    'EINVAL',
  );
});

it('sysctlBatch: writes and reads in order on one thread, each entry with its own result', async (t) => {
  const host = hostValue('ipv4/conf/lo/arp_ignore');
  const results = await native().sysctlBatch({
    netns: space().path,
    entries: [
      { path: 'ipv4/conf/lo/arp_ignore', value: '1' },
      { path: 'ipv4/conf/lo/arp_ignore' },
      { path: 'ipv4/conf/ovtnope/arp_ignore' },
      { path: 'ipv4/conf/lo/arp_announce', value: 'x' },
      { path: '../x', value: '1' },
      { path: 'ipv4/conf/lo/arp_ignore', value: '0' },
      { path: 'ipv4/conf/lo/arp_ignore' },
    ],
  });
  t.is(results[0], null);
  t.is(results[1], '1\n', 'the read sees the write before it');
  t.like(results[2], { code: 'ENOENT' });
  t.like(results[3], { code: 'EINVAL' });
  t.like(results[4], { code: 'EINVAL' }, 'a path leaving /proc/sys/net is refused, the others still run');
  t.is(results[5], null);
  t.is(results[6], '0\n');
  t.is(hostValue('ipv4/conf/lo/arp_ignore'), host, 'the host keeps its value');
});
