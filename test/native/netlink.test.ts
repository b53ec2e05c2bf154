/**
 * Netlink sockets against the real kernel, each test in a throwaway namespace: requests and
 * answers, errors through the ack, options that the addon sets on the socket.
 */
import test from 'ava';
import { errnoName } from '../../src/native/errno.js';
import { TestNetns } from '../harness/netns.js';
import { Conn } from './conn.js';
import { rootTest } from './gate.js';
import { concat, delLink, getLinkDump, NLMSG_DONE, NLMSG_ERROR, newBridge, RTM_NEWLINK } from './nlmsg.js';

const it = rootTest('test/native/netlink.test.ts');

const spaces: TestNetns[] = [];
function netns(): TestNetns {
  const ns = TestNetns.create();
  spaces.push(ns);
  return ns;
}
test.after.always(() => {
  for (const ns of spaces) ns.destroy();
});

it('a dump answered inside the namespace lists its links only', async (t) => {
  const ns = netns();
  const conn = await Conn.open({ netns: ns.path });
  t.true(Number.isInteger(conn.socket.portId) && conn.socket.portId !== 0);
  await conn.send(getLinkDump(1));
  const links = await conn.dump(1);
  conn.close();
  t.deepEqual(
    links.map((m) => m.ifname),
    ns.links().map((l) => l.ifname),
  );
  t.deepEqual(
    links.map((m) => m.ifname),
    ['lo'],
  );
});

it('a bridge made through the socket appears in that namespace and nowhere else', async (t) => {
  const ns = netns();
  const other = netns();
  const conn = await Conn.open({ netns: ns.path });
  await conn.send(newBridge(7, 'ovtbr0'));
  const ack = await conn.ack(7);
  conn.close();
  t.is(ack.errno, 0);
  t.is(ack.length, 36, 'NETLINK_CAP_ACK: the ack carries the request header only');
  t.is(ns.link('ovtbr0')?.linkinfo?.info_kind, 'bridge');
  t.is(other.link('ovtbr0'), undefined);
});

it('a duplicate bridge fails with EEXIST in the ack', async (t) => {
  const ns = netns();
  const conn = await Conn.open({ netns: ns.path });
  await conn.send(newBridge(1, 'ovtdup'));
  await conn.send(newBridge(2, 'ovtdup'));
  const [first, second] = [await conn.ack(1), await conn.ack(2)];
  conn.close();
  t.is(first.errno, 0);
  t.is(second.errno, 17); // EEXIST
  t.is(errnoName(second.errno ?? 0), 'EEXIST');
});

it('extended acks carry the kernel text, and strict checking refuses a filtered dump', async (t) => {
  const ns = netns();
  const conn = await Conn.open({ netns: ns.path });
  await conn.send(newBridge(1, 'sixteen-bytes-xx')); // names are at most 15 bytes
  await conn.send(getLinkDump(2, 1)); // ifi_index in a link dump: refused under NETLINK_GET_STRICT_CHK
  const tooLong = await conn.ack(1);
  const filtered = await conn.waitFor((m) => m.seq === 2 && m.type === NLMSG_DONE);
  conn.close();
  t.is(tooLong.errno, 34); // ERANGE
  t.regex(tooLong.extAck ?? '', /policy/i);
  t.is(filtered.errno, 22); // EINVAL
  t.regex(filtered.extAck ?? '', /index/i);
});

it('many messages in one send are answered in order', async (t) => {
  const ns = netns();
  const conn = await Conn.open({ netns: ns.path });
  const names = Array.from({ length: 40 }, (_, i) => `ovtm${i}`);
  await conn.send(concat(names.map((name, i) => newBridge(100 + i, name))));
  await conn.ack(139);
  const acks = conn.messages.filter((m) => m.type === NLMSG_ERROR);
  t.deepEqual(
    acks.map((m) => [m.seq, m.errno]),
    names.map((_, i) => [100 + i, 0]),
  );
  const present = new Set(ns.links().map((l) => l.ifname));
  t.true(names.every((n) => present.has(n)));
  conn.close();
});

it('separate sends keep their order, callbacks and answers alike', async (t) => {
  const ns = netns();
  const conn = await Conn.open({ netns: ns.path });
  const done: number[] = [];
  const sends = Array.from({ length: 60 }, (_, i) =>
    conn.send(i % 2 === 0 ? newBridge(i + 1, `ovto${i >> 1}`) : delLink(i + 1, `ovto${i >> 1}`)).then(() => {
      done.push(i + 1);
    }),
  );
  await Promise.all(sends);
  await conn.ack(60);
  const acks = conn.messages.filter((m) => m.type === NLMSG_ERROR);
  conn.close();
  t.deepEqual(
    done,
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  t.deepEqual(
    acks.map((m) => m.seq),
    done,
  );
  t.true(
    acks.every((m) => m.errno === 0),
    'each delete followed its create',
  );
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    ['lo'],
  );
});

it('a watch on RTNLGRP_LINK sees links made by another socket', async (t) => {
  const ns = netns();
  const watch = await Conn.open({ netns: ns.path, groups: [1] });
  ns.ip('link', 'add', 'ovtw0', 'type', 'bridge');
  const event = await watch.waitFor((m) => m.type === RTM_NEWLINK && m.ifname === 'ovtw0');
  t.is(event.seq, 0);
  watch.socket.dropMembership(1);
  watch.close();
});
