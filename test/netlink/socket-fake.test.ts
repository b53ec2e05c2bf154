/**
 * The socket layer fed by a fake transport (no root, no kernel): a dump whose answer the
 * kernel splits across datagrams (and across readiness passes) comes back whole, and answers
 * no kernel sends (a truncated NLMSG_ERROR) fail their request with a typed error instead of
 * escaping from the receive callback.
 */
import test from 'ava';
import {
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_NEWLINK,
} from '../../src/netlink/codec/constants.js';
import type { NlMessage } from '../../src/netlink/codec/message.js';
import { encodeRtnl } from '../../src/netlink/codec/rtnl.js';
import { Netlink, NetlinkError } from '../../src/netlink/index.js';
import { ackFor, datagram, type FakeSocket, nlmsg, withFakeTransport } from './fake-transport.js';

/** One RTM_NEWLINK dump entry for `seq`. */
function linkEntry(seq: number, index: number, name: string): Uint8Array {
  return encodeRtnl([
    {
      type: RTM_NEWLINK,
      flags: NLM_F_MULTI,
      seq,
      pid: 0,
      body: {
        family: 'link',
        header: { family: 0, type: 1, index, flags: 0, change: 0 },
        attrs: [
          { type: 3, value: name },
          { type: 4, value: 1500 },
        ],
      },
    },
  ]);
}
const done = (seq: number) => nlmsg(NLMSG_DONE, NLM_F_MULTI, seq, new Uint8Array(4));
const isDump = (m: NlMessage) => (m.flags & NLM_F_DUMP) === NLM_F_DUMP;

const NAMES = Array.from({ length: 7 }, (_, i) => `l${i}`);

/** Answers every dump with NAMES, split into datagrams of `perDatagram` entries, DONE in the last. */
function splitDump(perDatagram: number, passes: 'one' | 'each') {
  return (s: FakeSocket, reqs: NlMessage[]) => {
    for (const r of reqs) {
      if (!isDump(r)) {
        s.deliver(ackFor(r));
        continue;
      }
      const entries = NAMES.map((n, i) => linkEntry(r.seq, i + 1, n));
      const grams: Uint8Array[] = [];
      for (let i = 0; i < entries.length; i += perDatagram)
        grams.push(datagram(...entries.slice(i, i + perDatagram)));
      grams.push(done(r.seq));
      if (passes === 'one') s.deliver(...grams);
      else
        grams.forEach((g, i) => {
          setTimeout(() => s.deliver(g), i * 2);
        });
    }
  };
}

for (const [per, passes] of [
  [1, 'each'],
  [3, 'each'],
  [2, 'one'],
] as const) {
  test(`a dump answered in datagrams of ${per} link(s), ${passes === 'each' ? 'one readiness pass each' : 'all in one pass'}, comes back whole`, async (t) => {
    await withFakeTransport(splitDump(per, passes), async () => {
      const nl = await Netlink.open();
      try {
        const links = await nl.links.list();
        t.deepEqual(
          links.map((l) => l.name),
          NAMES,
        );
        t.deepEqual(
          links.map((l) => l.index),
          NAMES.map((_, i) => i + 1),
        );
      } finally {
        nl.close();
      }
    });
  });
}

test('a dump stays open until NLMSG_DONE: a request resolved early would miss the later datagrams', async (t) => {
  let sock: FakeSocket | undefined;
  let seq = 0;
  await withFakeTransport(
    (s, reqs) => {
      sock = s;
      for (const r of reqs) if (isDump(r)) seq = r.seq;
      s.deliver(datagram(linkEntry(seq, 1, 'first')));
    },
    async () => {
      const nl = await Netlink.open();
      try {
        let settled = false;
        const listing = nl.links.list().finally(() => {
          settled = true;
        });
        while (!sock) await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, 20));
        t.false(settled, 'no NLMSG_DONE yet: the dump is still open');
        sock.deliver(datagram(linkEntry(seq, 2, 'second')), datagram(done(seq)));
        t.deepEqual(
          (await listing).map((l) => l.name),
          ['first', 'second'],
        );
      } finally {
        nl.close();
      }
    },
  );
});

test('a truncated NLMSG_ERROR for a pending request fails it with a NetlinkError (EBADMSG)', async (t) => {
  await withFakeTransport(
    (s, reqs) => {
      for (const r of reqs) s.deliver(nlmsg(NLMSG_ERROR, 0, r.seq, new Uint8Array(6)));
    },
    async () => {
      const nl = await Netlink.open({ timeoutMs: 5000 });
      try {
        const e = await t.throwsAsync(nl.links.get('eth0'), { instanceOf: NetlinkError });
        t.is(e?.code, 'EBADMSG');
        t.is(e?.operation, 'links.get');
      } finally {
        nl.close();
      }
    },
  );
});

test('a kernel error in a dump answer rejects the dump with that errno', async (t) => {
  await withFakeTransport(
    (s, reqs) => {
      for (const r of reqs) {
        const code = new Uint8Array(4);
        new DataView(code.buffer).setInt32(0, -16, true); // -EBUSY
        s.deliver(datagram(linkEntry(r.seq, 1, 'x')), nlmsg(NLMSG_DONE, NLM_F_MULTI, r.seq, code));
      }
    },
    async () => {
      const nl = await Netlink.open();
      try {
        const e = await t.throwsAsync(nl.links.list(), { instanceOf: NetlinkError });
        t.is(e?.code, 'EBUSY');
      } finally {
        nl.close();
      }
    },
  );
});

test('an NLMSG_ERROR or NLMSG_DONE carrying no errno (positive, or beyond MAX_ERRNO) fails the request with EBADMSG', async (t) => {
  for (const [type, code] of [
    [NLMSG_ERROR, 5],
    [NLMSG_ERROR, -0x7fffffff - 1],
    [NLMSG_DONE, -0x7fffffff - 1],
  ] as const) {
    await withFakeTransport(
      (s, reqs) => {
        for (const r of reqs) {
          const p = new Uint8Array(20);
          new DataView(p.buffer).setInt32(0, code, true);
          s.deliver(nlmsg(type, 0x100, r.seq, p));
        }
      },
      async () => {
        const nl = await Netlink.open({ timeoutMs: 5000 });
        try {
          const call = type === NLMSG_DONE ? nl.links.list() : nl.links.get('eth0');
          const e = await t.throwsAsync(call, { instanceOf: NetlinkError });
          t.is(e?.code, 'EBADMSG', `type ${type} code ${code}`);
        } finally {
          nl.close();
        }
      },
    );
  }
});
