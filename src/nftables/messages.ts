/**
 * nf_tables messages: the netlink header, `struct nfgenmsg`, and the attributes of each message
 * kind in libnftnl's order (test/nftables/golden.test.ts compares them byte for byte with what
 * `nft` sends). A batch is BATCH_BEGIN, the changes, BATCH_END: the kernel applies it whole or
 * not at all.
 */
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
} from '../netlink/codec/constants.js';
import { ByteWriter } from '../netlink/codec/writer.js';
import { be32, be64, binary, nest, strz } from './attrs.js';
import * as C from './constants.js';
import { encodeExpr } from './expressions.js';
import type { ChainSpec, Change, Family, RuleSpec } from './model.js';
import { encodeComment } from './udata.js';

const FAMILIES: Record<Family, number> = {
  ip: C.NFPROTO_IPV4,
  ip6: C.NFPROTO_IPV6,
  inet: C.NFPROTO_INET,
  arp: C.NFPROTO_ARP,
  bridge: C.NFPROTO_BRIDGE,
  netdev: C.NFPROTO_NETDEV,
};
const HOOKS: Record<string, number> = {
  prerouting: C.NF_INET_PRE_ROUTING,
  input: C.NF_INET_LOCAL_IN,
  forward: C.NF_INET_FORWARD,
  output: C.NF_INET_LOCAL_OUT,
  postrouting: C.NF_INET_POST_ROUTING,
};

/** The nfgen_family number of a family. */
export function familyNumber(f: Family): number {
  return FAMILIES[f];
}

/** The family of an nfgen_family number (undefined for one this module does not name). */
export function familyName(n: number): Family | undefined {
  for (const [name, v] of Object.entries(FAMILIES)) if (v === n) return name as Family;
  return undefined;
}

/** The hook number of a hook name. */
export function hookNumber(h: string | number): number {
  return typeof h === 'number' ? h : (HOOKS[h] as number);
}

/** The hook name of a number (the number itself when unnamed). */
export function hookName(n: number): string | number {
  for (const [name, v] of Object.entries(HOOKS)) if (v === n) return name;
  return n;
}

/** One message before framing. */
export interface NftMessage {
  /** NFT_MSG_* (without the subsystem byte). */
  type: number;
  /** NLM_F_* besides NLM_F_REQUEST. */
  flags: number;
  family: number;
  /** Writes the attributes. */
  attrs: (w: ByteWriter) => void;
  /** How errors name it: `NFT_MSG_NEWRULE ip filter os-vif-filter-top`. */
  describe: string;
}

function writeHeader(
  w: ByteWriter,
  type: number,
  flags: number,
  seq: number,
  family: number,
  resId: number,
): number {
  const start = w.length;
  w.u32(0);
  w.u16(type);
  w.u16(flags);
  w.u32(seq >>> 0);
  w.u32(0);
  w.u8(family);
  w.u8(C.NFNETLINK_V0);
  w.u8(resId >> 8);
  w.u8(resId & 0xff);
  return start;
}

/** Appends one framed message at `seq`. */
export function writeMessage(w: ByteWriter, m: NftMessage, seq: number, ack: boolean): void {
  const type = (C.NFNL_SUBSYS_NFTABLES << 8) | m.type;
  const start = writeHeader(w, type, NLM_F_REQUEST | m.flags | (ack ? NLM_F_ACK : 0), seq, m.family, 0);
  m.attrs(w);
  w.patchU32(start, w.length - start);
  w.align();
}

function batchMarker(w: ByteWriter, type: number, seq: number, generation?: number): void {
  const start = writeHeader(w, type, NLM_F_REQUEST, seq, 0, C.NFNL_SUBSYS_NFTABLES);
  if (generation !== undefined) be32(w, C.NFNL_BATCH_GENID, generation);
  w.patchU32(start, w.length - start);
}

/** Options of {@link encodeBatch}. */
export interface BatchOptions {
  /** Sequence number of BATCH_BEGIN; message i gets seq + 1 + i, BATCH_END the next. */
  seq: number;
  /** Ask for an ACK of every message (NLM_F_ACK); `nft` asks for none. */
  ack: boolean;
  /** NFNL_BATCH_GENID: refuse the batch (ERESTART) unless the ruleset is at this generation. */
  generation?: number;
}

