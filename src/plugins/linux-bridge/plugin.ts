/**
 * The `linux_bridge` plugin: os-vif 3.0.0's vif_plug_linux_bridge (§6.2), through rtnetlink.
 * Differences, on purpose: the VLAN path does what os-vif intended (os-vif 3.0.0 crashes after
 * creating `vlan<N>`), a failure half-way undoes what the call created, and os-vif's FORWARD
 * rules are written through nf_tables (`os-vif/nftables`, one atomic batch per bridge, placed
 * where they take effect) instead of an `iptables-save`/`iptables-restore` cycle
 * (docs/plugins.md, "Filter rules").
 *
 * Locks: os-vif's external locks `nova-lock_vlan` and `nova-lock_bridge` (lock files in
 * `[oslo_concurrency] lock_path`, shared with Python os-vif and every other process). The VLAN
 * path holds `nova-lock_vlan` and then `nova-lock_bridge` until the bridge is done (os-vif takes
 * no bridge lock there), so a rollback never removes a device another process already relies on.
 * The filter rules are written holding `nova-iptables` as well (inside the bridge lock, os-vif's
 * order), so Python os-vif's save/rewrite/restore cycle on the same host never overlaps them.
 */

import { Locks } from '../../concurrency/index.js';
import { type BridgeFilterCase, checkDropAction, type DropAction } from '../../nftables/index.js';
import {
  describePlugin,
  InvalidConfig,
  type objects,
  PluginBase,
  type PluginContext,
} from '../../vif/index.js';
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
/** os-vif's lock around its iptables apply (vif_plug_linux_bridge/iptables.py). */
const LOCK_IPTABLES = 'nova-iptables';

/** What an existing `vlan<N>` must be before the plug uses it. */
const VLAN = { kinds: ['vlan'], what: 'an 802.1Q VLAN device' } as const;

/** The bridge filter rules as the plugin uses them (`BridgeFirewall` of `os-vif/nftables`). */
export interface FirewallHost {
  /** Where the rules would go; rejects (FirewallBackendUnsupported) when they cannot take effect. */
  placement(): Promise<unknown>;
  /** Ensures the rules of `bridge` for case `c`, once. */
  ensure(bridge: string, c: BridgeFilterCase): Promise<unknown>;
  close(): void;
}

/** How the plugin reaches the kernel; created on first use and kept. */
export interface LinuxBridgeHostFactory {
  /** The rtnetlink host (opened once, kept). */
  links(): Promise<LinkHost>;
  /** nf_tables in the same namespace. */
  firewall(): Promise<FirewallHost>;
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
  /** `iptables_drop_action`, checked. */
  private readonly dropAction: DropAction;
  private linksPromise?: Promise<LinkHost>;
  private firewallPromise?: Promise<FirewallHost>;

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
    for (const iface of this.options.forward_bridge_interface) {
      // iptables' wildcard: `eth+` matches every name starting with `eth`
      if (iface && iface !== 'all')
        checkNameOption('os_vif_linux_bridge', 'forward_bridge_interface', iface.replace(/\+$/, ''));
    }
    try {
      this.dropAction = checkDropAction(this.options.iptables_drop_action);
    } catch {
      throw new InvalidConfig({
        group: 'os_vif_linux_bridge',
        option: 'iptables_drop_action',
        reason: `${JSON.stringify(this.options.iptables_drop_action)}: this library writes DROP or REJECT only`,
      });
    }
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
      // os-vif's VLAN path installs the non-gateway rules whatever has_traffic_filtering says
      const firewall = await this.checkedFirewall();
      await this.locks.synchronized(LOCK_VLAN, () =>
        this.locks.synchronized(LOCK_BRIDGE, () =>
          new UndoJournal().run(async (journal) => {
            const iface = await this.ensureVlan(links, journal, vlan, parent, mtu);
            await this.ensureBridge(links, journal, bridge, iface, mtu);
            await this.ensureRules(firewall, bridge, { kind: 'isolated', dropAction: this.dropAction });
          }),
        ),
      );
      return;
    }
    const iface = this.options.flat_interface || network.bridge_interface || undefined;
    const links = await this.links();
    await ownedOrAbsent(links, vif.id, bridge, BRIDGE);
    // only put in filter rules if Neutron is not filtering (os-vif's install_filters)
    const firewall = vif.has_traffic_filtering ? undefined : await this.checkedFirewall();
    await this.locks.synchronized(LOCK_BRIDGE, () =>
      new UndoJournal().run(async (journal) => {
        await this.ensureBridge(links, journal, bridge, iface, mtu);
        if (firewall) {
          const forwardInterfaces = this.options.forward_bridge_interface;
          await this.ensureRules(firewall, bridge, {
            kind: 'gateway',
            forwardInterfaces,
            dropAction: this.dropAction,
          });
        }
      }),
    );
  }

  /**
   * The firewall, once its placement is known: a namespace on iptables-legacy is refused here,
   * before anything changes.
   */
  private async checkedFirewall(): Promise<FirewallHost> {
    const firewall = await this.firewall();
    await firewall.placement();
    return firewall;
  }

  /** os-vif's rules for the bridge, under `nova-iptables` (one atomic batch, written once). */
  private async ensureRules(firewall: FirewallHost, bridge: string, c: BridgeFilterCase): Promise<void> {
    await this.locks.synchronized(LOCK_IPTABLES, () => firewall.ensure(bridge, c));
  }

  /** Always a no-op, as in os-vif: bridges and VLAN devices are shared and stay. */
  async unplug(
    _vif: objects.VIFBase | VifView,
    _instance: objects.InstanceInfo | InstanceView,
  ): Promise<void> {}

  /** Closes the netlink sockets. */
  override async close(): Promise<void> {
    const links = this.linksPromise;
    const firewall = this.firewallPromise;
    this.linksPromise = undefined;
    this.firewallPromise = undefined;
    (await links?.catch(() => undefined))?.close();
    (await firewall?.catch(() => undefined))?.close();
  }

  private links(): Promise<LinkHost> {
    this.linksPromise ??= this.factory.links();
    const pending = this.linksPromise;
    pending.catch(() => {
      if (this.linksPromise === pending) this.linksPromise = undefined;
    });
    return pending;
  }

  private firewall(): Promise<FirewallHost> {
    this.firewallPromise ??= this.factory.firewall();
    const pending = this.firewallPromise;
    pending.catch(() => {
      if (this.firewallPromise === pending) this.firewallPromise = undefined;
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
