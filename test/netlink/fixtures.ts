/**
 * Golden datagrams captured from the real kernel by `golden/capture.py` (strace of `ip`):
 * each fixture lists the datagrams one `ip` command sent and received.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NlMessage, parseMessages } from '../../src/netlink/codec/message.js';

const dir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'test',
  'netlink',
  'golden',
);

export interface Fixture {
  command: string[];
  status: number;
  exchanges: { op: 'sendmsg' | 'recvmsg' | 'sendto'; fd: number; hex: string }[];
}

/** Every fixture name (file name without .json). */
export function fixtureNames(): string[] {
  return readdirJson().sort();
}

function readdirJson(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}

/** Loads a fixture. */
export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Fixture;
}

/** Every datagram of a fixture as bytes, with its direction. */
export function datagrams(name: string): { sent: boolean; bytes: Uint8Array }[] {
  return fixture(name).exchanges.map((e) => {
    const bytes = Buffer.from(e.hex, 'hex');
    return { sent: e.op !== 'recvmsg', bytes: e.op === 'recvmsg' ? bytes : withoutZeroTail(bytes) };
  });
}

/**
 * iproute2 sends its dump requests from a larger zeroed struct (152 bytes for a 24-byte
 * message); the kernel stops at the first zero length. Keep only the messages.
 */
function withoutZeroTail(b: Buffer): Buffer {
  let off = 0;
  while (off + 16 <= b.length) {
    const len = b.readUInt32LE(off);
    if (len === 0) break;
    off += (len + 3) & ~3;
  }
  return off < b.length && b.subarray(off).every((x) => x === 0) ? b.subarray(0, off) : b;
}

/** The last message of `type` that `ip` sent, with its bytes. */
export function sentMessage(name: string, type: number): { bytes: Uint8Array; msg: NlMessage } {
  let found: { bytes: Uint8Array; msg: NlMessage } | undefined;
  for (const d of datagrams(name)) {
    if (!d.sent) continue;
    const msgs = parseMessages(d.bytes);
    if (msgs.length === 1 && msgs[0].type === type) found = { bytes: d.bytes, msg: msgs[0] };
  }
  if (!found) throw new Error(`${name}: no sent message of type ${type}`);
  return found;
}

/** Every message `ip` received. */
export function receivedMessages(name: string): NlMessage[] {
  return datagrams(name)
    .filter((d) => !d.sent)
    .flatMap((d) => parseMessages(d.bytes));
}
