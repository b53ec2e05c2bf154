/**
 * The helper for real (root, a namespace of its own, a private ovsdb-server): `os-vif helper`
 * started as root inside the namespace drops to CAP_NET_ADMIN on every thread (read from
 * /proc/PID/task/TID/status), and an unprivileged process (uid 65534) plugs and unplugs through
 * it, with the CLI and with the library, getting the same results and typed errors as a local
 * call; a uid not on the list is refused and changes nothing; hostile input closes only its own
 * connection; a helper that cannot drop to CAP_NET_ADMIN refuses to run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parseStatus, privilegeProblems, readTaskCredentials } from '../../src/helper/privileges.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { readableBy, TestNetns } from '../harness/netns.js';
import { gatedTest, skipReason } from '../plugins/e2e-host.js';
import { ovsList } from '../plugins/witness.js';

// the notice "helper end-to-end tests are skipped", and why, when they cannot run here
gatedTest('helper end-to-end tests');
/** The tests share one helper: one after the other. */
const gated = skipReason ? test.serial.skip : test.serial;
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const bin = path.join(repo, 'bin', 'os-vif.js');
/** The tests that run the library as other uids need the checkout readable by them. */
const othersCanRead = !skipReason && readableBy(65534, bin) && readableBy(4242, bin);
if (!skipReason && !othersCanRead)
  console.log(
    `helper tests as other uids skipped: ${repo} is not readable by uid 65534 and 4242 (a checkout under /root?)`,
  );
const asOthers = othersCanRead ? test.serial : test.serial.skip;
const examples = path.join(repo, 'examples');
const NOBODY = 65534;
const STRANGER = 4242; // no passwd entry needed: SO_PEERCRED reports the number

interface Env {
  ns: TestNetns;
  sb: OvsSandbox;
  dir: string;
  socket: string;
  config: string;
  helper: ChildProcess;
  log: string[];
}
let env: Env | undefined;

function file(name: string, value: unknown): string {
  const f = path.join((env as Env).dir, name);
  writeFileSync(f, JSON.stringify(value));
  chmodSync(f, 0o644);
  return f;
}

/** `os-vif ARGS` as `uid` (gid the same). */
function cli(uid: number, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { uid, gid: uid, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(examples, name), 'utf8')) as Record<string, unknown>;
}

