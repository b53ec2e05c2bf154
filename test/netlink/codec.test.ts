/**
 * The codec without a kernel: attribute round trips by schema (fast-check), random bytes give
 * a typed error and never a crash, address formats, alignment.
 */
import test from 'ava';
import fc from 'fast-check';
import { type Attr, decodeAttrs, encodeAttrs } from '../../src/netlink/codec/attributes.js';
import { decodeError, parseMessages } from '../../src/netlink/codec/message.js';
import { NetlinkParseError } from '../../src/netlink/codec/parse-error.js';
import { decodeRtnl, encodeRtnl } from '../../src/netlink/codec/rtnl.js';
import type { AttrSchema, AttrSpec } from '../../src/netlink/codec/schema.js';
import { formatIPv6, parseIPv4, parseIPv6 } from '../../src/netlink/codec/values.js';
import { ByteWriter } from '../../src/netlink/codec/writer.js';
import { allKinds } from '../../src/netlink/kinds/registry.js';
import { addressSchema } from '../../src/netlink/schemas/address.js';
import { linkSchema } from '../../src/netlink/schemas/link.js';
import { routeSchema } from '../../src/netlink/schemas/route.js';

const encode = (attrs: Attr[], schema: AttrSchema | undefined): Uint8Array => {
  const w = new ByteWriter(16);
  encodeAttrs(w, attrs, schema);
  return w.finish();
};

/** A value generator for one attribute spec (nested ones recurse into their schema, depth-limited). */
function valueArb(spec: AttrSpec, depth: number): fc.Arbitrary<Attr['value']> {
  switch (spec.value) {
    case 'u8':
      return fc.integer({ min: 0, max: 0xff });
    case 'u16':
    case 'be16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'u32':
    case 'be32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 's32':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'u64':
      return fc.oneof(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
      );
    case 'flag':
      return fc.constant(true);
    case 'string':
      return fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0'));
    case 'binary':
      return fc.uint8Array({ maxLength: 24 });
    case 'lladdr':
      return fc
        .uint8Array({ minLength: 0, maxLength: 8 })
        .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
    case 'ipv4':
      return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => b.join('.'));
    case 'ipv6':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIPv6);
    case 'ip':
      return fc.oneof(
        fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => b.join('.')),
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIPv6),
      );
    case 'nested':
      return depth > 1 || !spec.nested ? fc.constant<Attr[]>([]) : attrsArb(spec.nested(), depth + 1);
    case 'ifinfo':
      return fc.record({
        header: fc.record({
          family: fc.integer({ min: 0, max: 255 }),
          type: fc.integer({ min: 0, max: 0xffff }),
          index: fc.integer({ min: 0, max: 0x7fffffff }),
          flags: fc.integer({ min: 0, max: 0xffffffff }),
          change: fc.integer({ min: 0, max: 0xffffffff }),
        }),
        attrs: depth > 1 ? fc.constant<Attr[]>([]) : attrsArb(linkSchema, depth + 1),
      });
  }
}

function attrsArb(schema: AttrSchema, depth = 0): fc.Arbitrary<Attr[]> {
  const known = schema.attrs.filter((s) => !s.resolve && s.value !== 'binary');
  const knownAttr = fc
    .constantFrom(...known)
    .chain((spec) => valueArb(spec, depth).map((value): Attr => ({ type: spec.type, value })));
  // unknown types keep raw bytes
  const unknownAttr = fc
    .record({ type: fc.integer({ min: 200, max: 0x3fff }), value: fc.uint8Array({ maxLength: 12 }) })
    .filter((a) => !schema.byType.has(a.type));
  return fc.array(fc.oneof({ weight: 4, arbitrary: knownAttr }, { weight: 1, arbitrary: unknownAttr }), {
    maxLength: 12,
  });
}

const schemas: AttrSchema[] = [
  ...new Set([
    linkSchema,
    addressSchema,
    routeSchema,
    ...allKinds().flatMap((k) => [k.data, k.slaveData].filter((s): s is AttrSchema => s !== undefined)),
  ]),
];

for (const schema of schemas) {
  test(`attributes of ${schema.name} round-trip: encode, decode, encode gives the same bytes and values`, (t) => {
    fc.assert(
      fc.property(attrsArb(schema), (attrs) => {
        const bytes = encode(attrs, schema);
        t.is(bytes.length % 4, 0);
        const back = decodeAttrs(bytes, schema);
        t.deepEqual(back, attrs);
        t.deepEqual(encode(back, schema), bytes);
      }),
      { numRuns: 150 },
    );
  });
}

