/**
 * IP addresses and networks: strict parsing and the canonical text netaddr/glibc print.
 *
 * IPv4 is a plain dotted quad (no octal, no short forms, no integers, no whitespace); IPv6 is
 * RFC 4291 text with an optional dotted IPv4 tail, printed like glibc `inet_ntop`.
 */

/** A parsed address: its family and its words (4 bytes for IPv4, 8 16-bit groups for IPv6). */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly parts: readonly number[];
}

const V4_OCTET = /^(0|[1-9]\d{0,2})$/;

function parseV4(text: string): number[] | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  const out: number[] = [];
  for (const o of octets) {
    if (!V4_OCTET.test(o)) return undefined;
    const n = Number(o);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parse IPv6 text in one pass (groups of 1-4 hex digits, one `::`, optional dotted IPv4 tail). */
function parseV6(text: string): number[] | undefined {
  const words: number[] = [];
  let gap = -1; // index in `words` where `::` stands
  let i = 0;
  const n = text.length;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (n === 2) return new Array<number>(8).fill(0);
  } else if (text.charCodeAt(0) === 58) return undefined;
  while (i < n) {
    let value = 0;
    let digits = 0;
    const start = i;
    while (i < n && digits <= 4) {
      const c = text.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      value = value * 16 + d;
      digits++;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 46) {
      // Dotted IPv4 tail: the rest of the text.
      const v4 = parseV4(text.slice(start));
      if (!v4 || words.length > 6) return undefined;
      words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      i = n;
      break;
    }
    if (digits === 0 || digits > 4) return undefined;
    words.push(value);
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap !== -1) return undefined;
      gap = words.length;
      i++;
      if (i === n) break;
    } else if (i === n) return undefined;
  }
  if (gap === -1) return words.length === 8 ? words : undefined;
  if (words.length > 7) return undefined;
  const out = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let k = 0; k < gap; k++) out[k] = words[k] as number;
  const tail = words.length - gap;
  for (let k = 0; k < tail; k++) out[8 - tail + k] = words[gap + k] as number;
  return out;
}

/** Parse an IPv4 or IPv6 address; `undefined` when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const parts = parseV6(text);
    return parts ? { version: 6, parts } : undefined;
  }
  const parts = parseV4(text);
  return parts ? { version: 4, parts } : undefined;
}

function formatV6(w: readonly number[]): string {
  // Longest run of zero groups (length >= 2), first one on a tie, like glibc inet_ntop.
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  const v4Tail = bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff));
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && v4Tail) {
      const a = w[6] as number;
      const b = w[7] as number;
      out += `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
      break;
    }
    out += (w[i] as number).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The canonical text of an address. */
export function formatIp(ip: IpAddress): string {
  return ip.version === 4 ? ip.parts.join('.') : formatV6(ip.parts);
}

const CANONICAL_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Canonical text of an IP address, or `undefined` when the text is not an address. */
export function canonicalIp(text: string): string | undefined {
  if (CANONICAL_V4.test(text)) return text;
  const ip = parseIp(text);
  return ip ? formatIp(ip) : undefined;
}

function netmaskToPrefix(mask: string): number | undefined {
  const p = parseV4(mask);
  if (!p) return undefined;
  const bits = p.reduce((acc, o) => acc * 256 + o, 0);
  let prefix = 0;
  while (prefix < 32 && bits & (2 ** (31 - prefix))) prefix++;
  // Contiguous: every bit after the prefix must be zero.
  return bits % 2 ** (32 - prefix) === 0 ? prefix : undefined;
}

const CANONICAL_V4_NET =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/;

/**
 * Canonical `address/prefix` text of a network (host bits kept, as netaddr does). A missing
 * prefix means a host route (/32 or /128); an IPv4 netmask becomes its prefix length.
 */
export function canonicalNetwork(text: string): string | undefined {
  if (CANONICAL_V4_NET.test(text)) return text;
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(p)) prefix = Number(p);
    else if (ip.version === 4 && p.includes('.')) {
      const fromMask = netmaskToPrefix(p);
      if (fromMask === undefined) return undefined;
      prefix = fromMask;
    } else return undefined;
    if (prefix > max) return undefined;
  }
  return `${formatIp(ip)}/${prefix}`;
}
