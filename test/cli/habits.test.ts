/**
 * What users of `ip` and `ovs-vsctl` expect of a command: `--version`, `-` for standard input,
 * `--ovsdb`/`--timeout`, a nova.conf with `--config-file`, failures as JSON with `--json`, and
 * NDJSON logs on stderr with `--log-level` that include the plugin's own OVSDB connection.
 * The plug runs through the real launcher in a namespace with a private ovsdb-server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { objects } from '../../src/vif/index.js';
import { isRoot, TestNetns, trySh } from '../harness/netns.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const PKG = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
const dir = mkdtempSync(path.join(tmpdir(), 'ovthabits'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync('node', [BIN, ...args], {
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ID = '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5';
const INSTANCE = new objects.InstanceInfo({
  uuid: '11111111-2222-4333-8444-555555555555',
  name: 'vm',
  project_id: 'p',
});
const ovsVif = () =>
  new objects.VIFOpenVSwitch({
    id: ID,
    address: 'fa:16:3e:00:11:22',
    plugin: 'ovs',
    vif_name: 'tap0c1d2e3f-4a',
    bridge_name: 'br-habits',
    network: new objects.Network({
      id: '22222222-3333-4444-8555-666666666666',
      bridge: 'br-habits',
      mtu: 1450,
    }),
    port_profile: new objects.VIFPortProfileOpenVSwitch({ interface_id: ID, datapath_type: 'netdev' }),
  });

test('--version prints the version of package.json', (t) => {
  const r = cli(['--version']);
  t.is(r.status, 0);
  t.is(r.stdout.trim(), PKG.version);
});

test('a bad OS_VIF_LOG_LEVEL or --log-level exits 2 before anything happens', (t) => {
  const env = cli(['host-info'], { env: { OS_VIF_LOG_LEVEL: 'loud' } });
  t.is(env.status, 2);
  t.regex(env.stderr, /OS_VIF_LOG_LEVEL must be one of trace, debug/);
  const opt = cli(['host-info', '--log-level', 'chatty', '--json']);
  t.is(opt.status, 2);
  t.like(JSON.parse(opt.stdout), {
    ok: false,
    action: 'host-info',
    vif: null,
    exit: 2,
    error: { type: 'UsageError' },
  });
});

const e2e = isRoot && trySh('sh', ['-c', 'command -v ovsdb-server']).status === 0 ? test : test.skip;

e2e('plug with the VIF on stdin, a nova.conf, --ovsdb and --log-level; failures as JSON', async (t) => {
  const ns = TestNetns.create();
  const sb = await OvsSandbox.start({ netns: ns.path });
  t.teardown(async () => {
    await sb.stop();
    ns.destroy();
  });
  // this sandbox has no ovs-vswitchd (the test is about the CLI): do not wait for one
  const conf = file(
    'nova.conf',
    '[DEFAULT]\ndebug = true\n\n[os_vif_ovs]\nwait_for_vswitchd = false\novs_vsctl_timeout = 5\n',
  );
  const inst = file('inst.json', JSON.stringify(INSTANCE.toPrimitive()));
  const vif = JSON.stringify(ovsVif().toPrimitive());
  const common = ['--instance', inst, '--config-file', conf, '--ovsdb', sb.dbRemote, '--netns', ns.name];

  const plug = cli(['plug', '--vif', '-', ...common, '--json', '--log-level', 'debug'], { input: vif });
  t.is(plug.status, 0, plug.stderr);
  t.like(JSON.parse(plug.stdout), { ok: true, action: 'plug', vif: ID, plugin: 'ovs' });
  const logs = plug.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const l of logs)
    t.true(
      typeof l.level === 'number' &&
        typeof l.time === 'number' &&
        typeof l.msg === 'string' &&
        typeof l.pid === 'number',
      JSON.stringify(l),
    );
  const msgs = logs.map((l) => String(l.msg));
  t.true(msgs.includes('ovsdb connected'), `the plugin's OVSDB connection logs: ${msgs.join(' | ')}`);
  t.true(
    msgs.some((m) => /^Plugging vif VIFOpenVSwitch\(.*id=0c1d2e3f-/.test(m)),
    msgs.join(' | '),
  );
  t.false(
    logs.some((l) => Number(l.level) >= 40),
    `a clean plug and close log no warning: ${msgs.join(' | ')}`,
  );
  // os-vif leaves a VIFOpenVSwitch's port to libvirt; the plug ensures its bridge
  t.is(trySh('ovs-vsctl', [`--db=${sb.dbRemote}`, 'br-exists', 'br-habits']).status, 0);

  const quiet = cli(['unplug', '--vif', '-', ...common], { input: vif });
  t.is(quiet.status, 0, quiet.stderr);
  t.is(quiet.stderr, '', 'no logs unless asked for');
  t.regex(quiet.stdout, new RegExp(`unplugged VIF ${ID} \\(ovs\\)`));

  const down = cli(
    [
      'plug',
      '--vif',
      '-',
      ...common.slice(0, 4),
      '--db',
      `unix:${dir}/no.sock`,
      '--timeout',
      '1',
      '--netns',
      ns.name,
      '--json',
    ],
    {
      input: vif,
    },
  );
  t.is(down.status, 1, down.stderr);
  const failure = JSON.parse(down.stdout);
  t.like(failure, { ok: false, action: 'plug', vif: ID, exit: 1 });
  t.regex(failure.error.type, /^Ovsdb/);
  t.is(down.stderr.trim().split('\n').length, 1);

  const twice = cli(['plug', '--vif', '-', '--instance', '-', '--json'], { input: vif });
  t.is(twice.status, 2);
  t.like(JSON.parse(twice.stdout), { ok: false, exit: 2, error: { type: 'UsageError' } });
});
