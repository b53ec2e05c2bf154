/**
 * The NETLINK_NETFILTER socket under `Nftables`: batches (one datagram each, every message
 * acknowledged), single requests and dumps, matched to their answers by sequence number. Many
 * batches and requests may be in flight; dumps run one at a time (the kernel allows one per
 * socket).
 */
import { type NativeError, type NativeNetlinkSocket, native } from '../native/addon.js';
import { errnoName } from '../native/errno.js';
import { NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP } from '../netlink/codec/constants.js';
import { decodeError, type NlMessage, parseMessages } from '../netlink/codec/message.js';
import { netnsPath } from '../netlink/netns.js';
import { NETLINK_NETFILTER } from './constants.js';
import { NftablesError } from './errors.js';
import { encodeBatch, encodeRequest, type NftMessage } from './messages.js';

/** Options of {@link NftTransport.open}. */
export interface TransportOptions {
  netns?: string;
  timeoutMs?: number;
  /** Receive buffer to ask for (default 4 MiB: room for the ACKs of many batches in flight). */
  rcvbuf?: number;
}

/** What a request waits for. */
interface Pending {
  /** Sequence numbers still unanswered (a batch's messages; one for a request). */
  open: Set<number>;
  /** The batch's BATCH_BEGIN sequence: an error there refuses the whole batch. */
  begin?: number;
  first: number;
  messages: readonly NftMessage[];
  operation: string;
  dump: boolean;
  /** Every sequence number it was registered under. */
  seqs?: number[];
  replies: NlMessage[];
  error?: NftablesError;
  timer?: NodeJS.Timeout;
  resolve: (replies: NlMessage[]) => void;
  reject: (e: Error) => void;
}

/** ERESTART is not in libc's table as Node reports it. */
function codeOf(errno: number): string {
  return errno === 85 ? 'ERESTART' : errnoName(errno);
}

/** One NETLINK_NETFILTER socket. */
export class NftTransport {
  private readonly bySeq = new Map<number, Pending>();
  /** Single requests of this event-loop turn, sent together in one datagram (as the kernel allows). */
  private outbox: Array<{ p: Pending; bytes: Uint8Array }> = [];
  private flushScheduled = false;
  private seq = Math.floor(Math.random() * 0x3fffffff) + 1;
  private dumpChain: Promise<unknown> = Promise.resolve();
  private closed: NftablesError | undefined;

  private constructor(
    private readonly sock: NativeNetlinkSocket,
    private readonly timeoutMs: number,
  ) {}

  /** Opens a socket in `netns` (a name under /run/netns or a path). */
  static async open(o: TransportOptions = {}): Promise<NftTransport> {
    let self: NftTransport | undefined;
    const early: Buffer[][] = [];
    const sock = await native().openNetlink({
      protocol: NETLINK_NETFILTER,
      ...(o.netns === undefined ? {} : { netns: netnsPath(o.netns) }),
      rcvbuf: o.rcvbuf ?? 4 << 20,
      onMessages: (datagrams) => (self ? self.receive(datagrams) : early.push(datagrams)),
      onError: (e) => self?.socketError(e),
    });
    self = new NftTransport(sock, o.timeoutMs ?? 30_000);
    for (const d of early) self.receive(d);
    return self;
  }

  private nextSeq(n: number): number {
    if (this.seq + n > 0x7fffffff) this.seq = 1;
    const s = this.seq;
    this.seq += n;
    return s;
  }

