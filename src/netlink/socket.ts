/**
 * A request/response netlink socket on the native addon. Sequence numbers match answers to
 * requests; many requests may be in flight; requests issued in the same event-loop turn leave
 * in one datagram (one sendmsg); each request has a timeout; dumps run one at a time per
 * socket (the kernel allows one) and come back whole, flagged when NLM_F_DUMP_INTR was seen.
 * Messages that answer no request (multicast notifications) go to `onNotification`.
 */
import { type NativeError, type NativeNetlinkSocket, native } from '../native/addon.js';
import { errnoName } from '../native/errno.js';
import {
  NETLINK_ROUTE,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
} from './codec/constants.js';
import { decodeError, type NlMessage, parseMessages } from './codec/message.js';
import { NetlinkError } from './errors.js';
import { encodeRequest, type Request } from './requests/request.js';

/** Options of {@link NetlinkSocket.open}. */
export interface SocketOptions {
  /** Namespace file path (`/run/netns/NAME`); absent: the current namespace. */
  netns?: string;
  /**
   * Per-request timeout in ms (default 30000), counted from when the request is admitted (queued
   * for this turn's datagram). ETIMEDOUT says in `extAck` whether the request was still unsent
   * (then it is dropped: the kernel never sees it) or had been sent (then the kernel may still
   * carry it out; its late answer is dropped).
   */
  timeoutMs?: number;
  /**
   * Receive buffer to ask for, in bytes. Default: sized to need, 1 KiB per request that may be
   * in flight (an ack takes well under that in the kernel's accounting) plus 512 KiB for
   * dump datagrams and events; 2.5 MiB for the default `maxInFlight`. The kernel doubles it:
   * {@link NetlinkSocket.receiveBuffer} reports what it holds.
   */
  rcvbuf?: number;
  /**
   * Most requests in flight at once; more wait in a queue (default 2048). A request answered
   * with an object (a GET that is not a dump) counts as 8: its answer is bigger than an ACK.
   */
  maxInFlight?: number;
  /** Multicast groups to join (RTNLGRP_*). */
  groups?: number[];
  /**
   * Called with messages that answer no request (notifications), all sent by the kernel;
   * `groups[i]` is the multicast group messages[i] came to (0: unicast).
   */
  onNotification?: (messages: NlMessage[], groups: number[]) => void;
  /** Called when the kernel dropped messages for this socket (ENOBUFS). */
  onOverrun?: () => void;
}

/** What a request is about, for errors. */
export interface RequestContext {
  operation: string;
  interface?: string;
}

/** The answer to one request. */
export interface Reply {
  /** Messages other than the ACK / NLMSG_DONE. */
  messages: NlMessage[];
  /** A dump saw NLM_F_DUMP_INTR: the kernel's data changed while it was being read. */
  interrupted: boolean;
}

interface Pending {
  seq: number;
  dump: boolean;
  /** Its share of `maxInFlight`: what its answer may take in the receive buffer, in ACKs. */
  weight: number;
  ctx: RequestContext;
  messages: NlMessage[];
  interrupted: boolean;
  /** Handed to the addon (in a datagram given to `send`); before that it can still be dropped. */
  sent: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

interface Queued {
  pending: Pending;
  bytes: Uint8Array;
}

const MAX_DATAGRAM = 64 * 1024;

const maxInFlight = (o: SocketOptions): number => o.maxInFlight ?? 2048;

/**
 * A request whose answer is an object (RTM_GETLINK, RTM_GETADDR, ...: rtnetlink's GET types are
 * 4k+2 from 16 on) counts as this many in `maxInFlight`: its answer is a whole message of a few
 * kilobytes in the kernel's accounting, where the budget per request is sized for an ACK.
 */
const ANSWER_WEIGHT = 8;
const weightOf = (type: number, dump: boolean): number =>
  !dump && type >= 16 && type % 4 === 2 ? ANSWER_WEIGHT : 1;

/** An errno the kernel can send (it negates values below MAX_ERRNO, 4095); anything else is a malformed answer. */
function isErrno(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 4096;
}

/** One netlink socket (NETLINK_ROUTE). */
export class NetlinkSocket {
  private readonly sock: NativeNetlinkSocket;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly pending = new Map<number, Pending>();
  /** The sum of the weights of the pending requests. */
  private load = 0;
  private readonly waiting: Queued[] = [];
  private outbox: Queued[] = [];
  private flushScheduled = false;
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private dumpChain: Promise<unknown> = Promise.resolve();
  private closedError: NetlinkError | undefined;
  private onNotification: ((m: NlMessage[], groups: number[]) => void) | undefined;
  private onOverrun: (() => void) | undefined;
  /** Datagrams sent (for tests and benchmarks: shows batching). */
  sends = 0;

