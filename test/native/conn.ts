/**
 * A thin test-side wrapper around a native netlink socket: collects every message read and
 * waits for answers by sequence number. (src/netlink does this properly; tests need little.)
 */
import { type NativeError, type NativeNetlinkSocket, native } from '../../src/native/addon.js';
import { type Message, NLMSG_DONE, NLMSG_ERROR, parse } from './nlmsg.js';

export class Conn {
  readonly messages: Message[] = [];
  readonly errors: NativeError[] = [];
  readonly passes: number[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: NativeNetlinkSocket) {}

  /** `onDatagrams`: collect the raw datagrams there too (and do not parse them). */
  static async open(
    options: {
      netns?: string;
      groups?: number[];
      rcvbuf?: number;
      protocol?: number;
      onDatagrams?: Buffer[];
      /** `onDatagrams` mode: the multicast group of each datagram (0: unicast from the kernel). */
      onGroups?: number[];
      /** The port datagrams are accepted from (default: the kernel). */
      peer?: number;
    } = {},
  ): Promise<Conn> {
    let conn: Conn | undefined;
    const { onDatagrams, onGroups, ...rest } = options;
    const socket = await native().openNetlink({
      protocol: 0,
      ...rest,
      onMessages: (datagrams, groups) => {
        if (onDatagrams) {
          onDatagrams.push(...datagrams);
          onGroups?.push(...groups);
          conn?.passes.push(datagrams.length);
          conn?.wake();
        } else {
          conn?.receive(datagrams);
        }
      },
      onError: (error) => {
        conn?.errors.push(error);
        conn?.wake();
      },
    });
    conn = new Conn(socket);
    return conn;
  }

  /** Sends one datagram; resolves when sendmsg has returned. */
  send(datagram: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(datagram, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Resolves with the first message matching `pred`, waiting up to `ms`. */
  async waitFor(pred: (m: Message) => boolean, ms = 5000): Promise<Message> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.messages.map((m) => `${m.type}/${m.seq}/${m.errno ?? ''}`).join(' ');
        throw new Error(`timed out waiting for a netlink message; seen: ${seen}; errors: ${this.errors}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The ack (NLMSG_ERROR) for `seq`. */
  ack(seq: number): Promise<Message> {
    return this.waitFor((m) => m.seq === seq && m.type === NLMSG_ERROR);
  }

  /** All messages of the dump `seq`, once its NLMSG_DONE has arrived. */
  async dump(seq: number): Promise<Message[]> {
    await this.waitFor((m) => m.seq === seq && (m.type === NLMSG_DONE || m.type === NLMSG_ERROR));
    return this.messages.filter((m) => m.seq === seq && m.type !== NLMSG_DONE);
  }

  close(): void {
    this.socket.close();
  }

  private receive(datagrams: Buffer[]): void {
    this.passes.push(datagrams.length);
    this.messages.push(...parse(datagrams));
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
