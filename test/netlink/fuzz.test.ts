/**
 * Fuzzing what the netlink layer reads from outside, without root: datagrams (random bytes, and
 * well-formed rtnetlink messages built from the schemas, then damaged), NLMSG_ERROR payloads,
 * and whole answers fed to a `Netlink` handle and a link watcher through the fake transport.
 * Properties: decoding returns or throws NetlinkParseError, never anything else; what decodes
 * re-encodes to something that decodes the same; views of decoded bodies never throw; every
 * call on the handle settles with a value or a NetlinkError/NetlinkParseError, and nothing
 * escapes the socket's receive callback. OS_VIF_FUZZ=1 runs many more cases.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
} from '../../src/netlink/codec/constants.js';
import { decodeError, type NlMessage, parseMessages } from '../../src/netlink/codec/message.js';
import { decodeRtnl, encodeRtnl, type RtnlBody } from '../../src/netlink/codec/rtnl.js';
import { Netlink, NetlinkError, NetlinkParseError } from '../../src/netlink/index.js';
import { allKinds } from '../../src/netlink/kinds/registry.js';
import { addressView, linkView, routeView } from '../../src/netlink/views.js';
import { fuzzParams } from '../harness/fuzz.js';
import { datagram, type FakeSocket, nlmsg, withFakeTransport } from './fake-transport.js';

// ---- byte builders -------------------------------------------------------------------------

function nla(type: number, payload: Uint8Array): Uint8Array {
  const len = 4 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, len, true);
  dv.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}
const cat = (parts: Uint8Array[]) => datagram(...parts);
const te = new TextEncoder();
const cstr = (s: string) => cat([te.encode(s), new Uint8Array(1)]);
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};

/** A payload an attribute of any type might carry. */
const scalarPayload = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  fc.string({ maxLength: 16 }).map(cstr),
  fc.string({ maxLength: 16 }).map((s) => te.encode(s)),
  fc.nat().map(u32),
  fc.uint8Array({ minLength: 6, maxLength: 6 }),
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
);

/** Attributes, nested up to `depth`, with types around the schemas' ranges (flags bits too). */
const attrsArb: (depth: number) => fc.Arbitrary<Uint8Array> = fc.memo((depth: number) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff })),
        depth > 0 ? fc.oneof(scalarPayload, attrsArb(depth - 1)) : scalarPayload,
      ),
      { maxLength: 6 },
    )
    .map((list) => cat(list.map(([t, p]) => nla(t, p)))),
);

const KINDS = allKinds().map((k) => k.kind);

/** IFLA_LINKINFO with a real kind, random IFLA_INFO_DATA / SLAVE_DATA, sometimes a veth peer. */
const linkInfoArb = fc
  .tuple(
    fc.constantFrom(...KINDS, 'bogus'),
    attrsArb(2),
    fc.option(fc.tuple(fc.constantFrom(...KINDS), attrsArb(1))),
    fc.option(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), attrsArb(1))),
  )
  .map(([kind, data, slave, peer]) => {
    const dataAttrs = peer ? cat([data, nla(1, cat([peer[0], peer[1]]))]) : data;
    const parts = [nla(1, cstr(kind)), nla(2 | 0x8000, dataAttrs)];
    if (slave) parts.push(nla(4, cstr(slave[0])), nla(5, slave[1]));
    return nla(18 | 0x8000, cat(parts));
  });

const bodyArb = fc.oneof(
  fc
    .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), attrsArb(2), fc.option(linkInfoArb))
    .map(([h, a, li]) => ({ type: RTM_NEWLINK, bytes: cat([h, a, li ?? new Uint8Array(0)]) })),
  fc
    .tuple(
      fc.constantFrom(RTM_NEWADDR, RTM_DELADDR),
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      attrsArb(1),
    )
    .map(([type, h, a]) => ({ type, bytes: cat([h, a]) })),
  fc
    .tuple(
      fc.constantFrom(RTM_NEWROUTE, RTM_DELROUTE),
      fc.uint8Array({ minLength: 12, maxLength: 12 }),
      attrsArb(2),
    )
    .map(([type, h, a]) => ({ type, bytes: cat([h, a]) })),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 }))
    .map(([type, bytes]) => ({ type, bytes })),
);

/** Damage: cut the bytes short, or overwrite a byte or a 16-bit length anywhere. */
const damageArb = fc.option(
  fc.oneof(
    fc.record({ cut: fc.nat() }),
    fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ at: fc.nat(), len: fc.integer({ min: 0, max: 0xffff }) }),
  ),
  { freq: 2 },
);

