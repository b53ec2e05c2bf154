/**
 * Every object vector of Python os-vif 3.0.0: load, re-emit byte for byte (canonical JSON,
 * `changes` as a set), `str()`, every backport with and without a manifest, every fingerprint.
 */
import test from 'ava';
import { objects } from '../../src/vif/index.js';
import { canonical, objectVectorFiles, type PyError, pythonName, readVector } from './vectors.js';

for (const file of objectVectorFiles()) {
  file.vectors.forEach((v, i) => {
    const name = `${file.class} #${i + 1} ${v.description}`;
    test(`round trip: ${name}`, (t) => {
      const obj = objects.fromPrimitive(v.primitive);
      t.is(obj.objName, file.class);
      t.is(canonical(obj.toPrimitive()), canonical(v.primitive));
      // The emitted changes list is sorted (our documented order).
      const changes = obj.toPrimitive()['versioned_object.changes'];
      if (changes) t.deepEqual(changes, [...changes].sort());
    });
    test(`str(): ${name}`, (t) => {
      t.is(String(objects.fromPrimitive(v.primitive)), v.python_str);
    });
    for (const [kind, manifest] of [
      ['backport', undefined],
      ['backport with manifest', v.manifest],
    ] as const) {
      const table = kind === 'backport' ? v.backports : v.backports_with_manifest;
      for (const [target, expected] of Object.entries(table ?? {})) {
        test(`${kind} to ${target}: ${name}`, (t) => {
          const obj = objects.fromPrimitive(v.primitive);
          if ('error' in expected) {
            const err = (expected as { error: PyError }).error;
            const thrown = t.throws(() => obj.toPrimitive(target, manifest));
            t.is(pythonName(thrown), err.exception);
            if (err.exception === 'ObjectActionError') t.is(thrown?.message, err.message);
          } else {
            t.is(canonical(obj.toPrimitive(target, manifest)), canonical(expected));
          }
        });
      }
    }
  });
}

const expected = readVector<Record<string, string>>('fingerprints.json');
const preimages = readVector<Record<string, string>>('fingerprint_preimages.json');
const mine = objects.fingerprints();

test('the registry holds exactly the 31 classes of os-vif 3.0.0', (t) => {
  t.deepEqual(objects.classNames(), Object.keys(expected).sort());
  t.is(objects.classNames().length, 31);
});

for (const [cls, hash] of Object.entries(expected)) {
  test(`fingerprint: ${cls}`, (t) => {
    t.is(objects.fingerprintPreimage(objects.lookupClass(cls) as objects.ObjectClass), preimages[cls]);
    t.is(mine[cls], hash);
  });
}