/** A framed batch: BATCH_BEGIN, `messages`, BATCH_END in one datagram. */
export function encodeBatch(messages: readonly NftMessage[], o: BatchOptions): Uint8Array {
  const w = new ByteWriter(256 + messages.length * 256);
  batchMarker(w, C.NFNL_MSG_BATCH_BEGIN, o.seq, o.generation);
  for (const [i, m] of messages.entries()) writeMessage(w, m, o.seq + 1 + i, o.ack);
  batchMarker(w, C.NFNL_MSG_BATCH_END, o.seq + 1 + messages.length);
  return w.finish();
}

/** A lone request (a GET) framed at `seq`. */
export function encodeRequest(m: NftMessage, seq: number, ack: boolean): Uint8Array {
  const w = new ByteWriter(128);
  writeMessage(w, m, seq, ack);
  return w.finish();
}

function ruleAttrs(r: RuleSpec): (w: ByteWriter) => void {
  return (w) => {
    strz(w, C.NFTA_RULE_TABLE, r.table);
    strz(w, C.NFTA_RULE_CHAIN, r.chain);
    if (r.exprs.length)
      nest(w, C.NFTA_RULE_EXPRESSIONS, (w) => {
        for (const e of r.exprs) encodeExpr(w, e);
      });
    if (r.compat) {
      const compat = r.compat;
      nest(w, C.NFTA_RULE_COMPAT, (w) => {
        be32(w, C.NFTA_RULE_COMPAT_PROTO, compat.proto);
        be32(w, C.NFTA_RULE_COMPAT_FLAGS, compat.flags);
      });
    }
    if (r.comment !== undefined) binary(w, C.NFTA_RULE_USERDATA, encodeComment(r.comment));
  };
}

function chainAttrs(c: ChainSpec): (w: ByteWriter) => void {
  return (w) => {
    strz(w, C.NFTA_CHAIN_TABLE, c.table);
    strz(w, C.NFTA_CHAIN_NAME, c.name);
    const hook = c.hook;
    if (hook) {
      // libnftnl's order: type, policy, then the hook
      strz(w, C.NFTA_CHAIN_TYPE, c.type ?? 'filter');
      be32(w, C.NFTA_CHAIN_POLICY, c.policy === 'drop' ? C.NF_DROP : C.NF_ACCEPT);
      nest(w, C.NFTA_CHAIN_HOOK, (w) => {
        be32(w, C.NFTA_HOOK_HOOKNUM, hookNumber(hook.hook));
        be32(w, C.NFTA_HOOK_PRIORITY, hook.priority);
      });
    }
  };
}