function damage(
  bytes: Uint8Array,
  d: { cut: number } | { at: number; byte: number } | { at: number; len: number } | null,
): Uint8Array {
  if (!d || bytes.length === 0) return bytes;
  if ('cut' in d) return bytes.subarray(0, d.cut % bytes.length);
  const out = Uint8Array.from(bytes);
  const at = d.at % out.length;
  if ('byte' in d) out[at] = d.byte;
  else if (at + 1 < out.length) new DataView(out.buffer).setUint16(at, d.len, true);
  return out;
}

const messageArb = fc
  .tuple(bodyArb, fc.integer({ min: 0, max: 0xffff }), fc.nat())
  .map(([b, flags, seq]) => nlmsg(b.type, flags, seq, b.bytes));

const datagramArb = fc
  .tuple(fc.array(messageArb, { minLength: 1, maxLength: 4 }), damageArb)
  .map(([ms, d]) => damage(cat(ms), d));

// ---- properties ----------------------------------------------------------------------------

function onlyParseErrors(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (e) {
    if (e instanceof NetlinkParseError) return true;
    throw e;
  }
}

function view(body: RtnlBody): unknown {
  switch (body.family) {
    case 'link':
      return linkView(body);
    case 'address':
      return addressView(body);
    case 'route':
      return routeView(body);
  }
}

test('parseMessages: random bytes split into messages inside the datagram, or NetlinkParseError', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), datagramArb), (bytes) =>
      onlyParseErrors(() => {
        let total = 0;
        for (const m of parseMessages(bytes)) total += 16 + m.payload.length;
        if (total > bytes.length) throw new Error(`messages claim ${total} bytes of ${bytes.length}`);
      }),
    ),
    fuzzParams(3000),
  );
  t.pass();
});

test('decodeRtnl: built and damaged datagrams decode or give NetlinkParseError; decoded ones re-encode the same and view', (t) => {
  let decoded = 0;
  fc.assert(
    fc.property(datagramArb, (bytes) =>
      onlyParseErrors(() => {
        const msgs = decodeRtnl(bytes);
        decoded++;
        for (const m of msgs) view(m.body);
        const again = decodeRtnl(encodeRtnl(msgs));
        t.deepEqual(again, msgs);
      }),
    ),
    fuzzParams(2000),
  );
  t.true(decoded > 0, 'some generated datagrams decode (the generator reaches the views)');
});

test('decodeError: random NLMSG_ERROR payloads and flags decode or give NetlinkParseError', (t) => {
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc
      .tuple(
        fc.integer({ min: -200, max: 0 }),
        fc.nat({ max: 200 }),
        attrsArb(1),
        fc.uint8Array({ maxLength: 20 }),
      )
      .map(([err, len, tlvs, echoed]) => {
        const head = new Uint8Array(20);
        const dv = new DataView(head.buffer);
        dv.setInt32(0, err, true);
        dv.setUint32(4, len, true);
        return cat([head, echoed, tlvs]);
      }),
  );
  const flags = fc.constantFrom(0, NLM_F_CAPPED, NLM_F_ACK_TLVS, NLM_F_CAPPED | NLM_F_ACK_TLVS);
  fc.assert(
    fc.property(payload, flags, (p, f) =>
      onlyParseErrors(() => {
        const e = decodeError({ type: NLMSG_ERROR, flags: f, seq: 1, pid: 0, payload: p });
        if (typeof e.error !== 'number') throw new Error('no error number');
      }),
    ),
    fuzzParams(3000),
  );
  t.pass();
});

// ---- answers through the fake transport ----------------------------------------------------

/** One message of an answer: which request it claims to answer (or seq 0 / a stranger), what it is. */
const answerMessageArb = fc.record({
  target: fc.oneof(fc.nat({ max: 7 }), fc.constant(-1), fc.constant(-2)),
  kind: fc.constantFrom('ack', 'errno', 'done', 'done-errno', 'link', 'noop', 'raw', 'short-error'),
  errno: fc.integer({ min: 1, max: 133 }),
  flags: fc.constantFrom(0, NLM_F_MULTI, NLM_F_DUMP_INTR | NLM_F_MULTI, NLM_F_ACK_TLVS, NLM_F_CAPPED),
  body: bodyArb,
});
type AnswerMessage = typeof answerMessageArb extends fc.Arbitrary<infer T> ? T : never;

