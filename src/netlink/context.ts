/** What the API objects of one `Netlink` handle share. */
import { decodeBody, type RtnlBody } from './codec/rtnl.js';
import { DumpInterrupted } from './errors.js';
import type { Request } from './requests/request.js';
import { NetlinkSocket, type Reply, type RequestContext, type SocketOptions } from './socket.js';

export class NetlinkContext {
  constructor(
    readonly socket: NetlinkSocket,
    /** Namespace file path, or undefined for the current namespace. */
    readonly netns: string | undefined,
    /** Options for sockets opened later (watchers). */
    readonly socketOptions: SocketOptions,
    /** How many times a dump is retried after NLM_F_DUMP_INTR. */
    readonly dumpRetries: number,
  ) {}

  /** Sends one request. */
  request(req: Request, ctx: RequestContext): Promise<Reply> {
    return this.socket.request(req, ctx);
  }

  /** Runs a dump, retrying when the kernel flags it interrupted; then DumpInterrupted with the last result. */
  async dump<T>(
    req: Request,
    ctx: RequestContext,
    view: (body: RtnlBody) => T | undefined,
    socket: NetlinkSocket = this.socket,
  ): Promise<T[]> {
    let out: T[] = [];
    for (let attempt = 1; attempt <= this.dumpRetries + 1; attempt++) {
      const reply = await socket.request(req, ctx);
      out = [];
      for (const m of reply.messages) {
        const v = view(decodeBody(m.type, m.payload));
        if (v !== undefined) out.push(v);
      }
      if (!reply.interrupted) return out;
    }
    throw new DumpInterrupted<T>(ctx.operation, out, this.dumpRetries + 1);
  }

  /** Opens another socket in the same namespace (for a watcher). */
  openSocket(extra: SocketOptions): Promise<NetlinkSocket> {
    return NetlinkSocket.open({
      ...this.socketOptions,
      ...(this.netns ? { netns: this.netns } : {}),
      ...extra,
    });
  }
}
