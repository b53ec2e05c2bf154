/**
 * Object semantics outside the vectors: unset/null/defaults, change tracking, typed access,
 * equality, and the address parsers' edge cases.
 */
import test from 'ava';
import { ObjectFieldNotSet, ObjectTypeError, ObjectValueError, objects } from '../../src/vif/index.js';
import { canonicalIp, canonicalNetwork } from '../../src/vif/objects/ip.js';

const ID = 'b679325f-ca89-4ee0-a8be-6db1409b69ea';

test('reading an unset field throws; objGet gives undefined; null is a value', (t) => {
  const vif = new objects.VIFOpenVSwitch({ id: ID, address: null });
  t.throws(() => vif.plugin, {
    instanceOf: ObjectFieldNotSet,
    message: "VIFOpenVSwitch.plugin: Cannot load 'plugin' in the base class",
  });
  t.is(vif.objGet('plugin'), undefined);
  t.is(vif.address, null);
  t.true(vif.objAttrIsSet('address'));
  t.false(vif.objAttrIsSet('plugin'));
  vif.objUnset('address');
  t.false('address' in vif.toPrimitive()['versioned_object.data']);
});

test('null on a non-nullable field stores its default, or is refused', (t) => {
  const vif = new objects.VIFBridge({ active: null as never });
  t.true(vif.active);
  t.throws(() => new objects.VIFBridge({ plugin: null as never }), {
    instanceOf: ObjectValueError,
    message: "VIFBridge.plugin: Field `plugin' cannot be None",
  });
  const p = new objects.VIFPortProfileOpenVSwitch({ interface_id: ID });
  p.objSetDefaults();
  t.false(p.create_port);
});

test('assignment coerces and validates like loading', (t) => {
  const vif = new objects.VIFOpenVSwitch({ address: 'FA-16-3E-00-00-01' });
  t.is(vif.address, 'fa:16:3e:00:00:01');
  t.throws(
    () => {
      vif.address = 'nope';
    },
    { instanceOf: ObjectValueError },
  );
  t.throws(
    () => {
      vif.network = new objects.Subnet() as never;
    },
    {
      instanceOf: ObjectValueError,
      message: /An object of type Network is required in field network, not a Subnet/,
    },
  );
  vif.port_profile = new objects.VIFPortProfileFPTap({ mac_address: null });
  t.true(vif.port_profile instanceof objects.VIFPortProfileBase);
  t.throws(() => new objects.VIFOpenVSwitch({ colour: 'red' } as never), { instanceOf: ObjectTypeError });
});

test('change tracking: nested changes count, reset is recursive on demand', (t) => {
  const net = new objects.Network({ id: ID, bridge: 'br-int' });
  const vif = new objects.VIFOpenVSwitch({ id: ID, network: net });
  t.deepEqual([...vif.objWhatChanged()], ['id', 'network']);
  vif.objResetChanges();
  t.deepEqual([...vif.objWhatChanged()], ['network'], 'the Network still has changes');
  vif.objResetChanges(undefined, true);
  t.deepEqual([...vif.objWhatChanged()], []);
  t.false('versioned_object.changes' in vif.toPrimitive());
  net.mtu = 9000;
  t.deepEqual(vif.toPrimitive()['versioned_object.changes'], ['network']);
  t.deepEqual(net.toPrimitive()['versioned_object.changes'], ['mtu']);
});

test('Network constructor defaults, and list classes without objects stay unset', (t) => {
  const net = new objects.Network({ id: ID });
  t.deepEqual(net.subnets.objects, []);
  t.false(net.multi_host);
  t.is(net.mtu, null);
  t.false(new objects.FixedIPList().objAttrIsSet('objects'));
});

test('typed narrowing by objName and instanceof', (t) => {
  const vifs: objects.AnyVIF[] = [
    new objects.VIFOpenVSwitch({ bridge_name: 'br-int' }),
    new objects.VIFVHostUser({ mode: 'server', path: '/run/x' }),
  ];
  const seen: string[] = [];
  for (const v of vifs) {
    switch (v.objName) {
      case 'VIFOpenVSwitch':
        seen.push(v.bridge_name);
        break;
      case 'VIFVHostUser':
        seen.push(`${v.mode}:${v.path}`);
        break;
      default:
        break;
    }
  }
  t.deepEqual(seen, ['br-int', 'server:/run/x']);
});

test('equals compares primitives; JSON.stringify writes the primitive', (t) => {
  const a = new objects.InstanceInfo({ uuid: ID, name: 'vm', project_id: 'p' });
  const b = objects.fromPrimitive(JSON.parse(JSON.stringify(a)), objects.InstanceInfo);
  t.true(a.equals(b));
  b.name = 'other';
  t.false(a.equals(b));
  t.throws(() => objects.fromPrimitive(a.toPrimitive(), objects.VIFBase), { instanceOf: ObjectValueError });
});

const IPS: [string, string | undefined][] = [
  ['10.0.0.5', '10.0.0.5'],
  ['255.255.255.255', '255.255.255.255'],
  ['FD00:1234:0000:0000:0000:0000:0000:0005', 'fd00:1234::5'],
  ['::', '::'],
  ['::1', '::1'],
  ['1::', '1::'],
  ['::ffff:10.0.0.5', '::ffff:10.0.0.5'],
  ['::ffff:a00:5', '::ffff:10.0.0.5'],
  ['::10.0.0.5', '::10.0.0.5'],
  ['::1:0:0:0:0', '0:0:0:1::'],
  ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ['10.0.0.300', undefined],
  ['10.5', undefined],
  ['010.0.0.5', undefined],
  [' 10.0.0.5', undefined],
  ['10.0.0.5 ', undefined],
  ['fe80::1%eth0', undefined],
  ['1::2::3', undefined],
  [':::', undefined],
  ['1:2:3:4:5:6:7:8:9', undefined],
  ['1:2:3:4::5:6:7:8', undefined],
  ['12345::', undefined],
  ['1.2.3.4::', undefined],
  ['', undefined],
];
for (const [text, expected] of IPS) {
  test(`ip ${JSON.stringify(text)} → ${expected ?? 'rejected'}`, (t) => {
    t.is(canonicalIp(text), expected);
  });
}

const NETS: [string, string | undefined][] = [
  ['192.168.100.7/24', '192.168.100.7/24'],
  ['192.168.100.7', '192.168.100.7/32'],
  ['192.168.0.0/255.255.0.0', '192.168.0.0/16'],
  ['192.168.0.0/255.0.255.0', undefined],
  ['10.0.0.0/33', undefined],
  ['fd00::1', 'fd00::1/128'],
  ['FD00::/64', 'fd00::/64'],
  ['fd00::/129', undefined],
  ['not-a-network', undefined],
];
for (const [text, expected] of NETS) {
  test(`network ${JSON.stringify(text)} → ${expected ?? 'rejected'}`, (t) => {
    t.is(canonicalNetwork(text), expected);
  });
}