/** The message of one change. */
export function changeMessage(c: Change): NftMessage {
  switch (c.op) {
    case 'addTable':
      return {
        type: C.NFT_MSG_NEWTABLE,
        flags: 0,
        family: familyNumber(c.table.family),
        describe: `NFT_MSG_NEWTABLE ${c.table.family} ${c.table.name}`,
        attrs: (w) => {
          strz(w, C.NFTA_TABLE_NAME, c.table.name);
          be32(w, C.NFTA_TABLE_FLAGS, 0);
        },
      };
    case 'addChain':
      return {
        type: C.NFT_MSG_NEWCHAIN,
        flags: NLM_F_CREATE | (c.exclusive ? NLM_F_EXCL : 0),
        family: familyNumber(c.chain.family),
        describe: `NFT_MSG_NEWCHAIN ${c.chain.family} ${c.chain.table} ${c.chain.name}`,
        attrs: chainAttrs(c.chain),
      };
    case 'addRule':
      return {
        type: C.NFT_MSG_NEWRULE,
        flags: NLM_F_CREATE | (c.rule.insert ? 0 : C.NLM_F_APPEND),
        family: familyNumber(c.rule.family),
        describe: `NFT_MSG_NEWRULE ${c.rule.family} ${c.rule.table} ${c.rule.chain}`,
        attrs: ruleAttrs(c.rule),
      };
    case 'deleteRule':
      return {
        type: C.NFT_MSG_DELRULE,
        flags: 0,
        family: familyNumber(c.family),
        describe: `NFT_MSG_DELRULE ${c.family} ${c.table} ${c.chain} handle ${c.handle}`,
        attrs: (w) => {
          strz(w, C.NFTA_RULE_TABLE, c.table);
          strz(w, C.NFTA_RULE_CHAIN, c.chain);
          be64(w, C.NFTA_RULE_HANDLE, c.handle);
        },
      };
    case 'flushChain':
      return {
        type: C.NFT_MSG_DELRULE,
        flags: 0,
        family: familyNumber(c.family),
        describe: `NFT_MSG_DELRULE ${c.family} ${c.table} ${c.chain} (flush)`,
        attrs: (w) => {
          strz(w, C.NFTA_RULE_TABLE, c.table);
          strz(w, C.NFTA_RULE_CHAIN, c.chain);
        },
      };
    case 'deleteChain':
      return {
        type: C.NFT_MSG_DELCHAIN,
        flags: 0,
        family: familyNumber(c.family),
        describe: `NFT_MSG_DELCHAIN ${c.family} ${c.table} ${c.name}`,
        attrs: (w) => {
          strz(w, C.NFTA_CHAIN_TABLE, c.table);
          strz(w, C.NFTA_CHAIN_NAME, c.name);
        },
      };
    case 'deleteTable':
      return {
        type: C.NFT_MSG_DELTABLE,
        flags: 0,
        family: familyNumber(c.family),
        describe: `NFT_MSG_DELTABLE ${c.family} ${c.name}`,
        attrs: (w) => strz(w, C.NFTA_TABLE_NAME, c.name),
      };
  }
}

/** NFT_MSG_GETGEN. */
export function getGenMessage(): NftMessage {
  return { type: C.NFT_MSG_GETGEN, flags: 0, family: 0, describe: 'NFT_MSG_GETGEN', attrs: () => {} };
}

/** A GETTABLE dump (every family when `family` is absent). */
export function getTablesMessage(family?: Family): NftMessage {
  return {
    type: C.NFT_MSG_GETTABLE,
    flags: NLM_F_DUMP,
    family: family ? familyNumber(family) : 0,
    describe: `NFT_MSG_GETTABLE ${family ?? 'any'}`,
    attrs: () => {},
  };
}

/** A GETCHAIN dump, of one table when given. */
export function getChainsMessage(family?: Family, table?: string): NftMessage {
  return {
    type: C.NFT_MSG_GETCHAIN,
    flags: NLM_F_DUMP,
    family: family ? familyNumber(family) : 0,
    describe: `NFT_MSG_GETCHAIN ${family ?? 'any'} ${table ?? ''}`.trimEnd(),
    attrs: (w) => {
      if (table !== undefined) strz(w, C.NFTA_CHAIN_TABLE, table);
    },
  };
}

/** A GETCHAIN of one chain (not a dump). */
export function getChainMessage(family: Family, table: string, name: string): NftMessage {
  return {
    type: C.NFT_MSG_GETCHAIN,
    flags: 0,
    family: familyNumber(family),
    describe: `NFT_MSG_GETCHAIN ${family} ${table} ${name}`,
    attrs: (w) => {
      strz(w, C.NFTA_CHAIN_TABLE, table);
      strz(w, C.NFTA_CHAIN_NAME, name);
    },
  };
}

/** A GETRULE dump, of one table or chain when given. */
export function getRulesMessage(family?: Family, table?: string, chain?: string): NftMessage {
  return {
    type: C.NFT_MSG_GETRULE,
    flags: NLM_F_DUMP,
    family: family ? familyNumber(family) : 0,
    describe: `NFT_MSG_GETRULE ${family ?? 'any'} ${table ?? ''} ${chain ?? ''}`.trimEnd(),
    attrs: (w) => {
      if (table !== undefined) strz(w, C.NFTA_RULE_TABLE, table);
      if (chain !== undefined) strz(w, C.NFTA_RULE_CHAIN, chain);
    },
  };
}
