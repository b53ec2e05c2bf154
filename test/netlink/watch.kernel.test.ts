/** links.watch(): add, change and delete are seen; lost events (ENOBUFS) are reported as such. */
import type { ExecutionContext } from 'ava';
import type { LinkEvent, Netlink } from '../../src/netlink/index.js';
import { sh, TestNetns } from '../harness/netns.js';
import { inNetns, kernelTest } from './kernel.js';

/** Reads a watcher in the background into `events`; `until` waits (at most `ms`) for a condition. */
function reader(t: ExecutionContext, nl: Netlink, options: Parameters<Netlink['links']['watch']>[0]) {
  const it = nl.links.watch(options);
  const events: LinkEvent[] = [];
  const done = (async () => {
    for await (const e of it) events.push(e);
  })();
  t.teardown(async () => {
    await it.return?.();
    await done;
  });
  const until = async (ok: (events: LinkEvent[]) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!ok(events) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return ok(events);
  };
  return { events, until };
}

const named = (events: LinkEvent[], name: string) =>
  events.filter((e) => e.type !== 'lost' && e.link.name === name);

kernelTest('watch() sees a link appear, change and go', (t) =>
  inNetns(async (_ns, nl) => {
    await nl.links.add({ kind: 'bridge', name: 'brw' });
    const w = reader(t, nl, { existing: true });
    t.true(await w.until((ev) => named(ev, 'brw').length > 0), 'existing links come first');
    t.like(named(w.events, 'brw')[0], { type: 'new' });
    await nl.links.add({ kind: 'tap', name: 'tapw' });
    await nl.links.set('tapw', { mtu: 1400, master: 'brw' });
    await nl.links.del('tapw');
    t.true(await w.until((ev) => named(ev, 'tapw').some((e) => e.type === 'del')));
    const mine = named(w.events, 'tapw');
    t.is(mine[0]?.type, 'new');
    t.truthy(mine.find((e) => e.type === 'change' && e.link.mtu === 1400 && e.link.master !== undefined));
    t.is(mine[mine.length - 1]?.type, 'del');
  }),
);

kernelTest('watch() reports lost events when the kernel overruns its buffer, then keeps working', (t) =>
  inNetns(async (ns, nl) => {
    const w = reader(t, nl, { rcvbuf: 64 * 1024, existing: true });
    t.true(await w.until((ev) => named(ev, 'lo').length > 0), 'subscribed: the existing links come first');
    // `ip -batch` runs synchronously: the event loop is blocked while 800 links appear
    const lines = Array.from({ length: 400 }, (_, i) => `link add o${i} type veth peer name p${i}`);
    sh('ip', ['-n', ns.name, '-batch', '-'], `${lines.join('\n')}\n`);
    t.true(await w.until((ev) => ev.some((e) => e.type === 'lost')), `${w.events.length} events, no 'lost'`);
    // once the burst is over, events still arrive (as 'new', or as 'change' when a resync dump
    // already saw the link)
    await new Promise((r) => setTimeout(r, 300));
    await nl.links.add({ kind: 'bridge', name: 'after' });
    t.true(await w.until((ev) => named(ev, 'after').length > 0));
  }),
);

kernelTest('watch() sees only its own namespace: a link made in another one never shows', (t) =>
  inNetns(async (ns, nl) => {
    const other = TestNetns.create();
    try {
      const w = reader(t, nl, { existing: true });
      t.true(await w.until((ev) => named(ev, 'lo').length > 0), 'subscribed');
      other.ip('link', 'add', 'elsewhere', 'type', 'bridge');
      ns.ip('link', 'add', 'here', 'type', 'bridge');
      t.true(await w.until((ev) => named(ev, 'here').length > 0), 'the link made in its namespace shows');
      // 'here' was made after 'elsewhere': had the event of 'elsewhere' reached this socket, it would be in by now
      t.deepEqual(named(w.events, 'elsewhere'), []);
      t.false(w.events.some((e) => e.type !== 'lost' && e.link.name === 'elsewhere'));
    } finally {
      other.destroy();
    }
  }),
);
