/**
 * Golden bytes from the real kernel (captured from `ip` under strace, see golden/capture.py):
 * every datagram decodes and re-encodes to the same bytes; our request builders produce the
 * bytes `ip` sent; replies decode to the values `ip` was asked to set.
 */
import test from 'ava';
import {
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELROUTE,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
} from '../../src/netlink/codec/constants.js';
import { decodeError, parseMessages } from '../../src/netlink/codec/message.js';
import { bodyFamily, decodeRtnl, encodeRtnl, type LinkBody } from '../../src/netlink/codec/rtnl.js';
import { addressRequest } from '../../src/netlink/requests/address.js';
import {
  linkAddRequest,
  linkDelRequest,
  linkGetRequest,
  linkGroupDelRequest,
  linkSetRequest,
} from '../../src/netlink/requests/link.js';
import { encodeRequest, type Request } from '../../src/netlink/requests/request.js';
import { routeRequest } from '../../src/netlink/requests/route.js';
import { type Link, linkView } from '../../src/netlink/views.js';
import { datagrams, fixtureNames, receivedMessages, sentMessage } from './fixtures.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('there are golden fixtures for every message kind built', (t) => {
  t.true(fixtureNames().length >= 25);
});

for (const name of fixtureNames()) {
  test(`golden ${name}: every rtnetlink datagram decodes and re-encodes to the same bytes`, (t) => {
    let checked = 0;
    for (const d of datagrams(name)) {
      const msgs = parseMessages(d.bytes);
      if (!msgs.every((m) => bodyFamily(m.type) !== undefined)) continue;
      t.is(hex(encodeRtnl(decodeRtnl(d.bytes))), hex(d.bytes));
      checked++;
    }
    t.true(checked > 0, 'at least one rtnetlink datagram');
  });
}

/** Our request, numbered like ip's, must equal ip's bytes. */
function sameAsIp(t: import('ava').ExecutionContext, name: string, req: Request): void {
  const ip = sentMessage(name, req.type);
  t.is(hex(encodeRequest(req, ip.msg.seq, ip.msg.pid)), hex(ip.bytes));
}

test('links.add bridge with STP, forward delay, ageing and snooping is byte-identical to ip', (t) => {
  sameAsIp(
    t,
    'link-add-bridge',
    linkAddRequest(
      {
        kind: 'bridge',
        name: 'br0',
        stpState: true,
        forwardDelay: 400,
        ageingTime: 20000,
        multicastSnooping: false,
      },
      {},
    ),
  );
});

test('links.add veth with a peer is byte-identical to ip', (t) => {
  sameAsIp(t, 'link-add-veth', linkAddRequest({ kind: 'veth', name: 'vb0', peer: { name: 'vb1' } }, {}));
  sameAsIp(
    t,
    'link-add-veth-mtu',
    linkAddRequest({ kind: 'veth', mtu: 1400, name: 'vb2', peer: { name: 'vb3', mtu: 1400 } }, {}),
  );
});

test('links.add macvlan and macvtap with modes are byte-identical to ip', (t) => {
  sameAsIp(
    t,
    'link-add-macvlan',
    linkAddRequest({ kind: 'macvlan', name: 'mv0', link: 'vb0', mode: 'bridge' }, { link: 4 }),
  );
  sameAsIp(
    t,
    'link-add-macvtap',
    linkAddRequest({ kind: 'macvtap', name: 'mvt0', link: 'vb0', mode: 'vepa' }, { link: 4 }),
  );
});

test('links.add vxlan is byte-identical to ip', (t) => {
  sameAsIp(
    t,
    'link-add-vxlan',
    linkAddRequest(
      {
        kind: 'vxlan',
        name: 'vx0',
        link: 'vb0',
        ttl: 64,
        id: 42,
        local: '10.99.0.1',
        remote: '10.99.0.2',
        learning: false,
        port: 4789,
      },
      { link: 4 },
    ),
  );
});

test('links.add dummy and vlan (kinds this kernel lacks) are byte-identical to ip', (t) => {
  sameAsIp(t, 'link-add-dummy-unsupported', linkAddRequest({ kind: 'dummy', name: 'd0' }, {}));
  sameAsIp(
    t,
    'link-add-vlan-unsupported',
    linkAddRequest({ kind: 'vlan', link: 'vb0', name: 'vb0.10', id: 10 }, { link: 4 }),
  );
});

test('links.set, del, group del and get are byte-identical to ip', (t) => {
  sameAsIp(
    t,
    'link-set-mtu-address-up',
    linkSetRequest(4, { mtu: 1400, address: 'fa:16:3e:00:00:01', up: true }, {}),
  );
  sameAsIp(t, 'link-set-master', linkSetRequest(3, { master: 'br0' }, { master: 2 }));
  sameAsIp(t, 'link-set-nomaster', linkSetRequest(3, { master: null }, { master: 0 }));
  sameAsIp(
    t,
    'link-set-bridge-stp',
    linkSetRequest(2, { kind: 'bridge', stpState: false, multicastSnooping: true }, {}),
  );
  sameAsIp(t, 'link-del', linkDelRequest(4));
  sameAsIp(t, 'link-del-group', linkGroupDelRequest(7));
  // ip looks a name up (RTM_GETLINK, ext mask VF|SKIP_STATS) before `ip link set`
  const get = sentMessage('link-set-master', RTM_GETLINK);
  t.is(hex(encodeRequest(linkGetRequest('vb1'), get.msg.seq)), hex(get.bytes));
});

