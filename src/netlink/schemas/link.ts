/**
 * Link attributes (linux/if_link.h `IFLA_*`) and the link-info nest (`IFLA_INFO_*`), whose
 * kind-specific data schemas come from `../kinds/`.
 */
import type { Attr } from '../codec/attributes.js';
import { findAttr } from '../codec/attributes.js';
import { type AttrSchema, attr, defineSchema } from '../codec/schema.js';
import { kindByName } from '../kinds/registry.js';

function siblingString(siblings: readonly Attr[], type: number): string | undefined {
  const v = findAttr(siblings, type)?.value;
  return typeof v === 'string' ? v : undefined;
}

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;
export const IFLA_INFO_SLAVE_DATA = 5;

/** `IFLA_LINKINFO` contents. */
export const linkInfoSchema: AttrSchema = defineSchema('IFLA_INFO', [
  attr('kind', 'IFLA_INFO_KIND', IFLA_INFO_KIND, 'string', 'Link kind, such as "bridge" or "veth".'),
  attr('data', 'IFLA_INFO_DATA', IFLA_INFO_DATA, 'nested', 'Kind-specific attributes.', {
    resolve: (s) => kindByName(siblingString(s, IFLA_INFO_KIND))?.data,
  }),
  attr('xstats', 'IFLA_INFO_XSTATS', 3, 'binary', 'Kind-specific statistics.'),
  attr('slaveKind', 'IFLA_INFO_SLAVE_KIND', IFLA_INFO_SLAVE_KIND, 'string', 'Kind of the master device.'),
  attr(
    'slaveData',
    'IFLA_INFO_SLAVE_DATA',
    IFLA_INFO_SLAVE_DATA,
    'nested',
    'Port attributes owned by the master.',
    {
      resolve: (s) => kindByName(siblingString(s, IFLA_INFO_SLAVE_KIND))?.slaveData,
    },
  ),
]);

/** Alternative names (`IFLA_PROP_LIST`). */
export const propListSchema: AttrSchema = defineSchema('IFLA_PROP_LIST', [
  attr('altName', 'IFLA_ALT_IFNAME', 53, 'string', 'An alternative interface name.'),
]);

