/**
 * The os-vif exception catalogue, plus the object-layer errors of oslo.versionedobjects.
 *
 * Every error thrown by `os-vif/vif` derives from {@link ExceptionBase}. Messages come from
 * Python-style templates (`%(name)s`) filled from the keyword arguments, exactly as os-vif does;
 * an explicit message wins, and a template that cannot be filled is used raw.
 */

/** Keyword arguments of an exception: rendered as text (strings as is, other values as JSON). */
export type ExceptionKwargs = Readonly<Record<string, unknown>>;

/** Options accepted by every exception besides its keyword arguments. */
export interface ExceptionOptions {
  /** An explicit message; replaces the formatted template. */
  message?: string;
  /** The underlying error, kept as the standard `cause`. */
  cause?: unknown;
}

/** Fill a Python `%(key)s` template; `undefined` when a key is missing (os-vif then uses the raw template). */
export function formatTemplate(template: string, kwargs: ExceptionKwargs): string | undefined {
  let missing = false;
  const text = template.replace(/%\((\w+)\)s/g, (_m, key: string) => {
    if (!(key in kwargs)) {
      missing = true;
      return '';
    }
    return show(kwargs[key]);
  });
  return missing ? undefined : text;
}

/** The base class of every os-vif error (Python `os_vif.exception.ExceptionBase`). */
export class ExceptionBase extends Error {
  /** The message template, `%(key)s` placeholders filled from the kwargs. */
  static template = 'An unknown exception occurred.';
  /** The Python module the exception comes from (for cross-checks and logs). */
  static pythonModule = 'os_vif.exception';
  /** The keyword arguments the message was formatted from. */
  readonly kwargs: ExceptionKwargs;

  constructor(kwargs: ExceptionKwargs = {}, options: ExceptionOptions = {}) {
    const template = (new.target as typeof ExceptionBase).template;
    super(options.message ?? formatTemplate(template, kwargs) ?? template, { cause: options.cause });
    this.name = new.target.name;
    this.kwargs = kwargs;
  }

  /** The formatted message (os-vif's `format_message()`). */
  formatMessage(): string {
    return this.message;
  }
}

/** A library call was made before {@link initialize}. */
export class LibraryNotInitialized extends ExceptionBase {
  static override template = 'Before using the os_vif library, you need to call os_vif.initialize()';
}
/** No loaded plugin has the name a VIF asks for (`plugin_name`). */
export class NoMatchingPlugin extends ExceptionBase {
  static override template = 'No VIF plugin was found with the name %(plugin_name)s';
}
/** No registered port profile class has this name (`name`). */
export class NoMatchingPortProfileClass extends ExceptionBase {
  static override template = 'No PortProfile class was found with the name %(name)s';
}
/** No version of a port profile class lies in the requested range. */
export class NoSupportedPortProfileVersion extends ExceptionBase {
  static override template =
    'PortProfile class %(name)s versions %(got_versions)s do not satisfy min=%(min_version)s max=%(max_version)s';
}
/** No registered VIF class has this name (`name`). */
export class NoMatchingVIFClass extends ExceptionBase {
  static override template = 'No VIF class was found with the name %(name)s';
}
/** No version of a VIF class lies in the requested range. */
export class NoSupportedVIFVersion extends ExceptionBase {
  static override template =
    'VIF class %(name)s versions %(got_versions)s do not satisfy min=%(min_version)s max=%(max_version)s';
}
/** A plugin failed to plug a VIF (`vif`, `err` rendered with their string forms); `cause` is the failure. */
export class PlugException extends ExceptionBase {
  static override template = 'Failed to plug VIF %(vif)s. Got error: %(err)s';
}
/** A plugin failed to unplug a VIF; `cause` is the failure. */
export class UnplugException extends ExceptionBase {
  static override template = 'Failed to unplug VIF %(vif)s. Got error: %(err)s';
}
/** A network lacks its physical network (`network_uuid`). */
export class NetworkMissingPhysicalNetwork extends ExceptionBase {
  static override template = 'Physical network is missing for network %(network_uuid)s';
}
/** A network interface was not found (`interface`). */
export class NetworkInterfaceNotFound extends ExceptionBase {
  static override template = 'Network interface %(interface)s not found';
}
/** A link kind is not supported (`type`). */
export class NetworkInterfaceTypeNotDefined extends ExceptionBase {
  static override template = 'Network interface type %(type)s not defined';
}
/** An internal module was used from outside the library. */
export class ExternalImport extends ExceptionBase {
  static override template =
    'Use of this module outside of os_vif is not allowed. It must not be imported in os-vif plugins that are out of tree as it is not a public interface of os-vif.';
}
/** A function is not implemented for this operating system (`function`, `os`). */
export class NotImplementedForOS extends ExceptionBase {
  static override template = 'Function %(function)s for %(os)s operating system';
}

