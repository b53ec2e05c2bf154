/**
 * The read side: datagrams larger than the receive buffer, the per-pass budget, and ENOBUFS
 * (the kernel dropped messages) leaving the socket usable. A python3 NETLINK_USERSOCK sender
 * (run while this process is blocked in execFileSync) queues exactly what each test needs; the
 * socket takes it as its peer (by default only the kernel is).
 */
import test from 'ava';
import { isRoot, sh, TestNetns } from '../harness/netns.js';
import { Conn } from './conn.js';
import { rootTest } from './gate.js';
import { getLinkDump } from './nlmsg.js';

const it = rootTest('test/native/receive.test.ts', true);

const NETLINK_USERSOCK = 2;
let ns: TestNetns | undefined;
test.before(() => {
  if (isRoot) ns = TestNetns.create();
});
test.after.always(() => ns?.destroy());
const space = (): TestNetns => ns as TestNetns;

// The python sender binds this port: the addon accepts datagrams only from its peer.
const SENDER_PORT = 0x40000000 + process.pid;
const SENDER = `
import socket, sys
port, sizes = int(sys.argv[1]), [int(n) for n in sys.argv[2].split(',')]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, ${NETLINK_USERSOCK})
s.bind((${SENDER_PORT}, 0))
for i, n in enumerate(sizes):
    s.sendto(bytes([i % 256]) * n, (port, 0))
`;

/** Queues datagrams of `sizes` bytes (datagram i filled with byte i % 256) on `port`. */
function queue(port: number, sizes: number[]): void {
  const r = space().exec('/usr/bin/python3', ['-c', SENDER, String(port), sizes.join(',')]);
  if (r.status !== 0) throw new Error(r.stderr);
}

async function userSocket(): Promise<{ conn: Conn; datagrams: Buffer[] }> {
  const datagrams: Buffer[] = [];
  const conn = await Conn.open({
    netns: space().path,
    protocol: NETLINK_USERSOCK,
    peer: SENDER_PORT,
    onDatagrams: datagrams,
  });
  return { conn, datagrams };
}

it('a datagram larger than the receive buffer arrives whole, in order with small ones', async (t) => {
  const { conn, datagrams } = await userSocket();
  const sizes = [16, 150_000, 20, 70_000, 24];
  queue(conn.socket.portId, sizes);
  while (datagrams.length < sizes.length) await conn.waitFor(() => false, 50).catch(() => undefined);
  conn.close();
  t.deepEqual(
    datagrams.map((d) => d.length),
    sizes,
  );
  t.true(datagrams.every((d, i) => d.every((byte) => byte === i)));
});

it('a backlog is read in passes of at most 256 datagrams, each pass one onMessages call', async (t) => {
  const { conn, datagrams } = await userSocket();
  const sizes = Array.from({ length: 600 }, () => 32);
  queue(conn.socket.portId, sizes);
  while (datagrams.length < sizes.length) await conn.waitFor(() => false, 50).catch(() => undefined);
  conn.close();
  t.is(datagrams.length, 600);
  t.true(
    datagrams.every((d, i) => d[0] === i % 256),
    'in order',
  );
  t.deepEqual(conn.passes, [256, 256, 88]);
});

it('ENOBUFS when the kernel drops events: reported, and the socket stays usable', async (t) => {
  const watch = await Conn.open({ netns: space().path, groups: [1], rcvbuf: 4096 });
  // While this process is blocked in `ip -batch`, 60 new links overflow the small buffer.
  const batch = Array.from({ length: 60 }, (_, i) => `link add ovtev${i} type bridge\n`).join('');
  sh('ip', ['-n', space().name, '-batch', '-'], batch);
  await watch.waitFor(() => watch.errors.length > 0);
  t.is(watch.errors[0]?.code, 'ENOBUFS');
  t.is(watch.errors[0]?.message, 'recvmsg: ENOBUFS (No buffer space available)');
  watch.socket.dropMembership(1);
  await watch.send(getLinkDump(9));
  const links = await watch.dump(9);
  watch.close();
  t.is(links.length, space().links().length);
  t.true(links.length > 60);
  t.true(watch.messages.filter((m) => m.seq === 0).length < 60, 'some events were dropped');
});
