/**
 * `invalid_primitives.json`: each case is rejected with the exception Python names.
 * `lenient_primitives.json`: each case is accepted like Python, or rejected on purpose, as
 * decided (and documented in docs/objects.md) per case.
 */
import test from 'ava';
import { ExceptionBase, ObjectError, objects } from '../../src/vif/index.js';
import { canonical, pythonName, readVector } from './vectors.js';

interface Invalid {
  description: string;
  primitive: unknown;
  exception: string;
  message: string;
}
interface Lenient {
  description: string;
  primitive: unknown;
  reserialized: unknown;
  loaded_class: string;
  loaded_version: string;
}

for (const c of readVector<Invalid[]>('invalid_primitives.json')) {
  test(`rejects: ${c.description}`, (t) => {
    const err = t.throws(() => objects.fromPrimitive(c.primitive));
    t.true(err instanceof ExceptionBase, 'every error derives from ExceptionBase');
    t.is(pythonName(err), c.exception);
  });
}

/** Where this port is deliberately stricter than Python: description prefix → error it raises. */
const REJECTED: Record<string, string> = {
  'PCI address: the separator': 'ValueError',
  'IP address with trailing whitespace': 'ValueError',
  'IP address as integer': 'ValueError',
  "abbreviated IPv4 '10.5'": 'ValueError',
  'zero-padded IPv4 octets': 'ValueError',
  'list-of-IP field given a digits-only STRING': 'ValueError',
  'integer field given a float is truncated': 'ValueError',
  'integer field given a boolean': 'ValueError',
  'string field given a boolean': 'ValueError',
  "boolean field uses Python truthiness: the string 'false'": 'ValueError',
  'boolean field: 0 becomes false': 'ValueError',
  'invalid UUID is accepted as-is': 'ValueError',
  'UUID given as an integer': 'ValueError',
  'data given as a list is treated as empty': 'TypeError',
};

const lenient = readVector<Lenient[]>('lenient_primitives.json');

test('every lenient case has a decision (42 cases, 14 rejected)', (t) => {
  t.is(lenient.length, 42);
  const rejected = lenient.filter((c) => Object.keys(REJECTED).some((p) => c.description.startsWith(p)));
  t.is(rejected.length, Object.keys(REJECTED).length);
});

for (const c of lenient) {
  const prefix = Object.keys(REJECTED).find((p) => c.description.startsWith(p));
  if (prefix) {
    test(`lenient, rejected on purpose: ${c.description}`, (t) => {
      const err = t.throws(() => objects.fromPrimitive(c.primitive));
      t.is(pythonName(err), REJECTED[prefix]);
      t.true(err instanceof ObjectError);
      t.truthy((err as ObjectError).objName, 'the error names the object');
    });
  } else {
    test(`lenient, accepted like Python: ${c.description}`, (t) => {
      const obj = objects.fromPrimitive(c.primitive);
      t.is(obj.objName, c.loaded_class);
      t.is(obj.objVersion, c.loaded_version);
      t.is(canonical(obj.toPrimitive()), canonical(c.reserialized));
    });
  }
}

test('value errors name the object, the field and the value', (t) => {
  const err = t.throws(
    () =>
      objects.fromPrimitive({
        'versioned_object.name': 'FixedIP',
        'versioned_object.namespace': 'os_vif',
        'versioned_object.version': '1.0',
        'versioned_object.data': { address: '10.0.0.300' },
      }),
    { instanceOf: ObjectError },
  ) as ObjectError;
  t.is(err.objName, 'FixedIP');
  t.is(err.field, 'address');
  t.is(err.value, '10.0.0.300');
  t.is(err.message, "FixedIP.address: failed to detect a valid IP address from '10.0.0.300'");
});