  private constructor(sock: NativeNetlinkSocket, o: SocketOptions) {
    this.sock = sock;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.maxInFlight = maxInFlight(o);
    this.onNotification = o.onNotification;
    this.onOverrun = o.onOverrun;
  }

  /** Opens a socket (inside `netns` when given). */
  static async open(o: SocketOptions = {}): Promise<NetlinkSocket> {
    let self: NetlinkSocket | undefined;
    const early: Array<[Buffer[], number[]]> = [];
    const sock = await native().openNetlink({
      protocol: NETLINK_ROUTE,
      ...(o.netns === undefined ? {} : { netns: o.netns }),
      rcvbuf: o.rcvbuf ?? maxInFlight(o) * 1024 + (512 << 10),
      groups: o.groups ?? [],
      onMessages: (datagrams, groups) =>
        self ? self.receive(datagrams, groups) : early.push([datagrams, groups]),
      onError: (error) => self?.socketError(error),
    });
    self = new NetlinkSocket(sock, o);
    for (const [d, g] of early) self.receive(d, g);
    return self;
  }

  /** The receive buffer in the kernel's accounting (SO_RCVBUF: twice what was asked for). */
  get receiveBuffer(): number {
    return this.sock.receiveBuffer;
  }

  /** The port id the kernel gave this socket. */
  get portId(): number {
    return this.sock.portId;
  }

  /** Joins a multicast group. */
  addMembership(group: number): void {
    this.sock.addMembership(group);
  }

  /**
   * Sends a request and resolves with its answer. Non-dump requests always ask for an ACK, so
   * their end is known; a kernel error rejects with NetlinkError (with the extended ACK text).
   */
  request(req: Request, ctx: RequestContext): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    const dump = (req.flags & NLM_F_DUMP) === NLM_F_DUMP;
    if (dump) {
      const run = this.dumpChain.then(() => this.enqueue(req, ctx, true));
      this.dumpChain = run.catch(() => undefined);
      return run;
    }
    return this.enqueue({ ...req, flags: req.flags | NLM_F_ACK }, ctx, false);
  }

