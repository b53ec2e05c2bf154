/**
 * Fuzzing what the OVSDB client reads from a server, without one: wire values (schema-less and
 * by every column type of the vswitch schema, update2 diffs), schemas, the framer's memory
 * bound on a message that never ends, and whole JSON-RPC sessions fed random bytes and random
 * messages. Properties: decoding returns or throws OvsdbProtocolError (OvsdbSchemaError for
 * schemas, FramingError for bytes); a session never throws out of its data handler, settles
 * every request with an OvsdbError, and closes with an OvsdbConnectionError. OS_VIF_FUZZ=1
 * runs many more cases.
 */
import { readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import test from 'ava';
import fc from 'fast-check';
import { FramingError, JsonFramer } from '../../src/ovsdb/framing.js';
import {
  DatabaseSchema,
  OvsdbConnectionError,
  OvsdbError,
  OvsdbProtocolError,
  OvsdbSchemaError,
  valueFromWire,
} from '../../src/ovsdb/index.js';
import { JsonRpcSession } from '../../src/ovsdb/jsonrpc.js';
import { applyDiff, defaultValue } from '../../src/ovsdb/replica.js';
import { type ColumnType, decodeValue } from '../../src/ovsdb/schema.js';
import { fuzzParams } from '../harness/fuzz.js';

const schema = DatabaseSchema.parse(
  JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')),
);
const columnTypes: ColumnType[] = [...schema.tables.values()].flatMap((t) =>
  [...t.columns.values()].map((c) => c.type),
);

const U = '550e8400-e29b-41d4-a716-446655440000';
/** Keys that trip naive code (prototype names, toString without a function). */
const oddKey = fc.constantFrom(
  '__proto__',
  'toString',
  'valueOf',
  'constructor',
  'error',
  'id',
  'set',
  'map',
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('set', 'map', 'uuid', 'named-uuid', U, 'not-a-uuid'),
    fc.tuple(fc.constantFrom('set', 'map', 'uuid', 'named-uuid'), tie('v')),
    fc.tuple(fc.constantFrom('set', 'map'), fc.array(tie('v'), { maxLength: 4 })),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(oddKey, fc.string({ maxLength: 6 })), tie('v'), { maxKeys: 4 }),
  ),
})).v;

function onlyTyped(run: () => void, ...classes: (abstract new (...a: never[]) => Error)[]): boolean {
  try {
    run();
    return true;
  } catch (e) {
    if (classes.some((c) => e instanceof c)) return true;
    throw e;
  }
}

test('valueFromWire: any JSON is a value or an OvsdbProtocolError', (t) => {
  fc.assert(
    fc.property(json, (w) => onlyTyped(() => valueFromWire(w), OvsdbProtocolError)),
    fuzzParams(3000),
  );
  t.pass();
});

test('decodeValue and applyDiff: any JSON for any vswitch column type is a value or an OvsdbProtocolError', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...columnTypes), json, (type, w) =>
      onlyTyped(() => {
        decodeValue(type, w);
        applyDiff(type, defaultValue(type), w);
      }, OvsdbProtocolError),
    ),
    fuzzParams(3000),
  );
  t.pass();
});

test('DatabaseSchema.parse: a damaged vswitch schema, or any JSON, parses or gives OvsdbSchemaError', (t) => {
  const raw = JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')) as Record<
    string,
    unknown
  >;
  const tables = Object.keys(raw.tables as object);
  const damaged = fc
    .tuple(
      fc.constantFrom(...tables),
      fc.oneof(fc.constantFrom('columns', 'name', 'version'), fc.string({ maxLength: 8 })),
      json,
    )
    .map(([table, key, v]) => {
      const copy = structuredClone(raw) as { tables: Record<string, Record<string, unknown>> };
      const tbl = copy.tables[table]!;
      const cols = tbl.columns as Record<string, Record<string, unknown>>;
      const col = Object.keys(cols)[key.length % Object.keys(cols).length]!;
      if (key === 'columns') tbl.columns = v;
      else if (key === 'name' || key === 'version') copy[key as 'tables'] = v as never;
      else if (key.length % 3 === 0) cols[col]!.type = v;
      else if (key.length % 3 === 1) cols[col]!.type = { key: v };
      else copy[key as 'tables'] = v as never;
      return copy;
    });
  fc.assert(
    fc.property(fc.oneof(json, damaged), (s) => onlyTyped(() => DatabaseSchema.parse(s), OvsdbSchemaError)),
    fuzzParams(1000),
  );
  t.pass();
});

