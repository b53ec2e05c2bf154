/** macvlan and macvtap share `IFLA_MACVLAN_*` (linux/if_link.h). */
import { attr, defineSchema } from '../codec/schema.js';
import type { LinkKind } from './kind.js';
import { oneOf } from './options.js';

export const macvlanSchema = defineSchema('IFLA_MACVLAN', [
  attr(
    'mode',
    'IFLA_MACVLAN_MODE',
    1,
    'u32',
    'MACVLAN_MODE_* (private 1, vepa 2, bridge 4, passthru 8, source 16).',
  ),
  attr('flags', 'IFLA_MACVLAN_FLAGS', 2, 'u16', 'MACVLAN_FLAG_* (nopromisc 1, nodst 2).'),
  attr('macaddrMode', 'IFLA_MACVLAN_MACADDR_MODE', 3, 'u32', 'Source-mode address list operation.'),
  attr('macaddr', 'IFLA_MACVLAN_MACADDR', 4, 'lladdr', 'Source-mode address.'),
  attr('macaddrData', 'IFLA_MACVLAN_MACADDR_DATA', 5, 'binary', 'Source-mode address list (nested).'),
  attr('macaddrCount', 'IFLA_MACVLAN_MACADDR_COUNT', 6, 'u32', 'Source-mode address count.'),
  attr('bcQueueLen', 'IFLA_MACVLAN_BC_QUEUE_LEN', 7, 'u32', 'Broadcast queue length requested.'),
  attr('bcQueueLenUsed', 'IFLA_MACVLAN_BC_QUEUE_LEN_USED', 8, 'u32', 'Broadcast queue length in use.'),
  attr('bcCutoff', 'IFLA_MACVLAN_BC_CUTOFF', 9, 's32', 'Broadcast cutoff.'),
]);

/** MACVLAN_MODE_* by name, as `ip link ... mode NAME` takes them. */
export const MACVLAN_MODES = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;
/** A macvlan/macvtap mode name. */
export type MacvlanMode = keyof typeof MACVLAN_MODES;

export const macvlan: LinkKind = {
  kind: 'macvlan',
  data: macvlanSchema,
  requires: 'the macvlan module (CONFIG_MACVLAN)',
  options: { mode: oneOf('mode', MACVLAN_MODES) },
  doc: 'A virtual device with its own MAC address on a lower device.',
};

export const macvtap: LinkKind = {
  kind: 'macvtap',
  data: macvlanSchema,
  requires: 'the macvtap module (CONFIG_MACVTAP)',
  options: { mode: oneOf('mode', MACVLAN_MODES) },
  doc: 'A macvlan whose traffic is read through a /dev/tapN character device.',
};
