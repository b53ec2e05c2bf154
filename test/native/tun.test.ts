/** tun/tap devices made and removed through /dev/net/tun inside a namespace. */
import test from 'ava';
import { native } from '../../src/native/addon.js';
import { TestNetns, trySh } from '../harness/netns.js';
import { rootTest } from './gate.js';
import { tunCreate } from './tun-one.js';

const it = rootTest('test/native/tun.test.ts');

const spaces: TestNetns[] = [];
function netns(): TestNetns {
  const ns = TestNetns.create();
  spaces.push(ns);
  return ns;
}
test.after.always(() => {
  for (const ns of spaces) ns.destroy();
});

// uid/gid with no passwd entry, so `ip` prints them as numbers.
const OWNER = 54321;
const GROUP = 54322;

it('a multi-queue tap with vnet header, owner and group, persistent, in that namespace only', async (t) => {
  const ns = netns();
  await tunCreate({
    name: 'ovttap0',
    netns: ns.path,
    mode: 'tap',
    multiQueue: true,
    vnetHdr: true,
    owner: OWNER,
    group: GROUP,
  });
  const link = ns.link('ovttap0');
  t.is(link?.linkinfo?.info_kind, 'tun');
  t.like(link?.linkinfo?.info_data, {
    type: 'tap',
    pi: false,
    vnet_hdr: true,
    multi_queue: true,
    persist: true,
    user: OWNER,
    group: GROUP,
  });
  t.is(trySh('ip', ['link', 'show', 'ovttap0']).status, 1, 'not in the host namespace');
  await native().tunDelete({ name: 'ovttap0', netns: ns.path, mode: 'tap', multiQueue: true });
  t.is(ns.link('ovttap0'), undefined);
});

it('a plain tun: no vnet header, single queue, no owner', async (t) => {
  const ns = netns();
  await tunCreate({ name: 'ovttun0', netns: ns.path, mode: 'tun' });
  t.like(ns.link('ovttun0')?.linkinfo?.info_data, {
    type: 'tun',
    pi: false,
    vnet_hdr: false,
    multi_queue: false,
    persist: true,
  });
  t.false('user' in (ns.link('ovttun0')?.linkinfo?.info_data ?? {}));
  await native().tunDelete({ name: 'ovttun0', netns: ns.path, mode: 'tun' });
  t.is(ns.link('ovttun0'), undefined);
});

it('create on a taken name is EEXIST and leaves the device as it was', async (t) => {
  const ns = netns();
  await tunCreate({ name: 'ovttap1', netns: ns.path, mode: 'tap', owner: OWNER });
  const taken = await t.throwsAsync(
    tunCreate({ name: 'ovttap1', netns: ns.path, mode: 'tap', vnetHdr: true }),
  );
  t.like(taken, {
    code: 'EEXIST',
    errno: 17,
    syscall: 'TUNSETIFF',
    message: 'TUNSETIFF: EEXIST (File exists)',
  });
  t.like(ns.link('ovttap1')?.linkinfo?.info_data, { vnet_hdr: false, user: OWNER });
  ns.ip('link', 'add', 'ovtbr', 'type', 'bridge');
  await t.throwsAsync(tunCreate({ name: 'ovtbr', netns: ns.path, mode: 'tap' }), { code: 'EEXIST' });
});

it('delete: ENODEV when absent, EINVAL for the wrong mode or a device that is no tun', async (t) => {
  const ns = netns();
  await t.throwsAsync(native().tunDelete({ name: 'ovtnone', netns: ns.path, mode: 'tap' }), {
    code: 'ENODEV',
  });
  t.is(ns.link('ovtnone'), undefined, 'deleting an absent name made nothing');
  await tunCreate({ name: 'ovttap2', netns: ns.path, mode: 'tap' });
  await t.throwsAsync(native().tunDelete({ name: 'ovttap2', netns: ns.path, mode: 'tun' }), {
    code: 'EINVAL',
  });
  ns.ip('link', 'add', 'ovtbr', 'type', 'bridge');
  await t.throwsAsync(native().tunDelete({ name: 'ovtbr', netns: ns.path, mode: 'tap' }), { code: 'EINVAL' });
  t.truthy(ns.link('ovttap2'));
  t.truthy(ns.link('ovtbr'));
});

