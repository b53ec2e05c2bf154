/**
 * Property tests: random valid objects survive toPrimitive → JSON → fromPrimitive; random JSON,
 * and vector primitives with random values spliced in, either load or raise a typed error.
 */
import test from 'ava';
import fc from 'fast-check';
import { ExceptionBase, ObjectActionError, ObjectKeyError, objects } from '../../src/vif/index.js';
import { anyObject, objectArb } from './arbitraries.js';
import { canonical, objectVectorFiles } from './vectors.js';

for (const cls of objects.registeredClasses()) {
  test(`random ${cls.objName} survives toPrimitive → JSON → fromPrimitive`, (t) => {
    fc.assert(
      fc.property(objectArb(cls), (obj) => {
        const prim = obj.toPrimitive();
        const again = objects.fromPrimitive(JSON.parse(JSON.stringify(prim)));
        return (
          again.objName === cls.objName &&
          canonical(again.toPrimitive()) === canonical(prim) &&
          String(again) === String(obj) &&
          again.equals(obj)
        );
      }),
      { numRuns: 150 },
    );
    t.pass();
  });
}

test('backports of random objects either succeed or raise the documented typed errors', (t) => {
  fc.assert(
    fc.property(anyObject, (obj) => {
      const [major, minor] = obj.objVersion.split('.').map(Number) as [number, number];
      for (let m = minor; m >= 0; m--) {
        try {
          const prim = obj.toPrimitive(`${major}.${m}`);
          if (prim['versioned_object.version'] !== `${major}.${m}`) return false;
        } catch (err) {
          if (!(err instanceof ObjectActionError || err instanceof ObjectKeyError)) throw err;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

function loadsOrTypedError(value: unknown): boolean {
  try {
    return objects.fromPrimitive(value) instanceof objects.VersionedObject;
  } catch (err) {
    if (err instanceof ExceptionBase) return true;
    throw err;
  }
}

test('random JSON never crashes the loader', (t) => {
  fc.assert(fc.property(fc.jsonValue(), loadsOrTypedError), { numRuns: 2000 });
  t.pass();
});

const envelope = fc.record(
  {
    'versioned_object.name': fc.oneof(fc.constantFrom(...objects.classNames()), fc.jsonValue()),
    'versioned_object.namespace': fc.oneof(fc.constant('os_vif'), fc.jsonValue()),
    'versioned_object.version': fc.oneof(
      fc.constantFrom('1.0', '1.1', '1.3', '1', '2.0', 'x'),
      fc.jsonValue(),
    ),
    'versioned_object.data': fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    'versioned_object.changes': fc.jsonValue(),
  },
  { requiredKeys: [] },
);

test('random envelopes never crash the loader', (t) => {
  fc.assert(fc.property(envelope, loadsOrTypedError), { numRuns: 2000 });
  t.pass();
});

const samples = objectVectorFiles().flatMap((f) => f.vectors.map((v) => v.primitive));

/** Replace the value at a random path of a primitive by random JSON. */
function splice(prim: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || prim === null || typeof prim !== 'object') return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(prim) ? [...prim] : { ...(prim as object) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return value;
  const key = keys[(path[0] as number) % keys.length] as string;
  (copy as Record<string, unknown>)[key] = splice(
    (copy as Record<string, unknown>)[key],
    path.slice(1),
    value,
  );
  return copy;
}

test('vector primitives with a random value spliced in load or raise a typed error', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.jsonValue(),
      (prim, path, value) => loadsOrTypedError(splice(prim, path, value)),
    ),
    { numRuns: 3000 },
  );
  t.pass();
});

test('regression: odd objects in messages never break error formatting', (t) => {
  const odd = { toString: '' };
  const base = {
    'versioned_object.name': 'FixedIP',
    'versioned_object.namespace': 'os_vif',
    'versioned_object.version': '1.0',
  };
  t.throws(() => objects.fromPrimitive({ ...base, 'versioned_object.namespace': odd }), {
    instanceOf: ExceptionBase,
    message: 'Unsupported object type {"toString":""}.FixedIP',
  });
  t.throws(() => objects.fromPrimitive({ ...base, 'versioned_object.version': odd }), {
    instanceOf: ExceptionBase,
  });
  for (const data of [{ address: odd }, { floating_ips: [odd] }]) {
    t.throws(() => objects.fromPrimitive({ ...base, 'versioned_object.data': data }), {
      instanceOf: ExceptionBase,
    });
  }
  t.throws(
    () =>
      objects.fromPrimitive({
        ...base,
        'versioned_object.name': 'VIFDirect',
        'versioned_object.data': { address: odd, mode: odd, dev_address: odd },
      }),
    { instanceOf: ExceptionBase },
  );
});
