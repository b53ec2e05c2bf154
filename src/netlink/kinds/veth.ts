/** Virtual Ethernet pair: `VETH_INFO_PEER` holds a struct ifinfomsg and the peer's link attributes (linux/veth.h). */
import { attr, defineSchema } from '../codec/schema.js';
import { linkSchema } from '../schemas/link.js';
import type { LinkKind } from './kind.js';

export const VETH_INFO_PEER = 1;

export const vethSchema = defineSchema('VETH_INFO', [
  attr('peer', 'VETH_INFO_PEER', VETH_INFO_PEER, 'ifinfo', 'The peer: ifinfomsg and link attributes.', {
    nested: () => linkSchema,
  }),
]);

export const veth: LinkKind = {
  kind: 'veth',
  data: vethSchema,
  requires: 'the veth module (CONFIG_VETH)',
  doc: 'A pair of connected virtual Ethernet devices.',
};
