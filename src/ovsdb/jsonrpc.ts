/**
 * One JSON-RPC 1.0 session over one stream (RFC 7047 section 4): request/response matching by
 * id, notifications, `echo` answered for the server, an inactivity probe of our own, per-request
 * timeouts and cancellation. It knows no OVSDB method except `echo`; it never reconnects.
 */
import type { Duplex } from 'node:stream';
import {
  OvsdbCancelledError,
  OvsdbConnectionError,
  OvsdbProtocolError,
  OvsdbRpcError,
  OvsdbTimeoutError,
} from './errors.js';
import { FramingError, JsonFramer } from './framing.js';
import { shortJson } from './values.js';

/** Per-request options. */
export interface RequestOptions {
  /** Reject with {@link OvsdbTimeoutError} after this long (0 or absent: never). */
  timeoutMs?: number;
  /** Reject with {@link OvsdbCancelledError} when aborted. */
  signal?: AbortSignal;
}

/** Session options. */
export interface SessionOptions {
  /** Human-readable remote, for errors. */
  remote: string;
  /** Send an `echo` after this much silence and close if the next period is silent too (0: off). */
  probeIntervalMs: number;
  /** Called for every notification (`id: null`) and for server requests other than echo. */
  onNotification: (method: string, params: unknown[]) => void;
  /** Called once when the session ends, with the reason. */
  onClose: (error: OvsdbConnectionError) => void;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  cleanup: () => void;
}

/** One open JSON-RPC session. */
export class JsonRpcSession {
  private readonly framer = new JsonFramer();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private outbox: string[] = [];
  private flushQueued = false;
  private lastRx = Date.now();
  private receivedAt: number | undefined;
  private probeOut = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closedWith: OvsdbConnectionError | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly opts: SessionOptions,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (e) =>
      this.close(
        new OvsdbConnectionError('closed', `connection error: ${e.message}`, opts.remote, { cause: e }),
      ),
    );
    stream.on('close', () =>
      this.close(new OvsdbConnectionError('closed', 'connection closed by peer', opts.remote)),
    );
    if (opts.probeIntervalMs > 0) {
      this.probeTimer = setInterval(() => this.probe(), Math.max(10, Math.floor(opts.probeIntervalMs / 2)));
      this.probeTimer.unref();
    }
  }

  /** True once the session has ended. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** `Date.now()` when the last bytes arrived from the peer (undefined: none yet). */
  get lastReceivedAt(): number | undefined {
    return this.receivedAt;
  }

  /** Requests awaiting a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its `result`; rejects with {@link OvsdbRpcError} on `error`. */
  request(
    method: string,
    params: unknown[],
    options: RequestOptions = {},
  ): { id: number; reply: Promise<unknown> } {
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      if (this.closedWith) {
        reject(this.closedWith);
        return;
      }
      if (options.signal?.aborted) {
        reject(new OvsdbCancelledError(method, this.opts.remote));
        return;
      }
      const onAbort = () => {
        this.settle(id)?.reject(new OvsdbCancelledError(method, this.opts.remote));
      };
      const p: Pending = {
        method,
        resolve,
        reject,
        timer: undefined,
        cleanup: () => options.signal?.removeEventListener('abort', onAbort),
      };
      if (options.timeoutMs && options.timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.settle(id)?.reject(new OvsdbTimeoutError(method, options.timeoutMs!, this.opts.remote));
        }, options.timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, p);
      this.send({ id, method, params });
    });
    return { id, reply };
  }

  /** Sends a notification (no reply expected). */
  notify(method: string, params: unknown[]): void {
    if (!this.closedWith) this.send({ id: null, method, params });
  }

  /** Ends the session; every pending request is rejected with `error` (default: closed). */
  close(error?: OvsdbConnectionError): void {
    if (this.closedWith) return;
    const e = error ?? new OvsdbConnectionError('closed', 'connection closed', this.opts.remote);
    this.closedWith = e;
    if (this.probeTimer) clearInterval(this.probeTimer);
    if (this.outbox.length) this.flush();
    this.stream.destroy();
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(e);
    this.opts.onClose(e);
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.cleanup();
    return p;
  }

  private send(msg: unknown): void {
    this.outbox.push(JSON.stringify(msg));
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outbox.length === 0 || this.stream.destroyed) return;
    const data = this.outbox.length === 1 ? this.outbox[0]! : this.outbox.join('');
    this.outbox = [];
    this.stream.write(data);
  }

  private probe(): void {
    const idle = Date.now() - this.lastRx;
    if (idle < this.opts.probeIntervalMs) return;
    if (this.probeOut) {
      this.close(
        new OvsdbConnectionError('timeout', `no message for ${idle} ms (inactivity probe)`, this.opts.remote),
      );
      return;
    }
    this.probeOut = true;
    this.lastRx = Date.now();
    this.request('echo', ['probe']).reply.catch(() => {});
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    this.receivedAt = this.lastRx;
    this.probeOut = false;
    let messages: unknown[];
    try {
      messages = this.framer.push(chunk);
    } catch (e) {
      const msg = e instanceof FramingError ? e.message : String(e);
      this.close(
        new OvsdbConnectionError('protocol', `protocol error: ${msg}`, this.opts.remote, { cause: e }),
      );
      return;
    }
    for (const m of messages) {
      if (this.closedWith) return;
      try {
        this.dispatch(m);
      } catch (e) {
        // a notification whose contents break RFC 7047 (a malformed update): the state it was
        // to change can no longer be trusted, so the session ends and its owner resyncs
        if (!(e instanceof OvsdbProtocolError)) throw e;
        this.close(
          new OvsdbConnectionError('protocol', `protocol error: ${e.message}`, this.opts.remote, {
            cause: e,
          }),
        );
        return;
      }
    }
  }

  private dispatch(m: unknown): void {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      this.close(
        new OvsdbConnectionError(
          'protocol',
          'protocol error: message is not a JSON object',
          this.opts.remote,
        ),
      );
      return;
    }
    const msg = m as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    if (typeof msg.method === 'string') {
      const params = Array.isArray(msg.params) ? msg.params : [];
      if (msg.method === 'echo' && msg.id !== null && msg.id !== undefined) {
        this.send({ id: msg.id, result: params, error: null });
        return;
      }
      if (msg.id !== null && msg.id !== undefined) {
        this.send({ id: msg.id, result: null, error: 'unknown method' });
      }
      this.opts.onNotification(msg.method, params);
      return;
    }
    if (typeof msg.id !== 'number') return; // replies to ids we never use (e.g. "echo") are dropped
    const p = this.settle(msg.id);
    if (!p) return; // timed out or cancelled earlier
    if (msg.error !== null && msg.error !== undefined) {
      const e = typeof msg.error === 'object' ? (msg.error as { error?: unknown; details?: unknown }) : {};
      const name =
        typeof e.error === 'string'
          ? e.error
          : typeof msg.error === 'string'
            ? msg.error
            : shortJson(msg.error);
      const details = typeof e.details === 'string' ? e.details : undefined;
      p.reject(new OvsdbRpcError(p.method, name, details));
    } else p.resolve(msg.result);
  }
}
