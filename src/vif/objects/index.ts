/**
 * The os-vif object catalogue: 31 versioned-object classes, wire-identical to Python os-vif 3.0.0.
 *
 * ```ts
 * import { objects } from 'os-vif';
 * const vif = objects.fromPrimitive(json, objects.VIFBase);   // any VIF class
 * if (vif instanceof objects.VIFOpenVSwitch) console.log(vif.network?.bridge);
 * const wire = vif.toPrimitive();                              // or vif.toPrimitive('1.0')
 * ```
 */
import { ObjectValueError } from '../errors.js';
import { loadPrimitive, type VersionedObject } from './base.js';
import { pyTypeName } from './fields.js';
import { registeredClasses } from './registry.js';

export {
  type FieldName,
  type FieldsOf,
  type Init,
  KEY,
  loadPrimitive,
  NAMESPACE,
  type Primitive,
  VersionedObject,
  type VersionManifest,
} from './base.js';
export { type Field, type FieldMap, type FieldType, field, type JsonSchema, t } from './fields.js';
export { fingerprint, fingerprintPreimage, fingerprints } from './fingerprint.js';
export { commonVersion, HostInfo, HostPluginInfo, HostPortProfileInfo, HostVIFInfo } from './host-info.js';
export { InstanceInfo } from './instance.js';
export { FixedIP, FixedIPList, Network, Route, RouteList, Subnet, SubnetList } from './network.js';
export {
  DatapathOffloadBase,
  type DatapathOffloadName,
  DatapathOffloadRepresentor,
  type PortProfileName,
  VIFPortProfile8021Qbg,
  VIFPortProfile8021Qbh,
  VIFPortProfileBase,
  VIFPortProfileFPBridge,
  VIFPortProfileFPOpenVSwitch,
  VIFPortProfileFPTap,
  VIFPortProfileK8sDPDK,
  VIFPortProfileOpenVSwitch,
  VIFPortProfileOVSRepresentor,
} from './profiles.js';
export { lookupClass, type ObjectClass, registeredClasses } from './registry.js';
export { jsonSchema } from './schema.js';
export {
  type AnyVIF,
  VIFBase,
  VIFBridge,
  VIFDirect,
  type VIFDirectMode,
  VIFGeneric,
  VIFHostDevice,
  type VIFHostDeviceDevType,
  type VIFName,
  VIFNestedDPDK,
  VIFOpenVSwitch,
  VIFVHostUser,
  type VIFVHostUserMode,
} from './vif.js';

/** A class to check a loaded object against (the class or any subclass is accepted). */
export type ExpectedClass<T extends VersionedObject> = abstract new (...args: never[]) => T;

/**
 * Load any registered object from its primitive (a parsed JSON value), choosing the class by the
 * envelope. With `expected`, the result must be an instance of that class (or a subclass), else
 * {@link ObjectValueError}. Errors are typed: see docs/objects.md.
 */
export function fromPrimitive(primitive: unknown): VersionedObject;
export function fromPrimitive<T extends VersionedObject>(primitive: unknown, expected: ExpectedClass<T>): T;
export function fromPrimitive<T extends VersionedObject>(
  primitive: unknown,
  expected?: ExpectedClass<T>,
): VersionedObject {
  const obj = loadPrimitive(primitive);
  if (expected && !(obj instanceof expected)) {
    throw new ObjectValueError(`An object of type ${expected.name} is required, not a ${pyTypeName(obj)}`, {
      value: primitive,
    });
  }
  return obj;
}

/** Names of every registered class. */
export function classNames(): string[] {
  return registeredClasses().map((c) => c.objName);
}
