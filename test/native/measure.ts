/**
 * Rough costs of the addon's calls on this machine, in a throwaway namespace (not a test:
 * prints a markdown table). Run as root: `npx tsc -p tsconfig.json && node dist/test/native/measure.js`.
 */
import { native } from '../../src/native/addon.js';
import { TestNetns } from '../harness/netns.js';
import { Conn } from './conn.js';
import { concat, delLink, getLinkDump, newBridge } from './nlmsg.js';
import { tunCreate } from './tun-one.js';

const ns = TestNetns.create();
const rows: string[] = [];
/** Runs `body` `runs` times; each run makes `items` calls; reports µs per call. */
async function measure(
  what: string,
  runs: number,
  body: (i: number) => Promise<unknown>,
  items = 1,
): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < runs; i++) await body(i);
  const us = ((performance.now() - started) * 1000) / (runs * items);
  rows.push(`| ${what} | ${runs * items} | ${us.toFixed(1)} |`);
}

try {
  await measure('openNetlink in a netns + close', 200, async () =>
    (await Conn.open({ netns: ns.path })).close(),
  );
  const conn = await Conn.open({ netns: ns.path });
  let seq = 1;
  await measure('RTM_GETLINK dump of lo, request to NLMSG_DONE', 1000, async () => {
    const s = seq++;
    conn.send(getLinkDump(s));
    await conn.dump(s);
  });
  const N = 200;
  await measure('bridge create, one request at a time', N, async (i) => {
    const s = seq++;
    conn.send(newBridge(s, `ovta${i}`));
    await conn.ack(s);
  });
  let last = 0;
  await measure(
    'bridge create, all requests in flight (one send each)',
    1,
    async () => {
      for (let i = 0; i < N; i++) {
        last = seq++;
        conn.send(newBridge(last, `ovtb${i}`));
      }
      await conn.ack(last);
    },
    N,
  );
  await measure(
    'bridge create, all messages in one datagram',
    1,
    async () => {
      const first = seq;
      seq += N;
      conn.send(concat(Array.from({ length: N }, (_, i) => newBridge(first + i, `ovtc${i}`))));
      await conn.ack(first + N - 1);
    },
    N,
  );
  let lag = 0;
  let at = performance.now();
  const timer = setInterval(() => {
    lag = Math.max(lag, performance.now() - at);
    at = performance.now();
  }, 1);
  await measure('bridge delete, one request at a time', 20, async (i) => {
    const s = seq++;
    conn.send(delLink(s, `ovta${i}`));
    await conn.ack(s);
  });
  clearInterval(timer);
  rows.push(`| (largest gap between 1 ms timer ticks during those deletes: ${lag.toFixed(1)} ms) | | |`);
  conn.close();
  await measure('tunCreate + tunDelete (tap, multi-queue, vnet header)', 50, async () => {
    await tunCreate({
      name: 'ovtmtap',
      netns: ns.path,
      mode: 'tap',
      multiQueue: true,
      vnetHdr: true,
    });
    await native().tunDelete({ name: 'ovtmtap', netns: ns.path, mode: 'tap', multiQueue: true });
  });
  await measure('sysctlRead in a netns', 200, () =>
    native().sysctlRead({ netns: ns.path, path: 'ipv4/conf/lo/arp_ignore' }),
  );
  const named = `ovt${process.pid}m`;
  await measure('netnsCreate + netnsDelete', 50, async () => {
    await native().netnsCreate(named);
    await native().netnsDelete(named);
  });
  console.log('| call | n | µs per call |\n| --- | --- | --- |');
  console.log(rows.join('\n'));
} finally {
  ns.destroy();
}