it('a name over 15 bytes is refused before any system call', async (t) => {
  const ns = netns();
  const error = await t.throwsAsync(tunCreate({ name: 'ovt-sixteen-byte', netns: ns.path, mode: 'tap' }));
  t.like(error, { code: 'EINVAL', errno: 22 });
  t.regex(error?.message ?? '', /1 to 15 bytes/);
  await t.throwsAsync(tunCreate({ name: '', netns: ns.path, mode: 'tap' }), { code: 'EINVAL' });
  await t.throwsAsync(tunCreate({ name: 'x', netns: ns.path, mode: 'bogus' as 'tap' }), {
    instanceOf: TypeError,
  });
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    ['lo'],
  );
});

it('a name the kernel refuses fails in TUNSETIFF and leaves nothing behind', async (t) => {
  const ns = netns();
  const refused = await t.throwsAsync(tunCreate({ name: 'bad/name', netns: ns.path, mode: 'tap' }));
  t.like(refused, { code: 'EINVAL', syscall: 'TUNSETIFF' });
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    ['lo'],
  );
});

it('a batch creates each device in order on one thread; one failing does not stop the others', async (t) => {
  const ns = netns();
  ns.ip('link', 'add', 'ovtbr', 'type', 'bridge');
  const results = await native().tunCreateBatch({
    netns: ns.path,
    devices: [
      { name: 'ovtb0', mode: 'tap', multiQueue: true, vnetHdr: true, owner: OWNER, group: GROUP },
      { name: 'ovtbr', mode: 'tap' }, // taken by the bridge
      { name: 'ovt-sixteen-byte', mode: 'tap' }, // refused before any system call
      { name: 'ovtb1', mode: 'tun' },
      { name: 'ovtb0', mode: 'tap' }, // made earlier in this batch
      { name: 'bad/name', mode: 'tap' }, // refused by the kernel
    ],
  });
  t.is(results.length, 6);
  t.is(results[0], null);
  t.like(results[1], { code: 'EEXIST', syscall: 'TUNSETIFF' });
  t.like(results[2], { code: 'EINVAL', errno: 22 });
  t.regex(results[2]?.message ?? '', /1 to 15 bytes/);
  t.is(results[3], null);
  t.like(results[4], { code: 'EEXIST' });
  t.like(results[5], { code: 'EINVAL', syscall: 'TUNSETIFF' });
  t.like(ns.link('ovtb0')?.linkinfo?.info_data, {
    type: 'tap',
    vnet_hdr: true,
    multi_queue: true,
    persist: true,
    user: OWNER,
    group: GROUP,
  });
  t.like(ns.link('ovtb1')?.linkinfo?.info_data, { type: 'tun', persist: true });
  t.deepEqual(
    ns
      .links()
      .map((l) => l.ifname)
      .sort(),
    ['lo', 'ovtb0', 'ovtb1', 'ovtbr'],
  );
  t.is(trySh('ip', ['link', 'show', 'ovtb0']).status, 1, 'not in the host namespace');
});

it('a batch: an empty list resolves to []; a namespace that cannot be entered rejects it whole', async (t) => {
  const ns = netns();
  t.deepEqual(await native().tunCreateBatch({ netns: ns.path, devices: [] }), []);
  const missing = await t.throwsAsync(
    native().tunCreateBatch({ netns: `${ns.path}-missing`, devices: [{ name: 'ovtb0', mode: 'tap' }] }),
  );
  t.like(missing, { code: 'ENOENT', syscall: 'open' });
  t.throws(() => native().tunCreateBatch({ netns: ns.path, devices: 'x' as never }), {
    instanceOf: TypeError,
  });
  t.throws(
    () => native().tunCreateBatch({ netns: ns.path, devices: [{ name: 'x', mode: 'bogus' as 'tap' }] }),
    {
      instanceOf: TypeError,
    },
  );
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    ['lo'],
  );
});
