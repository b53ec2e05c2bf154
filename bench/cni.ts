/**
 * CNI benchmark: ADD then DEL of N pods (default 100), each plugin executed as a runtime
 * executes it (a new process per call, network configuration on stdin, CNI_* in the
 * environment, `ip netns exec` into the benchmark's host namespace), one pod after the other,
 * with host-local IPAM:
 *
 * - the reference `bridge` plugin (containernetworking-plugins, Go);
 * - `os-vif` with `plugin: linux_bridge` on the same bridge configuration;
 * - `os-vif` with `plugin: ovs` on a private ovsdb-server and ovs-vswitchd (userspace datapath),
 *   waiting for ovs-vswitchd as os-vif does.
 *
 * Each method's result is checked: N pods with eth0 and an address after ADD, none after DEL.
 * A line with the cost of starting Node (`node -e 0`, and `os-vif` answering VERSION) shows
 * how much of os-vif's time per call is process start-up.
 *
 *   node dist/bench/cni.js [--n 100] [--json]      (npm run bench:cni)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNetns, deleteNetns, Netlink, netnsPath } from '../src/netlink/index.js';
import { OvsSandbox } from '../src/sandbox/index.js';

const BIN = fileURLToPath(new URL('../../bin/os-vif.js', import.meta.url));
const REFERENCE = '/usr/lib/cni';

interface Row {
  method: string;
  n: number;
  addMs: number;
  delMs: number;
  verified: boolean;
}

function exec(host: string, file: string, command: string, conf: unknown, env: Record<string, string>) {
  return new Promise<{ status: number; out: string }>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', host, file], {
      env: { PATH: process.env.PATH, CNI_COMMAND: command, ...env },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, out }));
    child.stdin.end(JSON.stringify(conf));
  });
}

async function podsWithAddress(pods: string[]): Promise<number> {
  let n = 0;
  for (const pod of pods) {
    const nl = await Netlink.open({ netns: pod });
    try {
      if ((await nl.addresses.list({ interface: 'eth0', family: 4 }).catch(() => [])).length > 0) n++;
    } finally {
      nl.close();
    }
  }
  return n;
}

async function measure(
  method: string,
  host: string,
  pods: string[],
  file: string,
  conf: Record<string, unknown>,
  cniPath: string,
): Promise<Row> {
  const env = (i: number) => ({
    CNI_PATH: cniPath,
    CNI_CONTAINERID: `bench${i}`,
    CNI_NETNS: netnsPath(pods[i] as string),
    CNI_IFNAME: 'eth0',
  });
  const t0 = performance.now();
  for (let i = 0; i < pods.length; i++) {
    const r = await exec(host, file, 'ADD', conf, env(i));
    if (r.status !== 0) throw new Error(`${method} ADD ${i}: ${r.out}`);
  }
  const addMs = performance.now() - t0;
  const added = await podsWithAddress(pods);
  const t1 = performance.now();
  for (let i = 0; i < pods.length; i++) {
    const r = await exec(host, file, 'DEL', conf, env(i));
    if (r.status !== 0) throw new Error(`${method} DEL ${i}: ${r.out}`);
  }
  const delMs = performance.now() - t1;
  const left = await podsWithAddress(pods);
  process.stderr.write(`  ${method}: done\n`);
  return { method, n: pods.length, addMs, delMs, verified: added === pods.length && left === 0 };
}

function startupMs(runs: number, cmd: string, args: string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(cmd, args, { input: '{"cniVersion":"1.0.0"}', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  }
  return (performance.now() - t0) / runs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { n: { type: 'string', default: '100' }, json: { type: 'boolean' } },
  });
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1 || n > 250)
    throw new Error('--n must be 1 to 250 (one /24 of host-local)');
  const root = mkdtempSync(`/tmp/ovt${process.pid}cnb`);
  const bin = `${root}/bin`;
  mkdirSync(bin);
  symlinkSync(BIN, `${bin}/os-vif`);
  const cniPath = `${bin}:${REFERENCE}`;
  const prefix = `ovt${process.pid}c`;
  const namespaces: string[] = [];
  let sandbox: OvsSandbox | undefined;
  const rows: Row[] = [];
  try {
    const ns = async (name: string) => {
      await createNetns(name);
      namespaces.push(name);
      const nl = await Netlink.open({ netns: name });
      await nl.links.set('lo', { up: true });
      nl.close();
      return name;
    };
    const pods: string[] = [];
    for (let i = 0; i < n; i++) pods.push(await ns(`${prefix}p${i}`));
    const ipam = (dir: string) => ({
      type: 'host-local',
      subnet: '10.88.0.0/24',
      dataDir: `${root}/${dir}`,
      routes: [{ dst: '0.0.0.0/0' }],
    });
    const common = { cniVersion: '1.0.0', name: 'benchnet', mtu: 1400 };
    const hostRef = await ns(`${prefix}hr`);
    rows.push(
      await measure(
        'reference bridge (Go)',
        hostRef,
        pods,
        `${REFERENCE}/bridge`,
        { ...common, type: 'bridge', bridge: 'cnibr0', ipam: ipam('ipam-ref') },
        cniPath,
      ),
    );
    const hostLb = await ns(`${prefix}hl`);
    rows.push(
      await measure(
        'os-vif linux_bridge',
        hostLb,
        pods,
        `${bin}/os-vif`,
        {
          ...common,
          type: 'os-vif',
          plugin: 'linux_bridge',
          bridge: 'cnibr0',
          dataDir: `${root}/data-lb`,
          lock_path: `${root}/locks`,
          ipam: ipam('ipam-lb'),
        },
        cniPath,
      ),
    );
    const hostOvs = await ns(`${prefix}ho`);
    sandbox = await OvsSandbox.start({ vswitchd: true, netns: netnsPath(hostOvs) });
    rows.push(
      await measure(
        'os-vif ovs (ovs-vswitchd, netdev)',
        hostOvs,
        pods,
        `${bin}/os-vif`,
        {
          ...common,
          type: 'os-vif',
          plugin: 'ovs',
          bridge: 'br-int',
          datapath_type: 'netdev',
          ovsdb_connection: sandbox.dbRemote,
          dataDir: `${root}/data-ovs`,
          lock_path: `${root}/locks`,
          ipam: ipam('ipam-ovs'),
        },
        cniPath,
      ),
    );
    const nodeMs = startupMs(10, process.execPath, ['-e', '0']);
    const versionMs = startupMs(10, process.execPath, [BIN], { CNI_COMMAND: 'VERSION' });
    const bridgeVersionMs = startupMs(10, `${REFERENCE}/bridge`, [], { CNI_COMMAND: 'VERSION' });
    if (values.json) {
      console.log(JSON.stringify({ rows, startup: { nodeMs, versionMs, bridgeVersionMs } }));
      return;
    }
    console.log(`ADD then DEL of ${n} pods, one after the other, each call a new process (ms):\n`);
    console.log('| plugin | ADD total | ADD per pod | DEL total | DEL per pod | verified |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    for (const r of rows)
      console.log(
        `| ${r.method} | ${r.addMs.toFixed(0)} | ${(r.addMs / r.n).toFixed(1)} | ${r.delMs.toFixed(0)} | ${(r.delMs / r.n).toFixed(1)} | ${r.verified ? 'yes' : 'NO'} |`,
      );
    console.log(
      `\nprocess start-up per call: node -e 0 ${nodeMs.toFixed(1)} ms; os-vif VERSION ${versionMs.toFixed(1)} ms; bridge VERSION ${bridgeVersionMs.toFixed(1)} ms`,
    );
    if (rows.some((r) => !r.verified)) process.exitCode = 1;
  } finally {
    await sandbox?.stop().catch(() => undefined);
    for (const name of namespaces) await deleteNetns(name).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
