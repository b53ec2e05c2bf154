/**
 * The helper's server: a unix socket that serves plug, unplug and host-info to the uids and
 * groups on its allow list (checked with SO_PEERCRED and SO_PEERGROUPS, whatever the socket
 * file's mode), one
 * request at a time per connection, each bounded in size and time. Anything malformed closes
 * only the connection it came on.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import net from 'node:net';
import * as facade from '../vif/facade.js';
import type { InstanceInfo } from '../vif/objects/instance.js';
import type { VIFBase } from '../vif/objects/vif.js';
import { HelperAccessDenied, HelperBusy, HelperError, HelperProtocolError, HelperTimeout } from './errors.js';
import { type PeerCredentials, peerCredentialsOf } from './peer.js';
import { encodeResponse, LIMITS, LineSplitter, parseRequest, type Request, requestIdOf } from './protocol.js';
import { toWire } from './wire-errors.js';

/** What the server calls for each request; {@link facadeHandler} by default. */
export interface HelperHandler {
  /** Plugs a VIF (the facade's `plug`). */
  plug(vif: VIFBase, instance: InstanceInfo): Promise<void>;
  /** Unplugs a VIF (the facade's `unplug`). */
  unplug(vif: VIFBase, instance: InstanceInfo): Promise<void>;
  /** The HostInfo primitive. */
  hostInfo(permitted: string[] | undefined): unknown;
}

/** One line of the helper's log. */
export interface HelperEvent {
  event: 'listening' | 'denied' | 'busy' | 'request' | 'rejected' | 'closed';
  peer?: PeerCredentials;
  op?: string;
  vif?: string;
  ok?: boolean;
  ms?: number;
  error?: string;
  detail?: string;
}

/** Options of {@link HelperServer.listen}. */
export interface HelperServerOptions {
  /** Path of the unix socket to create. A stale socket there (no one listening) is replaced. */
  socket: string;
  /** Peers with one of these uids are served. */
  allowUids: readonly number[];
  /** Peers whose gid or one of whose supplementary groups (SO_PEERGROUPS) is one of these are served. */
  allowGids?: readonly number[];
  /** The operations (default: the facade, which must be initialised). */
  handler?: HelperHandler;
  /** Connections served at once (default 32); more are answered `HelperBusy` and closed. */
  maxConnections?: number;
  /** Time for a complete request line to arrive, from connect or from the last answer (default 10 s). */
  requestTimeoutMs?: number;
  /** Time for one operation (default 300 s); past it the peer gets `HelperTimeout` and is closed. */
  operationTimeoutMs?: number;
  /** The socket file's mode (default 0o666: the allow list, not the mode, decides who is served). */
  socketMode?: number;
  /** Receives one event per connection outcome and request. */
  log?: (event: HelperEvent) => void;
}

/** The handler that runs requests through the library facade (as `os-vif helper` does). */
export function facadeHandler(): HelperHandler {
  return {
    plug: (vif, instance) => facade.plug(vif, instance),
    unplug: (vif, instance) => facade.unplug(vif, instance),
    hostInfo: (permitted) => facade.hostInfo(permitted).toPrimitive(),
  };
}

/** A listening helper. */
export class HelperServer {
  private readonly connections = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    private readonly options: Required<Omit<HelperServerOptions, 'log'>> & Pick<HelperServerOptions, 'log'>,
    private readonly ino: number,
  ) {}

  /** Creates the socket and starts serving. */
  static async listen(options: HelperServerOptions): Promise<HelperServer> {
    const full = {
      allowGids: [],
      handler: facadeHandler(),
      maxConnections: 32,
      requestTimeoutMs: 10_000,
      operationTimeoutMs: 300_000,
      socketMode: 0o666,
      ...options,
    };
    await removeStaleSocket(options.socket);
    // half-open: a peer may send its request and shut down its side; it still gets its answer
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(options.socket, full.socketMode);
    const helper = new HelperServer(server, full, lstatSync(options.socket).ino);
    server.on('connection', (socket) => helper.accept(socket));
    options.log?.({ event: 'listening', detail: options.socket });
    return helper;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, closes every connection and removes the socket file (if still its own). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.connections) s.destroy();
    await done;
    try {
      if (lstatSync(this.options.socket).ino === this.ino) unlinkSync(this.options.socket);
    } catch {
      // already gone
    }
  }

  private log(event: HelperEvent): void {
    try {
      this.options.log?.(event);
    } catch {
      // a failing logger must not take the helper down
    }
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    const peer = peerCredentialsOf(socket);
    if (!peer) {
      socket.destroy();
      return;
    }
    const { allowUids, allowGids, maxConnections } = this.options;
    const inGroup = [peer.gid, ...peer.groups].some((g) => allowGids.includes(g));
    if (!allowUids.includes(peer.uid) && !inGroup) {
      this.log({ event: 'denied', peer });
      refuse(socket, new HelperAccessDenied({ uid: peer.uid, gid: peer.gid, pid: peer.pid }));
      return;
    }
    if (this.connections.size >= maxConnections) {
      this.log({ event: 'busy', peer });
      refuse(socket, new HelperBusy({ limit: maxConnections }));
      return;
    }
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    new Connection(socket, peer, this.options, (e) => this.log(e)).start();
  }
}

