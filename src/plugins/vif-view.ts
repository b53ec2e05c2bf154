/**
 * The parts of os-vif objects that the reference plugins read, typed structurally with the
 * wire field names (`vif.network.bridge`, `port_profile.interface_id`). The classes of
 * `src/vif` satisfy these shapes; an unset field reads as `undefined`.
 *
 * Class tests follow os-vif's `isinstance`: {@link isA} walks the prototype chain by class
 * name, so `VIFPortProfileFPOpenVSwitch` counts as a `VIFPortProfileOpenVSwitch`.
 */

/** `Network`. */
export interface NetworkView {
  id?: string;
  bridge?: string | null;
  bridge_interface?: string | null;
  mtu?: number | null;
  multi_host?: boolean;
  should_provide_bridge?: boolean;
  should_provide_vlan?: boolean;
  vlan?: number | null;
}

/** `DatapathOffloadRepresentor`. */
export interface DatapathOffloadView {
  representor_name?: string | null;
  representor_address?: string | null;
}

/** `VIFPortProfileBase` and subclasses. */
export interface PortProfileView {
  interface_id?: string;
  profile_id?: string;
  datapath_type?: string | null;
  create_port?: boolean;
  datapath_offload?: DatapathOffloadView | null;
}

/** `VIFBase` and subclasses. */
export interface VifView {
  id: string;
  address?: string | null;
  network?: NetworkView | null;
  plugin?: string;
  vif_name?: string | null;
  bridge_name?: string | null;
  has_traffic_filtering?: boolean;
  port_profile?: PortProfileView | null;
  /** VIFVHostUser. */
  mode?: string;
  path?: string;
  /** VIFHostDevice. */
  dev_address?: string;
  dev_type?: string;
}

/** `InstanceInfo`. */
export interface InstanceView {
  uuid?: string;
  name?: string;
  project_id?: string;
}

/** The versioned-object class name of `obj` (its constructor's name). */
export function className(obj: object): string {
  const named = obj as { constructor?: { objName?: unknown; name?: unknown } };
  const ctor = named.constructor;
  if (typeof ctor?.objName === 'string') return ctor.objName;
  return typeof ctor?.name === 'string' ? ctor.name : 'Object';
}

/** `isinstance(obj, <class named name>)`: true when `name` is the class of obj or an ancestor. */
export function isA(obj: object | null | undefined, name: string): boolean {
  for (let proto = obj ? Object.getPrototypeOf(obj) : null; proto; proto = Object.getPrototypeOf(proto)) {
    const ctor = (proto as { constructor?: { objName?: unknown; name?: unknown } }).constructor;
    if (ctor && (ctor.objName === name || ctor.name === name)) return true;
  }
  return false;
}

interface FieldReader {
  objGet(name: string): unknown;
  objClass(): { fields: Record<string, unknown> };
}

function isVersioned(value: unknown): value is FieldReader & object {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<FieldReader>).objGet === 'function' &&
    typeof (value as Partial<FieldReader>).objClass === 'function'
  );
}

const views = new WeakMap<object, object>();

/**
 * A read-only view of an os-vif object in which an unset field reads as `undefined` (the
 * objects of `src/vif` throw ObjectFieldNotSet instead, like Python). Nested objects are viewed
 * the same way; the prototype chain is kept, so {@link isA} still works. Plain objects pass through.
 */
export function viewOf<T>(obj: unknown): T {
  if (!isVersioned(obj)) return obj as T;
  let view = views.get(obj);
  if (!view) {
    view = new Proxy(obj, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && Object.hasOwn(target.objClass().fields, prop))
          return viewOf(target.objGet(prop));
        return Reflect.get(target, prop, receiver);
      },
    });
    views.set(obj, view);
  }
  return view as T;
}