test('the framer holds at most its limit of an unfinished message, then fails with FramingError', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 16, max: 4096 }),
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 512 }), { minLength: 1, maxLength: 40 }),
      fc.boolean(),
      (limit, chunks, inString) => {
        const framer = new JsonFramer(limit);
        framer.push(Buffer.from(inString ? '{"a":"' : '{"a":['));
        let fed = 6;
        for (const c of chunks) {
          // bytes that can never close the message: no quote, no closing bracket
          const body = Buffer.from(
            c.map((b) => (b === 0x22 || b === 0x5d || b === 0x7d || b === 0x5c ? 0x61 : b)),
          );
          try {
            framer.push(body);
          } catch (e) {
            if (!(e instanceof FramingError)) throw e;
            if (fed + body.length <= limit)
              throw new Error(`failed at ${fed + body.length} bytes, under ${limit}`);
            return t.throws(() => framer.push(Buffer.from('{}')), { instanceOf: FramingError }) !== undefined;
          }
          fed += body.length;
          const held = (framer as unknown as { pending: number }).pending;
          if (held > limit) throw new Error(`holds ${held} bytes, limit ${limit}`);
        }
        return fed <= limit || framer.partial;
      },
    ),
    fuzzParams(500),
  );
  t.pass();
});

// ---- whole sessions ------------------------------------------------------------------------

/** A stream the test writes into with `emit('data')` (synchronously, so a throw reaches it). */
function fakeStream(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}

const messageArb = fc.oneof(
  fc.record(
    {
      id: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(null), fc.string({ maxLength: 4 }), json),
      result: json,
      error: fc.oneof(fc.constant(null), json, fc.record({ error: json, details: json })),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      id: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5 }), json),
      method: fc.oneof(
        fc.constantFrom('echo', 'update', 'update2', 'update3', 'locked', 'stolen'),
        fc.string({ maxLength: 6 }),
      ),
      params: fc.oneof(fc.array(json, { maxLength: 4 }), json),
    },
    { requiredKeys: ['method'] },
  ),
  json,
);

/** A chunk: the JSON text of some messages (cut anywhere), or raw bytes. */
const chunkArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(messageArb, { minLength: 1, maxLength: 3 })
      .map((ms) => Buffer.from(ms.map((m) => JSON.stringify(m) ?? 'null').join(' '))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);

test('a JSON-RPC session fed random messages and bytes never throws, settles every request typed, closes once', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(chunkArb, fc.nat()), { maxLength: 8 }), async (chunks) => {
      const stream = fakeStream();
      const closes: unknown[] = [];
      const session = new JsonRpcSession(stream, {
        remote: 'fake',
        probeIntervalMs: 0,
        // as the client does with monitor updates: decode the values, which may be malformed
        onNotification: (_method, params) => {
          for (const p of params) valueFromWire(p);
        },
        onClose: (e) => closes.push(e),
      });
      const replies = ['transact', 'echo', 'monitor'].map((m) =>
        session.request(m, []).reply.then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      for (const [chunk, cut] of chunks) {
        if (session.closed) break;
        const at = cut % (chunk.length + 1);
        stream.emit('data', chunk.subarray(0, at));
        if (!session.closed) stream.emit('data', chunk.subarray(at));
      }
      session.close();
      const es = await Promise.all(replies);
      for (const e of es) if (e !== undefined && !(e instanceof OvsdbError)) throw e;
      if (closes.length !== 1 || !(closes[0] instanceof OvsdbConnectionError))
        throw new Error('closed wrongly');
    }),
    fuzzParams(1000),
  );
  t.pass();
});

test('regression: an error reply whose error is an object without a usable toString is an OvsdbRpcError', async (t) => {
  const stream = fakeStream();
  const session = new JsonRpcSession(stream, {
    remote: 'fake',
    probeIntervalMs: 0,
    onNotification: () => {},
    onClose: () => {},
  });
  const { reply } = session.request('transact', []);
  stream.emit('data', Buffer.from('{"id":1,"result":null,"error":{"toString":1,"details":"x"}}'));
  const e = await t.throwsAsync(reply, { instanceOf: OvsdbError });
  t.is(e?.name, 'OvsdbRpcError');
  session.close();
});

test('a notification with a malformed value closes the session with a protocol error instead of throwing', (t) => {
  const stream = fakeStream();
  let closed: OvsdbConnectionError | undefined;
  const session = new JsonRpcSession(stream, {
    remote: 'fake',
    probeIntervalMs: 0,
    onNotification: (_m, params) => {
      for (const p of params) valueFromWire(p);
    },
    onClose: (e) => {
      closed = e;
    },
  });
  stream.emit('data', Buffer.from('{"id":null,"method":"update","params":[["set",5]]}'));
  t.true(session.closed);
  t.is(closed?.kind, 'protocol');
  t.true(closed?.cause instanceof OvsdbProtocolError);
});
