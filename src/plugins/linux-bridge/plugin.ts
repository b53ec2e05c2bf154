/**
 * The `linux_bridge` plugin: os-vif 3.0.0's vif_plug_linux_bridge (§6.2), through rtnetlink.
 * Differences, on purpose: the VLAN path does what os-vif intended (os-vif 3.0.0 crashes after
 * creating `vlan<N>`), a failure half-way undoes what the call created, and iptables filter
 * rules are not applied (a separate piece of work; see docs/plugins.md).
 *
 * Locks: os-vif's external locks `nova-lock_vlan` and `nova-lock_bridge` (lock files in
 * `[oslo_concurrency] lock_path`, shared with Python os-vif and every other process). The VLAN
 * path holds `nova-lock_vlan` and then `nova-lock_bridge` until the bridge is done (os-vif takes
 * no bridge lock there), so a rollback never removes a device another process already relies on.
 */

import { Locks } from '../../concurrency/index.js';
import { describePlugin, type objects, PluginBase, type PluginContext } from '../../vif/index.js';
import { checkMtu, checkNameOption, checkNames } from '../checks.js';
import { InvalidVif, NetworkInterfaceNotFound } from '../errors.js';
import { hostFactory } from '../host/defaults.js';
import type { LinkHost } from '../host/links.js';
import { bridgeSysctls, createBridgeIfMissing, createdMeanwhile } from '../host/linux-net.js';
import { BRIDGE, ownedOrAbsent } from '../host/ownership.js';
import { UndoJournal } from '../host/undo.js';
import { LINUX_BRIDGE_OPTIONS, type LinuxBridgeOptions, readOptions } from '../options.js';
import { type InstanceView, type VifView, viewOf } from '../vif-view.js';
import { moveL3 } from './move-l3.js';

/** os-vif's lock names (vif_plug_linux_bridge/linux_net.py), the lock files Python takes. */
const LOCK_VLAN = 'nova-lock_vlan';
const LOCK_BRIDGE = 'nova-lock_bridge';

/** What an existing `vlan<N>` must be before the plug uses it. */
const VLAN = { kinds: ['vlan'], what: 'an 802.1Q VLAN device' } as const;

/** How the plugin reaches the kernel; created on first use and kept. */
export interface LinuxBridgeHostFactory {
  /** The rtnetlink host (opened once, kept). */
  links(): Promise<LinkHost>;
}

/** The context the linux_bridge plugin is loaded with: the library's, and how it reaches the kernel. */
export interface LinuxBridgePluginContext extends PluginContext {
  /** The host factories (default: this network namespace, `hostFactory()`). */
  readonly hosts?: LinuxBridgeHostFactory;
}

/** The linux_bridge reference plugin. */
export class LinuxBridgePlugin extends PluginBase {
  /** Plugin name (`vif.plugin` value and config group suffix). */
  static override readonly pluginName: string = 'linux_bridge';
  /** Declared options, group `os_vif_linux_bridge`. */
  static override readonly CONFIG_OPTS = LINUX_BRIDGE_OPTIONS;
  /** Builds the plugin for the library (`initialize`), with the context's host factories. */
  static override load(context: LinuxBridgePluginContext): PluginBase {
    return new LinuxBridgePlugin(context.config, context.hosts ?? hostFactory(), context.locks);
  }

  readonly options: LinuxBridgeOptions;
  private linksPromise?: Promise<LinkHost>;

  /**
   * @param locks os-vif's named locks (default: lock files in OSLO_LOCK_PATH, else
   *   `/run/os-vif/locks`); the library passes the ones built from `[oslo_concurrency]`
   */
  constructor(
    config: Record<string, unknown> | undefined,
    private readonly factory: LinuxBridgeHostFactory,
    private readonly locks: Locks = new Locks(),
  ) {
    super();
    this.options = readOptions<LinuxBridgeOptions>('os_vif_linux_bridge', LINUX_BRIDGE_OPTIONS, config);
    checkNameOption('os_vif_linux_bridge', 'vlan_interface', this.options.vlan_interface);
    checkNameOption('os_vif_linux_bridge', 'flat_interface', this.options.flat_interface);
  }

  /** VIFBridge 1.0, no port profiles. */
  describe(): objects.HostPluginInfo {
    return describePlugin({
      plugin_name: 'linux_bridge',
      vif_info: [{ vif_object_name: 'VIFBridge', min_version: '1.0', max_version: '1.0' }],
    });
  }

