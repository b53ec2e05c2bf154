/**
 * The macvtap target for a VIFDirect in a namespace: each mode read back with `ip -d`, the MAC,
 * `/dev/tap<ifindex>` present as a character device with the macvtap's numbers, the lower
 * device from the target or the VIF's vlan_name; detach removes the macvtap and its node.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { attach, detach, InvalidGuestTarget } from '../../src/guest/index.js';
import { NoopPlugin } from '../../src/plugins/index.js';
import { gatedTest, testHost } from '../plugins/e2e-host.js';
import { directVif, INSTANCE, MAC } from './vifs.js';

const e2e = gatedTest('guest macvtap tests');
// serial: /dev/tapN is named by ifindex, which is per namespace; two fresh test namespaces give
// their macvtaps the same ifindex, and devtmpfs has one /dev for all (the second node never appears)
const NAME = 'mvt3b1f7c2e';

/** The macvtap character major from /proc/devices. */
function macvtapMajor(): number | undefined {
  const line = readFileSync('/proc/devices', 'utf8')
    .split('\n')
    .find((l) => l.trim().endsWith(' macvtap'));
  return line ? Number.parseInt(line, 10) : undefined;
}

e2e.serial(
  'macvtap in each mode on the target device: mode, MAC, /dev/tapN; detach removes both',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'lower0', 'type', 'veth', 'peer', 'name', 'lower1');
    host.ns.ip('link', 'set', 'lower0', 'up');
    const opts = { netns: host.ns.name, plugin: new NoopPlugin() };
    const lowerMac = host.ns.link('lower0')?.address;
    const cases = [
      ['vepa', undefined, 'vepa'],
      ['bridge', undefined, 'bridge'],
      ['vepa', 'private', 'private'],
      ['passthrough', undefined, 'passthru'],
    ] as const;
    for (const [vifMode, targetMode, kernel] of cases) {
      const vif = directVif(vifMode);
      const target = { kind: 'macvtap', dev: 'lower0', ...(targetMode ? { mode: targetMode } : {}) } as const;
      const r = await attach(vif, INSTANCE, target, opts);
      const link = host.ns.link(NAME);
      t.is(link?.linkinfo?.info_kind, 'macvtap');
      t.is(link?.linkinfo?.info_data?.mode, kernel, `${vifMode}/${targetMode ?? '-'}`);
      t.is(link?.link, 'lower0');
      t.is(link?.address, MAC);
      t.deepEqual(r, {
        kind: 'macvtap',
        name: NAME,
        ifindex: link?.ifindex,
        path: `/dev/tap${link?.ifindex}`,
        mode: kernel,
        lower: 'lower0',
        mac: MAC,
      });
      if (kernel === 'passthru')
        t.is(host.ns.link('lower0')?.address, MAC, 'passthru sets the lower device MAC');
      const st = statSync(r.path);
      t.true(st.isCharacterDevice());
      t.is(Math.floor(st.rdev / 256) & 0xfff, macvtapMajor() ?? -1, 'the node is the macvtap char device');
      await detach(vif, INSTANCE, target, opts);
      t.is(host.ns.link(NAME), undefined);
      for (let i = 0; i < 100 && existsSync(r.path); i++) await new Promise((ok) => setTimeout(ok, 10));
      t.false(existsSync(r.path), 'the node went with the macvtap');
      t.is(
        host.ns.link('lower0')?.address,
        lowerMac,
        'passthru: the kernel gives the lower device its MAC back',
      );
      await detach(vif, INSTANCE, target, opts);
    }
  },
);

e2e.serial(
  'macvtap: the lower device from vlan_name; a missing PCI device or a bad mode changes nothing',
  async (t) => {
    const host = await testHost(t);
    host.ns.ip('link', 'add', 'vlan0', 'type', 'veth', 'peer', 'name', 'vlan1');
    const opts = { netns: host.ns.name, plugin: new NoopPlugin() };
    const r = await attach(directVif('bridge', { vlan_name: 'vlan0' }), INSTANCE, { kind: 'macvtap' }, opts);
    t.is(r.lower, 'vlan0');
    t.is(host.ns.link(NAME)?.link, 'vlan0');
    await detach(directVif('bridge'), INSTANCE, { kind: 'macvtap' }, opts);
    await t.throwsAsync(
      attach(directVif('bridge', { dev_address: '0000:ff:1f.7' }), INSTANCE, { kind: 'macvtap' }, opts),
      {
        instanceOf: InvalidGuestTarget,
      },
    );
    await t.throwsAsync(
      attach(
        directVif('bridge'),
        INSTANCE,
        { kind: 'macvtap', dev: 'vlan0', mode: 'source' as 'vepa' },
        opts,
      ),
      { instanceOf: InvalidGuestTarget },
    );
    t.is(host.ns.link(NAME), undefined);
  },
);
