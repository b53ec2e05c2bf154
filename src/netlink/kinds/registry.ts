/**
 * The link kinds this layer knows, by IFLA_INFO_KIND string. Built on first use, so that kind
 * files may refer to the link schema (veth peers) without an import-order problem.
 */
import { bridge } from './bridge.js';
import { dummy } from './dummy.js';
import type { LinkKind } from './kind.js';
import { macvlan, macvtap } from './macvlan.js';
import { tun } from './tun.js';
import { veth } from './veth.js';
import { vlan } from './vlan.js';
import { vxlan } from './vxlan.js';

let kinds: Map<string, LinkKind> | undefined;

/** Every known kind. */
export function allKinds(): LinkKind[] {
  kinds ??= new Map([bridge, dummy, macvlan, macvtap, tun, veth, vlan, vxlan].map((k) => [k.kind, k]));
  return [...kinds.values()];
}

/** The kind with this IFLA_INFO_KIND, or undefined. */
export function kindByName(name: string | undefined): LinkKind | undefined {
  if (name === undefined) return undefined;
  if (!kinds) allKinds();
  return kinds?.get(name);
}
