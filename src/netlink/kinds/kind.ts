/**
 * What a link kind contributes: the `IFLA_INFO_KIND` string, the schema of its
 * `IFLA_INFO_DATA`, the schema of the port data it gives its slaves (`IFLA_INFO_SLAVE_DATA`),
 * and what the kernel needs for it (named in the error when it is missing).
 */
import type { AttrSchema } from '../codec/schema.js';
import type { KindOptions } from './options.js';

/** One link kind (bridge, veth, vxlan, ...): its name, attribute schemas and options codec. */
export interface LinkKind {
  /** The IFLA_INFO_KIND string. */
  readonly kind: string;
  /** Schema of IFLA_INFO_DATA, when the kind has any. */
  readonly data?: AttrSchema;
  /** Schema of IFLA_INFO_SLAVE_DATA of this kind's ports (bridge ports). */
  readonly slaveData?: AttrSchema;
  /** Spec options that become IFLA_INFO_DATA attributes, in the order given by the caller. */
  readonly options?: KindOptions;
  /** What the kernel must provide, e.g. 'the dummy module (CONFIG_DUMMY)'. */
  readonly requires: string;
  /** One line on what the kind is. */
  readonly doc: string;
}
