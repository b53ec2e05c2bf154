/** Errors of the guest layer. */
import { ExceptionBase } from '../vif/index.js';

/**
 * The target does not fit the VIF or is malformed (raised before anything changes); kwargs
 * `target`, `field`, `reason`.
 */
export class InvalidGuestTarget extends ExceptionBase {
  static override template = 'Guest target %(target)s: %(field)s %(reason)s';
}

/** The macvtap's character device did not appear (no devtmpfs or udev); kwargs `path`, `device`. */
export class CharDeviceMissing extends ExceptionBase {
  static override template =
    '%(path)s for macvtap %(device)s did not appear: /dev needs devtmpfs or udev; the macvtap was removed';
}
