/**
 * TEMPORARY test scaffolding until `src/vif` exports `objects.fromPrimitive`: loads an os-vif
 * primitive into plain objects whose prototype chain carries the os-vif class names (so the
 * plugins' `isinstance` checks see VIFPortProfileFPOpenVSwitch as a VIFPortProfileOpenVSwitch).
 * Fields are copied as they are; no validation (the vif layer's job).
 */
const PARENTS: Record<string, string | undefined> = {
  VIFBridge: 'VIFBase',
  VIFDirect: 'VIFBase',
  VIFGeneric: 'VIFBase',
  VIFHostDevice: 'VIFBase',
  VIFNestedDPDK: 'VIFBase',
  VIFOpenVSwitch: 'VIFBase',
  VIFVHostUser: 'VIFBase',
  VIFPortProfile8021Qbg: 'VIFPortProfileBase',
  VIFPortProfile8021Qbh: 'VIFPortProfileBase',
  VIFPortProfileFPBridge: 'VIFPortProfileBase',
  VIFPortProfileFPTap: 'VIFPortProfileBase',
  VIFPortProfileK8sDPDK: 'VIFPortProfileBase',
  VIFPortProfileOpenVSwitch: 'VIFPortProfileBase',
  VIFPortProfileFPOpenVSwitch: 'VIFPortProfileOpenVSwitch',
  VIFPortProfileOVSRepresentor: 'VIFPortProfileOpenVSwitch',
  DatapathOffloadRepresentor: 'DatapathOffloadBase',
};

const classes = new Map<string, new () => object>();

function classFor(name: string): new () => object {
  let cls = classes.get(name);
  if (!cls) {
    const parentName = PARENTS[name];
    const Parent = parentName ? classFor(parentName) : Object;
    cls = { [name]: class extends (Parent as new () => object) {} }[name] as new () => object;
    classes.set(name, cls);
  }
  return cls;
}

/** Loads a primitive (recursively) into named-class instances. */
export function load<T = Record<string, unknown>>(primitive: unknown): T {
  if (Array.isArray(primitive)) return primitive.map((p) => load(p)) as T;
  if (primitive === null || typeof primitive !== 'object') return primitive as T;
  const p = primitive as Record<string, unknown>;
  const name = p['versioned_object.name'];
  if (typeof name !== 'string') return primitive as T;
  const obj = new (classFor(name))() as Record<string, unknown>;
  for (const [k, v] of Object.entries(p['versioned_object.data'] as Record<string, unknown>))
    obj[k] = load(v);
  return obj as T;
}
