/**
 * The helper's own exceptions, on os-vif's {@link ExceptionBase} like the rest of the catalogue.
 * A client sees them as they are; plug and unplug wrap a transport failure in `PlugException` /
 * `UnplugException` as they wrap any plugin failure.
 */
import { ExceptionBase } from '../vif/errors.js';

/** Base of the helper's exceptions. */
export class HelperError extends ExceptionBase {
  static override template = 'os-vif helper: %(reason)s';
}

/** The helper refused this peer: its uid and gids are not on the allow list (`uid`, `gid`, `pid`). */
export class HelperAccessDenied extends HelperError {
  static override template = 'os-vif helper refused the connection: uid %(uid)s (gid %(gid)s) is not allowed';
}

/** A request was malformed, too large, too slow or not one the helper serves (`reason`). */
export class HelperProtocolError extends HelperError {
  static override template = 'os-vif helper protocol error: %(reason)s';
}

/** The helper cannot be reached, or it closed the connection before answering (`socket`, `reason`). */
export class HelperUnavailable extends HelperError {
  static override template = 'os-vif helper at %(socket)s is unavailable: %(reason)s';
}

/** No answer came within the time limit (`socket`, `op`, `timeout_ms`). */
export class HelperTimeout extends HelperError {
  static override template = 'os-vif helper at %(socket)s did not answer %(op)s within %(timeout_ms)s ms';
}

/** The helper serves as many connections as it allows (`limit`). */
export class HelperBusy extends HelperError {
  static override template = 'os-vif helper is busy: %(limit)s connections are open';
}

/** The helper will not run: it could not reduce its privileges to CAP_NET_ADMIN (`reason`). */
export class HelperPrivilegeError extends HelperError {
  static override template = 'os-vif helper refuses to run: %(reason)s';
}