  private enqueue(req: Request, ctx: RequestContext, dump: boolean): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<Reply>((resolve, reject) => {
      this.seq = (this.seq + 1) >>> 0 || 1;
      const pending: Pending = {
        seq: this.seq,
        dump,
        weight: weightOf(req.type, dump),
        ctx,
        messages: [],
        interrupted: false,
        sent: false,
        timer: undefined,
        resolve,
        reject,
      };
      const q = { pending, bytes: encodeRequest(req, pending.seq) };
      if (this.waiting.length > 0 || !this.fits(pending)) this.waiting.push(q);
      else this.admit(q);
    });
  }

  /** Whether `p` may be in flight now (one request always may, however heavy). */
  private fits(p: Pending): boolean {
    return this.load === 0 || this.load + p.weight <= this.maxInFlight;
  }

  private admit(q: Queued): void {
    const p = q.pending;
    this.pending.set(p.seq, p);
    this.load += p.weight;
    p.timer = setTimeout(() => this.finish(p, this.timeout(p)), this.timeoutMs);
    this.outbox.push(q);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Sends everything queued in this turn, in datagrams of at most 64 KiB. Requests that already
   * failed (timed out before this turn's flush, or failed by an overrun) are left out: they
   * never reach the kernel.
   */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.outbox.filter((q) => this.pending.get(q.pending.seq) === q.pending);
    this.outbox = [];
    let i = 0;
    while (i < batch.length) {
      let size = 0;
      let j = i;
      while (j < batch.length && (j === i || size + batch[j].bytes.length <= MAX_DATAGRAM))
        size += batch[j++].bytes.length;
      const datagram = new Uint8Array(size);
      const members = batch.slice(i, j);
      let off = 0;
      for (const q of members) {
        datagram.set(q.bytes, off);
        off += q.bytes.length;
      }
      i = j;
      if (this.closedError) continue; // close() already failed them
      for (const q of members) q.pending.sent = true;
      this.sends++;
      try {
        this.sock.send(datagram, (err) => {
          if (err) for (const q of members) this.finish(q.pending, this.nativeError(q.pending.ctx, err));
        });
      } catch (e) {
        for (const q of members) this.finish(q.pending, this.nativeError(q.pending.ctx, e as NativeError));
      }
    }
  }

  private receive(datagrams: Buffer[], groups: number[]): void {
    let notifications: NlMessage[] | undefined;
    const notificationGroups: number[] = [];
    for (const [i, d] of datagrams.entries()) {
      let messages: NlMessage[];
      try {
        messages = parseMessages(d);
      } catch {
        continue; // a malformed datagram from the kernel: nothing can be matched in it
      }
      for (const m of messages) {
        const p = m.seq === 0 ? undefined : this.pending.get(m.seq);
        if (!p) {
          if (m.type !== NLMSG_NOOP && m.type !== NLMSG_ERROR) {
            notifications ??= [];
            notifications.push(m);
            notificationGroups.push(groups[i] ?? 0);
          }
          continue;
        }
        if (m.flags & NLM_F_DUMP_INTR) p.interrupted = true;
        if (m.type === NLMSG_ERROR) {
          let e: ReturnType<typeof decodeError>;
          try {
            e = decodeError(m);
          } catch (err) {
            // the request's outcome is unknown: fail it rather than let the error escape the callback
            const why = `malformed NLMSG_ERROR answer: ${(err as Error).message}`;
            this.finish(p, this.error(p.ctx, 'EBADMSG', 74, why));
            continue;
          }
          if (e.error === 0) this.finish(p);
          else if (isErrno(-e.error)) this.finish(p, this.kernelError(p.ctx, -e.error, e.message, e.offset));
          else this.finish(p, this.error(p.ctx, 'EBADMSG', 74, `NLMSG_ERROR with error ${e.error}`));
        } else if (m.type === NLMSG_DONE) {
          const code =
            m.payload.length >= 4
              ? new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(0, true)
              : 0;
          if (code < 0 && isErrno(-code)) this.finish(p, this.kernelError(p.ctx, -code));
          else if (code < 0)
            this.finish(p, this.error(p.ctx, 'EBADMSG', 74, `NLMSG_DONE with error ${code}`));
          else this.finish(p);
        } else {
          p.messages.push(m);
        }
      }
    }
    if (notifications) this.onNotification?.(notifications, notificationGroups);
  }

  private finish(p: Pending, error?: Error): void {
    if (this.pending.get(p.seq) !== p) return;
    this.pending.delete(p.seq);
    this.load -= p.weight;
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve({ messages: p.messages, interrupted: p.interrupted });
    while (this.waiting.length && this.fits(this.waiting[0]!.pending)) this.admit(this.waiting.shift()!);
  }

  private socketError(err: NativeError): void {
    if (err.code === 'ENOBUFS') {
      // Answers may have been dropped: the requests waiting for them fail now rather than time out.
      for (const p of [...this.pending.values()]) {
        this.finish(
          p,
          this.error(p.ctx, 'ENOBUFS', err.errno, 'the kernel dropped answers (receive buffer full)'),
        );
      }
      this.onOverrun?.();
      return;
    }
    this.closedError = this.nativeError({ operation: 'socket' }, err);
    this.failAll(this.closedError);
  }

  private failAll(error: NetlinkError): void {
    for (const q of this.waiting.splice(0)) q.pending.reject(error);
    for (const p of [...this.pending.values()]) this.finish(p, error);
  }

  private kernelError(ctx: RequestContext, errno: number, extAck?: string, offset?: number): NetlinkError {
    return new NetlinkError({
      ...ctx,
      code: errnoName(errno),
      errno,
      ...(extAck === undefined ? {} : { extAck }),
      ...(offset === undefined ? {} : { extAckOffset: offset }),
    });
  }

  private nativeError(ctx: RequestContext, err: NativeError): NetlinkError {
    return new NetlinkError({
      ...ctx,
      code: err.code,
      errno: err.errno,
      extAck: `${err.syscall}: ${err.message}`,
    });
  }

  /**
   * ETIMEDOUT, saying whether the kernel can have seen the request: one still waiting for this
   * turn's flush is dropped and never sent; one already handed to the socket may still be
   * carried out (its late answer matches nothing and is dropped).
   */
  private timeout(p: Pending): NetlinkError {
    const text = p.sent
      ? `no answer within ${this.timeoutMs} ms; the request was sent and the kernel may still carry it out`
      : `timed out after ${this.timeoutMs} ms before it was sent; the kernel never saw it`;
    return this.error(p.ctx, 'ETIMEDOUT', 110, text);
  }

  private error(ctx: RequestContext, code: string, errno: number, text?: string): NetlinkError {
    return new NetlinkError({ ...ctx, code, errno, ...(text ? { extAck: text } : {}) });
  }

  /** Closes the socket; requests still in flight fail with ECANCELED. Idempotent. */
  close(): void {
    if (this.closedError) return;
    this.closedError = new NetlinkError(
      { operation: 'socket', code: 'ECANCELED', errno: 125 },
      'netlink socket closed',
    );
    this.failAll(this.closedError);
    this.sock.close();
  }
}
