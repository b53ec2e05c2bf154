/**
 * tun/tap devices: read-only `IFLA_TUN_*` data (linux/if_link.h). The kernel refuses to create
 * them through rtnetlink, so `links.add` creates them with the addon's TUNSETIFF path.
 */
import { attr, defineSchema } from '../codec/schema.js';
import type { LinkKind } from './kind.js';

export const tunSchema = defineSchema('IFLA_TUN', [
  attr('owner', 'IFLA_TUN_OWNER', 1, 'u32', 'Owner uid (absent: none).'),
  attr('group', 'IFLA_TUN_GROUP', 2, 'u32', 'Owner gid (absent: none).'),
  attr('type', 'IFLA_TUN_TYPE', 3, 'u8', 'IFF_TUN (1) or IFF_TAP (2).'),
  attr('pi', 'IFLA_TUN_PI', 4, 'u8', 'Packet information header.'),
  attr('vnetHdr', 'IFLA_TUN_VNET_HDR', 5, 'u8', 'virtio-net header.'),
  attr('persist', 'IFLA_TUN_PERSIST', 6, 'u8', 'Persistent device.'),
  attr('multiQueue', 'IFLA_TUN_MULTI_QUEUE', 7, 'u8', 'Multi-queue device.'),
  attr('numQueues', 'IFLA_TUN_NUM_QUEUES', 8, 'u32', 'Attached queues.'),
  attr('numDisabledQueues', 'IFLA_TUN_NUM_DISABLED_QUEUES', 9, 'u32', 'Disabled queues.'),
]);

export const tun: LinkKind = {
  kind: 'tun',
  data: tunSchema,
  requires: 'the tun module (CONFIG_TUN) and /dev/net/tun',
  doc: 'A tun (IP) or tap (Ethernet) device read and written by a process.',
};
