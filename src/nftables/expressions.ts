/**
 * Rule expressions: encoded as libnftnl encodes them (attribute order included, so the bytes
 * equal `nft`'s), decoded from dumps; and the builders the bridge rules use.
 */
import type { ByteWriter } from '../netlink/codec/writer.js';
import {
  be32,
  be32Bytes,
  be64,
  binary,
  find,
  nest,
  type RawAttr,
  readAttrs,
  readBe32,
  readBe64,
  readBeS32,
  readString,
  strz,
  utf8,
} from './attrs.js';
import * as C from './constants.js';
import type { CmpOp, Expr, MetaKey, Verdict } from './model.js';

const META_KEYS: Record<string, number> = {
  iif: C.NFT_META_IIF,
  oif: C.NFT_META_OIF,
  iifname: C.NFT_META_IIFNAME,
  oifname: C.NFT_META_OIFNAME,
  nfproto: C.NFT_META_NFPROTO,
  l4proto: C.NFT_META_L4PROTO,
};
const CMP_OPS: CmpOp[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte'];

function metaKeyNumber(k: MetaKey): number {
  return typeof k === 'number' ? k : (META_KEYS[k] as number);
}

function metaKeyName(n: number): MetaKey {
  for (const [name, v] of Object.entries(META_KEYS)) if (v === n) return name as MetaKey;
  return n;
}

/**
 * Matches an interface name as `nft` writes `iifname "NAME"`: meta into register 1, then a
 * compare with the name NUL-padded to 16 bytes. A name ending in `+` (iptables' wildcard)
 * compares only the bytes before the `+`, as iptables-nft writes `-i eth+`.
 */
export function ifnameMatch(key: 'iifname' | 'oifname', name: string): Expr[] {
  const bytes = utf8(name);
  let data: Uint8Array;
  if (name.endsWith('+')) {
    data = bytes.subarray(0, bytes.length - 1);
  } else {
    data = new Uint8Array(C.IFNAMSIZ);
    data.set(bytes.subarray(0, C.IFNAMSIZ - 1));
  }
  return [
    { kind: 'meta', key, dreg: C.NFT_REG_1 },
    { kind: 'cmp', op: 'eq', sreg: C.NFT_REG_1, data },
  ];
}

/** A counter starting at zero. */
export function counter(): Expr {
  return { kind: 'counter', packets: 0n, bytes: 0n };
}

/** The rule's verdict. */
export function verdict(v: Verdict): Expr {
  return { kind: 'immediate', verdict: v };
}

/**
 * iptables-nft's `-j REJECT` (x_tables target `REJECT` revision 0, `--reject-with
 * icmp-port-unreachable`): `struct ipt_reject_info` padded to 8 bytes.
 */
export function rejectTarget(): Expr {
  const info = new Uint8Array(8);
  new DataView(info.buffer).setUint32(0, C.IPT_ICMP_PORT_UNREACHABLE, true);
  return { kind: 'target', name: 'REJECT', rev: 0, info };
}

function verdictCode(v: Verdict): number {
  switch (v.kind) {
    case 'accept':
      return C.NF_ACCEPT;
    case 'drop':
      return C.NF_DROP;
    case 'return':
      return C.NFT_RETURN;
    case 'continue':
      return C.NFT_CONTINUE;
    case 'jump':
      return C.NFT_JUMP;
    case 'goto':
      return C.NFT_GOTO;
  }
}

function exprName(e: Expr): string {
  return e.kind === 'unknown' ? e.name : e.kind;
}

/** Writes one NFTA_LIST_ELEM for `e` (NFTA_EXPR_NAME, then NFTA_EXPR_DATA). */
export function encodeExpr(w: ByteWriter, e: Expr): void {
  nest(w, C.NFTA_LIST_ELEM, (w) => {
    strz(w, C.NFTA_EXPR_NAME, exprName(e));
    if (e.kind === 'unknown') {
      binary(w, C.NFTA_EXPR_DATA | 0x8000, e.data);
      return;
    }
    nest(w, C.NFTA_EXPR_DATA, (w) => encodeData(w, e));
  });
}

function encodeData(w: ByteWriter, e: Exclude<Expr, { kind: 'unknown' }>): void {
  switch (e.kind) {
    case 'meta':
      be32(w, C.NFTA_META_KEY, metaKeyNumber(e.key));
      be32(w, C.NFTA_META_DREG, e.dreg);
      return;
    case 'cmp':
      be32(w, C.NFTA_CMP_SREG, e.sreg);
      be32(w, C.NFTA_CMP_OP, CMP_OPS.indexOf(e.op));
      nest(w, C.NFTA_CMP_DATA, (w) => binary(w, C.NFTA_DATA_VALUE, e.data));
      return;
    case 'counter':
      // nft sends a fresh counter with no values; iptables-nft sends both as zero
      if (e.bytes === 0n && e.packets === 0n) return;
      be64(w, C.NFTA_COUNTER_BYTES, e.bytes);
      be64(w, C.NFTA_COUNTER_PACKETS, e.packets);
      return;
    case 'immediate':
      be32(w, C.NFTA_IMMEDIATE_DREG, C.NFT_REG_VERDICT);
      nest(w, C.NFTA_IMMEDIATE_DATA, (w) =>
        nest(w, C.NFTA_DATA_VERDICT, (w) => {
          w.u16(8);
          w.u16(C.NFTA_VERDICT_CODE);
          w.bytes(be32Bytes(verdictCode(e.verdict)));
          if (e.verdict.kind === 'jump' || e.verdict.kind === 'goto')
            strz(w, C.NFTA_VERDICT_CHAIN, e.verdict.chain);
        }),
      );
      return;
    case 'reject':
      be32(w, C.NFTA_REJECT_TYPE, e.type);
      w.u16(5);
      w.u16(C.NFTA_REJECT_ICMP_CODE);
      w.u8(e.code);
      w.align();
      return;
    case 'target':
    case 'match':
      strz(w, C.NFTA_TARGET_NAME, e.name);
      be32(w, C.NFTA_TARGET_REV, e.rev);
      binary(w, C.NFTA_TARGET_INFO, e.info);
      return;
  }
}

function decodeVerdict(p: Uint8Array | undefined): Verdict | undefined {
  if (!p) return undefined;
  const v = find(readAttrs(p), C.NFTA_DATA_VERDICT);
  if (!v) return undefined;
  const attrs = readAttrs(v);
  const code = readBeS32(find(attrs, C.NFTA_VERDICT_CODE));
  const chain = readString(find(attrs, C.NFTA_VERDICT_CHAIN));
  switch (code) {
    case C.NF_ACCEPT:
      return { kind: 'accept' };
    case C.NF_DROP:
      return { kind: 'drop' };
    case C.NFT_RETURN:
      return { kind: 'return' };
    case C.NFT_CONTINUE:
      return { kind: 'continue' };
    case C.NFT_JUMP:
      return chain === undefined ? undefined : { kind: 'jump', chain };
    case C.NFT_GOTO:
      return chain === undefined ? undefined : { kind: 'goto', chain };
    default:
      return undefined;
  }
}

/** Decodes one NFTA_LIST_ELEM payload; what it cannot read stays `unknown` with its bytes. */
export function decodeExpr(elem: Uint8Array): Expr {
  const attrs = readAttrs(elem);
  const name = readString(find(attrs, C.NFTA_EXPR_NAME)) ?? '';
  const dataBytes = find(attrs, C.NFTA_EXPR_DATA) ?? new Uint8Array(0);
  const unknown: Expr = { kind: 'unknown', name, data: Uint8Array.from(dataBytes) };
  let d: RawAttr[];
  try {
    d = readAttrs(dataBytes);
  } catch {
    return unknown;
  }
  switch (name) {
    case 'meta': {
      const key = readBe32(find(d, C.NFTA_META_KEY));
      const dreg = readBe32(find(d, C.NFTA_META_DREG));
      if (key === undefined || dreg === undefined) return unknown;
      return { kind: 'meta', key: metaKeyName(key), dreg };
    }
    case 'cmp': {
      const sreg = readBe32(find(d, C.NFTA_CMP_SREG));
      const op = CMP_OPS[readBe32(find(d, C.NFTA_CMP_OP)) ?? -1];
      const data = find(d, C.NFTA_CMP_DATA);
      const value = data ? find(readAttrs(data), C.NFTA_DATA_VALUE) : undefined;
      if (sreg === undefined || !op || !value) return unknown;
      return { kind: 'cmp', op, sreg, data: Uint8Array.from(value) };
    }
    case 'counter':
      return {
        kind: 'counter',
        bytes: readBe64(find(d, C.NFTA_COUNTER_BYTES)) ?? 0n,
        packets: readBe64(find(d, C.NFTA_COUNTER_PACKETS)) ?? 0n,
      };
    case 'immediate': {
      if (readBe32(find(d, C.NFTA_IMMEDIATE_DREG)) !== C.NFT_REG_VERDICT) return unknown;
      const v = decodeVerdict(find(d, C.NFTA_IMMEDIATE_DATA));
      return v ? { kind: 'immediate', verdict: v } : unknown;
    }
    case 'reject': {
      const type = readBe32(find(d, C.NFTA_REJECT_TYPE));
      const code = find(d, C.NFTA_REJECT_ICMP_CODE);
      if (type === undefined) return unknown;
      return { kind: 'reject', type, code: code?.[0] ?? 0 };
    }
    case 'target':
    case 'match': {
      const n = readString(find(d, C.NFTA_TARGET_NAME));
      const rev = readBe32(find(d, C.NFTA_TARGET_REV));
      const info = find(d, C.NFTA_TARGET_INFO);
      if (n === undefined || rev === undefined || !info) return unknown;
      return { kind: name, name: n, rev, info: Uint8Array.from(info) };
    }
    default:
      return unknown;
  }
}

/** Two expression lists are the same rule body (counter values ignored). */
export function sameExprs(a: readonly Expr[], b: readonly Expr[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => exprKey(x) === exprKey(b[i] as Expr));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'counter':
      return 'counter';
    case 'cmp':
      return `cmp ${e.op} ${e.sreg} ${hex(e.data)}`;
    case 'target':
    case 'match':
      return `${e.kind} ${e.name} ${e.rev} ${hex(e.info)}`;
    case 'unknown':
      return `? ${e.name} ${hex(e.data)}`;
    case 'immediate':
      return `imm ${JSON.stringify(e.verdict)}`;
    default:
      return JSON.stringify(e);
  }
}
