/**
 * The datagrams `nft` and `iptables-nft` sent (test/fixtures/nftables/golden.json, made by
 * scripts/gen-nft-golden.sh), split into messages, with what makes two equal captures differ
 * (sequence numbers, padding bytes left unwritten) normalised.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'nftables',
  'golden.json',
);

/** One captured message: its header fields and its whole bytes (normalised). */
export interface Captured {
  type: number;
  flags: number;
  family: number;
  bytes: Buffer;
}

interface Case {
  name: string;
  command: string;
  datagrams: string[];
}

const golden = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

/** Every case name. */
export function caseNames(): string[] {
  return golden.cases.map((c) => c.name);
}

/** The messages of a case's datagrams, in order. */
export function capturedMessages(name: string): Captured[] {
  const c = golden.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no golden case ${name}`);
  return c.datagrams.flatMap((hex) => splitMessages(Buffer.from(hex, 'hex')));
}

/** The messages of a datagram, each normalised. */
export function splitMessages(b: Uint8Array): Captured[] {
  const buf = Buffer.from(b);
  const out: Captured[] = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    const m = Buffer.from(buf.subarray(off, off + len));
    out.push({ type: m.readUInt16LE(4), flags: m.readUInt16LE(6), family: m[16] ?? 0, bytes: normalise(m) });
    off += (len + 3) & ~3;
  }
  return out;
}

/** Zeroes the sequence number and every padding byte (libmnl leaves some unwritten). */
function normalise(m: Buffer): Buffer {
  m.writeUInt32LE(0, 8);
  zeroPadding(m, 20, m.length);
  return m;
}

function zeroPadding(b: Buffer, start: number, end: number): void {
  let off = start;
  while (off + 4 <= end) {
    const len = b.readUInt16LE(off);
    const type = b.readUInt16LE(off + 2);
    if (len < 4 || off + len > end) return;
    if (type & 0x8000) zeroPadding(b, off + 4, off + len);
    const next = Math.min(end, off + ((len + 3) & ~3));
    b.fill(0, off + len, next);
    off = next;
  }
}
