/** Bad input is a NetlinkValidationError naming the field, decided before any request exists. */
import test from 'ava';
import { NetlinkValidationError } from '../../src/netlink/errors.js';
import type { LinkChanges, LinkSpec } from '../../src/netlink/link-spec.js';
import { checkAddressSpec } from '../../src/netlink/requests/address.js';
import { checkLinkChanges, checkLinkSpec } from '../../src/netlink/requests/link.js';
import { checkRouteSpec, type RouteSpec } from '../../src/netlink/requests/route.js';
import { checkName } from '../../src/netlink/validate.js';

const bad = (t: import('ava').ExecutionContext, f: () => unknown, field: string) => {
  const e = t.throws(f, { instanceOf: NetlinkValidationError });
  t.is(e?.field, field, e?.message);
};

test('interface names: 1-15 bytes, no / : or whitespace, not . or ..', (t) => {
  for (const ok of ['a', 'tap0', 'qvb1234567890ab', 'br-int', 'eth0.10', 'é1'])
    t.is(checkName('name', ok), ok);
  for (const no of ['', 'sixteen-chars-xx', 'a/b', 'a:b', 'a b', 'tab\t', '.', '..', 'nul\0', 'ééééééééé']) {
    bad(t, () => checkName('name', no), 'name');
  }
  bad(t, () => checkName('name', 7), 'name');
});

test('link specs: MAC, MTU, kind, options and their types are checked', (t) => {
  const add = (s: unknown) => () => checkLinkSpec(s as LinkSpec);
  bad(t, add({ kind: 'bridge', name: 'br0', mtu: 67 }), 'mtu');
  bad(t, add({ kind: 'bridge', name: 'br0', mtu: 65536 }), 'mtu');
  bad(t, add({ kind: 'bridge', name: 'br0', mtu: '1500' }), 'mtu');
  bad(t, add({ kind: 'bridge', name: 'br0', address: '01:00:5e:00:00:01' }), 'address');
  bad(t, add({ kind: 'bridge', name: 'br0', address: '00:00:00:00:00:00' }), 'address');
  bad(t, add({ kind: 'bridge', name: 'br0', address: 'fa:16:3e:00:00' }), 'address');
  bad(t, add({ kind: 'bridge', name: 'br0', stpState: 'yes' }), 'stpState');
  bad(t, add({ kind: 'bridge', name: 'br0', stpstate: true }), 'spec.stpstate');
  bad(t, add({ kind: 'bond', name: 'bond0' }), 'kind');
  bad(t, add({ kind: 'veth', name: 'v0', peer: { name: 'way-too-long-name' } }), 'peer.name');
  bad(t, add({ kind: 'veth', name: 'v0', peer: { name: 'v0' } }), 'peer.name');
  bad(t, add({ kind: 'macvtap', name: 'm0' }), 'link');
  bad(t, add({ kind: 'macvlan', name: 'm0', link: 'eth0', mode: 'bridged' }), 'mode');
  bad(t, add({ kind: 'vxlan', name: 'vx0' }), 'id');
  bad(t, add({ kind: 'vxlan', name: 'vx0', id: 1 << 24 }), 'id');
  bad(t, add({ kind: 'vxlan', name: 'vx0', id: 5, remote: '10.99.0.300' }), 'remote');
  bad(t, add({ kind: 'vlan', name: 'v.5', link: 'eth0', id: 4095 }), 'id');
  bad(t, add({ kind: 'tap', name: 'tap0', owner: -1 }), 'owner');
  bad(t, add({ kind: 'tun', name: 'tun0', address: 'fa:16:3e:00:00:01' }), 'address');
  bad(t, add({ kind: 'tap', name: 'tap0', netns: '' }), 'netns');
  bad(t, add({ kind: 'tap', name: 'tap0', netns: 'other' }), 'netns');
  t.notThrows(
    add({
      kind: 'tap',
      name: 'tap0',
      owner: 1000,
      mtu: 9000,
      master: 'br0',
      up: true,
      address: 'FA:16:3E:00:00:01',
    }),
  );
  t.notThrows(
    add({ kind: 'vxlan', name: 'vx0', id: 42, remote: '2001:db8::2', port: 4789, learning: false }),
  );
});

test('link changes: unknown keys, bad master, bad promisc', (t) => {
  const set = (c: unknown) => () => checkLinkChanges(c as LinkChanges);
  bad(t, set({ mtu: 10 }), 'mtu');
  bad(t, set({ master: '' }), 'master');
  bad(t, set({ promisc: 1 }), 'promisc');
  bad(t, set({ name: 'a b' }), 'name');
  bad(t, set({ colour: 'red' }), 'changes.colour');
  t.notThrows(set({ master: null, up: false, mtu: 1400 }));
});

test('addresses and routes: prefixes, families, gateways', (t) => {
  bad(t, () => checkAddressSpec({ interface: 'br0', address: '10.99.0.1/33' }), 'address');
  bad(t, () => checkAddressSpec({ interface: 'br0', address: '2001:db8::1/129' }), 'address');
  bad(t, () => checkAddressSpec({ interface: 'br0', address: 'ten' }), 'address');
  bad(
    t,
    () => checkAddressSpec({ interface: 'br0', address: '10.99.0.1/24', broadcast: '::1' }),
    'broadcast',
  );
  t.like(checkAddressSpec({ interface: 'br0', address: '2001:db8::1/64' }), { family: 6, prefixlen: 64 });
  const route = (r: unknown) => () => checkRouteSpec(r as RouteSpec);
  bad(t, route({ dst: '10.99.1.0/24' }), 'gateway');
  bad(t, route({ dst: '10.99.1.0/24', gateway: '2001:db8::1' }), 'gateway');
  bad(t, route({ dst: 'default', gateway: '10.99.0.1', metric: -1 }), 'metric');
  t.like(checkRouteSpec({ dst: 'default', gateway: '2001:db8::1' }), { family: 6, prefixlen: 0 });
});
