/**
 * Many reads in flight on one socket: their answers are whole link messages (kilobytes each in
 * the kernel's accounting, where an ACK is a few hundred bytes), so the socket admits fewer of
 * them at once and the receive buffer never overflows (ENOBUFS) however many are asked for.
 * Against the real kernel, in a namespace of the test's own.
 */
import test from 'ava';
import { Netlink } from '../../src/netlink/index.js';
import { isRoot, TestNetns } from '../harness/netns.js';

const it = isRoot ? test.serial : test.skip;

it('4000 link reads asked for at once all get their answer', async (t) => {
  const ns = TestNetns.create();
  const nl = await Netlink.open({ netns: ns.name });
  t.teardown(() => {
    nl.close();
    ns.destroy();
  });
  await nl.links.add({ kind: 'bridge', name: 'br0' });
  const names = Array.from({ length: 4000 }, (_, i) => (i % 2 ? 'lo' : 'br0'));
  const links = await Promise.all(names.map((n) => nl.links.get(n)));
  t.deepEqual(
    links.map((l) => l?.name),
    names,
  );
});
