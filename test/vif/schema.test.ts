/**
 * Generated JSON Schemas, checked with ajv against every vector primitive (and its backports),
 * against random valid objects, and against primitives the loader rejects for their shape.
 */

import { Ajv2020 } from 'ajv/dist/2020.js';
import test from 'ava';
import fc from 'fast-check';
import { objects } from '../../src/vif/index.js';
import { objectArb } from './arbitraries.js';
import { objectVectorFiles, readVector } from './vectors.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = new Map(objects.classNames().map((n) => [n, ajv.compile(objects.jsonSchema(n))]));

function validate(name: string, value: unknown): string | undefined {
  const v = validators.get(name);
  if (!v) return `no schema for ${name}`;
  return v(value) ? undefined : ajv.errorsText(v.errors);
}

for (const file of objectVectorFiles()) {
  test(`schema of ${file.class} accepts its vectors and their backports`, (t) => {
    for (const v of file.vectors) {
      t.is(validate(file.class, v.primitive), undefined, v.description);
      for (const table of [v.backports, v.backports_with_manifest]) {
        for (const [target, p] of Object.entries(table ?? {})) {
          if (!('error' in p)) t.is(validate(file.class, p), undefined, `${v.description} @${target}`);
        }
      }
    }
  });
  test(`schema of ${file.class} accepts random valid objects`, (t) => {
    const cls = objects.lookupClass(file.class) as objects.ObjectClass;
    fc.assert(
      fc.property(objectArb(cls), (obj) => validate(file.class, obj.toPrimitive()) === undefined),
      {
        numRuns: 100,
      },
    );
    t.pass();
  });
}

interface Invalid {
  description: string;
  primitive: { 'versioned_object.name'?: string };
}

test('schemas reject what the loader rejects for shape or format', (t) => {
  // Cases the schema can see without the registry's version rules or value parsing.
  const shapeCases = readVector<Invalid[]>('invalid_primitives.json').filter((c) =>
    /missing versioned_object|MAC|PCI|enum|integer field|string field|null|wrong class|holding|plain string|non-object|namespace|list field/.test(
      c.description,
    ),
  );
  t.true(shapeCases.length >= 25);
  for (const c of shapeCases) {
    const name = c.primitive['versioned_object.name'];
    const target = name && objects.lookupClass(name) ? name : 'FixedIP';
    t.not(validate(target, c.primitive), undefined, c.description);
  }
});

test('nested port profiles accept every profile subclass, the network field only Network', (t) => {
  const schema = objects.jsonSchema('VIFOpenVSwitch') as { $defs: Record<string, unknown> };
  t.truthy(schema.$defs['VIFPortProfileBase-family']);
  t.truthy(schema.$defs.Network);
  t.falsy(schema.$defs['Network-family']);
});
