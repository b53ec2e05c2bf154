/** links.watch(): add, change and delete are seen; lost events (ENOBUFS) are reported as such. */
import test from 'ava';
import type { LinkEvent } from '../../src/netlink/index.js';
import { sh } from '../harness/netns.js';
import { inNetns, kernelTest } from './kernel.js';

/** Collects events until `done` says so (or 5 s pass). */
async function collect(
  it: AsyncIterableIterator<LinkEvent>,
  done: (events: LinkEvent[]) => boolean,
): Promise<LinkEvent[]> {
  const events: LinkEvent[] = [];
  const deadline = setTimeout(() => void it.return?.(), 5000);
  try {
    for await (const e of it) {
      events.push(e);
      if (done(events)) break;
    }
  } finally {
    clearTimeout(deadline);
  }
  return events;
}

kernelTest('watch() sees a link appear, change and go', (t) =>
  inNetns(async (_ns, nl) => {
    await nl.links.add({ kind: 'bridge', name: 'brw' });
    const it = nl.links.watch({ existing: true });
    const first = await it.next();
    t.like(first.value, { type: 'new' });
    const seen = collect(it, (ev) => ev.some((e) => e.type === 'del' && e.link.name === 'tapw'));
    await nl.links.add({ kind: 'tap', name: 'tapw' });
    await nl.links.set('tapw', { mtu: 1400, master: 'brw' });
    await nl.links.del('tapw');
    const events = await seen;
    const mine = events.filter((e) => e.type !== 'lost' && e.link.name === 'tapw');
    t.is(mine[0]?.type, 'new');
    t.truthy(mine.find((e) => e.type === 'change' && e.link.mtu === 1400 && e.link.master !== undefined));
    t.is(mine[mine.length - 1]?.type, 'del');
    await it.return?.();
  }),
);

kernelTest('watch() reports lost events when the kernel overruns its buffer, then keeps working', (t) =>
  inNetns(async (ns, nl) => {
    const it = nl.links.watch({ rcvbuf: 64 * 1024 });
    const started = it.next(); // the watcher is subscribed once its first read is pending
    await new Promise((r) => setTimeout(r, 50));
    // `ip -batch` runs synchronously: the event loop is blocked while 800 links appear
    const lines = Array.from({ length: 400 }, (_, i) => `link add o${i} type veth peer name p${i}`).join(
      '\n',
    );
    sh('ip', ['-n', ns.name, '-batch', '-'], `${lines}\n`);
    const first = (await started).value as LinkEvent;
    const events =
      first.type === 'lost'
        ? [first]
        : [first, ...(await collect(it, (ev) => ev.some((e) => e.type === 'lost')))];
    t.truthy(events.find((e) => e.type === 'lost'));
    // after the resync, new events still arrive
    const more = collect(it, (ev) => ev.some((e) => e.type === 'new' && e.link.name === 'after'));
    await nl.links.add({ kind: 'bridge', name: 'after' });
    t.truthy((await more).find((e) => e.type === 'new' && e.link.name === 'after'));
    await it.return?.();
  }),
);

test('watch tests run in namespaces of their own', (t) => t.pass());
