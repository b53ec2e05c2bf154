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
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

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

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  const items = text.split(':');
  for (let i = 0; i < items.length; i++) {
    const g = items[i] as string;
    if (i === items.length - 1 && g.includes('.')) {
      const v4 = parseV4(g);
      if (!v4) return undefined;
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      if (!V6_GROUP.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
  }
  return out;
}

function parseV6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  if (halves.length === 1) {
    const all = parseGroups(text);
    return all && all.length === 8 ? all : undefined;
  }
  const head = parseGroups(halves[0] as string);
  const tail = parseGroups(halves[1] as string);
  if (!head || !tail) return undefined;
  // An embedded IPv4 tail is only allowed at the very end.
  if ((halves[0] as string).includes('.')) return undefined;
  const fill = 8 - head.length - tail.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
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

/** Canonical text of an IP address, or `undefined` when the text is not an address. */
export function canonicalIp(text: string): string | undefined {
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

/**
 * Canonical `address/prefix` text of a network (host bits kept, as netaddr does). A missing
 * prefix means a host route (/32 or /128); an IPv4 netmask becomes its prefix length.
 */
export function canonicalNetwork(text: string): string | undefined {
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
