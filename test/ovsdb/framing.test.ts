/**
 * JSON framing: golden cases, property tests that split valid streams at every byte (also
 * inside multi-byte UTF-8), malformed input; and, on real sockets, a protocol error that closes
 * only the offending connection, and the inactivity probe.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { FramingError, JsonFramer, OvsdbClient, OvsdbConnectionError } from '../../src/ovsdb/index.js';

const enc = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

test('concatenated objects with no delimiter, as ovsdb-server sends them', (t) => {
  const f = new JsonFramer();
  const out = f.push(
    Buffer.from('{"id":0,"result":["Open_vSwitch","_Server"],"error":null}{"id":1,"result":{},"error":null}'),
  );
  t.deepEqual(out, [
    { id: 0, result: ['Open_vSwitch', '_Server'], error: null },
    { id: 1, result: {}, error: null },
  ]);
  t.false(f.partial);
});

test('brackets and quotes inside strings, escapes, whitespace between messages', (t) => {
  const f = new JsonFramer();
  const text = ' {"a":"}]{[\\"\\\\"}\n[1,{"b":"\\u00e9"}]\r\n\t';
  t.deepEqual(f.push(Buffer.from(text)), [{ a: '}]{["\\' }, [1, { b: 'é' }]]);
});

test('a message split inside a 4-byte UTF-8 character', (t) => {
  const bytes = enc({ s: 'a😀b€' });
  const cut = bytes.indexOf(0xf0) + 2;
  const f = new JsonFramer();
  t.deepEqual(f.push(bytes.subarray(0, cut)), []);
  t.true(f.partial);
  t.deepEqual(f.push(bytes.subarray(cut)), [{ s: 'a😀b€' }]);
});

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const message = fc.oneof(
  fc.dictionary(fc.string({ unit: 'binary' }), jsonValue, { maxKeys: 4 }),
  fc.array(jsonValue, { maxLength: 4 }),
);

test('property: any valid stream split at every byte gives the same messages', (t) => {
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), (msgs) => {
      const stream = Buffer.concat(msgs.map(enc));
      const expected = msgs.map((m) => JSON.parse(JSON.stringify(m)));
      for (let cut = 0; cut <= stream.length; cut++) {
        const f = new JsonFramer();
        const got = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
        if (JSON.stringify(got) !== JSON.stringify(expected)) return false;
      }
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('property: byte-by-byte feeding equals one push', (t) => {
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (msgs) => {
      const stream = Buffer.concat(msgs.map(enc));
      const f = new JsonFramer();
      const got: unknown[] = [];
      for (let i = 0; i < stream.length; i++) got.push(...f.push(stream.subarray(i, i + 1)));
      return JSON.stringify(got) === JSON.stringify(new JsonFramer().push(stream));
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test('property: garbage between messages or invalid bodies throw FramingError, never anything else', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
      const f = new JsonFramer();
      try {
        f.push(Buffer.from(bytes));
        return true;
      } catch (e) {
        return e instanceof FramingError;
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('malformed inputs', (t) => {
  for (const bad of ['x{}', '{"a":1,}', '{"a":tru}', '"str"', '{}]', '123']) {
    t.throws(() => new JsonFramer().push(Buffer.from(bad)), { instanceOf: FramingError }, bad);
  }
  t.throws(() => new JsonFramer().push(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), {
    instanceOf: FramingError,
  });
  const f = new JsonFramer(16);
  t.throws(() => f.push(Buffer.from('{"a":"0123456789abcdef"')), {
    instanceOf: FramingError,
    message: /larger/,
  });
});

/** A real listening socket that answers each request the way `reply` says. */
async function fakePeer(
  dir: string,
  name: string,
  reply: (sock: net.Socket, data: Buffer) => void,
): Promise<{ remote: string; close: () => void }> {
  const file = path.join(dir, name);
  const server = net.createServer((sock) => sock.on('data', (d) => reply(sock, d)));
  await new Promise<void>((r) => server.listen(file, r));
  return { remote: `unix:${file}`, close: () => server.close() };
}

test('malformed input closes only that connection with a protocol error', async (t) => {
  const dir = mkdtempSync('/tmp/ovtframe');
  const good = await fakePeer(dir, 'good.sock', (sock, d) => {
    const req = JSON.parse(d.toString()) as { id: number; params: unknown[] };
    sock.write(JSON.stringify({ id: req.id, result: req.params, error: null }));
  });
  const bad = await fakePeer(dir, 'bad.sock', (sock) => sock.write('{"id":1,"result":[]}}garbage'));
  try {
    const a = await OvsdbClient.connect(good.remote, { reconnect: false });
    const b = await OvsdbClient.connect(bad.remote, { reconnect: false });
    const e = await t.throwsAsync(b.echo('x'), { instanceOf: OvsdbConnectionError });
    t.is(e?.kind, 'protocol');
    t.false(b.connected);
    t.deepEqual(await a.echo('still', 'fine'), ['still', 'fine']);
    await a.close();
    await b.close();
  } finally {
    good.close();
    bad.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inactivity probe: a silent peer is dropped with a timeout error', async (t) => {
  const dir = mkdtempSync('/tmp/ovtframe');
  const silent = await fakePeer(dir, 'silent.sock', () => {});
  try {
    const c = await OvsdbClient.connect(silent.remote, { reconnect: false, probeIntervalMs: 100 });
    const closed = new Promise<OvsdbConnectionError>((r) => c.once('disconnected', r));
    const e = await closed;
    t.is(e.kind, 'timeout');
    t.regex(e.message, /inactivity probe/);
    await c.close();
  } finally {
    silent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
