/**
 * A rule's userdata as libnftnl writes it (src/udata.c): a list of TLVs, each one byte of type,
 * one byte of length, then the value. `nft` stores `comment "..."` as type
 * NFTNL_UDATA_RULE_COMMENT with the text and its NUL; `nft list ruleset` and `iptables-nft`
 * (`-m comment --comment`) show it.
 */
import { utf8 } from './attrs.js';
import { NFTNL_UDATA_RULE_COMMENT } from './constants.js';

/** The longest comment (NFTNL_UDATA_COMMENT_MAXLEN, the NUL included). */
export const COMMENT_MAXLEN = 128;

/** The userdata bytes of a comment. Throws a TypeError past 127 bytes. */
export function encodeComment(text: string): Uint8Array {
  const bytes = utf8(text);
  if (bytes.length + 1 > COMMENT_MAXLEN || bytes.includes(0))
    throw new TypeError(`rule comment must be 1-127 bytes without NUL: '${text}'`);
  const out = new Uint8Array(bytes.length + 3);
  out[0] = NFTNL_UDATA_RULE_COMMENT;
  out[1] = bytes.length + 1;
  out.set(bytes, 2);
  return out;
}

/** The comment in a rule's userdata, or undefined (no comment TLV, or malformed TLVs). */
export function decodeComment(udata: Uint8Array): string | undefined {
  let off = 0;
  while (off + 2 <= udata.length) {
    const type = udata[off] as number;
    const len = udata[off + 1] as number;
    if (off + 2 + len > udata.length) return undefined;
    if (type === NFTNL_UDATA_RULE_COMMENT && len > 0) {
      const value = udata.subarray(off + 2, off + 2 + len);
      const end = value.indexOf(0);
      return new TextDecoder().decode(end < 0 ? value : value.subarray(0, end));
    }
    off += 2 + len;
  }
  return undefined;
}