/** Top-level link attributes. */
export const linkSchema: AttrSchema = defineSchema('IFLA', [
  attr('address', 'IFLA_ADDRESS', 1, 'lladdr', 'Hardware address.'),
  attr('broadcast', 'IFLA_BROADCAST', 2, 'lladdr', 'Hardware broadcast address.'),
  attr('name', 'IFLA_IFNAME', 3, 'string', 'Interface name.'),
  attr('mtu', 'IFLA_MTU', 4, 'u32', 'MTU in bytes.'),
  attr('link', 'IFLA_LINK', 5, 'u32', 'Index of the lower device (macvlan, vxlan, veth peer).'),
  attr('qdisc', 'IFLA_QDISC', 6, 'string', 'Root queueing discipline.'),
  attr('stats', 'IFLA_STATS', 7, 'binary', 'struct rtnl_link_stats (32-bit counters).'),
  attr('master', 'IFLA_MASTER', 10, 'u32', 'Index of the master device (bridge); 0 detaches.'),
  attr('protinfo', 'IFLA_PROTINFO', 12, 'binary', 'Protocol-specific information.'),
  attr('txqueuelen', 'IFLA_TXQLEN', 13, 'u32', 'Transmit queue length.'),
  attr('map', 'IFLA_MAP', 14, 'binary', 'struct rtnl_link_ifmap.'),
  attr('operstate', 'IFLA_OPERSTATE', 16, 'u8', 'RFC 2863 operational state (IF_OPER_*).'),
  attr('linkmode', 'IFLA_LINKMODE', 17, 'u8', 'Link mode (0 default, 1 dormant).'),
  attr('linkinfo', 'IFLA_LINKINFO', 18, 'nested', 'Kind and kind-specific data.', {
    nested: () => linkInfoSchema,
  }),
  attr('netnsPid', 'IFLA_NET_NS_PID', 19, 'u32', 'Move to the network namespace of this pid.'),
  attr('alias', 'IFLA_IFALIAS', 20, 'string', 'Interface alias.'),
  attr('numVf', 'IFLA_NUM_VF', 21, 'u32', 'Number of SR-IOV virtual functions.'),
  attr('stats64', 'IFLA_STATS64', 23, 'binary', 'struct rtnl_link_stats64.'),
  attr('afSpec', 'IFLA_AF_SPEC', 26, 'binary', 'Per address family data.'),
  attr('group', 'IFLA_GROUP', 27, 'u32', 'Device group.'),
  attr('netnsFd', 'IFLA_NET_NS_FD', 28, 'u32', 'Move to the network namespace of this fd.'),
  attr('extMask', 'IFLA_EXT_MASK', 29, 'u32', 'RTEXT_FILTER_* mask for dumps.'),
  attr('promiscuity', 'IFLA_PROMISCUITY', 30, 'u32', 'Promiscuity count.'),
  attr('numTxQueues', 'IFLA_NUM_TX_QUEUES', 31, 'u32', 'Number of transmit queues.'),
  attr('numRxQueues', 'IFLA_NUM_RX_QUEUES', 32, 'u32', 'Number of receive queues.'),
  attr('carrier', 'IFLA_CARRIER', 33, 'u8', 'Carrier state.'),
  attr('physPortId', 'IFLA_PHYS_PORT_ID', 34, 'binary', 'Physical port id.'),
  attr('carrierChanges', 'IFLA_CARRIER_CHANGES', 35, 'u32', 'Carrier changes since creation.'),
  attr('physSwitchId', 'IFLA_PHYS_SWITCH_ID', 36, 'binary', 'Physical switch id.'),
  attr('linkNetnsid', 'IFLA_LINK_NETNSID', 37, 's32', 'Netns id of the peer/lower device.'),
  attr('physPortName', 'IFLA_PHYS_PORT_NAME', 38, 'string', 'Physical port name.'),
  attr('protoDown', 'IFLA_PROTO_DOWN', 39, 'u8', 'Protocol down.'),
  attr('gsoMaxSegs', 'IFLA_GSO_MAX_SEGS', 40, 'u32', 'GSO maximum segments.'),
  attr('gsoMaxSize', 'IFLA_GSO_MAX_SIZE', 41, 'u32', 'GSO maximum size.'),
  attr('pad', 'IFLA_PAD', 42, 'binary', 'Alignment padding.'),
  attr('xdp', 'IFLA_XDP', 43, 'binary', 'XDP program information.'),
  attr('event', 'IFLA_EVENT', 44, 'u32', 'Reason of a notification (IFLA_EVENT_*).'),
  attr('newNetnsid', 'IFLA_NEW_NETNSID', 45, 's32', 'Netns id the device moved to.'),
  attr('targetNetnsid', 'IFLA_TARGET_NETNSID', 46, 's32', 'Operate in the namespace with this id.'),
  attr('carrierUpCount', 'IFLA_CARRIER_UP_COUNT', 47, 'u32', 'Carrier up transitions.'),
  attr('carrierDownCount', 'IFLA_CARRIER_DOWN_COUNT', 48, 'u32', 'Carrier down transitions.'),
  attr('newIfindex', 'IFLA_NEW_IFINDEX', 49, 's32', 'Index after a namespace move.'),
  attr('minMtu', 'IFLA_MIN_MTU', 50, 'u32', 'Smallest MTU the device accepts.'),
  attr('maxMtu', 'IFLA_MAX_MTU', 51, 'u32', 'Largest MTU the device accepts.'),
  attr('propList', 'IFLA_PROP_LIST', 52, 'nested', 'Property list (alternative names).', {
    nested: () => propListSchema,
  }),
  attr('altName', 'IFLA_ALT_IFNAME', 53, 'string', 'Alternative name (in requests).'),
  attr('permAddress', 'IFLA_PERM_ADDRESS', 54, 'lladdr', 'Permanent hardware address.'),
  attr('protoDownReason', 'IFLA_PROTO_DOWN_REASON', 55, 'binary', 'Reasons for protocol down.'),
  attr('parentDevName', 'IFLA_PARENT_DEV_NAME', 56, 'string', 'Parent device name.'),
  attr('parentDevBusName', 'IFLA_PARENT_DEV_BUS_NAME', 57, 'string', 'Parent device bus.'),
  attr('groMaxSize', 'IFLA_GRO_MAX_SIZE', 58, 'u32', 'GRO maximum size.'),
  attr('tsoMaxSize', 'IFLA_TSO_MAX_SIZE', 59, 'u32', 'TSO maximum size.'),
  attr('tsoMaxSegs', 'IFLA_TSO_MAX_SEGS', 60, 'u32', 'TSO maximum segments.'),
  attr('allmulti', 'IFLA_ALLMULTI', 61, 'u32', 'Allmulti count.'),
  attr('gsoIpv4MaxSize', 'IFLA_GSO_IPV4_MAX_SIZE', 63, 'u32', 'GSO maximum size for IPv4.'),
  attr('groIpv4MaxSize', 'IFLA_GRO_IPV4_MAX_SIZE', 64, 'u32', 'GRO maximum size for IPv4.'),
]);
