/**
 * oslo.config files read here and by python3-oslo.config (the witness, with os-vif 3.0.0's own
 * option declarations) give the same values, or both refuse them. Then the rules where this
 * library is deliberately stricter, and the `os-vif config` command.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { effectiveOptions } from '../../src/cli/config-args.js';
import { main } from '../../src/cli.js';
import { OSLO_CONCURRENCY_OPTIONS } from '../../src/concurrency/index.js';
import { ConfigFileParseError, parseIni, readConfigFiles } from '../../src/config/index.js';
import { LINUX_BRIDGE_OPTIONS, OVS_OPTIONS } from '../../src/plugins/index.js';
import { OSLO_CASES } from './oslo-cases.js';

const PYTHON = '/usr/bin/python3';
const WITNESS = fileURLToPath(new URL('../../../test/harness/oslo_config_dump.py', import.meta.url));
const DECLARED = {
  os_vif_linux_bridge: LINUX_BRIDGE_OPTIONS,
  os_vif_ovs: OVS_OPTIONS,
  oslo_concurrency: OSLO_CONCURRENCY_OPTIONS,
};
/** Options this library adds to os-vif's (not in the witness's answer). */
const ADDITIONS = new Set(['wait_for_vswitchd', 'wait_for_ovn_installed', 'sysfs_root']);

const hasWitness =
  spawnSync(PYTHON, ['-c', 'import oslo_config, vif_plug_ovs.ovs, vif_plug_linux_bridge.linux_bridge'])
    .status === 0;
const withWitness = hasWitness ? test : test.skip;
if (!hasWitness) console.log('python3-oslo.config with os-vif not available: differential test skipped');

