/**
 * One shared OVN sandbox per test file (src/sandbox/ovn-sandbox.ts): K chassis, a logical
 * switch `ls1`, ovs plugins bound to each chassis (namespace + its own OVSDB), VIF builders
 * whose logical port is the VIF id, guests, and the witnesses (ovs-vsctl / ovn-nbctl output).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Locks } from '../../src/concurrency/index.js';
import { hostFactory, OvsPlugin } from '../../src/plugins/index.js';
import {
  attachGuest,
  createGuest,
  type OvnChassis,
  OvnSandbox,
  type OvnSandboxOptions,
} from '../../src/sandbox/index.js';
import { objects } from '../../src/vif/index.js';
import { isRoot, trySh } from '../harness/netns.js';
import { hasOvs, INSTANCE, net, profile } from './e2e-host.js';

/** Why OVN tests cannot run here, or undefined. */
export const ovnSkipReason = !isRoot
  ? 'needs root (network namespaces)'
  : !hasOvs
    ? 'needs openvswitch-switch'
    : trySh('sh', ['-c', 'command -v ovn-northd && command -v ovn-controller']).status !== 0
      ? 'needs ovn-central and ovn-host'
      : undefined;

export { INSTANCE };

/** A VIF kind the OVN tests plug. */
export type OvnVifKind = 'plain' | 'hybrid' | 'vhostuser';

/** A VIF, its guest's address and MAC. */
export interface OvnVif {
  vif: objects.VIFOpenVSwitch | objects.VIFBridge | objects.VIFVHostUser;
  id: string;
  mac: string;
  ip: string;
  /** The guest namespace (none for vhost-user). */
  guest?: string;
}

/** The shared OVN lab of a test file. */
export class OvnLab {
  private readonly plugins: OvsPlugin[] = [];
  private readonly lockPath = mkdtempSync(`/tmp/ovt${process.pid}lk`);
  private readonly locks = new Locks({ lock_path: this.lockPath });
  private n = 0;

  private constructor(readonly sb: OvnSandbox) {}

  /** Starts the sandbox and creates logical switch `ls1`. */
  static async start(options: OvnSandboxOptions = {}): Promise<OvnLab> {
    const sb = await OvnSandbox.start({ chassis: 2, ...options });
    try {
      await sb.nbctl('ls-add', 'ls1');
      return new OvnLab(sb);
    } catch (e) {
      await sb.stop().catch(() => undefined);
      throw e;
    }
  }

  /** An ovs plugin on chassis `c` (0-based), waiting for ovn-installed unless told otherwise. */
  plugin(c: number, options: Record<string, unknown> = {}): OvsPlugin {
    const chassis = this.chassis(c);
    const p = new OvsPlugin(
      { ovsdb_connection: chassis.dbRemote, ovs_vsctl_timeout: 30, wait_for_ovn_installed: true, ...options },
      hostFactory({ netns: chassis.netns }),
      undefined,
      this.locks,
    );
    this.plugins.push(p);
    return p;
  }

  chassis(c: number): OvnChassis {
    const chassis = this.sb.chassis[c];
    if (!chassis) throw new Error(`no chassis ${c}`);
    return chassis;
  }

  /**
   * A VIF of `kind` whose logical port (its id) is added to `ls1` with port security unless
   * `lsp: false`; its guest is created on chassis `c` (plain: the veth host end is the VIF's
   * `vif_name`, plugged as the OVS port; hybrid: the host end goes on qbr after the plug).
   */
  async vif(c: number, kind: OvnVifKind, options: { lsp?: boolean } = {}): Promise<OvnVif> {
    const k = ++this.n;
    const hex = k.toString(16).padStart(2, '0');
    const id = `${(process.pid % 0x10000).toString(16).padStart(4, '0')}${k.toString(16).padStart(4, '0')}-0e0e-4000-8000-00000000${hex.padStart(4, '0')}`;
    const mac = `02:00:00:99:00:${hex}`;
    const ip = `10.99.0.${k}`;
    const network = net('br-int', { mtu: 1400 });
    let vif: OvnVif['vif'];
    if (kind === 'plain')
      vif = new objects.VIFOpenVSwitch({
        id,
        address: mac,
        plugin: 'ovs',
        vif_name: `tap${id}`.slice(0, 14),
        network,
        port_profile: profile(id, { create_port: true, datapath_type: 'netdev' }),
      });
    else if (kind === 'hybrid')
      vif = new objects.VIFBridge({
        id,
        address: mac,
        plugin: 'ovs',
        vif_name: `tap${id}`.slice(0, 14),
        bridge_name: `qbr${id}`.slice(0, 14),
        has_traffic_filtering: true,
        network,
        port_profile: profile(id, { datapath_type: 'netdev' }),
      });
    else
      vif = new objects.VIFVHostUser({
        id,
        address: mac,
        plugin: 'ovs',
        mode: 'server',
        path: `${this.lockPath}/vhu${k}.sock`,
        vif_name: `vhu${id}`.slice(0, 14),
        network,
        port_profile: profile(id, { datapath_type: 'netdev' }),
      });
    if (options.lsp ?? true) await this.addLsp(id, mac, ip);
    const out: OvnVif = { vif, id, mac, ip };
    if (kind !== 'vhostuser') {
      const guest = `${this.sb.prefix}g${k}`;
      this.sb.adopt(guest);
      await createGuest({
        netns: guest,
        chassisNetns: this.chassis(c).netns,
        hostIfname: vif.vif_name ?? '',
        mac,
        address: `${ip}/24`,
      });
      out.guest = guest;
    }
    return out;
  }

  /** Re-creates the guest veth of `v` on chassis `c` (after an unplug deleted it, as a hypervisor would). */
  async reattach(c: number, v: OvnVif): Promise<void> {
    await attachGuest({
      netns: v.guest ?? '',
      chassisNetns: this.chassis(c).netns,
      hostIfname: v.vif.vif_name ?? '',
      mac: v.mac,
      address: `${v.ip}/24`,
    });
  }

  /** Adds logical port `id` to ls1 with addresses and port security `mac ip`. */
  async addLsp(id: string, mac: string, ip: string): Promise<void> {
    await this.sb.nbctl(
      '--',
      'lsp-add',
      'ls1',
      id,
      '--',
      'lsp-set-addresses',
      id,
      `${mac} ${ip}`,
      '--',
      'lsp-set-port-security',
      id,
      `${mac} ${ip}`,
    );
  }

  /** `external_ids:ovn-installed` of Interface `name` on chassis `c`, read by ovs-vsctl ('' when unset or absent). */
  ovnInstalled(c: number, name: string): string {
    const r = trySh('ovs-vsctl', [
      `--db=${this.chassis(c).dbRemote}`,
      '--timeout=10',
      '--if-exists',
      'get',
      'Interface',
      name,
      'external_ids:ovn-installed',
    ]);
    return r.stdout.trim().replace(/"/g, '');
  }

  /** `up` of logical port `id`, read by ovn-nbctl. */
  async nbUp(id: string): Promise<string> {
    return (await this.sb.nbctl('get', 'Logical_Switch_Port', id, 'up')).trim();
  }

  /** Closes the plugins, stops the sandbox, removes the lock directory. */
  async stop(): Promise<void> {
    for (const p of this.plugins.splice(0)) await p.close().catch(() => undefined);
    await this.sb.stop();
    rmSync(this.lockPath, { recursive: true, force: true });
  }
}

/** The instance every OVN test plugs for. */
export const OVN_INSTANCE = INSTANCE;