function answerBytes(m: AnswerMessage, sent: NlMessage[]): Uint8Array {
  const seq =
    m.target === -1
      ? 0
      : m.target === -2
        ? 0x7fff1234
        : (sent[m.target % Math.max(1, sent.length)]?.seq ?? 0);
  const err = (code: number) => {
    const p = new Uint8Array(20);
    const dv = new DataView(p.buffer);
    dv.setInt32(0, code, true);
    dv.setUint32(4, 16, true);
    dv.setUint32(12, seq, true);
    return p;
  };
  switch (m.kind) {
    case 'ack':
      return nlmsg(NLMSG_ERROR, m.flags | NLM_F_CAPPED, seq, err(0));
    case 'errno':
      return nlmsg(NLMSG_ERROR, m.flags | NLM_F_CAPPED, seq, err(-m.errno));
    case 'short-error':
      return nlmsg(NLMSG_ERROR, m.flags, seq, err(-m.errno).subarray(0, m.errno % 20));
    case 'done':
      return nlmsg(NLMSG_DONE, m.flags, seq, new Uint8Array(4));
    case 'done-errno':
      return nlmsg(NLMSG_DONE, m.flags, seq, u32(-m.errno));
    case 'noop':
      return nlmsg(NLMSG_NOOP, m.flags, seq);
    case 'link':
      return nlmsg(RTM_NEWLINK, m.flags, seq, m.body.bytes);
    default:
      return nlmsg(m.body.type, m.flags, seq, m.body.bytes);
  }
}

const settle = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

function typed(e: unknown): boolean {
  return e === undefined || e instanceof NetlinkError || e instanceof NetlinkParseError;
}

const turn = () => new Promise((r) => setImmediate(r));

test('a Netlink handle fed random answers settles every call with a value or a typed error', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.array(answerMessageArb, { minLength: 1, maxLength: 5 }), damageArb), {
        maxLength: 6,
      }),
      async (grams) => {
        let sock: FakeSocket | undefined;
        await withFakeTransport(
          (s) => {
            sock = s;
          },
          async () => {
            const nl = await Netlink.open({ timeoutMs: 60_000, dumpRetries: 1 });
            const calls = [
              nl.links.list(),
              nl.links.get('eth0'),
              nl.links.set('eth0', { mtu: 1400 }),
              nl.addresses.list(),
              nl.routes.list(),
            ].map(settle);
            try {
              for (let i = 0; i < 5 && !sock?.sent.length; i++) await turn();
              for (const [messages, d] of grams) {
                const s = sock!;
                s.deliver(damage(cat(messages.map((m) => answerBytes(m, s.sent))), d));
                await turn();
              }
            } finally {
              nl.close();
            }
            const outcomes = await Promise.all(calls);
            for (const e of outcomes) if (!typed(e)) throw e;
          },
        );
      },
    ),
    fuzzParams(300),
  );
  t.pass();
});

test('a link watcher fed random notifications and overruns yields only link events and ends cleanly', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.tuple(fc.array(answerMessageArb, { minLength: 1, maxLength: 4 }), damageArb),
          fc.constant('overrun' as const),
        ),
        {
          maxLength: 8,
        },
      ),
      async (script) => {
        await withFakeTransport(
          (s, reqs) => {
            // dumps (the watcher's seed and resyncs) are answered with one link and DONE
            for (const r of reqs)
              if ((r.flags & NLM_F_DUMP) === NLM_F_DUMP)
                s.deliver(
                  cat([
                    nlmsg(RTM_NEWLINK, NLM_F_MULTI, r.seq, cat([new Uint8Array(16), nla(3, cstr('seed'))])),
                    nlmsg(NLMSG_DONE, NLM_F_MULTI, r.seq, new Uint8Array(4)),
                  ]),
                );
          },
          async (sockets) => {
            const nl = await Netlink.open();
            const it = nl.links.watch({ existing: true });
            const events: unknown[] = [];
            const reading = (async () => {
              for await (const e of it) events.push(e);
            })();
            for (let i = 0; i < 10 && sockets.length < 2; i++) await turn();
            const w = sockets[1]!;
            try {
              for (const step of script) {
                if (step === 'overrun') w.fail('ENOBUFS', 105);
                else {
                  const [messages, d] = step;
                  const bytes = messages.map((m) =>
                    m.kind === 'link'
                      ? nlmsg(m.flags % 2 ? RTM_DELLINK : RTM_NEWLINK, 0, 0, m.body.bytes)
                      : answerBytes(m, []),
                  );
                  w.deliver(damage(cat(bytes), d));
                }
                await turn();
              }
            } finally {
              await it.return?.();
              nl.close();
            }
            const failure = await settle(reading);
            if (!typed(failure)) throw failure;
            for (const e of events as { type: string; link?: { index: unknown } }[]) {
              if (!['new', 'change', 'del', 'lost'].includes(e.type)) throw new Error(`event ${e.type}`);
              if (e.type !== 'lost' && typeof e.link?.index !== 'number')
                throw new Error('event without a link');
            }
          },
        );
      },
    ),
    fuzzParams(200),
  );
  t.pass();
});