const dir = mkdtempSync(join(tmpdir(), 'os-vif-oslo-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const paths = OSLO_CASES.map((kase, i) =>
  kase.files.map((text, j) => {
    const path = join(dir, `case${i}-${j}.conf`);
    writeFileSync(path, text);
    return path;
  }),
);

type Answer = { ok: Record<string, Record<string, unknown>> } | { error: string; message: string };

async function ours(files: string[]): Promise<Answer> {
  try {
    const all = effectiveOptions(await readConfigFiles(files, DECLARED));
    const ok = Object.fromEntries(
      Object.entries(all).map(([g, opts]) => [
        g,
        Object.fromEntries(Object.entries(opts).filter(([k]) => !ADDITIONS.has(k))),
      ]),
    );
    return { ok };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

withWitness('every case reads as python3-oslo.config reads it', async (t) => {
  const r = spawnSync(PYTHON, [WITNESS], { input: JSON.stringify(paths), encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const theirs = r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Answer);
  t.is(theirs.length, OSLO_CASES.length);
  let refusedByBoth = 0;
  for (const [i, kase] of OSLO_CASES.entries()) {
    const mine = await ours(paths[i] ?? []);
    const them = theirs[i] as Answer;
    if ('error' in them) {
      t.true(
        'error' in mine,
        `${kase.name}: oslo.config refuses it (${them.error}: ${them.message}), we read ${JSON.stringify(mine)}`,
      );
      refusedByBoth += 1;
    } else {
      t.deepEqual(mine, them, kase.name);
    }
  }
  // the cases exercise both outcomes
  t.true(refusedByBoth >= 10 && refusedByBoth < OSLO_CASES.length - 30, `${refusedByBoth} refused`);
});

test('syntax errors name the file and the line', (t) => {
  const error = t.throws(() => parseIni('[os_vif_ovs]\nx = 1\nnonsense\n', 'nova.conf'), {
    instanceOf: ConfigFileParseError,
  });
  t.is(error?.line, 3);
  t.regex(error?.message ?? '', /^nova\.conf: at line 3, No ':' or '=' found in assignment/);
});

test('stricter than oslo.config: an empty integer is refused, not None', async (t) => {
  const path = join(dir, 'empty-int.conf');
  writeFileSync(path, '[os_vif_ovs]\nnetwork_device_mtu =\n');
  const config = await readConfigFiles([path], DECLARED);
  t.is(config.os_vif_ovs?.network_device_mtu, null);
  t.throws(() => effectiveOptions(config), {
    name: 'InvalidConfig',
    message: /network_device_mtu.*must not be null/,
  });
});

test('an option nobody declares is substituted with its text (nova.conf: $state_path)', async (t) => {
  const path = join(dir, 'state-path.conf');
  writeFileSync(
    path,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: oslo.config's own ${...} syntax
    '[DEFAULT]\nstate_path = /var/lib/nova\n[os_vif_ovs]\novsdb_connection = unix:${state_path}/db.sock\n',
  );
  const config = await readConfigFiles([path], DECLARED);
  t.is(config.os_vif_ovs?.ovsdb_connection, 'unix:/var/lib/nova/db.sock');
});

test('a reference cycle is refused, not a stack overflow', async (t) => {
  const path = join(dir, 'cycle.conf');
  writeFileSync(
    path,
    '[os_vif_linux_bridge]\nflat_interface = $vlan_interface\nvlan_interface = $flat_interface\n',
  );
  await t.throwsAsync(readConfigFiles([path], DECLARED), {
    name: 'ConfigFileValueError',
    message: /nests too deeply/,
  });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = argv.includes('-') ? async () => '[os_vif_ovs]\novs_vsctl_timeout = 77\n' : undefined;
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    tty: false,
    ...(stdin ? { stdin } : {}),
  });
  return { code, out, err };
}

test('os-vif config: files in order, then CONFIG.json, then --set and the shortcuts', async (t) => {
  const a = join(dir, 'a.conf');
  const b = join(dir, 'b.conf');
  const json = join(dir, 'c.json');
  writeFileSync(
    a,
    '[DEFAULT]\nnetwork_device_mtu = 9000\n[os_vif_ovs]\novs_vsctl_timeout = 5\nisolate_vif = true\n',
  );
  writeFileSync(b, '[os_vif_ovs]\novs_vsctl_timeout = 6\n');
  writeFileSync(json, JSON.stringify({ os_vif_ovs: { ovs_vsctl_timeout: 7, per_port_bridge: true } }));
  const r = await cli(
    'config',
    '--config-file',
    a,
    '--config-file',
    b,
    '--config',
    json,
    '--set',
    'os_vif_ovs.isolate_vif=off',
    '--db',
    'unix:/x.sock',
    '--json',
  );
  t.is(r.code, 0, r.err.join('\n'));
  const got = JSON.parse(r.out[0] ?? '{}');
  t.like(got.os_vif_ovs, {
    network_device_mtu: 9000,
    ovs_vsctl_timeout: 7,
    isolate_vif: false,
    per_port_bridge: true,
    ovsdb_connection: 'unix:/x.sock',
  });
  t.is(got.os_vif_linux_bridge.network_device_mtu, 9000);
  t.deepEqual(got.os_vif_linux_bridge.forward_bridge_interface, ['all']);
  const timeout = await cli('config', '--config-file', a, '--timeout', '9', '--json');
  t.is(JSON.parse(timeout.out[0] ?? '{}').os_vif_ovs.ovs_vsctl_timeout, 9);
  const stdin = await cli('config', '--config-file', '-', '--json');
  t.is(JSON.parse(stdin.out[0] ?? '{}').os_vif_ovs.ovs_vsctl_timeout, 77);
});

test('os-vif config: every bad input exits 2 with one line', async (t) => {
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, '[os_vif_ovs]\novs_vsctl_timeout = soon\n');
  const cases: [string[], RegExp][] = [
    [
      ['--config-file', bad],
      /ConfigFileValueError: .*ovs_vsctl_timeout.*invalid literal for int\(\) with base 10: 'soon'/,
    ],
    [['--config-file', join(dir, 'missing.conf')], /ConfigFileNotFoundError: .*missing\.conf: ENOENT/],
    [['--set', 'os_vif_ovs.nope=1'], /os_vif_ovs has no option nope/],
    [['--set', 'nova.x=1'], /no option group nova/],
    [['--set', 'os_vif_ovs.isolate_vif'], /--set takes GROUP\.OPTION=VALUE/],
    [['--timeout', 'soon'], /invalid literal for int/],
    [['--timeout=-1'], /ovs_vsctl_timeout.*must be at least 0/],
    [['--ovsdb', 'unix:/a', '--db', 'unix:/b'], /--ovsdb and --db/],
    [['--config-file', '-', '--config', '-'], /standard input \(-\) is already the config file/],
  ];
  for (const [args, message] of cases) {
    const r = await cli('config', ...args);
    t.is(r.code, 2, args.join(' '));
    t.is(r.err.length, 1, args.join(' '));
    t.regex(r.err[0] ?? '', message, args.join(' '));
  }
});

test('os-vif config without --json is an oslo.config file that reads back the same', async (t) => {
  const r = await cli(
    'config',
    '--set',
    'os_vif_linux_bridge.iptables_top_regex=a',
    '--set',
    'os_vif_ovs.isolate_vif=true',
  );
  t.is(r.code, 0);
  const path = join(dir, 'printed.conf');
  writeFileSync(path, `${r.out.join('\n')}\n`);
  const back = await cli('config', '--config-file', path, '--json');
  const direct = await cli(
    'config',
    '--set',
    'os_vif_linux_bridge.iptables_top_regex=a',
    '--set',
    'os_vif_ovs.isolate_vif=true',
    '--json',
  );
  t.deepEqual(JSON.parse(back.out[0] ?? ''), JSON.parse(direct.out[0] ?? ''));
});
