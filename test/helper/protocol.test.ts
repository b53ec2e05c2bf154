/**
 * The helper's request parser, line splitter and error transport, without root: every request
 * the helper can be sent either loads exactly as the facade's callers load it or is refused
 * with a typed error (fast-check over bytes, JSON and mutated valid requests).
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { HelperProtocolError } from '../../src/helper/errors.js';
import {
  depthExceeds,
  LIMITS,
  LineSplitter,
  parseRequest,
  parseResponse,
} from '../../src/helper/protocol.js';
import { fromWire, RemoteError, toWire } from '../../src/helper/wire-errors.js';
import { LinkNotFound } from '../../src/netlink/errors.js';
import { ExceptionBase, ObjectValueError, objects, PlugException } from '../../src/vif/index.js';

const root = new URL('../../../examples/', import.meta.url);
const vif = JSON.parse(readFileSync(new URL('vif-ovs.json', root), 'utf8')) as Record<string, unknown>;
const instance = JSON.parse(readFileSync(new URL('instance.json', root), 'utf8')) as Record<string, unknown>;
/** Fuzz runs: more with OS_VIF_SOAK=1. */
const runs = (n: number) => (process.env.OS_VIF_SOAK === '1' ? n * 25 : n);
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

function refusal(t: import('ava').ExecutionContext, line: Buffer | string, reason: RegExp): void {
  const error = t.throws(() => parseRequest(typeof line === 'string' ? Buffer.from(line) : line));
  t.true(error instanceof HelperProtocolError, String(error));
  t.regex(error?.message ?? '', reason);
}

test('a plug request loads its VIF and InstanceInfo as fromPrimitive does', (t) => {
  const r = parseRequest(bytes({ v: 1, id: 7, op: 'plug', vif, instance }));
  t.is(r.op, 'plug');
  t.is(r.id, 7);
  if (r.op === 'host-info') return t.fail();
  t.true(r.vif instanceof objects.VIFOpenVSwitch);
  t.deepEqual(r.vif.toPrimitive(), objects.fromPrimitive(vif).toPrimitive());
  t.is(r.instance.uuid, '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10');
});

test('host-info takes an optional list of class names', (t) => {
  t.deepEqual(parseRequest(bytes({ v: 1, id: 0, op: 'host-info' })), {
    id: 0,
    op: 'host-info',
    permitted: undefined,
  });
  t.deepEqual(parseRequest(bytes({ v: 1, id: 1, op: 'host-info', permitted: ['VIFBridge'] })), {
    id: 1,
    op: 'host-info',
    permitted: ['VIFBridge'],
  });
  refusal(t, JSON.stringify({ v: 1, id: 1, op: 'host-info', permitted: ['../x'] }), /permitted/);
  refusal(t, JSON.stringify({ v: 1, id: 1, op: 'host-info', permitted: 'VIFBridge' }), /permitted/);
  const many = Array.from({ length: LIMITS.maxPermitted + 1 }, () => 'VIFBridge');
  refusal(t, JSON.stringify({ v: 1, id: 1, op: 'host-info', permitted: many }), /permitted/);
});