if (!skipReason) {
  test.before(async () => {
    const ns = TestNetns.create();
    const sb = await OvsSandbox.start({ vswitchd: false }).catch((error: unknown) => {
      ns.destroy();
      throw error;
    });
    // under /tmp/ovt*: scripts' cleanup_leftovers kills the *.pid in it and removes it after a crash
    const dir = mkdtempSync(`/tmp/ovth${process.pid}-`);
    chmodSync(dir, 0o755); // so uid 65534 reaches the socket: the allow list, not the path, decides
    const socket = path.join(dir, 'helper.sock');
    const log: string[] = [];
    env = { ns, sb, dir, socket, config: '', helper: undefined as unknown as ChildProcess, log };
    env.config = file('config.json', {
      os_vif_ovs: { ovsdb_connection: sb.dbRemote, ovs_vsctl_timeout: 10, wait_for_vswitchd: false },
    });
    const helper = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name,
        process.execPath,
        bin,
        'helper',
        '--socket',
        socket,
        '--allow-uid',
        `${NOBODY}`,
        '--config',
        env.config,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    env.helper = helper;
    writeFileSync(path.join(dir, 'helper.pid'), `${helper.pid}\n`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`helper did not start: ${log.join('\n')}`)), 30_000);
      helper.stderr?.setEncoding('utf8').on('data', (d: string) => {
        log.push(...d.trim().split('\n'));
        if (d.includes(' serving ')) {
          clearTimeout(timer);
          resolve();
        }
      });
      helper.on('exit', (code) => reject(new Error(`helper exited ${code}: ${log.join('\n')}`)));
    });
  });

  test.after.always(async () => {
    if (!env) return;
    const { helper, sb, ns, dir } = env;
    if (helper && helper.exitCode === null) {
      const exited = new Promise((r) => helper.once('exit', r));
      helper.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (helper.exitCode === null) helper.kill('SIGKILL');
    }
    await sb.stop().catch(() => undefined);
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
}

gated('the helper holds CAP_NET_ADMIN only, on every thread, with no_new_privs', (t) => {
  const { helper, log } = env as Env;
  const pid = helper.pid as number;
  // `ip netns exec` execs, and the helper re-executes itself: one pid, running node
  t.regex(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /os-vif\.js\0helper\0/);
  const status = parseStatus(pid, readFileSync(`/proc/${pid}/status`, 'utf8'));
  t.is(status.effective, 0x1000n);
  t.is(status.permitted, 0x1000n);
  t.is(status.bounding, 0x1000n);
  t.is(status.inheritable, 0n);
  t.is(status.ambient, 0n);
  t.true(status.noNewPrivs);
  t.deepEqual(status.uids, [0, 0, 0, 0]);
  const tasks = readTaskCredentials(pid);
  t.true(tasks.length > 1, 'node runs several threads');
  t.deepEqual(privilegeProblems(tasks), []);
  // and this test process is not so restricted: the check can tell the difference
  t.not(privilegeProblems(readTaskCredentials()).length, 0);
  t.log(`helper pid ${pid}, ${tasks.length} threads; ${log[log.length - 1]}`);
});

asOthers('uid 65534 plugs and unplugs a hybrid VIF through the helper with the CLI', (t) => {
  const { ns, sb, socket } = env as Env;
  const vif = file('vif-hybrid.json', example('vif-hybrid.json'));
  const instance = file('instance.json', example('instance.json'));
  const plugged = cli(NOBODY, 'plug', '--vif', vif, '--instance', instance, '--helper', socket, '--json');
  t.is(plugged.status, 0, plugged.stderr);
  t.like(JSON.parse(plugged.stdout), { ok: true, action: 'plug', plugin: 'ovs' });
  // the kernel and OVSDB, read as root by independent tools, show what the helper made
  t.truthy(ns.link('qbrd1a2b3c4-d5'), 'bridge qbr exists in the namespace');
  t.is(ns.link('qvbd1a2b3c4-d5')?.master, 'qbrd1a2b3c4-d5');
  t.truthy(ns.link('qvod1a2b3c4-d5'));
  t.is(ns.exec('cat', ['/proc/sys/net/ipv6/conf/qbrd1a2b3c4-d5/disable_ipv6']).stdout.trim(), '1');
  t.true(ovsList(sb.dbRemote, 'Interface').some((i) => i.name === 'qvod1a2b3c4-d5'));
  const unplugged = cli(NOBODY, 'unplug', '--vif', vif, '--instance', instance, '--helper', socket, '--json');
  t.is(unplugged.status, 0, unplugged.stderr);
  t.is(ns.link('qbrd1a2b3c4-d5'), undefined);
  t.is(ns.link('qvod1a2b3c4-d5'), undefined);
  t.false(ovsList(sb.dbRemote, 'Interface').some((i) => i.name === 'qvod1a2b3c4-d5'));
  // the linux_bridge plugin too: a bridge of its own, its sysctls, with CAP_NET_ADMIN only
  const lb = example('vif-hybrid.json') as { 'versioned_object.data': Record<string, unknown> };
  lb['versioned_object.data'].plugin = 'linux_bridge';
  lb['versioned_object.data'].bridge_name = 'brqhelper';
  const network = lb['versioned_object.data'].network as { 'versioned_object.data': Record<string, unknown> };
  network['versioned_object.data'].should_provide_bridge = true;
  const lbFile = file('vif-lb.json', lb);
  const lbPlug = cli(NOBODY, 'plug', '--vif', lbFile, '--instance', instance, '--helper', socket);
  t.is(lbPlug.status, 0, lbPlug.stderr);
  t.is(ns.link('brqhelper')?.linkinfo?.info_kind, 'bridge');
  t.is(ns.exec('cat', ['/proc/sys/net/ipv6/conf/brqhelper/disable_ipv6']).stdout.trim(), '1');
});

asOthers('the library through the helper: same HostInfo, same typed errors as a local call', (t) => {
  const { ns, socket, config } = env as Env;
  const vif = file('vif-hybrid2.json', example('vif-hybrid.json'));
  const noProfile = example('vif-ovs.json');
  delete (noProfile['versioned_object.data'] as Record<string, unknown>).port_profile;
  (noProfile['versioned_object.changes'] as string[]).splice(
    (noProfile['versioned_object.changes'] as string[]).indexOf('port_profile'),
    1,
  );
  const bad = file('vif-no-profile.json', noProfile);
  const instance = file('instance.json', example('instance.json'));
  const child = spawnSync(
    process.execPath,
    [path.join(here, 'agent-child.js'), socket, instance, `plug:${vif}`, `plug:${bad}`, `unplug:${vif}`],
    { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 60_000 },
  );
  t.is(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout) as {
    uid: number;
    plugins: string[];
    hostInfo: unknown;
    results: { ok: boolean; chain?: { name: string; message: string }[]; isPlugException?: boolean }[];
  };
  t.is(report.uid, NOBODY);
  t.deepEqual(report.plugins, ['linux_bridge', 'noop', 'ovs']);
  // host-info: what the helper reports, filtered, is what this host reports locally
  const local = cli(0, 'host-info', '--config', config, '--permitted', 'VIFBridge', '--json');
  t.is(local.status, 0, local.stderr);
  t.deepEqual(report.hostInfo, JSON.parse(local.stdout));
  const viaCli = cli(NOBODY, 'host-info', '--helper', socket, '--permitted', 'VIFBridge', '--json');
  t.deepEqual(JSON.parse(viaCli.stdout), JSON.parse(local.stdout));
  // the plug went through; the VIF without a port profile failed as a local plug fails
  t.deepEqual(
    report.results.map((r) => r.ok),
    [true, false, true],
  );
  const failed = report.results[1];
  t.true(failed?.isPlugException);
  t.deepEqual(
    failed?.chain?.map((e) => e.name),
    ['PlugException', 'MissingPortProfile'],
  );
  // the same VIF plugged locally (as root, in the namespace): the same exit code and line
  const locally = cli(
    0,
    'plug',
    '--vif',
    bad,
    '--instance',
    instance,
    '--config',
    config,
    '--netns',
    ns.name,
  );
  const there = cli(NOBODY, 'plug', '--vif', bad, '--instance', instance, '--helper', socket);
  t.is(locally.status, 2, locally.stderr);
  t.is(there.status, locally.status);
  t.is(there.stderr, locally.stderr);
  t.is(ns.link('qbrd1a2b3c4-d5'), undefined, 'the unplug through the library removed the bridge');
});

asOthers('a uid not on the list is refused with HelperAccessDenied and nothing changes', async (t) => {
  const { ns, socket } = env as Env;
  const before = ns.links().map((l) => l.ifname);
  const vif = file('vif-hybrid3.json', example('vif-hybrid.json'));
  const instance = file('instance.json', example('instance.json'));
  for (const uid of [STRANGER, 0]) {
    const r = cli(uid, 'plug', '--vif', vif, '--instance', instance, '--helper', socket);
    t.is(r.status, 1);
    t.regex(r.stderr, new RegExp(`HelperAccessDenied: os-vif helper refused the connection: uid ${uid} `));
  }
  t.deepEqual(
    ns.links().map((l) => l.ifname),
    before,
  );
  const logged = () =>
    (env as Env).log.some((l) => l.includes('"denied"') && l.includes(`"uid":${STRANGER}`));
  for (let i = 0; i < 50 && !logged(); i++) await new Promise((r) => setTimeout(r, 20));
  t.true(logged(), 'the helper logs the refused peer');
});

asOthers('hostile input from an allowed uid closes only that connection', (t) => {
  const { socket } = env as Env;
  const script = `
    const net = require('node:net');
    const send = (data) => new Promise((resolve) => {
      const c = net.connect(${JSON.stringify(socket)});
      let text = '';
      c.on('connect', () => c.write(data));
      c.on('data', (d) => { text += d; });
      c.on('error', () => {});
      c.on('close', () => resolve(text.split('\\n')[0]));
    });
    (async () => {
      const out = [];
      out.push(await send('\\u0000\\u0001 not json\\n'));
      out.push(await send(Buffer.alloc(300 * 1024, 0x7b)));
      out.push(await send('{"v":1,"id":5,"op":"exec","cmd":"/bin/sh"}\\n'));
      out.push(await send('{"v":1,"id":6,"op":"host-info","netns":"/proc/1/ns/net"}\\n'));
      console.log(JSON.stringify(out));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], {
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.is(r.status, 0, r.stderr);
  const answers = (JSON.parse(r.stdout) as string[]).map(
    (a) => JSON.parse(a) as { ok: boolean; error: { type: string; message: string } },
  );
  t.deepEqual(
    answers.map((a) => a.error.type),
    ['HelperProtocolError', 'HelperProtocolError', 'HelperProtocolError', 'HelperProtocolError'],
  );
  t.regex(answers[2]?.error.message ?? '', /op must be plug, unplug or host-info/);
  t.regex(answers[3]?.error.message ?? '', /unexpected key "netns"/);
  const after = cli(NOBODY, 'host-info', '--helper', socket, '--json');
  t.is(after.status, 0, 'the helper still serves');
  t.is((env as Env).helper.exitCode, null);
});

asOthers('a helper that cannot keep CAP_NET_ADMIN refuses to run and creates no socket', (t) => {
  const socket = path.join((env as Env).dir, 'refused.sock');
  const r = cli(STRANGER, 'helper', '--socket', socket, '--allow-uid', `${NOBODY}`);
  t.is(r.status, 1);
  t.regex(r.stderr, /HelperPrivilegeError: os-vif helper refuses to run: cannot keep only CAP_NET_ADMIN/);
  t.false(existsSync(socket));
});

asOthers(
  'started as the systemd unit starts it, the helper runs as it is, without re-executing',
  async (t) => {
    const { ns, dir } = env as Env;
    const socket = path.join(dir, 'unit.sock');
    // what CapabilityBoundingSet=CAP_NET_ADMIN, AmbientCapabilities= and NoNewPrivileges=yes give
    const unit = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name,
        'setpriv',
        '--bounding-set',
        '-all,+net_admin',
        '--inh-caps',
        '-all',
        '--no-new-privs',
        process.execPath,
        bin,
        'helper',
        '--socket',
        socket,
        '--allow-uid',
        `${NOBODY}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    t.teardown(() => {
      if (unit.exitCode === null) unit.kill('SIGKILL');
    });
    let text = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(text)), 30_000);
      unit.stderr?.setEncoding('utf8').on('data', (d: string) => {
        text += d;
        if (text.includes(' serving ')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const pid = unit.pid as number;
    t.false(readFileSync(`/proc/${pid}/environ`, 'utf8').includes('OS_VIF_HELPER_REEXECUTED'));
    t.deepEqual(privilegeProblems(readTaskCredentials(pid)), []);
    t.is(cli(NOBODY, 'host-info', '--helper', socket, '--json').status, 0);
    const exited = new Promise<number | null>((r) => unit.once('exit', r));
    unit.kill('SIGTERM');
    t.is(await exited, 0);
    t.false(existsSync(socket), 'the socket is removed on SIGTERM');
  },
);

gated('a re-executed helper that still holds more than CAP_NET_ADMIN refuses to run', (t) => {
  const socket = path.join((env as Env).dir, 'again.sock');
  const r = spawnSync(process.execPath, [bin, 'helper', '--socket', socket, '--allow-uid', `${NOBODY}`], {
    env: { ...process.env, OS_VIF_HELPER_REEXECUTED: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.is(r.status, 1);
  t.regex(
    r.stderr,
    /HelperPrivilegeError: os-vif helper refuses to run: after dropping privileges: thread \d+: permitted set/,
  );
  t.false(existsSync(socket));
});
