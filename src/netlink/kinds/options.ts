/**
 * How the friendly options of a link spec (`stpState: true`) become kind data attributes
 * (`IFLA_BR_STP_STATE = 1`). Each option checks its value and names the attribute it fills.
 */
import type { AttrValue } from '../codec/attributes.js';
import { NetlinkValidationError } from '../errors.js';
import { checkBool, checkInt, checkIp } from '../validate.js';

/** Turns one option value into [schema field, attribute value]; throws NetlinkValidationError. */
export type KindOption = (field: string, value: unknown) => [string, AttrValue];

/** An unsigned integer in [min, max] stored in `attr`. */
export const int =
  (attr: string, min: number, max: number): KindOption =>
  (field, v) => [attr, checkInt(field, v, min, max)];

/** A boolean stored as 0/1 in `attr` (u8 or u32, per the schema). */
export const bool =
  (attr: string): KindOption =>
  (field, v) => [attr, checkBool(field, v) ? 1 : 0];

/** An IPv4 address in `attr4` or an IPv6 one in `attr6`. */
export const ip =
  (attr4: string, attr6: string): KindOption =>
  (field, v) => [checkIp(field, v) === 4 ? attr4 : attr6, v as string];

/** One of the names of `table`, stored as its number. */
export const oneOf =
  (attr: string, table: Readonly<Record<string, number>>): KindOption =>
  (field, v) => {
    if (typeof v !== 'string' || !(v in table)) {
      throw new NetlinkValidationError(field, v, `must be one of ${Object.keys(table).join(', ')}`);
    }
    return [attr, table[v]];
  };

/** The options of each kind that has some (data-only; `link` and `peer` are handled by the builder). */
export type KindOptions = Readonly<Record<string, KindOption>>;