test('random bytes never crash the parsers: they decode or give NetlinkParseError', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      for (const parse of [
        () => parseMessages(bytes),
        () => decodeRtnl(bytes),
        () => decodeAttrs(bytes, linkSchema),
        () => parseMessages(bytes).map((m) => decodeError({ ...m, type: 2 })),
      ]) {
        try {
          parse();
        } catch (e) {
          t.true(e instanceof NetlinkParseError, String(e));
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test('well-formed messages with random attribute payloads decode and re-encode losslessly', (t) => {
  const attrBytes = fc.array(
    fc.record({ type: fc.integer({ min: 0, max: 0xffff }), payload: fc.uint8Array({ maxLength: 40 }) }),
    { maxLength: 10 },
  );
  fc.assert(
    fc.property(fc.constantFrom(16, 17, 20, 24), attrBytes, (type, attrs) => {
      const w = new ByteWriter();
      const headerLen = type === 16 || type === 17 ? 16 : type === 20 ? 8 : 12;
      w.u32(0);
      w.u16(type);
      w.u16(0);
      w.u32(1);
      w.u32(0);
      for (let i = 0; i < headerLen; i++) w.u8(0);
      for (const a of attrs) {
        w.u16(4 + a.payload.length);
        w.u16(a.type);
        w.bytes(a.payload);
        w.align();
      }
      w.patchU32(0, w.length);
      const bytes = w.finish();
      t.deepEqual(encodeRtnl(decodeRtnl(bytes)), bytes);
    }),
    { numRuns: 500 },
  );
});

test('an attribute whose length runs past its container is a NetlinkParseError with its offset', (t) => {
  const bytes = Uint8Array.from([8, 0, 3, 0, 0x61, 0, 0, 0, 40, 0, 4, 0, 1, 2, 3, 4]);
  const e = t.throws(() => decodeAttrs(bytes, linkSchema), { instanceOf: NetlinkParseError });
  t.is(e?.offset, 8);
});

test('a malformed nest is kept raw, so the rest of the message still decodes', (t) => {
  // IFLA_LINKINFO (18) holding a nest whose length is wrong, then IFLA_MTU
  const bytes = Uint8Array.from([12, 0, 18, 0, 99, 0, 1, 0, 0, 0, 0, 0, 8, 0, 4, 0, 0xdc, 5, 0, 0]);
  const attrs = decodeAttrs(bytes, linkSchema);
  t.true(attrs[0].value instanceof Uint8Array);
  t.is(attrs[1].value, 1500);
  t.deepEqual(encode(attrs, linkSchema), bytes);
});

test('strings without a NUL (as iproute2 sends IFLA_INFO_KIND) read as text and re-encode as sent', (t) => {
  const bytes = Uint8Array.from([16, 0, 18, 0, 10, 0, 1, 0, ...Buffer.from('bridge'), 0, 0]);
  const attrs = decodeAttrs(bytes, linkSchema);
  const info = attrs[0].value as Attr[];
  t.is(info[0].value, 'bridge');
  t.deepEqual(encode(attrs, linkSchema), bytes);
});

test('IPv6 text form: RFC 5952 compression, and parse accepts what it formats', (t) => {
  t.is(formatIPv6(parseIPv6('2001:db8::1')), '2001:db8::1');
  t.is(formatIPv6(parseIPv6('::')), '::');
  t.is(formatIPv6(parseIPv6('fe80::1:0:0:1')), 'fe80::1:0:0:1');
  t.is(formatIPv6(parseIPv6('1:0:0:2:0:0:0:3')), '1:0:0:2::3');
  t.is(formatIPv6(parseIPv6('::ffff:10.99.0.1')), '::ffff:a63:1');
  for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', ':::', 'g::']) {
    t.throws(() => parseIPv6(bad), { instanceOf: TypeError }, bad);
  }
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) =>
      t.deepEqual(parseIPv6(formatIPv6(b)), b),
    ),
  );
  t.throws(() => parseIPv4('10.99.0.256'));
  t.throws(() => parseIPv4('10.99.0'));
  t.throws(() => parseIPv4('010.1.1.1'));
});

test('an NLMSG_ERROR whose echoed length is forged near 2^32 is a typed parse error, not a negative offset', (t) => {
  // error 0, echoed header with length 0xfffffffd, then an extended-ack message attribute.
  const payload = new Uint8Array(4 + 16 + 12);
  const dv = new DataView(payload.buffer);
  dv.setUint32(4, 0xfffffffd, true);
  dv.setUint16(20, 10, true);
  dv.setUint16(22, 1, true); // NLMSGERR_ATTR_MSG
  payload.set(new TextEncoder().encode('forged'), 24);
  const message = { type: 2, flags: 0x200 /* NLM_F_ACK_TLVS */, seq: 1, pid: 0, payload };
  const error = t.throws(() => decodeError(message), { instanceOf: NetlinkParseError });
  t.regex(error?.message ?? '', /echoed request/);
});