// ---- configuration and plugin loading (this port's own) ----

/** A configuration group or option is invalid (`group`, `option`, `reason`); raised before any plugin runs. */
export class InvalidConfig extends ExceptionBase {
  static override template = 'Invalid configuration [%(group)s] %(option)s: %(reason)s';
}
/** A plugin could not be loaded (`plugin_name`, `reason`). */
export class PluginLoadError extends ExceptionBase {
  static override template = 'Could not load VIF plugin %(plugin_name)s: %(reason)s';
}

// ---- object layer (oslo.versionedobjects and the Python built-ins it raises) ----

/** An object type that is not registered, or a foreign namespace (`objtype`). */
export class UnsupportedObjectError extends ExceptionBase {
  static override template = 'Unsupported object type %(objtype)s';
  static override pythonModule = 'oslo_versionedobjects.exception';
}
/** A primitive carries a version this library cannot load (`objver`, `objname`, `supported`). */
export class IncompatibleObjectVersion extends ExceptionBase {
  static override template =
    'Version %(objver)s of %(objname)s is not supported, supported version is %(supported)s';
  static override pythonModule = 'oslo_versionedobjects.exception';
}
/** `toPrimitive` was asked for a version newer than the object's, or an unparseable one (`version`). */
export class InvalidTargetVersion extends ExceptionBase {
  static override template = 'Invalid target version %(version)s';
  static override pythonModule = 'oslo_versionedobjects.exception';
}
/** A backport rule is missing or failed (`action`, `reason`). */
export class ObjectActionError extends ExceptionBase {
  static override template = 'Object action %(action)s failed because: %(reason)s';
  static override pythonModule = 'oslo_versionedobjects.exception';
}
/** A version string that is not `MAJOR.MINOR[.…]` digits (Python `packaging.version.InvalidVersion`). */
export class InvalidVersion extends ExceptionBase {
  static override template = "Invalid version: '%(version)s'";
  static override pythonModule = 'packaging.version';
}

/**
 * Common base of the object-layer errors that Python raises as built-ins. They name the object
 * (`objName`), the field (`field`) and the offending value (`value`) when known.
 */
export class ObjectError extends ExceptionBase {
  static override template = '%(detail)s';
  static override pythonModule = 'builtins';
  /** The Python built-in exception os-vif raises for the same input. */
  static pythonName = 'Exception';
  /** The object class at fault, when known. */
  readonly objName: string | undefined;
  /** The field at fault, when known. */
  readonly field: string | undefined;
  /** The value at fault, when known. */
  readonly value: unknown;

  /** `detail` is the Python-compatible message; the object and field are prefixed to it. */
  constructor(detail: string, where: { objName?: string; field?: string; value?: unknown } = {}) {
    const prefix = where.objName && where.field ? `${where.objName}.${where.field}: ` : '';
    super({ detail, objName: where.objName, field: where.field }, { message: prefix + detail });
    this.objName = where.objName;
    this.field = where.field;
    this.value = where.value;
  }
}
/** A required envelope key is missing (Python `KeyError`). */
export class ObjectKeyError extends ObjectError {
  static override pythonName = 'KeyError';
}
/** A value cannot be coerced to its field's type (Python `ValueError`). */
export class ObjectValueError extends ObjectError {
  static override pythonName = 'ValueError';
}
/** A value has the wrong JSON shape, e.g. a string where an envelope is needed (Python `TypeError`). */
export class ObjectTypeError extends ObjectError {
  static override pythonName = 'TypeError';
}
/** A field was read while unset (Python `NotImplementedError: Cannot load 'x' in the base class`). */
export class ObjectFieldNotSet extends ObjectError {
  static override pythonName = 'NotImplementedError';
}

/** Text of any value for a message: strings as they are, anything else as JSON (never throws). */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
