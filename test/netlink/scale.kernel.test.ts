/**
 * Scale: a dump of 2,000 links while a timer keeps firing (the event loop stays free), and
 * 20,000 requests (sets and gets on a pool of links, plus 1,000 create/delete cycles with
 * group deletes) that leave the process's fd count and memory flat.
 */
import { readdirSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { sh } from '../harness/netns.js';
import { inNetns, kernelTest } from './kernel.js';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

const fds = () => readdirSync('/proc/self/fd').length;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

kernelTest('a dump of 2,000 links comes back whole while a timer keeps firing', (t) =>
  inNetns(async (ns, nl) => {
    const lines = Array.from({ length: 1000 }, (_, i) => `link add a${i} type veth peer name b${i}`).join(
      '\n',
    );
    sh('ip', ['-n', ns.name, '-batch', '-'], `${lines}\n`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const before = ticks;
    const links = await nl.links.list();
    const during = ticks - before;
    clearInterval(timer);
    t.is(links.length, 2001);
    t.is(new Set(links.map((l) => l.index)).size, 2001);
    t.true(links.filter((l) => l.kind === 'veth').length === 2000);
    t.true(during >= 2, `the timer fired ${during} times during the dump`);
    t.log(`timer fired ${during} times during the dump`);
  }),
);

kernelTest('20,000 requests leave the fd count and memory flat', (t) =>
  inNetns(async (_ns, nl) => {
    await nl.links.add({ kind: 'bridge', name: 'brs', up: true });
    const pool = Array.from({ length: 20 }, (_, i) => `pool${i}`);
    await Promise.all(pool.map((name) => nl.links.add({ kind: 'tap', name, master: 'brs' })));
    let requests = 0;
    const round = async (n: number) => {
      // sets and gets on the pool, 500 in flight at a time
      for (let done = 0; done < n; done += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, i) => {
            const name = pool[(done + i) % pool.length];
            return i % 2 ? nl.links.get(name) : nl.links.set(name, { mtu: 1400 + ((done + i) % 100) });
          }),
        );
        requests += 500;
      }
    };
    const cycles = async (n: number, group: number) => {
      // create n taps, then one group delete
      await Promise.all(
        Array.from({ length: n }, (_, i) => nl.links.add({ kind: 'tap', name: `c${group}x${i}`, group })),
      );
      await nl.links.del({ group });
      requests += n * 2 + 1;
    };
    await round(1000); // warm-up
    await cycles(50, 100);
    const fd0 = fds();
    const heap0 = heap();
    for (let g = 1; g <= 9; g++) {
      await round(2000);
      await cycles(100, g);
    }
    await cycles(50, 10);
    t.true(requests >= 20_000, `${requests} requests`);
    t.is(fds(), fd0, 'fd count');
    const grown = heap() - heap0;
    t.true(grown < 8 * 1024 * 1024, `heap grew by ${grown} bytes`);
    t.is((await nl.links.list({ kind: 'tap' })).length, pool.length, 'only the pool is left');
    t.log(`${requests} requests, heap ${(grown / 1024).toFixed(0)} KiB, fds ${fd0}`);
  }),
);
