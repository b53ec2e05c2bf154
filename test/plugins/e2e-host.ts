/**
 * One throwaway host per test: a namespace (`ovt<pid>x<n>`), a private ovsdb-server (run dir
 * `/tmp/ovtXXXXXX`, through src/sandbox) and plugins bound to that namespace. Everything is
 * removed in the test's teardown, also when it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import test, { type ExecutionContext, type TestFn } from 'ava';
import { Locks } from '../../src/concurrency/index.js';
import { hostFactory, LinuxBridgePlugin, OvsPlugin } from '../../src/plugins/index.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { objects } from '../../src/vif/index.js';
import { isRoot, TestNetns, trySh } from '../harness/netns.js';
import { linkState, ovsState } from './witness.js';

/** True when OVS binaries exist. */
export const hasOvs = trySh('sh', ['-c', 'command -v ovsdb-server && command -v ovs-vswitchd']).status === 0;

/** Why e2e tests cannot run here, or undefined. */
export const skipReason = !isRoot
  ? 'needs root (network namespaces)'
  : !hasOvs
    ? 'needs openvswitch-switch'
    : undefined;

/**
 * `test`, or `test.skip` when `reason` says these tests cannot run here; then one passing test
 * named `<what> are skipped` logs the reason, so a skip is visible in the run's output.
 */
export function gatedTest(what: string, reason: string | undefined = skipReason): TestFn {
  if (!reason) return test;
  test(`${what} are skipped`, (t) => {
    t.log(reason);
    t.pass();
  });
  return skipping(test);
}

/** `fn` whose tests (also `.serial` ones) are skipped; its hooks stay ava's own. */
function skipping(fn: TestFn): TestFn {
  return new Proxy(fn, {
    apply: (target, _this, args: unknown[]) => (target.skip as (...a: unknown[]) => void)(...args),
    get: (target, prop, receiver) =>
      prop === 'serial' ? skipping(target.serial as unknown as TestFn) : Reflect.get(target, prop, receiver),
  });
}

/** A test host. */
export interface TestHost {
  ns: TestNetns;
  sb: OvsSandbox;
  /** An ovs plugin on this host with extra options. */
  ovs(options?: Record<string, unknown>): OvsPlugin;
  /** A linux_bridge plugin on this host. */
  linuxBridge(options?: Record<string, unknown>): LinuxBridgePlugin;
  /** The lock directory of this host's plugins (a private `/tmp/ovt<pid>lk…`). */
  lockPath: string;
  /** The locks of this host's plugins: per-VIF lock files are host-wide, so tests reusing VIF ids keep their own. */
  locks: Locks;
  /** Links and OVS rows, normalised. */
  state(): { links: ReturnType<typeof linkState>; ovs: ReturnType<typeof ovsState> };
}

/**
 * Creates a host for `t`, torn down after it. With `vswitchd` the sandbox runs ovs-vswitchd in
 * the namespace and the ovs plugin waits for it as os-vif does; without, the plugin is built with
 * `wait_for_vswitchd: false` (the tests then check OVSDB rows and kernel links only).
 */
export async function testHost(t: ExecutionContext, options: { vswitchd?: boolean } = {}): Promise<TestHost> {
  const ns = TestNetns.create();
  const lockPath = mkdtempSync(`/tmp/ovt${process.pid}lk`);
  const plugins: { close(): Promise<void> }[] = [];
  let sb: OvsSandbox | undefined;
  t.teardown(async () => {
    for (const p of plugins) await p.close().catch(() => undefined);
    await sb?.stop().catch(() => undefined);
    ns.destroy();
    rmSync(lockPath, { recursive: true, force: true });
  });
  const locks = new Locks({ lock_path: lockPath });
  const vswitchd = options.vswitchd ?? false;
  sb = await OvsSandbox.start({ vswitchd, netns: ns.path });
  const sandbox = sb;
  return {
    ns,
    sb: sandbox,
    lockPath,
    locks,
    ovs(extra = {}) {
      const p = new OvsPlugin(
        // without ovs-vswitchd nothing would ever apply next_cfg: do not wait for it there. The
        // limit bounds a whole call (retries and rollback included), and a test file runs many
        // hosts at once on a loaded machine: 30 s is a bound for a hang, not a speed claim.
        { ovsdb_connection: sandbox.dbRemote, ovs_vsctl_timeout: 30, wait_for_vswitchd: vswitchd, ...extra },
        hostFactory({ netns: ns.name }),
        undefined,
        locks,
      );
      plugins.push(p);
      return p;
    },
    linuxBridge(extra = {}) {
      const p = new LinuxBridgePlugin(extra, hostFactory({ netns: ns.name }), locks);
      plugins.push(p);
      return p;
    },
    state: () => ({ links: linkState(ns.links()), ovs: ovsState(sandbox.dbRemote) }),
  };
}

/** A VIF or InstanceInfo from a primitive. */
export function fromPrimitive<T extends objects.VersionedObject>(
  p: unknown,
  cls: objects.ExpectedClass<T>,
): T {
  return objects.fromPrimitive(p, cls);
}

/** The instance of every test. */
export const INSTANCE = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'instance-0000002a',
  project_id: '7d3c5a1b2e4f4a6b8c9d0e1f2a3b4c5d',
});

/** A Network on bridge `bridge`. */
export function net(bridge: string, fields: Partial<Record<string, unknown>> = {}): objects.Network {
  return new objects.Network({
    id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
    label: 'private',
    bridge,
    mtu: 1450,
    multi_host: false,
    should_provide_bridge: false,
    should_provide_vlan: false,
    bridge_interface: null,
    vlan: null,
    subnets: new objects.SubnetList({ objects: [] }),
    ...fields,
  } as ConstructorParameters<typeof objects.Network>[0]);
}

/** An OVS port profile. */
export function profile(
  id: string,
  fields: Partial<Record<string, unknown>> = {},
): objects.VIFPortProfileOpenVSwitch {
  return new objects.VIFPortProfileOpenVSwitch({
    interface_id: id,
    profile_id: '',
    datapath_type: 'netdev',
    create_port: false,
    ...fields,
  } as ConstructorParameters<typeof objects.VIFPortProfileOpenVSwitch>[0]);
}

/** External ids os-vif writes for `id` and `mac`. */
export function ids(id: string, mac: string): Record<string, string> {
  return { 'attached-mac': mac, 'iface-id': id, 'iface-status': 'active', 'vm-uuid': INSTANCE.uuid };
}
