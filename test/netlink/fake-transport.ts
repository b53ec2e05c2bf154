/**
 * A fake netlink transport for tests that feed the socket layer bytes of their choosing without
 * root: `native().openNetlink` is replaced, for the duration of `withFakeTransport`, by one that
 * hands back a socket whose `send` records each datagram and calls `answer` with the requests
 * in it; the test then delivers datagrams (`deliver`) exactly as the addon would, one readiness
 * pass per call. Nothing reaches the kernel.
 */
import {
  type NativeBinding,
  type NativeNetlinkSocket,
  native,
  type OpenNetlinkOptions,
} from '../../src/native/addon.js';
import { type NlMessage, parseMessages } from '../../src/netlink/codec/message.js';

/** One socket opened through the fake. */
export interface FakeSocket {
  /** The options `openNetlink` got (groups, rcvbuf...). */
  readonly options: OpenNetlinkOptions;
  /** Every request message sent so far, in order. */
  readonly sent: NlMessage[];
  /** Delivers datagrams as one readiness pass of the addon would. */
  deliver(...datagrams: Uint8Array[]): void;
  /** Reports a receive error as the addon would (ENOBUFS keeps the socket open). */
  fail(code: string, errno: number): void;
  closed: boolean;
}

/** What the test does with the requests of one sent datagram (called after `send` returns). */
export type Answer = (socket: FakeSocket, requests: NlMessage[]) => void;

/**
 * Runs `body` with `openNetlink` replaced by the fake; restores the real one afterwards, also on
 * failure. `answer` is called (in a later microtask, as the kernel's answer comes after sendmsg)
 * with the messages of each sent datagram.
 */
export async function withFakeTransport<T>(
  answer: Answer,
  body: (sockets: FakeSocket[]) => Promise<T>,
): Promise<T> {
  const binding = native() as NativeBinding & { openNetlink: NativeBinding['openNetlink'] };
  const real = binding.openNetlink;
  const sockets: FakeSocket[] = [];
  binding.openNetlink = async (options: OpenNetlinkOptions): Promise<NativeNetlinkSocket> => {
    const fake: FakeSocket = {
      options,
      sent: [],
      closed: false,
      deliver: (...datagrams) => {
        // group 0 for each: answers and unicast messages (a test of multicast passes groups itself)
        if (!fake.closed)
          options.onMessages(
            datagrams.map((d) => Buffer.from(d)),
            datagrams.map(() => 0),
          );
      },
      fail: (code, errno) => {
        if (!fake.closed)
          options.onError(Object.assign(new Error(code), { code, errno, syscall: 'recvmsg' }) as never);
      },
    };
    sockets.push(fake);
    const sock: NativeNetlinkSocket = {
      portId: 4242 + sockets.length,
      receiveBuffer: 2 * (options.rcvbuf ?? 1 << 20),
      send(datagram, callback) {
        if (fake.closed)
          throw Object.assign(new Error('EBADF'), { code: 'EBADF', errno: 9, syscall: 'send' });
        const requests = parseMessages(Uint8Array.from(datagram));
        fake.sent.push(...requests);
        queueMicrotask(() => {
          callback(null);
          answer(fake, requests);
        });
      },
      addMembership() {},
      dropMembership() {},
      close() {
        fake.closed = true;
      },
      ref() {},
      unref() {},
    };
    return sock;
  };
  try {
    return await body(sockets);
  } finally {
    binding.openNetlink = real;
  }
}

/** Bytes of one netlink message (header and payload, padded to 4 bytes). */
export function nlmsg(
  type: number,
  flags: number,
  seq: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const len = 16 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, len, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq >>> 0, true);
  dv.setUint32(12, 0, true);
  out.set(payload, 16);
  return out;
}

/** An NLMSG_ERROR answering `req` with `error` (0: an ACK), capped (the request's header only). */
export function ackFor(req: NlMessage, error = 0): Uint8Array {
  const p = new Uint8Array(20);
  const dv = new DataView(p.buffer);
  dv.setInt32(0, error, true);
  dv.setUint32(4, 16 + req.payload.length, true);
  dv.setUint16(8, req.type, true);
  dv.setUint16(10, req.flags, true);
  dv.setUint32(12, req.seq, true);
  return nlmsg(2, 0x100, req.seq, p);
}

/** Concatenates messages into one datagram. */
export function datagram(...messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
  let off = 0;
  for (const m of messages) {
    out.set(m, off);
    off += m.length;
  }
  return out;
}
