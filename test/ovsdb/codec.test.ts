/**
 * Pure codecs, no server: OVSDB values <-> TypeScript (golden wire forms, shorthand both ways),
 * schema checks with the installed vswitch schema, operation encoding, update2 diffs, remotes.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import {
  Backoff,
  DatabaseSchema,
  encodeOperations,
  NamedUuid,
  namedUuid,
  OvsdbProtocolError,
  OvsdbSchemaError,
  parseRemotes,
  Uuid,
  uuid,
  valueFromWire,
  valuesEqual,
  valueToWire,
} from '../../src/ovsdb/index.js';
import { applyDiff, defaultValue } from '../../src/ovsdb/replica.js';
import { decodeValue, encodeValue } from '../../src/ovsdb/schema.js';

const schema = DatabaseSchema.parse(
  JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')),
);
const U1 = '550e8400-e29b-41d4-a716-446655440000';
const U2 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

test('schema-less values: golden wire forms', (t) => {
  t.deepEqual(valueToWire('x'), 'x');
  t.deepEqual(valueToWire(uuid(U1)), ['uuid', U1]);
  t.deepEqual(valueToWire(namedUuid('row1')), ['named-uuid', 'row1']);
  t.deepEqual(valueToWire([1, 2]), ['set', [1, 2]]);
  t.deepEqual(valueToWire(null), ['set', []]);
  t.deepEqual(valueToWire(new Map([['a', uuid(U1)]])), ['map', [['a', ['uuid', U1]]]]);
  t.deepEqual(valueToWire({ a: 'b' }), ['map', [['a', 'b']]]);
  t.deepEqual(JSON.stringify(uuid(U2)), `["uuid","${U2}"]`);
  const m = valueFromWire(['map', [[['uuid', U1], 1]]]) as Map<unknown, unknown>;
  t.is(m.get(U1), 1, 'uuid map keys are looked up by their id');
  t.true(valueFromWire(['named-uuid', 'n']) instanceof NamedUuid);
  t.throws(() => valueFromWire({ bogus: 1 }), { instanceOf: OvsdbProtocolError });
});

test('single-element-set shorthand, both ways, driven by the column type', (t) => {
  const tag = schema.column('Port', 'tag'); // integer, min 0 max 1
  t.is(decodeValue(tag.type, 5), 5);
  t.is(decodeValue(tag.type, ['set', [5]]), 5);
  t.is(decodeValue(tag.type, ['set', []]), null);
  t.deepEqual(encodeValue(tag, 5), 5);
  t.deepEqual(encodeValue(tag, [5]), 5);
  t.deepEqual(encodeValue(tag, null), ['set', []]);
  const trunks = schema.column('Port', 'trunks'); // set of integers
  t.deepEqual(decodeValue(trunks.type, 7), [7]);
  t.deepEqual(decodeValue(trunks.type, ['set', [7, 8]]), [7, 8]);
  t.deepEqual(encodeValue(trunks, [7]), 7);
  t.deepEqual(encodeValue(trunks, [7, 8]), ['set', [7, 8]]);
  const name = schema.column('Port', 'name'); // scalar string
  t.is(decodeValue(name.type, 'p'), 'p');
  const ports = schema.column('Bridge', 'ports');
  t.deepEqual(encodeValue(ports, [U1]), ['uuid', U1], 'uuid-shaped strings are accepted for uuid columns');
  t.deepEqual(encodeValue(ports, [namedUuid('p')]), ['named-uuid', 'p']);
});

test('property: encode then decode is the identity for every column of the vswitch schema', (t) => {
  const atom = (type: string): fc.Arbitrary<unknown> =>
    type === 'integer'
      ? fc.integer({ min: 0, max: 4095 })
      : type === 'real'
        ? fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1 })
        : type === 'boolean'
          ? fc.boolean()
          : type === 'uuid'
            ? fc.uuid().map((u) => new Uuid(u))
            : fc.string({ minLength: 1, maxLength: 8 });
  let checked = 0;
  for (const table of schema.tables.values()) {
    for (const col of table.columns.values()) {
      const ty = col.type;
      if (ty.key.enum || ty.value?.enum || ty.key.minInteger !== undefined || ty.key.maxLength !== undefined)
        continue;
      if (ty.value) {
        if (ty.value.minInteger !== undefined || ty.value.enum || ty.value.maxLength !== undefined) continue;
        fc.assert(
          fc.property(
            fc.array(fc.tuple(atom(ty.key.type), atom(ty.value.type)), { maxLength: Math.min(3, ty.max) }),
            (pairs) => {
              const m = new Map(pairs.map(([k, v]) => [k instanceof Uuid ? k.id : k, v]));
              const back = decodeValue(ty, JSON.parse(JSON.stringify(encodeValue(col, m))));
              return valuesEqual(back, m as never);
            },
          ),
          { numRuns: 20 },
        );
      } else if (ty.max > 1) {
        fc.assert(
          fc.property(
            fc.uniqueArray(atom(ty.key.type), { maxLength: Math.min(4, ty.max), selector: (a) => String(a) }),
            (items) => {
              if (items.length < ty.min) return true;
              const back = decodeValue(ty, JSON.parse(JSON.stringify(encodeValue(col, items))));
              return valuesEqual(back, items as never);
            },
          ),
          { numRuns: 20 },
        );
      } else {
        fc.assert(
          fc.property(atom(ty.key.type), (a) => {
            const back = decodeValue(ty, JSON.parse(JSON.stringify(encodeValue(col, a))));
            return valuesEqual(back, a as never);
          }),
          { numRuns: 20 },
        );
      }
      checked++;
    }
  }
  t.true(checked > 50, `${checked} columns`);
});

test('schema errors name table, column and value', (t) => {
  const e = t.throws(
    () => encodeOperations(schema, [{ op: 'insert', table: 'Interface', row: { mtu_request: 0 } }]),
    {
      instanceOf: OvsdbSchemaError,
    },
  );
  t.is(e?.table, 'Interface');
  t.is(e?.column, 'mtu_request');
  t.is(e?.value, 0);
  t.throws(
    () => encodeOperations(schema, [{ op: 'insert', table: 'Port', row: { name: 'p', trunks: [1, 1] } }]),
    {
      message: /duplicate/,
    },
  );
  t.throws(
    () => encodeOperations(schema, [{ op: 'insert', table: 'Port', row: { name: 'p', interfaces: ['x'] } }]),
    {
      message: /Port\.interfaces: expected a reference to a Interface row/,
    },
  );
  t.throws(
    () => encodeOperations(schema, [{ op: 'update', table: 'Port', where: [], row: { _uuid: uuid(U1) } }]),
    {
      message: /read-only/,
    },
  );
  t.throws(() => encodeOperations(schema, [{ op: 'insert', table: 'Port', row: {}, uuidName: '1bad' }]), {
    message: /uuid-name/,
  });
  t.throws(
    () =>
      encodeOperations(schema, [
        { op: 'wait', table: 'Port', where: [], columns: ['name'], until: '==', rows: [{ tag: 1 }] },
      ]),
    {
      message: /not in columns/,
    },
  );
  t.throws(
    () =>
      encodeOperations(schema, [{ op: 'mutate', table: 'Port', where: [], mutations: [['tag', '/=', 0]] }]),
    {
      message: /division by zero/,
    },
  );
  t.throws(() => encodeOperations(schema, [{ op: 'bogus' } as never]), { instanceOf: OvsdbSchemaError });
});

test('operation encoding: golden wire form', (t) => {
  const wire = encodeOperations(schema, [
    {
      op: 'insert',
      table: 'Interface',
      row: { name: 'tap0', external_ids: { 'iface-id': 'x' } },
      uuidName: 'i',
    },
    {
      op: 'insert',
      table: 'Port',
      row: { name: 'tap0', interfaces: [namedUuid('i')], tag: 5 },
      uuidName: 'p',
    },
    {
      op: 'mutate',
      table: 'Bridge',
      where: [['name', '==', 'br0']],
      mutations: [['ports', 'insert', [namedUuid('p')]]],
    },
    {
      op: 'mutate',
      table: 'Interface',
      where: [['_uuid', '==', uuid(U1)]],
      mutations: [['external_ids', 'delete', ['a', 'b']]],
    },
    {
      op: 'wait',
      table: 'Port',
      where: [['name', '==', 'tap0']],
      columns: ['_uuid'],
      until: '==',
      rows: [],
      timeout: 0,
    },
    { op: 'commit', durable: false },
  ]);
  t.deepEqual(JSON.parse(JSON.stringify(wire)), [
    {
      op: 'insert',
      table: 'Interface',
      row: { name: 'tap0', external_ids: ['map', [['iface-id', 'x']]] },
      'uuid-name': 'i',
    },
    {
      op: 'insert',
      table: 'Port',
      row: { name: 'tap0', interfaces: ['named-uuid', 'i'], tag: 5 },
      'uuid-name': 'p',
    },
    {
      op: 'mutate',
      table: 'Bridge',
      where: [['name', '==', 'br0']],
      mutations: [['ports', 'insert', ['named-uuid', 'p']]],
    },
    {
      op: 'mutate',
      table: 'Interface',
      where: [['_uuid', '==', ['uuid', U1]]],
      mutations: [['external_ids', 'delete', ['set', ['a', 'b']]]],
    },
    {
      op: 'wait',
      table: 'Port',
      where: [['name', '==', 'tap0']],
      columns: ['_uuid'],
      until: '==',
      rows: [],
      timeout: 0,
    },
    { op: 'commit', durable: false },
  ]);
});

test('update2 diffs: scalars and optionals replaced (as ovsdb-server sends them), sets toggled, maps merged', (t) => {
  const col = (tb: string, c: string) => schema.column(tb, c).type;
  t.is(applyDiff(col('Port', 'name'), 'a', 'b'), 'b');
  t.is(applyDiff(col('Port', 'tag'), 5, 6), 6);
  t.is(applyDiff(col('Port', 'tag'), 5, ['set', []]), null);
  t.is(applyDiff(col('Port', 'tag'), null, 7), 7);
  t.deepEqual(applyDiff(col('Port', 'trunks'), [1, 2], ['set', [2, 3]]), [1, 3]);
  const m = applyDiff(
    col('Interface', 'external_ids'),
    new Map([
      ['a', '1'],
      ['b', '2'],
    ]),
    [
      'map',
      [
        ['a', '1'],
        ['b', '3'],
        ['c', '4'],
      ],
    ],
  );
  t.deepEqual(
    [...(m as Map<string, string>)],
    [
      ['b', '3'],
      ['c', '4'],
    ],
  );
  t.deepEqual(defaultValue(col('Port', 'tag')), null);
  t.deepEqual(defaultValue(col('Port', 'trunks')), []);
  t.deepEqual(defaultValue(col('Interface', 'type')), '');
});

test('remotes', (t) => {
  t.deepEqual(parseRemotes('unix:/run/db.sock'), [
    { kind: 'unix', path: '/run/db.sock', text: 'unix:/run/db.sock' },
  ]);
  t.deepEqual(
    parseRemotes('tcp:127.0.0.1:6641,ssl:[::1]:6642').map((r) => [
      r.kind,
      'host' in r ? r.host : '',
      'port' in r ? r.port : 0,
    ]),
    [
      ['tcp', '127.0.0.1', 6641],
      ['ssl', '::1', 6642],
    ],
  );
  for (const bad of ['', 'tcp:host', 'tcp:h:99999', 'udp:1.2.3.4:5', 'unix:'])
    t.throws(() => parseRemotes(bad), { instanceOf: TypeError }, bad);
});

test('reconnect back-off doubles up to the maximum, with bounded jitter, and resets', (t) => {
  const b = new Backoff(50, 400, () => 0);
  t.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [50, 100, 200, 400, 400]);
  b.reset();
  t.is(b.next(), 50);
  const j = new Backoff(100, 100, () => 1);
  t.is(j.next(), 75, 'at most 25% shorter');
});
