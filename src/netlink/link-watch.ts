/**
 * Link events from the RTNLGRP_LINK multicast group on a socket of their own. A first dump
 * (on that socket, after joining, so nothing falls in between) tells new links from changed
 * ones. When the kernel drops events (ENOBUFS) the iterator yields `{ type: 'lost' }`, then
 * re-reads the link table so later events are classified right again.
 */
import { RTM_DELLINK, RTM_NEWLINK, RTNLGRP_LINK } from './codec/constants.js';
import type { NlMessage } from './codec/message.js';
import { decodeBody, type LinkBody } from './codec/rtnl.js';
import type { NetlinkContext } from './context.js';
import { NetlinkError } from './errors.js';
import { linkDumpRequest } from './requests/link.js';
import type { NetlinkSocket } from './socket.js';
import { type Link, linkView } from './views.js';

/** One item of `links.watch()`. */
export type LinkEvent =
  /** A link appeared (or existed when watching began, with `existing: true`). */
  | { type: 'new'; link: Link }
  /** A link changed (flags, MTU, master, carrier, ...). */
  | { type: 'change'; link: Link }
  /** A link was deleted. */
  | { type: 'del'; link: Link }
  /** The kernel dropped events (ENOBUFS): re-list to resynchronise. */
  | { type: 'lost' };

/** Options of `links.watch()`. */
export interface WatchOptions {
  /** Yield every existing link as `new` first. */
  existing?: boolean;
  /** Receive buffer of the watching socket (default: the handle's). */
  rcvbuf?: number;
}

export function watchLinks(nl: NetlinkContext, options: WatchOptions): AsyncIterableIterator<LinkEvent> {
  const queue: LinkEvent[] = [];
  const known = new Set<number>();
  /** Callers of next() waiting for an event (next() may be called again before it resolves). */
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let socket: NetlinkSocket | undefined;
  let failure: unknown;
  let done = false;
  let seeding = true;
  const held: NlMessage[] = [];

  const push = (e: LinkEvent) => {
    queue.push(e);
    wake();
  };
  const onMessages = (messages: NlMessage[]) => {
    if (seeding) {
      held.push(...messages);
      return;
    }
    for (const m of messages) {
      if (m.type !== RTM_NEWLINK && m.type !== RTM_DELLINK) continue;
      let link: Link;
      try {
        link = linkView(decodeBody(m.type, m.payload) as LinkBody);
      } catch {
        continue;
      }
      if (m.type === RTM_DELLINK) {
        known.delete(link.index);
        push({ type: 'del', link });
      } else if (known.has(link.index)) {
        push({ type: 'change', link });
      } else {
        known.add(link.index);
        push({ type: 'new', link });
      }
    }
  };
  const seed = async (announce: boolean) => {
    seeding = true;
    const links = await nl.dump(
      linkDumpRequest(),
      { operation: 'links.watch' },
      (b) => (b.family === 'link' ? linkView(b as LinkBody) : undefined),
      socket,
    );
    known.clear();
    for (const l of links) {
      known.add(l.index);
      if (announce) push({ type: 'new', link: l });
    }
    seeding = false;
    onMessages(held.splice(0));
  };
  let resyncing = false;
  let overrunAgain = false;
  const startResync = () => {
    resyncing = true;
    overrunAgain = false;
    push({ type: 'lost' });
    resync().then(
      () => {
        resyncing = false;
        if (overrunAgain && !done) startResync();
      },
      (e) => {
        failure = e;
        wake();
      },
    );
  };
  /** Re-reads the link table; a dump that itself overruns is tried again (bounded). */
  const resync = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await seed(false);
      } catch (e) {
        if (done || !(e instanceof NetlinkError) || !['ENOBUFS', 'EBUSY'].includes(e.code) || attempt >= 10)
          throw e;
        await new Promise((r) => setTimeout(r, 10 * attempt));
      }
    }
  };
  const start = (async () => {
    socket = await nl.openSocket({
      groups: [RTNLGRP_LINK],
      ...(options.rcvbuf ? { rcvbuf: options.rcvbuf } : {}),
      onNotification: onMessages,
      onOverrun: () => {
        if (resyncing) {
          overrunAgain = true; // the table being read may miss what was dropped now: read it again after
          return;
        }
        startResync();
      },
    });
    await seed(options.existing === true);
  })();

  const close = () => {
    done = true;
    socket?.close();
    wake();
  };

  const iterator: AsyncIterableIterator<LinkEvent> = {
    async next(): Promise<IteratorResult<LinkEvent>> {
      await start;
      for (;;) {
        if (queue.length) return { value: queue.shift()!, done: false };
        if (failure) {
          const e = failure;
          failure = undefined;
          close();
          throw e;
        }
        if (done) return { value: undefined, done: true };
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    async return(): Promise<IteratorResult<LinkEvent>> {
      await start.catch(() => undefined);
      close();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
