/**
 * Fuzzing `fromPrimitive` with what a caller in the same process can hand it, beyond JSON:
 * any JavaScript value (null-prototype objects, Maps, Dates, typed arrays, sparse arrays, boxed
 * values, `__proto__` keys), alone or spliced into the primitive of a valid object. Property: it
 * loads or throws an os-vif exception (ExceptionBase), never anything else, and nothing leaks
 * onto Object.prototype. (properties.test.ts covers random JSON and the vectors.)
 */
import test from 'ava';
import fc from 'fast-check';
import { ExceptionBase, objects } from '../../src/vif/index.js';
import { fuzzParams, splice } from '../harness/fuzz.js';
import { anyObject } from './arbitraries.js';

const anything = fc.anything({
  withNullPrototype: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withBoxedValues: true,
  withObjectString: true,
  withBigInt: true,
  maxDepth: 3,
});

function loadsOrTyped(value: unknown): boolean {
  let ok: boolean;
  try {
    ok = objects.fromPrimitive(value) instanceof objects.VersionedObject;
  } catch (e) {
    if (!(e instanceof ExceptionBase)) throw e;
    ok = true;
  }
  if (Object.keys(Object.prototype).length > 0) throw new Error('Object.prototype was polluted');
  return ok;
}

test('any JavaScript value loads or raises an os-vif exception', (t) => {
  fc.assert(fc.property(anything, loadsOrTyped), fuzzParams(2000));
  t.pass();
});

test('valid primitives with any JavaScript value spliced in load or raise an os-vif exception', (t) => {
  fc.assert(
    fc.property(anyObject, fc.array(fc.nat(), { maxLength: 6 }), anything, (obj, at, v) =>
      loadsOrTyped(splice(obj.toPrimitive(), at, v)),
    ),
    fuzzParams(1500),
  );
  t.pass();
});

test('__proto__ and constructor keys in a primitive pollute nothing', (t) => {
  const prim = JSON.parse(
    '{"versioned_object.name":"FixedIP","versioned_object.namespace":"os_vif","versioned_object.version":"1.0",' +
      '"versioned_object.data":{"address":"10.0.0.1","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}},' +
      '"__proto__":{"polluted":1}}',
  );
  t.true(loadsOrTyped(prim));
  t.is(({} as Record<string, unknown>).polluted, undefined);
});
