/** 802.1Q / 802.1ad VLAN devices: `IFLA_VLAN_*` (linux/if_link.h). */
import { attr, defineSchema } from '../codec/schema.js';
import type { LinkKind } from './kind.js';
import { int, oneOf } from './options.js';

export const vlanSchema = defineSchema('IFLA_VLAN', [
  attr('id', 'IFLA_VLAN_ID', 1, 'u16', 'VLAN id (1-4094).'),
  attr('flags', 'IFLA_VLAN_FLAGS', 2, 'binary', 'struct ifla_vlan_flags (flags, mask).'),
  attr('egressQos', 'IFLA_VLAN_EGRESS_QOS', 3, 'binary', 'Egress priority mapping (nested).'),
  attr('ingressQos', 'IFLA_VLAN_INGRESS_QOS', 4, 'binary', 'Ingress priority mapping (nested).'),
  attr('protocol', 'IFLA_VLAN_PROTOCOL', 5, 'be16', 'Ethertype: 0x8100 (802.1Q) or 0x88a8 (802.1ad).'),
]);

/** VLAN ethertypes by the names `ip link ... protocol` takes. */
export const VLAN_PROTOCOLS = { '802.1Q': 0x8100, '802.1ad': 0x88a8 } as const;

export const vlan: LinkKind = {
  kind: 'vlan',
  data: vlanSchema,
  options: { id: int('id', 1, 4094), protocol: oneOf('protocol', VLAN_PROTOCOLS) },
  requires: 'the 8021q module (CONFIG_VLAN_8021Q)',
  doc: 'A VLAN sub-interface of a lower device.',
};
