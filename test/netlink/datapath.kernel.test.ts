/**
 * A data path made by the library: a bridge in a switch namespace, two veths whose peers live
 * in two host namespaces, addresses and a route set through netlink, sysctls through the
 * namespace's own /proc/sys/net; `ping` (run by the test, not the library) must pass.
 */
import test from 'ava';
import { Netlink } from '../../src/netlink/index.js';
import { isRoot, TestNetns, trySh } from '../harness/netns.js';
import { kernelTest } from './kernel.js';

const spaces: TestNetns[] = [];
const handles: Netlink[] = [];

test.after.always(() => {
  for (const h of handles) h.close();
  for (const s of spaces) s.destroy();
});

kernelTest('ping between two namespaces over veths on a bridge made by the library', async (t) => {
  if (!isRoot) return;
  const [sw, h1, h2] = [TestNetns.create(), TestNetns.create(), TestNetns.create()];
  spaces.push(sw, h1, h2);
  const nl = await Netlink.open({ netns: sw.name });
  handles.push(nl);
  await nl.links.add({ kind: 'bridge', name: 'br0', up: true, stpState: false, forwardDelay: 0 });
  for (const [i, h] of [h1, h2].entries()) {
    await nl.links.add({
      kind: 'veth',
      name: `p${i + 1}`,
      master: 'br0',
      up: true,
      peer: { name: 'eth0', netns: h.name },
    });
    const hn = await Netlink.open({ netns: h.path });
    handles.push(hn);
    await hn.links.set('eth0', { up: true });
    await hn.addresses.add({ interface: 'eth0', address: `10.99.0.${i + 1}/24` });
  }
  t.is(sw.link('p1')?.master, 'br0');
  const witness = JSON.parse(h1.ip('-j', 'addr', 'show', 'dev', 'eth0'))[0].addr_info as {
    family: string;
    local: string;
    prefixlen: number;
  }[];
  t.like(
    witness.find((a) => a.family === 'inet'),
    { local: '10.99.0.1', prefixlen: 24 },
  );
  const ping = h1.exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', '10.99.0.2']);
  t.is(ping.status, 0, ping.stdout + ping.stderr);
  t.regex(ping.stdout, / 0% packet loss/);

  // the addresses and a route, as the library reads them and as ip shows them
  const hn1 = handles[1];
  const addrs = await hn1.addresses.list({ interface: 'eth0', family: 4 });
  t.deepEqual(
    addrs.map((a) => a.cidr),
    ['10.99.0.1/24'],
  );
  await hn1.routes.add({ dst: '10.99.7.0/24', gateway: '10.99.0.2', metric: 5 });
  t.regex(h1.ip('route', 'show', '10.99.7.0/24'), /10\.99\.7\.0\/24 via 10\.99\.0\.2 dev eth0 metric 5/);
  const routes = await hn1.routes.list({ family: 4 });
  t.truthy(routes.find((r) => r.dst === '10.99.7.0/24' && r.gateway === '10.99.0.2' && r.metric === 5));
  await hn1.routes.del({ dst: '10.99.7.0/24', gateway: '10.99.0.2', metric: 5 });
  t.is(h1.ip('route', 'show', '10.99.7.0/24').trim(), '');
  await hn1.addresses.add({ interface: 'eth0', address: '2001:db8::1/64', nodad: true });
  t.truthy((await hn1.addresses.list({ family: 6 })).find((a) => a.cidr === '2001:db8::1/64'));
  await hn1.addresses.del({ interface: 'eth0', address: '2001:db8::1/64' });
  t.falsy((await hn1.addresses.list({ family: 6 })).find((a) => a.cidr === '2001:db8::1/64'));

  // per-namespace sysctls: written in the switch namespace, seen there and not on the host
  await nl.sysctl.setInterface('br0', 'disable_ipv6', 1);
  await nl.sysctl.setInterface('p1', 'arp_ignore', 1);
  await nl.sysctl.setInterface('p1', 'arp_announce', 2);
  t.is(sw.exec('cat', ['/proc/sys/net/ipv6/conf/br0/disable_ipv6']).stdout.trim(), '1');
  t.is(sw.exec('sysctl', ['-n', 'net.ipv4.conf.p1.arp_ignore']).stdout.trim(), '1');
  t.is(await nl.sysctl.getInterface('p1', 'arp_announce'), '2');
  t.is(trySh('cat', ['/proc/sys/net/ipv4/conf/p1/arp_ignore']).status, 1, 'p1 is not on the host');
});
