/**
 * nf_tables and nfnetlink numbers (linux/netfilter/nf_tables.h, nfnetlink.h, netfilter.h);
 * test/nftables/uapi.test.ts compiles them against the system's headers.
 */

export const NETLINK_NETFILTER = 12;
/** NLM_F_APPEND: add a rule at the end of its chain. */
export const NLM_F_APPEND = 0x800;
export const NFNETLINK_V0 = 0;
export const NFNL_SUBSYS_NFTABLES = 10;
export const NFNL_MSG_BATCH_BEGIN = 16;
export const NFNL_MSG_BATCH_END = 17;
export const NFNL_BATCH_GENID = 1;

export const NFT_MSG_NEWTABLE = 0;
export const NFT_MSG_GETTABLE = 1;
export const NFT_MSG_DELTABLE = 2;
export const NFT_MSG_NEWCHAIN = 3;
export const NFT_MSG_GETCHAIN = 4;
export const NFT_MSG_DELCHAIN = 5;
export const NFT_MSG_NEWRULE = 6;
export const NFT_MSG_GETRULE = 7;
export const NFT_MSG_DELRULE = 8;
export const NFT_MSG_NEWGEN = 15;
export const NFT_MSG_GETGEN = 16;

export const NFTA_TABLE_NAME = 1;
export const NFTA_TABLE_FLAGS = 2;
export const NFTA_TABLE_USE = 3;
export const NFTA_TABLE_HANDLE = 4;

export const NFTA_CHAIN_TABLE = 1;
export const NFTA_CHAIN_HANDLE = 2;
export const NFTA_CHAIN_NAME = 3;
export const NFTA_CHAIN_HOOK = 4;
export const NFTA_CHAIN_POLICY = 5;
export const NFTA_CHAIN_USE = 6;
export const NFTA_CHAIN_TYPE = 7;
export const NFTA_CHAIN_FLAGS = 10;

export const NFTA_HOOK_HOOKNUM = 1;
export const NFTA_HOOK_PRIORITY = 2;

export const NFTA_RULE_TABLE = 1;
export const NFTA_RULE_CHAIN = 2;
export const NFTA_RULE_HANDLE = 3;
export const NFTA_RULE_EXPRESSIONS = 4;
export const NFTA_RULE_COMPAT = 5;
export const NFTA_RULE_POSITION = 6;
export const NFTA_RULE_USERDATA = 7;

export const NFTA_RULE_COMPAT_PROTO = 1;
export const NFTA_RULE_COMPAT_FLAGS = 2;

export const NFTA_LIST_ELEM = 1;
export const NFTA_EXPR_NAME = 1;
export const NFTA_EXPR_DATA = 2;

export const NFTA_IMMEDIATE_DREG = 1;
export const NFTA_IMMEDIATE_DATA = 2;
export const NFTA_DATA_VALUE = 1;
export const NFTA_DATA_VERDICT = 2;
export const NFTA_VERDICT_CODE = 1;
export const NFTA_VERDICT_CHAIN = 2;

export const NFTA_META_DREG = 1;
export const NFTA_META_KEY = 2;

export const NFTA_CMP_SREG = 1;
export const NFTA_CMP_OP = 2;
export const NFTA_CMP_DATA = 3;

export const NFTA_COUNTER_BYTES = 1;
export const NFTA_COUNTER_PACKETS = 2;

export const NFTA_TARGET_NAME = 1;
export const NFTA_TARGET_REV = 2;
export const NFTA_TARGET_INFO = 3;

export const NFTA_REJECT_TYPE = 1;
export const NFTA_REJECT_ICMP_CODE = 2;

export const NFTA_GEN_ID = 1;

export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NFT_CONTINUE = -1;
export const NFT_JUMP = -3;
export const NFT_GOTO = -4;
export const NFT_RETURN = -5;

export const NFT_REG_VERDICT = 0;
export const NFT_REG_1 = 1;

export const NFT_META_IIF = 4;
export const NFT_META_OIF = 5;
export const NFT_META_IIFNAME = 6;
export const NFT_META_OIFNAME = 7;
export const NFT_META_NFPROTO = 15;
export const NFT_META_L4PROTO = 16;

export const NFPROTO_INET = 1;
export const NFPROTO_IPV4 = 2;
export const NFPROTO_ARP = 3;
export const NFPROTO_NETDEV = 5;
export const NFPROTO_BRIDGE = 7;
export const NFPROTO_IPV6 = 10;

export const NF_INET_PRE_ROUTING = 0;
export const NF_INET_LOCAL_IN = 1;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;

/** IFNAMSIZ: `nft` compares interface names on all 16 bytes. */
export const IFNAMSIZ = 16;
/** The longest chain name iptables-nft accepts (XT_EXTENSION_MAXNAMELEN - 1). */
export const XT_CHAIN_MAXLEN = 28;
/** IPT_ICMP_PORT_UNREACHABLE of `struct ipt_reject_info`. */
export const IPT_ICMP_PORT_UNREACHABLE = 3;
/** NFTNL_UDATA_RULE_COMMENT: the comment TLV of a rule's userdata. */
export const NFTNL_UDATA_RULE_COMMENT = 0;
