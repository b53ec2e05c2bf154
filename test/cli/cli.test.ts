/**
 * The `os-vif` command: help, exit codes and one-line messages (in-process through `main`),
 * host-info against the recorded Python output, and plug/unplug through the real launcher
 * inside a namespace with a private ovsdb-server (root only).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { main } from '../../src/cli.js';
import '../../src/plugins/index.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { objects } from '../../src/vif/index.js';
import { isRoot, TestNetns, trySh } from '../harness/netns.js';
import { readVector } from '../vif/vectors.js';
import { hybrid, ID, INSTANCE } from './fixtures.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const api = readVector<{ host_info: Record<string, unknown> }>('api.json');

const dir = mkdtempSync(path.join(tmpdir(), 'ovtcli'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out, err };
}

test.serial('--help of every command exits 0 and shows its options; no command exits 2', async (t) => {
  for (const cmd of ['plug', 'unplug', 'host-info', 'config', 'demo', 'bench']) {
    const r = await run(cmd, '--help');
    t.is(r.code, 0, cmd);
    t.regex(r.out.join('\n'), new RegExp(`usage: os-vif ${cmd}`));
  }
  t.regex((await run('--help')).out.join('\n'), /commands:/);
  t.is((await run()).code, 2);
});

test.serial('invalid input exits 2 with one line naming the problem', async (t) => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['plug', '--instance', 'x.json'], /--vif is required/],
    [['plug', '--vif', 'a', '--instance', 'b', '--bogus'], /Unknown option '--bogus'/],
    [['plug', '--vif', path.join(dir, 'absent.json'), '--instance', 'b'], /cannot read VIF file .*ENOENT/],
    [['plug', '--vif', file('bad.json', '{"no'), '--instance', 'b'], /VIF file .* is not JSON/],
    [
      [
        'plug',
        '--vif',
        file('cls.json', {
          'versioned_object.name': 'Nope',
          'versioned_object.namespace': 'os_vif',
          'versioned_object.version': '1.0',
          'versioned_object.data': {},
        }),
        '--instance',
        file('i.json', INSTANCE.toPrimitive()),
      ],
      /VIF primitive rejected/,
    ],
    [
      [
        'plug',
        '--vif',
        file('v.json', hybrid().toPrimitive()),
        '--instance',
        file('i2.json', INSTANCE.toPrimitive()),
        '--config',
        file('c.json', { os_vif_ovs: { bogus: 1 } }),
      ],
      /\[os_vif_ovs\] bogus: unknown option/,
    ],
    [
      [
        'plug',
        '--vif',
        file('v2.json', hybrid().toPrimitive()),
        '--instance',
        file('i3.json', INSTANCE.toPrimitive()),
        '--netns',
        'ovtnosuchns',
      ],
      /no such network namespace/,
    ],
    [['host-info', '--permitted', 'VIF Bridge'], /--permitted takes class names/],
    [['bench', '--n', 'lots'], /--n must be an integer/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(...argv);
    t.is(r.code, 2, argv.join(' '));
    t.is(r.err.length, 1, argv.join(' '));
    t.regex(r.err[0] ?? '', message);
  }
});

test.serial(
  'host-info prints the same HostInfo primitive as Python os-vif; --permitted filters',
  async (t) => {
    const all = await run('host-info', '--json');
    t.is(all.code, 0);
    const normalise = (p: unknown) =>
      JSON.parse(
        JSON.stringify(p, (_k, v) =>
          Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v].sort() : v,
        ),
      );
    t.deepEqual(normalise(JSON.parse(all.out[0] ?? '')), normalise(api.host_info.all));
    const some = await run('host-info', '--json', '--permitted', 'VIFBridge');
    t.deepEqual(normalise(JSON.parse(some.out[0] ?? '')), normalise(api.host_info.permitted_VIFBridge));
  },
);

const e2e = isRoot && trySh('sh', ['-c', 'command -v ovsdb-server']).status === 0 ? test : test.skip;

e2e(
  'plug and unplug through bin/os-vif.js inside --netns; a failed operation exits 1 naming the VIF; a refused VIF exits 2',
  async (t) => {
    const ns = TestNetns.create();
    const sb = await OvsSandbox.start({ netns: ns.path });
    t.teardown(async () => {
      await sb.stop();
      ns.destroy();
    });
    const vif = file('hv.json', hybrid().toPrimitive());
    const inst = file('hi.json', INSTANCE.toPrimitive());
    // this sandbox has no ovs-vswitchd (the test is about the CLI): do not wait for one
    const config = file('hc.json', {
      os_vif_ovs: { ovsdb_connection: sb.dbRemote, wait_for_vswitchd: false },
    });
    const cli = (...args: string[]) => trySh('node', [BIN, ...args]);
    const plug = cli(
      'plug',
      '--vif',
      vif,
      '--instance',
      inst,
      '--config',
      config,
      '--netns',
      ns.name,
      '--json',
    );
    t.is(plug.status, 0, plug.stderr);
    t.like(JSON.parse(plug.stdout), { ok: true, action: 'plug', vif: ID, plugin: 'ovs' });
    t.truthy(ns.link('qvod1a2b3c4-d5'));
    const unplug = cli('unplug', '--vif', vif, '--instance', inst, '--config', config, '--netns', ns.name);
    t.is(unplug.status, 0, unplug.stderr);
    t.regex(unplug.stdout, new RegExp(`unplugged VIF ${ID} \\(ovs\\)`));
    t.is(ns.link('qvod1a2b3c4-d5'), undefined);

    const down = file('down.json', {
      os_vif_ovs: { ovsdb_connection: `unix:${dir}/no.sock`, ovs_vsctl_timeout: 1 },
    });
    const failed = cli('plug', '--vif', vif, '--instance', inst, '--config', down, '--netns', ns.name);
    t.is(failed.status, 1);
    t.is(failed.stderr.trim().split('\n').length, 1);
    t.regex(failed.stderr, new RegExp(`^os-vif plug: VIF ${ID}: Ovsdb`));
    t.deepEqual(
      ns.links().map((l) => l.ifname),
      ['lo'],
      'the Linux half was rolled back',
    );

    const wrong = hybrid();
    wrong.port_profile = new objects.VIFPortProfileBase({});
    const refused = cli(
      'plug',
      '--vif',
      file('wrong.json', wrong.toPrimitive()),
      '--instance',
      inst,
      '--config',
      config,
      '--netns',
      ns.name,
    );
    t.is(refused.status, 2);
    t.regex(
      refused.stderr,
      /WrongPortProfile: Port profile VIFPortProfileBase is not a subclass of VIFPortProfileOpenVSwitch/,
    );
  },
);
