/**
 * Who may talk to a netlink socket. Root in a namespace (possibly root only inside a user
 * namespace of its own) can send datagrams from userspace to any netlink port there: forged
 * acks, dump answers and link events. The addon connects its sockets to the kernel and drops
 * every datagram whose sender is not the kernel (nl_pid 0); multicast datagrams carry the
 * group they were sent to.
 */
import test from 'ava';
import { TestNetns } from '../harness/netns.js';
import { Conn } from './conn.js';
import { rootTest } from './gate.js';
import { RTNLGRP_LINK } from './nlmsg.js';

const it = rootTest('test/native/sender.test.ts', true);

let ns: TestNetns | undefined;
const space = (): TestNetns => {
  ns ??= TestNetns.create();
  return ns;
};
test.after.always(() => ns?.destroy());

// From userspace, to the victim's port (unicast) and to RTNLGRP_LINK (multicast): a forged ack
// for sequence 4242 and a forged RTM_NEWLINK for 'ovtforged'. Prints what the kernel said.
const FORGER = `
import socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
name = b'ovtforged\\0'
attr = struct.pack('=HH', 4 + len(name), 3) + name + b'\\0' * (-len(name) % 4)
body = struct.pack('=BxHiII', 0, 1, 4242, 0, 0) + attr
event = struct.pack('=IHHII', 16 + len(body), 16, 0, 0, 0) + body
echo = struct.pack('=IHHII', 16 + len(body), 16, 5, 4242, port) + body
ack = struct.pack('=IHHII', 20 + len(echo), 2, 0, 4242, 0) + struct.pack('=i', 0) + echo
for what, data, dest in (('ack', ack, (port, 0)), ('event', event, (port, 0)), ('multicast', event, (0, 1))):
    try:
        s.sendto(data, dest)
        print(what, 'sent')
    except OSError as e:
        print(what, 'refused', e.errno)
`;

it('forged acks and events from a userspace sender never reach onMessages; kernel events do, with their group', async (t) => {
  const datagrams: Buffer[] = [];
  const groups: number[] = [];
  const conn = await Conn.open({
    netns: space().path,
    groups: [RTNLGRP_LINK],
    onDatagrams: datagrams,
    onGroups: groups,
  });
  const forged = space().exec('/usr/bin/python3', ['-c', FORGER, String(conn.socket.portId)]);
  t.is(forged.status, 0, forged.stderr);
  t.log(forged.stdout.trim().replace(/\n/g, '; '));
  t.regex(forged.stdout, /multicast sent/, 'the forger could multicast: the addon must drop it');
  // A real event after the forged ones: once it is read, everything queued before it was too.
  space().ip('link', 'add', 'ovtreal', 'type', 'bridge');
  const deadline = Date.now() + 5000;
  while (!datagrams.some((d) => d.includes('ovtreal')) && Date.now() < deadline) {
    await conn.waitFor(() => false, 50).catch(() => undefined);
  }
  conn.close();
  const real = datagrams.findIndex((d) => d.includes('ovtreal'));
  t.true(real >= 0, 'the kernel event arrived');
  t.is(groups[real], RTNLGRP_LINK, 'with the group it was multicast to');
  t.false(
    datagrams.some((d) => d.includes('ovtforged')),
    'no forged datagram was delivered',
  );
});

it('answers to requests come from the kernel and carry group 0', async (t) => {
  const datagrams: Buffer[] = [];
  const groups: number[] = [];
  const conn = await Conn.open({ netns: space().path, onDatagrams: datagrams, onGroups: groups });
  const { getLinkDump } = await import('./nlmsg.js');
  await conn.send(getLinkDump(7));
  while (datagrams.length === 0) await conn.waitFor(() => false, 50).catch(() => undefined);
  conn.close();
  t.true(groups.length >= 1 && groups.every((g) => g === 0));
});

it('src/netlink hands each notification up with its group', async (t) => {
  const { NetlinkSocket } = await import('../../src/netlink/socket.js');
  const seen: Array<[number, number]> = [];
  const socket = await NetlinkSocket.open({
    netns: space().path,
    groups: [RTNLGRP_LINK],
    onNotification: (messages, groups) => {
      for (const [i, m] of messages.entries()) seen.push([m.type, groups[i]]);
    },
  });
  space().ip('link', 'add', 'ovtgrp', 'type', 'bridge');
  const deadline = Date.now() + 5000;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  socket.close();
  t.true(seen.length > 0);
  t.true(seen.every(([, group]) => group === RTNLGRP_LINK));
});