  /** Ensures the network's bridge (and VLAN device) as os-vif does. */
  async plug(
    vifObject: objects.VIFBase | VifView,
    _instance: objects.InstanceInfo | InstanceView,
  ): Promise<void> {
    const vif = viewOf<VifView>(vifObject);
    const network = vif.network;
    if (!network || network.multi_host || !network.should_provide_bridge) return;
    checkNames(vif.id, [
      ['bridge_name', vif.bridge_name],
      ['network.bridge_interface', network.bridge_interface],
    ]);
    const bridge = vif.bridge_name;
    if (!bridge)
      throw new InvalidVif({
        vif_id: vif.id,
        field: 'bridge_name',
        reason: 'is required by the linux_bridge plugin',
      });
    const mtu = checkMtu(vif.id, network.mtu, this.options.network_device_mtu);
    if (network.should_provide_vlan) {
      const vlan = network.vlan;
      if (typeof vlan !== 'number' || vlan < 1 || vlan > 4094) {
        throw new InvalidVif({
          vif_id: vif.id,
          field: 'network.vlan',
          reason: 'must be a VLAN id from 1 to 4094 on a VLAN network',
        });
      }
      const parent = this.options.vlan_interface || network.bridge_interface;
      if (!parent)
        throw new InvalidVif({
          vif_id: vif.id,
          field: 'network.bridge_interface',
          reason: 'is required on a VLAN network',
        });
      const links = await this.links();
      await ownedOrAbsent(links, vif.id, bridge, BRIDGE);
      await ownedOrAbsent(links, vif.id, `vlan${vlan}`, VLAN);
      await this.locks.synchronized(LOCK_VLAN, () =>
        this.locks.synchronized(LOCK_BRIDGE, () =>
          new UndoJournal().run(async (journal) => {
            const iface = await this.ensureVlan(links, journal, vlan, parent, mtu);
            await this.ensureBridge(links, journal, bridge, iface, mtu);
          }),
        ),
      );
      return;
    }
    const iface = this.options.flat_interface || network.bridge_interface || undefined;
    const links = await this.links();
    await ownedOrAbsent(links, vif.id, bridge, BRIDGE);
    await this.locks.synchronized(LOCK_BRIDGE, () =>
      new UndoJournal().run((journal) => this.ensureBridge(links, journal, bridge, iface, mtu)),
    );
  }

  /** Always a no-op, as in os-vif: bridges and VLAN devices are shared and stay. */
  async unplug(
    _vif: objects.VIFBase | VifView,
    _instance: objects.InstanceInfo | InstanceView,
  ): Promise<void> {}

  /** Closes the netlink socket. */
  override async close(): Promise<void> {
    const pending = this.linksPromise;
    this.linksPromise = undefined;
    (await pending?.catch(() => undefined))?.close();
  }

  private links(): Promise<LinkHost> {
    this.linksPromise ??= this.factory.links();
    const pending = this.linksPromise;
    pending.catch(() => {
      if (this.linksPromise === pending) this.linksPromise = undefined;
    });
    return pending;
  }

  /** `_ensure_vlan_privileged`: `vlan<N>` on `parent`, up, with the MTU, when missing. */
  private async ensureVlan(
    links: LinkHost,
    journal: UndoJournal,
    vlan: number,
    parent: string,
    mtu: number,
  ): Promise<string> {
    const name = `vlan${vlan}`;
    if (await links.exists(name)) return name;
    if (!(await links.exists(parent))) throw new NetworkInterfaceNotFound({ interface: parent });
    try {
      await links.addVlan(name, parent, vlan);
    } catch (error) {
      if (await createdMeanwhile(links, error, name, 'vlan')) return name;
      throw error;
    }
    journal.push(`delete ${name}`, () => links.del(name));
    await links.set(name, { up: true });
    await links.set(name, { mtu });
    return name;
  }

  /** `_ensure_bridge_privileged` on the flat path. */
  private async ensureBridge(
    links: LinkHost,
    journal: UndoJournal,
    bridge: string,
    iface: string | undefined,
    mtu: number,
  ): Promise<void> {
    if (await createBridgeIfMissing(links, journal, bridge)) {
      await bridgeSysctls(links, bridge);
      await links.set(bridge, { up: true });
    }
    if (!iface || !(await links.exists(iface))) return;
    const before = await links.get(iface);
    await links.set(iface, { master: bridge, up: true });
    if (before && before.master !== bridge) {
      journal.push(`detach ${iface}`, () =>
        links.set(iface, { master: before.master ?? null, up: before.up }),
      );
    }
    if (before && before.mtu !== mtu)
      journal.push(`restore the MTU of ${iface}`, () => links.set(iface, { mtu: before.mtu }));
    await links.set(iface, { mtu });
    await moveL3(links, journal, iface, bridge);
    await links.set(bridge, { mtu });
  }
}
