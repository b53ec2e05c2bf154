/**
 * The sysctls of one turn leave in one native call (one thread entering the namespace once):
 * counted with `Sysctl.batches` against the real kernel in a namespace of the test's own.
 */
import test from 'ava';
import { Netlink } from '../../src/netlink/index.js';
import { isRoot, TestNetns } from '../harness/netns.js';

const it = isRoot ? test.serial : test.skip;

it('the reads and writes of one turn share a native call; each gets its own result', async (t) => {
  const ns = TestNetns.create();
  const nl = await Netlink.open({ netns: ns.name });
  t.teardown(() => {
    nl.close();
    ns.destroy();
  });
  const before = nl.sysctl.batches;
  await Promise.all([
    nl.sysctl.set('ipv4/conf/lo/arp_ignore', 1),
    nl.sysctl.set('ipv4/conf/lo/arp_announce', 2),
    nl.sysctl.set('ipv6/conf/lo/disable_ipv6', 1),
  ]);
  t.is(nl.sysctl.batches - before, 1, 'three writes, one native call');
  const [ignore, announce, missing] = await Promise.allSettled([
    nl.sysctl.get('ipv4/conf/lo/arp_ignore'),
    nl.sysctl.get('ipv4/conf/lo/arp_announce'),
    nl.sysctl.get('ipv4/conf/ovtnope/arp_ignore'),
  ]);
  t.is(nl.sysctl.batches - before, 2);
  t.deepEqual(
    [ignore, announce],
    [
      { status: 'fulfilled', value: '1' },
      { status: 'fulfilled', value: '2' },
    ],
  );
  t.like(missing, { status: 'rejected', reason: { code: 'ENOENT', operation: 'sysctl.get' } });
});
