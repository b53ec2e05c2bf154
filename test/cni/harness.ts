/**
 * Running CNI plugins as a runtime does: executed (inside a test "host" namespace, with
 * `ip netns exec`) with the network configuration on stdin and CNI_* in the environment, from a
 * CNI_PATH of a private directory (`os-vif` linked to bin/os-vif.js) and /usr/lib/cni.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ExecutionContext } from 'ava';
import { isRoot } from '../harness/netns.js';

const BIN = fileURLToPath(new URL('../../../bin/os-vif.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/cni/', import.meta.url));
/** Debian's containernetworking-plugins. */
export const REFERENCE_DIR = '/usr/lib/cni';

/** Why the CNI tests cannot run here, or undefined. */
export const cniSkipReason = !isRoot
  ? 'needs root (network namespaces)'
  : !existsSync(`${REFERENCE_DIR}/bridge`)
    ? 'needs containernetworking-plugins (/usr/lib/cni/bridge)'
    : undefined;

const ajv = new Ajv({ strict: true, allErrors: true });
const schema = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(`${FIXTURES}${name}.schema.json`, 'utf8')));
/** The spec's documents as JSON Schemas (test/fixtures/cni). */
export const validate = { result: schema('result'), error: schema('error'), version: schema('version') };

/** One invocation's outcome. */
export interface CniRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, or undefined when empty. */
  json: Record<string, unknown> | undefined;
}

/** A private CNI_PATH and data directory, removed after the test. */
export class CniDirs {
  readonly root: string;
  readonly bin: string;

  constructor(t: ExecutionContext) {
    this.root = mkdtempSync(`/tmp/ovt${process.pid}cni`);
    this.bin = `${this.root}/bin`;
    spawnSync('mkdir', ['-p', this.bin]);
    symlinkSync(BIN, `${this.bin}/os-vif`);
    t.teardown(() => rmSync(this.root, { recursive: true, force: true }));
  }

  /** CNI_PATH: ours first, then the reference plugins. */
  get path(): string {
    return `${this.bin}:${REFERENCE_DIR}`;
  }

  /** Runs plugin `type` (from CNI_PATH) in namespace `host`, as a runtime executes it. */
  run(
    host: string,
    type: string,
    command: string,
    conf: unknown,
    env: { containerId?: string; netns?: string; ifname?: string } = {},
  ): Promise<CniRun> {
    const file = existsSync(`${this.bin}/${type}`) ? `${this.bin}/${type}` : `${REFERENCE_DIR}/${type}`;
    return new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', host, file], {
        env: {
          PATH: process.env.PATH,
          CNI_COMMAND: command,
          CNI_PATH: this.path,
          ...(env.containerId !== undefined ? { CNI_CONTAINERID: env.containerId } : {}),
          ...(env.netns !== undefined ? { CNI_NETNS: env.netns } : {}),
          ...(env.ifname !== undefined ? { CNI_IFNAME: env.ifname } : {}),
        },
        timeout: 60_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => {
        try {
          const json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as Record<string, unknown>);
          resolve({ status: code ?? -1, stdout, stderr, json });
        } catch (e) {
          reject(new Error(`${type} ${command} printed no JSON: ${stdout} ${stderr} (${e})`));
        }
      });
      child.stdin.end(typeof conf === 'string' ? conf : JSON.stringify(conf));
    });
  }
}

/** A netconf of this plugin (linux_bridge on `bridge`) with host-local IPAM in `dirs`. */
export function netconf(dirs: CniDirs, fields: Record<string, unknown> = {}, ipamDir = 'ipam') {
  return {
    cniVersion: '1.0.0',
    name: 'ovtnet',
    type: 'os-vif',
    plugin: 'linux_bridge',
    bridge: 'cnibr0',
    mtu: 1400,
    dataDir: `${dirs.root}/data`,
    lock_path: `${dirs.root}/locks`,
    ipam: {
      type: 'host-local',
      subnet: '10.88.0.0/24',
      dataDir: `${dirs.root}/${ipamDir}`,
      routes: [{ dst: '0.0.0.0/0' }, { dst: '10.89.0.0/16', gw: '10.88.0.254' }],
    },
    ...fields,
  };
}

/** `ip -j` views of a container's interface, normalised for comparison (no MAC, no ifindex). */
export function containerView(ns: { ip(...a: string[]): string }, dev: string) {
  const link = (
    JSON.parse(ns.ip('-j', '-d', 'link', 'show', 'dev', dev)) as Record<string, unknown>[]
  )[0] as {
    flags: string[];
    mtu: number;
    operstate: string;
    linkinfo?: { info_kind?: string };
  };
  const addrs = (
    JSON.parse(ns.ip('-j', 'addr', 'show', 'dev', dev)) as {
      addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
    }[]
  )[0]?.addr_info
    .filter((a) => a.scope === 'global')
    .map((a) => `${a.local}/${a.prefixlen}`);
  const routes = (JSON.parse(ns.ip('-j', 'route', 'show', 'dev', dev)) as Record<string, unknown>[]).map(
    (r) => [r.dst, r.gateway, r.scope, r.protocol, r.prefsrc].filter((x) => x !== undefined).join(' '),
  );
  return { kind: link.linkinfo?.info_kind, flags: [...link.flags].sort(), mtu: link.mtu, addrs, routes };
}
