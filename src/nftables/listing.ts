/**
 * Dump answers parsed into the rule model: NFT_MSG_NEWTABLE, NEWCHAIN and NEWRULE messages
 * (what GETTABLE, GETCHAIN and GETRULE return), their nfgenmsg family and attributes. A
 * message of a family this module does not name, or without a name, is skipped.
 */
import type { NlMessage } from '../netlink/codec/message.js';
import { find, readAttrs, readBe32, readBe64, readBeS32, readString } from './attrs.js';
import * as C from './constants.js';
import { NftablesParseError } from './errors.js';
import { decodeExpr } from './expressions.js';
import { familyName, hookName } from './messages.js';
import type { Chain, ChainHook, Expr, Family, Rule, Table } from './model.js';
import { decodeComment } from './udata.js';

const NFGENMSG_LEN = 4;

function body(
  m: NlMessage,
  type: number,
): { family: Family; attrs: ReturnType<typeof readAttrs> } | undefined {
  if (m.type !== ((C.NFNL_SUBSYS_NFTABLES << 8) | type)) return undefined;
  if (m.payload.length < NFGENMSG_LEN) throw new NftablesParseError(`message ${m.type} without nfgenmsg`);
  const family = familyName(m.payload[0] as number);
  if (!family) return undefined;
  return { family, attrs: readAttrs(m.payload.subarray(NFGENMSG_LEN)) };
}

/** Tables from a GETTABLE answer. */
export function parseTables(messages: readonly NlMessage[]): Table[] {
  const out: Table[] = [];
  for (const m of messages) {
    const b = body(m, C.NFT_MSG_NEWTABLE);
    const name = b && readString(find(b.attrs, C.NFTA_TABLE_NAME));
    if (!b || name === undefined) continue;
    out.push({
      family: b.family,
      name,
      handle: readBe64(find(b.attrs, C.NFTA_TABLE_HANDLE)) ?? 0n,
      flags: readBe32(find(b.attrs, C.NFTA_TABLE_FLAGS)) ?? 0,
      use: readBe32(find(b.attrs, C.NFTA_TABLE_USE)) ?? 0,
    });
  }
  return out;
}

/** Chains from a GETCHAIN answer. */
export function parseChains(messages: readonly NlMessage[]): Chain[] {
  const out: Chain[] = [];
  for (const m of messages) {
    const b = body(m, C.NFT_MSG_NEWCHAIN);
    if (!b) continue;
    const table = readString(find(b.attrs, C.NFTA_CHAIN_TABLE));
    const name = readString(find(b.attrs, C.NFTA_CHAIN_NAME));
    if (table === undefined || name === undefined) continue;
    const chain: Chain = {
      family: b.family,
      table,
      name,
      handle: readBe64(find(b.attrs, C.NFTA_CHAIN_HANDLE)) ?? 0n,
      use: readBe32(find(b.attrs, C.NFTA_CHAIN_USE)) ?? 0,
    };
    const hookBytes = find(b.attrs, C.NFTA_CHAIN_HOOK);
    if (hookBytes) {
      const h = readAttrs(hookBytes);
      const num = readBe32(find(h, C.NFTA_HOOK_HOOKNUM));
      const priority = readBeS32(find(h, C.NFTA_HOOK_PRIORITY));
      if (num !== undefined && priority !== undefined)
        chain.hook = { hook: hookName(num) as ChainHook['hook'], priority };
      const type = readString(find(b.attrs, C.NFTA_CHAIN_TYPE));
      if (type === 'filter' || type === 'nat' || type === 'route') chain.type = type;
      const policy = readBe32(find(b.attrs, C.NFTA_CHAIN_POLICY));
      if (policy !== undefined) chain.policy = policy === C.NF_DROP ? 'drop' : 'accept';
    }
    out.push(chain);
  }
  return out;
}

/** Rules from a GETRULE answer, in the kernel's order (chain order). */
export function parseRules(messages: readonly NlMessage[]): Rule[] {
  const out: Rule[] = [];
  for (const m of messages) {
    const b = body(m, C.NFT_MSG_NEWRULE);
    if (!b) continue;
    const table = readString(find(b.attrs, C.NFTA_RULE_TABLE));
    const chain = readString(find(b.attrs, C.NFTA_RULE_CHAIN));
    const handle = readBe64(find(b.attrs, C.NFTA_RULE_HANDLE));
    if (table === undefined || chain === undefined || handle === undefined) continue;
    const exprs: Expr[] = [];
    const list = find(b.attrs, C.NFTA_RULE_EXPRESSIONS);
    if (list)
      for (const e of readAttrs(list)) if (e.type === C.NFTA_LIST_ELEM) exprs.push(decodeExpr(e.payload));
    const rule: Rule = { family: b.family, table, chain, handle, exprs };
    const udata = find(b.attrs, C.NFTA_RULE_USERDATA);
    if (udata) {
      const comment = decodeComment(udata);
      if (comment === undefined) rule.userdata = Uint8Array.from(udata);
      else rule.comment = comment;
    }
    const compat = find(b.attrs, C.NFTA_RULE_COMPAT);
    if (compat) {
      const c = readAttrs(compat);
      rule.compat = {
        proto: readBe32(find(c, C.NFTA_RULE_COMPAT_PROTO)) ?? 0,
        flags: readBe32(find(c, C.NFTA_RULE_COMPAT_FLAGS)) ?? 0,
      };
    }
    out.push(rule);
  }
  return out;
}

/** The generation from a GETGEN answer. */
export function parseGeneration(messages: readonly NlMessage[]): number {
  for (const m of messages) {
    if (m.type !== ((C.NFNL_SUBSYS_NFTABLES << 8) | C.NFT_MSG_NEWGEN)) continue;
    const id = readBe32(find(readAttrs(m.payload.subarray(NFGENMSG_LEN)), C.NFTA_GEN_ID));
    if (id !== undefined) return id;
  }
  throw new NftablesParseError('GETGEN answer without NFTA_GEN_ID');
}
