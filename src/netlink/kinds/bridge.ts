/** Linux bridge: `IFLA_BR_*` (linux/if_link.h). Times are in centiseconds (USER_HZ), as `ip -d` shows them. */
import { attr, defineSchema } from '../codec/schema.js';
import { bridgePortSchema } from './bridge-port.js';
import type { LinkKind } from './kind.js';
import { bool, int } from './options.js';

export const bridgeSchema = defineSchema('IFLA_BR', [
  attr('forwardDelay', 'IFLA_BR_FORWARD_DELAY', 1, 'u32', 'STP forward delay (centiseconds).'),
  attr('helloTime', 'IFLA_BR_HELLO_TIME', 2, 'u32', 'STP hello time (centiseconds).'),
  attr('maxAge', 'IFLA_BR_MAX_AGE', 3, 'u32', 'STP max message age (centiseconds).'),
  attr('ageingTime', 'IFLA_BR_AGEING_TIME', 4, 'u32', 'FDB entry ageing time (centiseconds).'),
  attr('stpState', 'IFLA_BR_STP_STATE', 5, 'u32', 'STP: 0 off, 1 kernel STP, 2 user STP.'),
  attr('priority', 'IFLA_BR_PRIORITY', 6, 'u16', 'Bridge priority.'),
  attr('vlanFiltering', 'IFLA_BR_VLAN_FILTERING', 7, 'u8', 'VLAN filtering on (1) or off (0).'),
  attr('vlanProtocol', 'IFLA_BR_VLAN_PROTOCOL', 8, 'be16', 'VLAN ethertype (0x8100 or 0x88a8).'),
  attr('groupFwdMask', 'IFLA_BR_GROUP_FWD_MASK', 9, 'u16', 'Link-local group forwarding mask.'),
  attr('rootId', 'IFLA_BR_ROOT_ID', 10, 'binary', 'struct ifla_bridge_id of the root bridge.'),
  attr('bridgeId', 'IFLA_BR_BRIDGE_ID', 11, 'binary', 'struct ifla_bridge_id of this bridge.'),
  attr('rootPort', 'IFLA_BR_ROOT_PORT', 12, 'u16', 'Root port number.'),
  attr('rootPathCost', 'IFLA_BR_ROOT_PATH_COST', 13, 'u32', 'Root path cost.'),
  attr('topologyChange', 'IFLA_BR_TOPOLOGY_CHANGE', 14, 'u8', 'Topology change flag.'),
  attr('topologyChangeDetected', 'IFLA_BR_TOPOLOGY_CHANGE_DETECTED', 15, 'u8', 'Topology change detected.'),
  attr('helloTimer', 'IFLA_BR_HELLO_TIMER', 16, 'u64', 'Hello timer (centiseconds).'),
  attr('tcnTimer', 'IFLA_BR_TCN_TIMER', 17, 'u64', 'TCN timer (centiseconds).'),
  attr('topologyChangeTimer', 'IFLA_BR_TOPOLOGY_CHANGE_TIMER', 18, 'u64', 'Topology change timer.'),
  attr('gcTimer', 'IFLA_BR_GC_TIMER', 19, 'u64', 'FDB garbage collection timer.'),
  attr('groupAddr', 'IFLA_BR_GROUP_ADDR', 20, 'lladdr', 'STP group address.'),
  attr('fdbFlush', 'IFLA_BR_FDB_FLUSH', 21, 'flag', 'Flush the FDB (request only).'),
  attr('mcastRouter', 'IFLA_BR_MCAST_ROUTER', 22, 'u8', 'Multicast router mode.'),
  attr('mcastSnooping', 'IFLA_BR_MCAST_SNOOPING', 23, 'u8', 'IGMP/MLD snooping on (1) or off (0).'),
  attr(
    'mcastQueryUseIfaddr',
    'IFLA_BR_MCAST_QUERY_USE_IFADDR',
    24,
    'u8',
    'Use the bridge address in queries.',
  ),
  attr('mcastQuerier', 'IFLA_BR_MCAST_QUERIER', 25, 'u8', 'Act as multicast querier.'),
  attr('mcastHashElasticity', 'IFLA_BR_MCAST_HASH_ELASTICITY', 26, 'u32', 'Multicast hash elasticity.'),
  attr('mcastHashMax', 'IFLA_BR_MCAST_HASH_MAX', 27, 'u32', 'Multicast hash table size.'),
  attr('mcastLastMemberCnt', 'IFLA_BR_MCAST_LAST_MEMBER_CNT', 28, 'u32', 'Last member count.'),
  attr('mcastStartupQueryCnt', 'IFLA_BR_MCAST_STARTUP_QUERY_CNT', 29, 'u32', 'Startup query count.'),
  attr('mcastLastMemberIntvl', 'IFLA_BR_MCAST_LAST_MEMBER_INTVL', 30, 'u64', 'Last member interval.'),
  attr('mcastMembershipIntvl', 'IFLA_BR_MCAST_MEMBERSHIP_INTVL', 31, 'u64', 'Membership interval.'),
  attr('mcastQuerierIntvl', 'IFLA_BR_MCAST_QUERIER_INTVL', 32, 'u64', 'Querier interval.'),
  attr('mcastQueryIntvl', 'IFLA_BR_MCAST_QUERY_INTVL', 33, 'u64', 'Query interval.'),
  attr(
    'mcastQueryResponseIntvl',
    'IFLA_BR_MCAST_QUERY_RESPONSE_INTVL',
    34,
    'u64',
    'Query response interval.',
  ),
  attr('mcastStartupQueryIntvl', 'IFLA_BR_MCAST_STARTUP_QUERY_INTVL', 35, 'u64', 'Startup query interval.'),
  attr('nfCallIptables', 'IFLA_BR_NF_CALL_IPTABLES', 36, 'u8', 'Pass bridged IPv4 to iptables.'),
  attr('nfCallIp6tables', 'IFLA_BR_NF_CALL_IP6TABLES', 37, 'u8', 'Pass bridged IPv6 to ip6tables.'),
  attr('nfCallArptables', 'IFLA_BR_NF_CALL_ARPTABLES', 38, 'u8', 'Pass bridged ARP to arptables.'),
  attr('vlanDefaultPvid', 'IFLA_BR_VLAN_DEFAULT_PVID', 39, 'u16', 'Default PVID.'),
  attr('pad', 'IFLA_BR_PAD', 40, 'binary', 'Alignment padding.'),
  attr('vlanStatsEnabled', 'IFLA_BR_VLAN_STATS_ENABLED', 41, 'u8', 'Per-VLAN statistics.'),
  attr('mcastStatsEnabled', 'IFLA_BR_MCAST_STATS_ENABLED', 42, 'u8', 'Multicast statistics.'),
  attr('mcastIgmpVersion', 'IFLA_BR_MCAST_IGMP_VERSION', 43, 'u8', 'IGMP version.'),
  attr('mcastMldVersion', 'IFLA_BR_MCAST_MLD_VERSION', 44, 'u8', 'MLD version.'),
  attr('vlanStatsPerPort', 'IFLA_BR_VLAN_STATS_PER_PORT', 45, 'u8', 'Per-port VLAN statistics.'),
  attr('multiBoolopt', 'IFLA_BR_MULTI_BOOLOPT', 46, 'binary', 'struct br_boolopt_multi.'),
  attr('mcastQuerierState', 'IFLA_BR_MCAST_QUERIER_STATE', 47, 'binary', 'Querier state (nested).'),
  attr('fdbNLearned', 'IFLA_BR_FDB_N_LEARNED', 48, 'u32', 'Learned FDB entries.'),
  attr('fdbMaxLearned', 'IFLA_BR_FDB_MAX_LEARNED', 49, 'u32', 'Limit of learned FDB entries.'),
]);

export const bridge: LinkKind = {
  kind: 'bridge',
  data: bridgeSchema,
  slaveData: bridgePortSchema,
  options: {
    stpState: bool('stpState'),
    forwardDelay: int('forwardDelay', 0, 0xffffffff),
    helloTime: int('helloTime', 0, 0xffffffff),
    maxAge: int('maxAge', 0, 0xffffffff),
    ageingTime: int('ageingTime', 0, 0xffffffff),
    priority: int('priority', 0, 0xffff),
    multicastSnooping: bool('mcastSnooping'),
    vlanFiltering: bool('vlanFiltering'),
  },
  requires: 'the bridge module (CONFIG_BRIDGE)',
  doc: 'An Ethernet bridge.',
};

/** Formats a struct ifla_bridge_id (u16 priority big-endian, 6-byte address) as ip shows it: `8000.aa:bb:...`. */
export function formatBridgeId(b: Uint8Array): string | undefined {
  if (b.length !== 8) return undefined;
  const prio = ((b[0] << 8) | b[1]).toString(16).padStart(4, '0');
  return `${prio}.${Array.from(b.subarray(2), (x) => x.toString(16).padStart(2, '0')).join(':')}`;
}