/** One served connection: reads lines, answers each in turn. */
class Connection {
  private readonly splitter = new LineSplitter(LIMITS.maxRequestBytes);
  private readonly queue: Buffer[] = [];
  private busy = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private operationTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly peer: PeerCredentials,
    private readonly options: Required<Omit<HelperServerOptions, 'log'>>,
    private readonly log: (e: HelperEvent) => void,
  ) {}

  start(): void {
    this.armReadTimer();
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => {
      this.ended = true;
      if (!this.busy && this.queue.length === 0) this.socket.end();
    });
    this.socket.on('close', () => {
      clearTimeout(this.timer);
      clearTimeout(this.operationTimer); // the operation runs to its end; nobody waits for its answer
    });
  }

  private onData(data: Buffer): void {
    let lines: Buffer[];
    try {
      lines = this.splitter.push(data);
    } catch (error) {
      this.fail(error as HelperProtocolError, null);
      return;
    }
    this.queue.push(...lines);
    // one request in flight; a peer that sends more than a few ahead is not reading its answers
    if (this.queue.length > 4) {
      this.fail(
        new HelperProtocolError({ reason: 'more than 4 requests sent ahead of their answers' }),
        null,
      );
      return;
    }
    void this.next();
  }

  private armReadTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const reason = `no complete request within ${this.options.requestTimeoutMs} ms`;
      this.fail(new HelperProtocolError({ reason }), null);
    }, this.options.requestTimeoutMs);
  }

  private async next(): Promise<void> {
    if (this.busy || this.socket.destroyed) return;
    const line = this.queue.shift();
    if (line === undefined) return;
    this.busy = true;
    clearTimeout(this.timer);
    this.socket.pause();
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (error) {
      if (error instanceof HelperProtocolError) {
        this.fail(error, requestIdOf(error));
        return;
      }
      // a primitive the object layer refuses: a typed answer, and the connection stays usable
      this.log({ event: 'rejected', peer: this.peer, error: errorLine(error) });
      this.answer({ v: 1, id: requestIdOf(error), ok: false, error: toWire(error) });
      this.done();
      return;
    }
    await this.run(request);
  }

  private async run(request: Request): Promise<void> {
    const started = performance.now();
    const vif = request.op === 'host-info' ? undefined : request.vif.id;
    const { handler, operationTimeoutMs } = this.options;
    const timeout = new Promise<'timeout'>((resolve) => {
      this.operationTimer = setTimeout(() => resolve('timeout'), operationTimeoutMs);
    });
    const work = (async () => {
      if (request.op === 'host-info') return handler.hostInfo(request.permitted);
      await handler[request.op](request.vif, request.instance);
      return null;
    })();
    try {
      const result = await Promise.race([work, timeout]);
      if (result === 'timeout') {
        work.then(
          () =>
            this.log({
              event: 'request',
              peer: this.peer,
              op: request.op,
              vif,
              ok: true,
              detail: 'after timeout',
            }),
          (e: unknown) =>
            this.log({
              event: 'request',
              peer: this.peer,
              op: request.op,
              vif,
              ok: false,
              error: errorLine(e),
              detail: 'after timeout',
            }),
        );
        const error = new HelperTimeout({
          socket: this.options.socket,
          op: request.op,
          timeout_ms: operationTimeoutMs,
        });
        this.fail(error, request.id);
        return;
      }
      this.log({ event: 'request', peer: this.peer, op: request.op, vif, ok: true, ms: ms(started) });
      this.answer({ v: 1, id: request.id, ok: true, result });
    } catch (error) {
      this.log({
        event: 'request',
        peer: this.peer,
        op: request.op,
        vif,
        ok: false,
        ms: ms(started),
        error: errorLine(error),
      });
      this.answer({ v: 1, id: request.id, ok: false, error: toWire(error) });
    } finally {
      clearTimeout(this.operationTimer);
    }
    this.done();
  }

  private done(): void {
    this.busy = false;
    if (this.socket.destroyed) return;
    if (this.ended && this.queue.length === 0) {
      clearTimeout(this.timer);
      this.socket.end();
      return;
    }
    this.armReadTimer();
    this.socket.resume();
    void this.next();
  }

  private answer(response: Parameters<typeof encodeResponse>[0]): void {
    if (!this.socket.destroyed) this.socket.write(encodeResponse(response));
  }

  /** Answers with `error` and closes this connection (only this one). */
  private fail(error: HelperError, id: number | null): void {
    clearTimeout(this.timer);
    this.log({ event: 'rejected', peer: this.peer, error: errorLine(error) });
    this.queue.length = 0;
    refuse(this.socket, error, id);
  }
}

/** Writes one error answer, half-closes, and destroys the socket soon whatever the peer does. */
function refuse(socket: net.Socket, error: HelperError, id: number | null = null): void {
  if (socket.destroyed) return;
  socket.removeAllListeners('data');
  socket.on('data', () => undefined); // drain what the peer still sends, so close is clean
  socket.resume();
  socket.end(encodeResponse({ v: 1, id, ok: false, error: toWire(error) }));
  setTimeout(() => socket.destroy(), 1000).unref();
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new HelperError({ reason: `${path} exists and is not a socket` });
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new HelperError({ reason: `another process is serving ${path}` });
  unlinkSync(path);
}

function errorLine(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function ms(started: number): number {
  return Number((performance.now() - started).toFixed(1));
}