test('malformed requests are refused with HelperProtocolError, naming why', (t) => {
  refusal(t, 'not json', /not JSON/);
  refusal(t, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/);
  refusal(t, '[]', /JSON object/);
  refusal(t, 'null', /JSON object/);
  refusal(t, JSON.stringify({ v: 1, id: -1, op: 'plug', vif, instance }), /id must/);
  refusal(t, JSON.stringify({ v: 1, id: 1.5, op: 'plug', vif, instance }), /id must/);
  refusal(t, JSON.stringify({ v: 1, id: '1', op: 'plug', vif, instance }), /id must/);
  refusal(t, JSON.stringify({ v: 2, id: 1, op: 'plug', vif, instance }), /v must be 1/);
  refusal(t, JSON.stringify({ v: 1, id: 1, op: 'exec', cmd: 'sh' }), /op must be/);
  refusal(t, JSON.stringify({ v: 1, id: 1, op: 'constructor' }), /op must be/);
  refusal(
    t,
    JSON.stringify({ v: 1, id: 1, op: 'plug', vif, instance, netns: '/proc/1/ns/net' }),
    /unexpected key "netns"/,
  );
  refusal(
    t,
    JSON.stringify({ v: 1, id: 1, op: 'plug', vif, instance, config: {} }),
    /unexpected key "config"/,
  );
  refusal(t, JSON.stringify({ v: 1, id: 1, op: 'plug', vif }), /needs vif and instance/);
  refusal(t, `{"v":1,"id":1,"op":"host-info","__proto__":{"polluted":1}}`, /unexpected key "__proto__"/);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('size and depth are bounded before anything is loaded', (t) => {
  refusal(t, Buffer.alloc(LIMITS.maxRequestBytes, 0x20), /longer than/);
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  refusal(t, deep.slice(0, 200_000), /nested deeper|longer than/);
  refusal(t, `${'['.repeat(40)}${']'.repeat(40)}`, /nested deeper than 32/);
  t.false(depthExceeds({ a: { b: [1, 2, { c: 3 }] } }, 4));
  t.true(depthExceeds({ a: { b: [1, 2, { c: 3 }] } }, 3));
});

test('a VIF primitive the object layer refuses keeps the object layer’s own typed error and the id', (t) => {
  const error = t.throws(() => parseRequest(bytes({ v: 1, id: 9, op: 'plug', vif: instance, instance })));
  t.true(error instanceof ObjectValueError);
  t.is((error as unknown as { requestId: number }).requestId, 9);
  const bad = structuredClone(vif) as { 'versioned_object.data': Record<string, unknown> };
  bad['versioned_object.data'].address = 'fa:16:3e:00:00:03:04';
  t.true(
    t.throws(() => parseRequest(bytes({ v: 1, id: 9, op: 'unplug', vif: bad, instance }))) instanceof
      ExceptionBase,
  );
});

test('LineSplitter returns whole lines and never holds more than its limit', (t) => {
  const s = new LineSplitter(16);
  t.deepEqual(s.push(Buffer.from('ab')), []);
  t.deepEqual(
    s.push(Buffer.from('c\nde\nf')).map((b) => b.toString()),
    ['abc', 'de'],
  );
  t.is(s.pending, 1);
  t.throws(() => s.push(Buffer.alloc(15, 0x61)), { instanceOf: HelperProtocolError });
  const exact = new LineSplitter(4);
  t.deepEqual(exact.push(Buffer.from('abc\n')).map(String), ['abc']);
  t.throws(() => exact.push(Buffer.from('abcd\n')), { instanceOf: HelperProtocolError });
});

test('errors travel with their classes, kwargs, fields and causes', (t) => {
  const cause = new LinkNotFound({ code: 'ENODEV', errno: 19, operation: 'links.get', interface: 'tap0' });
  const error = new PlugException({ vif: 'VIF(x)', err: cause.message }, { cause });
  const wire = JSON.parse(JSON.stringify(toWire(error)));
  t.is(parseResponse(bytes({ v: 1, id: 1, ok: false, error: wire })).ok, false);
  const back = fromWire(wire);
  t.true(back instanceof PlugException);
  t.is(back.message, error.message);
  t.is(back.name, 'PlugException');
  t.deepEqual((back as PlugException).kwargs, { vif: 'VIF(x)', err: cause.message });
  t.true(back.cause instanceof LinkNotFound);
  t.is((back.cause as LinkNotFound).code, 'ENODEV');
  t.is((back.cause as LinkNotFound).interface, 'tap0');
});

test('an unknown error class comes back as RemoteError with its name; __proto__ changes nothing', (t) => {
  const back = fromWire({
    type: 'SomethingElse',
    message: 'x',
    fields: { __proto__: null, code: 'E' } as never,
  });
  t.true(back instanceof RemoteError);
  t.is(back.name, 'SomethingElse');
  const polluted = fromWire(JSON.parse('{"type":"PlugException","message":"m","fields":{"__proto__":null}}'));
  t.true(polluted instanceof PlugException);
  t.true(polluted instanceof Error);
});

test('malformed responses are HelperProtocolError', (t) => {
  for (const r of [
    { v: 1, id: 1 },
    { v: 1, id: 'x', ok: true },
    { v: 1, id: 1, ok: false, error: { type: 'x y', message: '' } },
    { v: 1, id: 1, ok: false, error: { type: 'X', message: 'm', kwargs: { a: {} } } },
    { v: 1, id: 1, ok: false, error: { type: 'X', message: 'm', evil: 1 } },
  ]) {
    t.throws(() => parseResponse(bytes(r)), { instanceOf: HelperProtocolError }, JSON.stringify(r));
  }
});

/** Calls parseRequest; true when it loaded, false when it refused with a typed error; throws anything else. */
function typedOutcome(line: Uint8Array): boolean {
  try {
    parseRequest(line);
    return true;
  } catch (error) {
    if (error instanceof ExceptionBase) return false;
    throw error;
  }
}

test('fuzz: random bytes are refused with typed errors, never a crash', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => !typedOutcome(data)),
    { numRuns: runs(2000) },
  );
  t.pass();
});

test('fuzz: random JSON values load or are refused with typed errors', (t) => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      typedOutcome(bytes(value));
    }),
    { numRuns: runs(1500) },
  );
  t.pass();
});

/** Random JSON spliced into a random place of a valid plug request. */
const mutatedRequest = fc
  .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), fc.boolean())
  .map(([path, value, remove]) => {
    const request = structuredClone({ v: 1, id: 3, op: 'plug', vif, instance }) as Record<string, unknown>;
    let node: Record<string, unknown> = request;
    for (let i = 0; i < path.length; i++) {
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[(path[i] as number) % keys.length] as string;
      const child = node[key];
      if (i === path.length - 1 || typeof child !== 'object' || child === null) {
        if (remove) delete node[key];
        else node[key] = value;
        break;
      }
      node = child as Record<string, unknown>;
    }
    return request;
  });

test('fuzz: valid requests with random parts replaced or removed load or are refused, typed', (t) => {
  let refused = 0;
  fc.assert(
    fc.property(mutatedRequest, (request) => {
      if (!typedOutcome(bytes(request))) refused++;
    }),
    { numRuns: runs(2000) },
  );
  t.log(`${refused} of ${runs(2000)} mutated requests refused`);
  t.true(refused > 0);
});

test('fuzz: LineSplitter over random chunking holds at most its limit and loses nothing', (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 40 }), (chunks) => {
      const s = new LineSplitter(32);
      const out: Buffer[] = [];
      try {
        for (const c of chunks) {
          out.push(...s.push(Buffer.from(c)));
          if (s.pending > 31) return false;
        }
      } catch (error) {
        return error instanceof HelperProtocolError;
      }
      const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      const lines = all.toString('latin1').split('\n');
      lines.pop();
      return out.map((b) => b.toString('latin1')).join('\n') === lines.join('\n');
    }),
    { numRuns: runs(1000) },
  );
  t.pass();
});