test('addresses.add/del and routes.add/del are byte-identical to ip', (t) => {
  sameAsIp(t, 'addr-add-v4', addressRequest('add', { interface: 'vb0', address: '10.99.0.1/24' }, 4));
  sameAsIp(
    t,
    'addr-add-v6',
    addressRequest('add', { interface: 'vb0', address: '2001:db8::1/64', nodad: true }, 4),
  );
  sameAsIp(t, 'addr-del-v4', addressRequest('del', { interface: 'vb0', address: '10.99.0.1/24' }, 4));
  const route = { dst: '10.99.1.0/24', gateway: '10.99.0.2', dev: 'vb0', metric: 7 };
  sameAsIp(t, 'route-add-via', routeRequest('add', route, 4));
  sameAsIp(t, 'route-del', routeRequest('del', route, 4));
  t.is(sentMessage('addr-del-v4', RTM_DELADDR).msg.type, RTM_DELADDR);
  t.is(sentMessage('route-del', RTM_DELROUTE).msg.type, RTM_DELROUTE);
  t.is(sentMessage('addr-add-v4', RTM_NEWADDR).msg.type, RTM_NEWADDR);
  t.is(sentMessage('route-add-via', RTM_NEWROUTE).msg.type, RTM_NEWROUTE);
  t.is(sentMessage('link-del', RTM_DELLINK).msg.type, RTM_DELLINK);
});

function replyLink(name: string, ifname: string): Link {
  const links = receivedMessages(name)
    .filter((x) => x.type === RTM_NEWLINK)
    .map((m) => linkView(decodeRtnl(rebuild(m))[0].body as LinkBody));
  const found = links.find((l) => l.name === ifname);
  if (!found) throw new Error(`${name}: no ${ifname} in the replies`);
  return found;
}

function rebuild(m: {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}): Uint8Array {
  const b = Buffer.alloc(16 + m.payload.length);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(m.type, 4);
  b.writeUInt16LE(m.flags, 6);
  b.writeUInt32LE(m.seq, 8);
  b.writeUInt32LE(m.pid, 12);
  b.set(m.payload, 16);
  return b;
}

test('a bridge read back shows what ip set: STP, forward delay, ageing, snooping, bridge id', (t) => {
  const br = replyLink('link-get-bridge', 'br0');
  t.is(br.name, 'br0');
  t.is(br.kind, 'bridge');
  t.like(br.data, { stpState: 1, forwardDelay: 400, ageingTime: 20000, mcastSnooping: 0, vlanFiltering: 0 });
  t.regex(String(br.data?.bridgeId), /^8000\.([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
});

test('a tap read back: tun data (tap, owner, persist), master and bridge port data', (t) => {
  const tap = replyLink('link-get-tap', 'tap0');
  const br = replyLink('link-get-bridge', 'br0');
  t.is(tap.kind, 'tun');
  t.is(tap.mtu, 1450);
  t.is(tap.master, br.index);
  t.like(tap.data, { type: 2, owner: 1000, pi: 0, persist: 1 });
  t.is(tap.slaveKind, 'bridge');
  t.like(tap.slaveData, { learning: 1, unicastFlood: 1 });
});

test('veth, macvtap, vxlan and bridge port read back with their kind data', (t) => {
  const veth = replyLink('link-get-veth', 'vb2');
  t.is(veth.kind, 'veth');
  t.is(veth.mtu, 1400);
  t.is(typeof veth.link, 'number');
  const mvt = replyLink('link-get-macvtap', 'mvt0');
  t.is(mvt.kind, 'macvtap');
  t.like(mvt.data, { mode: 2 });
  const vx = replyLink('link-get-vxlan', 'vx0');
  t.like(vx.data, { id: 42, group: '10.99.0.2', local: '10.99.0.1', port: 4789, ttl: 64, learning: 0 });
  const port = replyLink('link-get-bridge-port', 'vb1');
  t.is(port.slaveKind, 'bridge');
  t.is(typeof port.slaveData?.state, 'number');
});

test('a multi-part dump: NLM_F_MULTI parts, then NLMSG_DONE; every link decodes', (t) => {
  const msgs = receivedMessages('link-dump').filter((m) => m.seq !== 0);
  const links = msgs.filter((m) => m.type === RTM_NEWLINK);
  t.true(links.length >= 8);
  t.true(links.every((m) => (m.flags & NLM_F_MULTI) !== 0));
  t.is(msgs[msgs.length - 1].type, NLMSG_DONE);
  const names = links.map((m) => linkView(decodeRtnl(rebuild(m))[0].body as LinkBody).name);
  t.true(names.includes('br0') && names.includes('tap0') && names.includes('vx0'));
});

test('NLMSG_ERROR with extended ACK: the kernel text and the errno', (t) => {
  const err = (name: string) => {
    const m = receivedMessages(name).filter((x) => x.type === NLMSG_ERROR && x.seq !== 0);
    return decodeError(m[m.length - 1]);
  };
  t.like(err('link-add-dummy-unsupported'), { error: -95, message: 'Unknown device type' });
  t.like(err('link-add-vlan-unsupported'), { error: -95 });
  t.is(err('link-add-exists').error, -17);
  t.is(err('link-del-missing').error, -19);
  t.is(err('link-add-bridge').error, 0);
  t.is(err('link-add-bridge').request.type, RTM_NEWLINK);
});
