/**
 * The rule model: tables, chains, rules and their expressions as this module writes and lists
 * them. Expressions mirror the kernel's (`meta` loads a key into a register, `cmp` compares a
 * register, `immediate` sets the verdict register), so whatever `nft` or `iptables-nft` wrote
 * lists back without loss; expressions this module does not decode keep their name and bytes.
 */

/** Address families of nf_tables (`nfgen_family`). */
export type Family = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

/** A verdict, as `immediate` writes it into the verdict register. */
export type Verdict =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'return' }
  | { kind: 'continue' }
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string };

/** `meta` keys this module names; others list as their number. */
export type MetaKey = 'iifname' | 'oifname' | 'iif' | 'oif' | 'nfproto' | 'l4proto' | number;

/** `cmp` operators (enum nft_cmp_ops). */
export type CmpOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

/** One expression of a rule. */
export type Expr =
  /** Loads a packet's meta key (`iifname`: the input interface name, 16 bytes) into `dreg`. */
  | { kind: 'meta'; key: MetaKey; dreg: number }
  /** Compares register `sreg` with `data` (as many bytes as `data` holds). */
  | { kind: 'cmp'; op: CmpOp; sreg: number; data: Uint8Array }
  /** Counts packets and bytes (a new rule starts at 0). */
  | { kind: 'counter'; packets: bigint; bytes: bigint }
  /** Sets the verdict register: the rule's verdict. */
  | { kind: 'immediate'; verdict: Verdict }
  /** Native reject (`reject with icmp type port-unreachable` is type 0 code 3). */
  | { kind: 'reject'; type: number; code: number }
  /**
   * An x_tables target through nft_compat, as iptables-nft writes a target it has no native
   * translation for (`-j REJECT`: name `REJECT`, revision 0, `info` the target's struct).
   */
  | { kind: 'target'; name: string; rev: number; info: Uint8Array }
  /** An x_tables match through nft_compat (`-m comment` as iptables-nft writes it). */
  | { kind: 'match'; name: string; rev: number; info: Uint8Array }
  /** An expression this module does not decode: its name and its NFTA_EXPR_DATA bytes. */
  | { kind: 'unknown'; name: string; data: Uint8Array };

/** A base chain's hook. */
export interface ChainHook {
  /** Netfilter hook: `prerouting`, `input`, `forward`, `output`, `postrouting` (or its number). */
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | number;
  /** Priority; 0 is `filter`. */
  priority: number;
}

/** A table to create. */
export interface TableSpec {
  family: Family;
  name: string;
}

/** A table as listed. */
export interface Table extends TableSpec {
  handle: bigint;
  /** NFT_TABLE_F_* flags. */
  flags: number;
  /** Chains, sets and other objects in it. */
  use: number;
}

/** A chain to create: a regular chain, or a base chain when `hook` is given. */
export interface ChainSpec {
  family: Family;
  table: string;
  name: string;
  /** Makes it a base chain, attached to this hook. */
  hook?: ChainHook;
  /** Base chain type (default `filter`). */
  type?: 'filter' | 'nat' | 'route';
  /** Base chain policy (default `accept`). */
  policy?: 'accept' | 'drop';
}

/** A chain as listed. */
export interface Chain extends ChainSpec {
  handle: bigint;
  /** References to it: the rules that jump to it. */
  use: number;
}

/** A rule to add. */
export interface RuleSpec {
  family: Family;
  table: string;
  chain: string;
  exprs: Expr[];
  /**
   * The comment `nft` shows (`comment "..."`), stored as NFTA_RULE_USERDATA exactly as `nft`
   * writes it: this module's tag.
   */
  comment?: string;
  /** Inserts at the head of the chain (position 0) instead of appending. */
  insert?: boolean;
  /** NFTA_RULE_COMPAT, as iptables-nft writes it with an x_tables target (protocol, flags). */
  compat?: { proto: number; flags: number };
}

/** A rule as listed. */
export interface Rule extends RuleSpec {
  /** The kernel's handle: stable for the rule's life, unique within its table. */
  handle: bigint;
  /** Userdata that is not a comment TLV, kept as bytes (a rule written by another tool). */
  userdata?: Uint8Array;
}

/** One change of a batch; a batch is applied whole or not at all. */
export type Change =
  /** NFT_MSG_NEWTABLE; an existing table is left as it is. */
  | { op: 'addTable'; table: TableSpec }
  /**
   * NFT_MSG_NEWCHAIN; an existing chain is left as it is, unless `exclusive`: then the whole
   * batch fails with EEXIST (an atomic "only if absent").
   */
  | { op: 'addChain'; chain: ChainSpec; exclusive?: boolean }
  /** NFT_MSG_NEWRULE. */
  | { op: 'addRule'; rule: RuleSpec }
  /** NFT_MSG_DELRULE of one rule by its handle. */
  | { op: 'deleteRule'; family: Family; table: string; chain: string; handle: bigint }
  /** NFT_MSG_DELRULE without a handle: every rule of the chain. */
  | { op: 'flushChain'; family: Family; table: string; chain: string }
  /** NFT_MSG_DELCHAIN (the chain must be empty and unreferenced by the end of the batch). */
  | { op: 'deleteChain'; family: Family; table: string; name: string }
  /** NFT_MSG_DELTABLE (and everything in it). */
  | { op: 'deleteTable'; family: Family; name: string };
