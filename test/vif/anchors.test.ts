/**
 * The MAC and UUID checks match the whole value: a mutation that drops an end anchor (a 7-octet
 * MAC, trailing junk) or widens a length (33 hex digits) must fail here. Assignment and
 * loading from a primitive share the field coercion; both are checked, and the netlink layer's
 * own MAC check too.
 */
import test from 'ava';
import { checkMac } from '../../src/netlink/validate.js';
import { ObjectValueError, objects } from '../../src/vif/index.js';

const UUID = 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';

const MAC_OK = ['fa:16:3e:00:00:01', 'FA:16:3E:00:00:01', 'fa-16-3e-00-00-01'];
const MAC_BAD = [
  'fa:16:3e:00:00:01:02', // 7 octets
  'fa:16:3e:00:00:0102', // one octet too long
  'fa:16:3e:00:00:01x', // trailing junk
  'fa:16:3e:00:00:01 ', // trailing space
  'fa:16:3e:00:00:01\n', // trailing newline
  'FA-16-3E-00-00-01-02', // 7 octets, the normalised path
  'xfa:16:3e:00:00:01', // leading junk
  'fa:16:3e:00:00', // 5 octets
];

test('a MAC with a 7th octet, trailing or leading junk is refused; the valid forms are normalised', (t) => {
  for (const mac of MAC_OK) t.is(new objects.VIFOpenVSwitch({ address: mac }).address, 'fa:16:3e:00:00:01');
  for (const mac of MAC_BAD) {
    t.throws(
      () => new objects.VIFOpenVSwitch({ address: mac }),
      { instanceOf: ObjectValueError },
      JSON.stringify(mac),
    );
    const vif = new objects.VIFOpenVSwitch({ address: 'fa:16:3e:00:00:01' });
    t.throws(
      () => {
        vif.address = mac;
      },
      { instanceOf: ObjectValueError },
      JSON.stringify(mac),
    );
  }
});

test('the netlink MAC check refuses 7 octets and trailing junk', (t) => {
  t.is(checkMac('address', 'fa:16:3e:00:00:01'), 'fa:16:3e:00:00:01');
  for (const mac of [
    'fa:16:3e:00:00:01:02',
    'fa:16:3e:00:00:01x',
    'fa:16:3e:00:00:0102',
    'fa:16:3e:00:00:01:',
  ])
    t.throws(() => checkMac('address', mac), { name: 'NetlinkValidationError' }, mac);
});

const UUID_OK = [UUID, UUID.toUpperCase(), UUID.replaceAll('-', ''), `{${UUID}}`, `urn:uuid:${UUID}`];
const UUID_BAD = [
  `${UUID}0`, // 33 hex digits, canonical
  `${UUID.replaceAll('-', '')}0`, // 33 hex digits, no dashes
  UUID.replaceAll('-', '').slice(0, 31), // 31
  `${UUID}x`, // trailing junk
  `${UUID} `, // trailing space
  `x${UUID}`, // leading junk
  `{${UUID}}x`, // junk after the brace
  `${UUID.slice(0, 8)}0-${UUID.slice(9)}`, // 33 digits with dashes, one group too long
];

test('a UUID with 33 hex digits, 31, or trailing/leading junk is refused; the forms Python reads are kept verbatim', (t) => {
  for (const id of UUID_OK) t.is(new objects.VIFOpenVSwitch({ id }).id, id);
  for (const id of UUID_BAD) {
    t.throws(() => new objects.VIFOpenVSwitch({ id }), { instanceOf: ObjectValueError }, id);
    t.throws(
      () => new objects.InstanceInfo({ uuid: id, name: 'vm', project_id: 'p' }),
      { instanceOf: ObjectValueError },
      id,
    );
  }
});

test('loading a primitive refuses the same MAC and UUID values', (t) => {
  const good = new objects.VIFOpenVSwitch({
    id: UUID,
    address: 'fa:16:3e:00:00:01',
    plugin: 'ovs',
  }).toPrimitive() as {
    'versioned_object.data': Record<string, unknown>;
  };
  t.is(objects.fromPrimitive(good, objects.VIFBase).id, UUID);
  const bad = (field: string, value: string) => ({
    ...good,
    'versioned_object.data': { ...good['versioned_object.data'], [field]: value },
  });
  for (const mac of MAC_BAD)
    t.throws(() => objects.fromPrimitive(bad('address', mac), objects.VIFBase), undefined, mac);
  for (const id of UUID_BAD)
    t.throws(() => objects.fromPrimitive(bad('id', id), objects.VIFBase), undefined, id);
});