  /**
   * Sends `messages` as one batch; resolves when the kernel acknowledged every one (the batch
   * was committed), rejects with the first refused message's error (nothing was applied).
   */
  batch(messages: readonly NftMessage[], generation?: number): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const begin = this.nextSeq(messages.length + 2);
    const datagram = encodeBatch(messages, {
      seq: begin,
      ack: true,
      ...(generation === undefined ? {} : { generation }),
    });
    const open = new Set<number>();
    for (let i = 0; i < messages.length; i++) open.add(begin + 1 + i);
    return this.start(
      { open, begin, first: begin + 1, messages, operation: 'commit', dump: false },
      datagram,
      [begin, ...open],
    ).then(() => undefined);
  }

  /** Sends one request (NLM_F_ACK, or a dump); resolves with the messages it answered. */
  request(message: NftMessage, operation: string): Promise<NlMessage[]> {
    const dump = (message.flags & 0x300) === 0x300;
    const run = () => {
      const seq = this.nextSeq(1);
      const bytes = encodeRequest(message, seq, !dump);
      return this.start(
        { open: new Set([seq]), first: seq, messages: [message], operation, dump },
        bytes,
        [seq],
        !dump,
      );
    };
    if (!dump) return run();
    const p = this.dumpChain.then(run);
    this.dumpChain = p.catch(() => undefined);
    return p;
  }

  /**
   * Registers a request and sends it: a batch in a datagram of its own (the kernel reads one
   * batch per datagram), single requests (`coalesce`) together with the others of this turn.
   */
  private start(
    init: Omit<Pending, 'replies' | 'resolve' | 'reject'>,
    datagram: Uint8Array,
    seqs: number[],
    coalesce = false,
  ): Promise<NlMessage[]> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<NlMessage[]>((resolve, reject) => {
      const p: Pending = { ...init, seqs, replies: [], resolve, reject };
      for (const s of seqs) this.bySeq.set(s, p);
      p.timer = setTimeout(
        () => this.finish(p, this.error(p, 'ETIMEDOUT', 110, `no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      if (!coalesce) {
        this.send(datagram, [p]);
        return;
      }
      this.outbox.push({ p, bytes: datagram });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends the single requests of this turn, in datagrams of at most 64 KiB. */
  private flush(): void {
    this.flushScheduled = false;
    const queued = this.outbox;
    this.outbox = [];
    let i = 0;
    while (i < queued.length) {
      let size = 0;
      let j = i;
      while (j < queued.length && (j === i || size + (queued[j]?.bytes.length ?? 0) <= 65536))
        size += queued[j++]?.bytes.length ?? 0;
      const members = queued.slice(i, j);
      const datagram = new Uint8Array(size);
      let off = 0;
      for (const q of members) {
        datagram.set(q.bytes, off);
        off += q.bytes.length;
      }
      this.send(
        datagram,
        members.map((q) => q.p),
      );
      i = j;
    }
  }

  private send(datagram: Uint8Array, members: Pending[]): void {
    if (this.closed) return; // close() already failed them
    try {
      this.sock.send(datagram, (err) => {
        if (err) for (const p of members) this.finish(p, this.nativeError(p, err));
      });
    } catch (e) {
      for (const p of members) this.finish(p, this.nativeError(p, e as NativeError));
    }
  }

  private describe(p: Pending, seq: number): { message: string; index?: number } {
    if (p.begin !== undefined && seq === p.begin) return { message: 'NFNL_MSG_BATCH_BEGIN' };
    const index = seq - p.first;
    const m = p.messages[index];
    if (!m) return { message: `message ${seq}` };
    return p.begin === undefined ? { message: m.describe } : { message: m.describe, index };
  }

  private error(p: Pending, code: string, errno: number, extAck?: string, seq?: number): NftablesError {
    const what = this.describe(p, seq ?? p.first);
    return new NftablesError({
      code,
      errno,
      operation: p.operation,
      message: what.message,
      ...(what.index === undefined ? {} : { index: what.index }),
      ...(extAck ? { extAck } : {}),
    });
  }

  private nativeError(p: Pending, e: NativeError): NftablesError {
    return this.error(p, e.code, e.errno, `${e.syscall}: ${e.message}`);
  }

  private receive(datagrams: Buffer[]): void {
    for (const d of datagrams) {
      let messages: NlMessage[];
      try {
        messages = parseMessages(d);
      } catch {
        continue;
      }
      for (const m of messages) this.dispatch(m);
    }
  }

  private dispatch(m: NlMessage): void {
    const p = this.bySeq.get(m.seq);
    if (!p || m.type === NLMSG_NOOP) return;
    if (m.type === NLMSG_ERROR) {
      let e: ReturnType<typeof decodeError>;
      try {
        e = decodeError(m);
      } catch (err) {
        this.finish(p, this.error(p, 'EBADMSG', 74, `malformed NLMSG_ERROR: ${(err as Error).message}`));
        return;
      }
      this.bySeq.delete(m.seq);
      p.open.delete(m.seq);
      if (e.error !== 0) {
        const errno = -e.error;
        const err = this.error(p, codeOf(errno), errno, e.message, m.seq);
        // an error on BATCH_BEGIN refuses the whole batch: no other answer follows
        if (p.begin !== undefined && m.seq === p.begin) {
          this.finish(p, err);
          return;
        }
        p.error ??= err;
      }
      if (p.open.size === 0) this.finish(p, p.error);
      return;
    }
    if (m.type === NLMSG_DONE) {
      const code = m.payload.length >= 4 ? Buffer.from(m.payload).readInt32LE(0) : 0;
      this.finish(p, code < 0 ? this.error(p, codeOf(-code), -code) : undefined);
      return;
    }
    p.replies.push(m);
  }

  private finish(p: Pending, error?: Error): void {
    if (p.timer === undefined) return; // already settled
    for (const s of p.seqs ?? []) if (this.bySeq.get(s) === p) this.bySeq.delete(s);
    clearTimeout(p.timer);
    p.timer = undefined;
    if (error) p.reject(error);
    else p.resolve(p.replies);
  }

  private socketError(e: NativeError): void {
    const pending = new Set(this.bySeq.values());
    if (e.code !== 'ENOBUFS') {
      this.closed = new NftablesError({
        code: e.code,
        errno: e.errno,
        operation: 'socket',
        message: 'NETLINK_NETFILTER socket',
      });
    }
    for (const p of pending) this.finish(p, this.closed ?? this.nativeError(p, e));
  }

  /** Closes the socket; what is in flight fails with ECANCELED. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = new NftablesError({
      code: 'ECANCELED',
      errno: 125,
      operation: 'socket',
      message: 'socket closed',
    });
    for (const p of new Set(this.bySeq.values())) this.finish(p, this.closed);
    this.sock.close();
  }
}
