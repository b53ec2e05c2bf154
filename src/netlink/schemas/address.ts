/** Address attributes (`IFA_*`, linux/if_addr.h). Addresses are IPv4 or IPv6 by length. */
import { attr, defineSchema } from '../codec/schema.js';

export const addressSchema = defineSchema('IFA', [
  attr('address', 'IFA_ADDRESS', 1, 'ip', 'Prefix address (the peer on point-to-point links).'),
  attr('local', 'IFA_LOCAL', 2, 'ip', 'Local address.'),
  attr('label', 'IFA_LABEL', 3, 'string', 'Label (IPv4), such as "eth0:1".'),
  attr('broadcast', 'IFA_BROADCAST', 4, 'ip', 'Broadcast address (IPv4).'),
  attr('anycast', 'IFA_ANYCAST', 5, 'ip', 'Anycast address.'),
  attr('cacheinfo', 'IFA_CACHEINFO', 6, 'binary', 'struct ifa_cacheinfo (lifetimes).'),
  attr('multicast', 'IFA_MULTICAST', 7, 'ip', 'Multicast address.'),
  attr('flags', 'IFA_FLAGS', 8, 'u32', 'IFA_F_* flags (32-bit).'),
  attr('rtPriority', 'IFA_RT_PRIORITY', 9, 'u32', 'Metric of the prefix route.'),
  attr('targetNetnsid', 'IFA_TARGET_NETNSID', 10, 's32', 'Operate in the namespace with this id.'),
  attr('proto', 'IFA_PROTO', 11, 'u8', 'Who added the address (IFAPROT_*).'),
]);
