/**
 * The helper's client: one connection per call, so calls run side by side and a broken
 * connection fails only its own call. Errors the helper answers are rebuilt as the same classes
 * (see wire-errors.ts); transport failures are {@link HelperUnavailable}, {@link HelperTimeout}
 * or {@link HelperProtocolError}.
 */
import net from 'node:net';
import { HostInfo } from '../vif/objects/host-info.js';
import * as objects from '../vif/objects/index.js';
import type { InstanceInfo } from '../vif/objects/instance.js';
import type { VIFBase } from '../vif/objects/vif.js';
import { HelperProtocolError, HelperTimeout, HelperUnavailable } from './errors.js';
import { encodeRequest, LIMITS, LineSplitter, parseResponse, type WireRequest } from './protocol.js';
import { fromWire } from './wire-errors.js';

/** Options of {@link HelperClient}. */
export interface HelperClientOptions {
  /** Path of the helper's unix socket. */
  socket: string;
  /** Time limit of one call, connect to answer (default 330 s: above the helper's own 300 s). */
  timeoutMs?: number;
}

type Call =
  | { op: 'plug' | 'unplug'; vif: unknown; instance: unknown }
  | { op: 'host-info'; permitted?: string[] };

/** Calls a running `os-vif helper`. */
export class HelperClient {
  readonly socket: string;
  readonly timeoutMs: number;
  private nextId = 1;

  constructor(options: HelperClientOptions) {
    if (typeof options.socket !== 'string' || options.socket.length === 0 || options.socket.includes('\0'))
      throw new HelperUnavailable({ socket: String(options.socket), reason: 'the socket must be a path' });
    this.socket = options.socket;
    this.timeoutMs = options.timeoutMs ?? 330_000;
  }

  /** Plugs a VIF through the helper. */
  async plug(vif: VIFBase, instance: InstanceInfo): Promise<void> {
    await this.call({ op: 'plug', vif: vif.toPrimitive(), instance: instance.toPrimitive() });
  }

  /** Unplugs a VIF through the helper. */
  async unplug(vif: VIFBase, instance: InstanceInfo): Promise<void> {
    await this.call({ op: 'unplug', vif: vif.toPrimitive(), instance: instance.toPrimitive() });
  }

  /** The helper's HostInfo (filtered by `permitted` when given, as `hostInfo()` filters). */
  async hostInfo(permitted?: readonly string[]): Promise<HostInfo> {
    const call: Call = permitted ? { op: 'host-info', permitted: [...permitted] } : { op: 'host-info' };
    const primitive = await this.call(call);
    try {
      return objects.fromPrimitive(primitive, HostInfo);
    } catch (error) {
      throw new HelperProtocolError(
        { reason: 'the helper sent a HostInfo that does not load' },
        { cause: error },
      );
    }
  }

  /** Sends one request on a connection of its own and resolves with the answer's result. */
  call(call: Call): Promise<unknown> {
    const id = this.nextId++;
    const line = encodeRequest({ v: 1, id, ...call } as WireRequest);
    if (Buffer.byteLength(line) > LIMITS.maxRequestBytes) {
      return Promise.reject(
        new HelperProtocolError({ reason: `request longer than ${LIMITS.maxRequestBytes - 1} bytes` }),
      );
    }
    return new Promise((resolve, reject) => {
      const splitter = new LineSplitter(LIMITS.maxResponseBytes);
      const socket = net.connect(this.socket);
      let settled = false;
      const finish = (error: Error | undefined, result?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(result);
      };
      const timer = setTimeout(
        () => finish(new HelperTimeout({ socket: this.socket, op: call.op, timeout_ms: this.timeoutMs })),
        this.timeoutMs,
      );
      socket.on('connect', () => socket.write(line));
      socket.on('data', (data: Buffer) => {
        try {
          const [first] = splitter.push(data);
          if (first === undefined) return;
          const response = parseResponse(first);
          if (response.id !== null && response.id !== id)
            throw new HelperProtocolError({ reason: `answer for request ${response.id}, not ${id}` });
          if (response.ok) finish(undefined, response.result);
          else finish(fromWire(response.error));
        } catch (error) {
          finish(error as Error);
        }
      });
      socket.on('error', (error: NodeJS.ErrnoException) =>
        finish(
          new HelperUnavailable(
            { socket: this.socket, reason: error.code ?? error.message },
            { cause: error },
          ),
        ),
      );
      socket.on('close', () =>
        finish(
          new HelperUnavailable({ socket: this.socket, reason: 'the connection closed before an answer' }),
        ),
      );
    });
  }
}
