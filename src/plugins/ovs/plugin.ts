/**
 * The `ovs` plugin: os-vif 3.0.0's vif_plug_ovs on Linux, step for step (§6.3), through OVSDB
 * and rtnetlink instead of processes. Where os-vif is wrong this one differs, on purpose:
 * a plug that fails half-way undoes what it created; the hybrid veth ends really are made
 * promiscuous; DPDK representor ports get their MTU through `mtu_request`; a VIF without a
 * port profile raises MissingPortProfile; lookups that can fail run before the host changes.
 */

import { Locks } from '../../concurrency/index.js';
import { parseRemotes } from '../../ovsdb/index.js';
import {
  describePlugin,
  InvalidConfig,
  type Logger,
  type objects,
  PluginBase,
  type PluginContext,
  silentLogger,
} from '../../vif/index.js';
import { checkMtu, checkNames, checkText } from '../checks.js';
import { InvalidVif, MissingPortProfile, UnsupportedVif, WrongPortProfile } from '../errors.js';
import { CallBudget } from '../host/budget.js';
import type { LinkHost } from '../host/links.js';
import {
  addVethUnlessMade,
  bridgeSysctls,
  createBridgeIfMissing,
  deleteIfExists,
  setMtuIfExists,
} from '../host/linux-net.js';
import { BRIDGE, type Expected, ownedOrAbsent } from '../host/ownership.js';
import type { SwitchHost, SwitchStep } from '../host/switch.js';
import { UndoJournal } from '../host/undo.js';
import { ovsNames, vifLockName } from '../names.js';
import { OVS_OPTIONS, type OvsOptions, readOptions } from '../options.js';
import {
  className,
  type InstanceView,
  isA,
  type PortProfileView,
  type VifView,
  viewOf,
} from '../vif-view.js';
import { BaseOvs, type VswitchdProblem } from './base-ovs.js';
import { Sysfs } from './representor.js';

/** How the plugin reaches the host; created lazily on first use and kept for its lifetime. */
export interface OvsHostFactory {
  links(): Promise<LinkHost>;
  /**
   * One OVSDB connection for the plugin's lifetime, opened with the plugin's options; the
   * connection logs (reconnects, resyncs) through `logger`.
   */
  switch(options: OvsOptions, logger?: Logger): Promise<SwitchHost>;
}

const OVS_PROFILES = ['VIFPortProfileOpenVSwitch'];
const OVS_AND_REPRESENTOR = ['VIFPortProfileOpenVSwitch', 'VIFPortProfileOVSRepresentor'];
const TRUNK_PREFIX = 'tbr-';
const DEAD_VLAN = 4095;

/** The ovs reference plugin. */
export class OvsPlugin extends PluginBase {
  /** Plugin name (`vif.plugin` value and config group suffix). */
  static override readonly pluginName: string = 'ovs';
  /** Declared options, group `os_vif_ovs`. */
  static override readonly CONFIG_OPTS = OVS_OPTIONS;
  /** How {@link OvsPlugin.load} reaches the host (set by `pluginClasses()` for another namespace). */
  static hosts: () => OvsHostFactory = () => {
    throw new Error('OvsPlugin.hosts is not configured (import os-vif/plugins)');
  };

  /** Builds the plugin for the library (`initialize`). */
  static override load(context: PluginContext): PluginBase {
    // biome-ignore lint/complexity/noThisInStatic: subclasses made by pluginClasses() override hosts
    return new OvsPlugin(context.config, this.hosts(), context.logger, context.locks);
  }

  readonly options: OvsOptions;
  private readonly sysfs: Sysfs;
  private hostPromise?: Promise<{ links: LinkHost; sw: SwitchHost; ovs: BaseOvs }>;

  /**
   * @param logger where a transaction that ovs-vswitchd did not apply within `ovs_vsctl_timeout`,
   *   or a new interface it could not attach, is reported (warn), as os-vif logs it
   * @param locks the per-VIF locks (default: lock files in OSLO_LOCK_PATH, else
   *   `/run/os-vif/locks`); the library passes the ones built from `[oslo_concurrency]`
   */
  constructor(
    config: Record<string, unknown> | undefined,
    private readonly factory: OvsHostFactory,
    private readonly logger: Logger = silentLogger,
    private readonly locks: Locks = new Locks(),
  ) {
    super();
    this.options = readOptions<OvsOptions>('os_vif_ovs', OVS_OPTIONS, config);
    checkRemote(this.options.ovsdb_connection);
    this.sysfs = new Sysfs(this.options.sysfs_root);
  }

  /** What this plugin supports (os-vif's advertised versions). */
  describe(): objects.HostPluginInfo {
    return describePlugin({
      plugin_name: 'ovs',
      vif_info: [
        {
          vif_object_name: 'VIFBridge',
          min_version: '1.0',
          max_version: '1.0',
          supported_port_profiles: profiles(OVS_PROFILES),
        },
        {
          vif_object_name: 'VIFOpenVSwitch',
          min_version: '1.0',
          max_version: '1.0',
          supported_port_profiles: profiles(OVS_PROFILES),
        },
        {
          vif_object_name: 'VIFVHostUser',
          min_version: '1.0',
          max_version: '1.0',
          supported_port_profiles: profiles(OVS_AND_REPRESENTOR),
        },
        {
          vif_object_name: 'VIFHostDevice',
          min_version: '1.0',
          max_version: '1.0',
          supported_port_profiles: profiles(OVS_AND_REPRESENTOR),
        },
      ],
    });
  }

  /**
   * Plugs `vif`; serialized with other calls for the same VIF id, in this process and in every
   * other (lock file `os-vif-ovs-<id>`; os-vif itself takes no lock here).
   */
  async plug(
    vifObject: objects.VIFBase | VifView,
    instanceObject: objects.InstanceInfo | InstanceView,
  ): Promise<void> {
    const vif = viewOf<VifView>(vifObject);
    const instance = viewOf<InstanceView>(instanceObject);
    const profile = checkProfile(vif);
    this.checkVif(vif);
    const plan = this.planPlug(vif, instance, profile);
    const budget = this.budget();
    return this.locks.synchronized(vifLockName(vif.id), async () => {
      const host = await budget.race('connect', this.host());
      const ovs = host.ovs.reporting(this.vswitchdProblem(vif), budget);
      await new UndoJournal().run((journal) => plan({ ...host, ovs }, journal));
    });
  }

  /** Unplugs `vif`; succeeds when nothing is there. Serialized per VIF id (and removes its lock file). */
  async unplug(
    vifObject: objects.VIFBase | VifView,
    _instance: objects.InstanceInfo | InstanceView,
  ): Promise<void> {
    const vif = viewOf<VifView>(vifObject);
    const profile = checkProfile(vif);
    this.checkVif(vif);
    const bridge = requireField(vif, 'network.bridge', vif.network?.bridge);
    const cls = className(vif);
    const budget = this.budget();
    return this.locks.synchronized(
      vifLockName(vif.id),
      () => this.unplugLocked(vif, profile, bridge, cls, budget),
      {
        removeFile: true,
      },
    );
  }

  private async unplugLocked(
    vif: VifView,
    profile: PortProfileView,
    bridge: string,
    cls: string,
    budget: CallBudget,
  ): Promise<void> {
    const host = await budget.race('connect', this.host());
    const links = host.links;
    const ovs = host.ovs.reporting(this.vswitchdProblem(vif), budget);
    const names = ovsNames(vif.id);
    if (isA(vif, 'VIFOpenVSwitch') && this.options.per_port_bridge) {
      const vifName = requireField(vif, 'vif_name', vif.vif_name);
      await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
      await ovs.deletePort(bridge, names.ibp);
      await ovs.deletePort(names.pb, names.pbp);
      await ovs.deletePort(names.pb, vifName);
      await ovs.deleteBridge(names.pb);
    } else if (isA(vif, 'VIFOpenVSwitch')) {
      if (await links.exists(names.qbr)) await this.unplugHybrid(links, ovs, bridge, names.qbr, vif.id);
      else {
        const vifName = requireField(vif, 'vif_name', vif.vif_name);
        await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
        await ovs.deletePort(bridge, vifName);
      }
    } else if (isA(vif, 'VIFBridge')) {
      await this.unplugHybrid(links, ovs, bridge, requireField(vif, 'bridge_name', vif.bridge_name), vif.id);
    } else if (isA(vif, 'VIFVHostUser')) {
      await ownedOrAbsent(links, vif.id, names.vhu, VIF_DEVICE);
      await ovs.deletePort(bridge, names.vhu);
    } else if (isA(vif, 'VIFHostDevice')) {
      const devAddress = requireField(vif, 'dev_address', vif.dev_address);
      if (datapath(profile, 'system') === 'system') {
        const representor = await this.kernelRepresentor(devAddress);
        await ovs.deletePort(bridge, representor, false);
        if (await links.exists(representor)) await links.set(representor, { up: false });
      } else {
        await ovs.deletePort(bridge, names.vfr, false);
      }
    } else {
      throw new UnsupportedVif({ plugin: 'ovs', vif_class: cls });
    }
    if (bridge.startsWith(TRUNK_PREFIX)) await ovs.deleteBridge(bridge);
  }

  /** Closes the OVSDB connection and the netlink socket. */
  override async close(): Promise<void> {
    const pending = this.hostPromise;
    this.hostPromise = undefined;
    if (!pending) return;
    const host = await pending.catch(() => undefined);
    host?.links.close();
    await host?.sw.close();
  }

  /**
   * Every name the VIF can lead to (set fields and the names derived from its id), the text
   * that reaches OVSDB, and the MTU: checked before anything, in plug and unplug alike, so a
   * refused VIF has changed nothing.
   */
  private checkVif(vif: VifView): void {
    const n = ovsNames(vif.id);
    checkNames(vif.id, [
      ['network.bridge', vif.network?.bridge],
      ['vif_name', vif.vif_name],
      ['bridge_name', vif.bridge_name],
      ...(['qbr', 'qvb', 'qvo', 'vhu', 'vfr', 'pb'] as const).map(
        (k) => [`id (as the ${k} device name)`, n[k]] as const,
      ),
    ]);
    checkText(vif.id, 'id (as a patch port name)', n.ibp);
    checkText(vif.id, 'path', vif.path);
    checkMtu(vif.id, vif.network?.mtu, this.options.network_device_mtu);
  }

  /**
   * ovsdbapp's post-commit check failed for one of `vif`'s transactions: logged (warn) with the
   * VIF and the interfaces, never raised, as os-vif does (`Post-commit checks failed`).
   */
  private vswitchdProblem(vif: VifView): VswitchdProblem {
    return (steps, report) => {
      const fields = { vif: vif.id, vif_name: vif.vif_name, next_cfg: report.nextCfg };
      if (report.timedOut) {
        const interfaces = steps.map(stepInterface);
        this.logger.warn(
          { ...fields, interfaces, timeout_ms: report.timeoutMs },
          `Post-commit checks failed for vif ${vif.id}: ovs-vswitchd did not apply next_cfg ${report.nextCfg} (${interfaces.join(', ')}) within ${report.timeoutMs / 1000} s`,
        );
        return;
      }
      const failed = report.failedInterfaces;
      this.logger.warn(
        { ...fields, interfaces: failed.map((f) => f.name), failed },
        `Post-commit checks failed for vif ${vif.id}: ovs-vswitchd could not add interface ${failed
          .map((f) => (f.error ? `${f.name} (${f.error})` : f.name))
          .join(', ')}`,
      );
    };
  }

  /** The time budget of one call, from its start (a wait for the per-VIF lock counts). */
  private budget(): CallBudget {
    return new CallBudget(this.options.ovs_vsctl_timeout * 1000);
  }

  private host(): Promise<{ links: LinkHost; sw: SwitchHost; ovs: BaseOvs }> {
    this.hostPromise ??= (async () => {
      const links = await this.factory.links();
      const sw = await this.factory.switch(this.options, this.logger).catch((error: unknown) => {
        links.close();
        throw error;
      });
      return { links, sw, ovs: new BaseOvs(sw, links) };
    })();
    const pending = this.hostPromise;
    pending.catch(() => {
      if (this.hostPromise === pending) this.hostPromise = undefined;
    });
    return pending;
  }

  /** Checks the VIF fully, then returns the steps; nothing touches the host before they run. */
  private planPlug(
    vif: VifView,
    instance: InstanceView,
    profile: PortProfileView,
  ): (host: { links: LinkHost; ovs: BaseOvs }, journal: UndoJournal) => Promise<void> {
    const bridge = requireField(vif, 'network.bridge', vif.network?.bridge);
    const mtu = checkMtu(vif.id, vif.network?.mtu, this.options.network_device_mtu);
    const tag = this.options.isolate_vif ? DEAD_VLAN : undefined;
    const names = ovsNames(vif.id);
    const ids = () => externalIds(vif, instance, profile.interface_id);

    if (isA(vif, 'VIFOpenVSwitch')) {
      const dp = datapath(profile, 'system');
      if (this.options.per_port_bridge) {
        const vifName = requireField(vif, 'vif_name', vif.vif_name);
        const patchIds = externalIds(vif, instance, vif.id);
        return async ({ links, ovs }, journal) => {
          await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
          await ovs.ensureBridge(journal, bridge, dp);
          await ovs.ensureBridge(journal, names.pb, dp);
          await ovs.createPort(journal, withTag({ bridge: names.pb, port: vifName }, tag), mtu);
          await ovs.createPatchPair(
            journal,
            withTag(
              { bridge, port: names.ibp, externalIds: patchIds, type: 'patch', options: { peer: names.pbp } },
              tag,
            ),
            { bridge: names.pb, port: names.pbp, type: 'patch', options: { peer: names.ibp } },
          );
        };
      }
      const vifName = profile.create_port ? requireField(vif, 'vif_name', vif.vif_name) : undefined;
      const portIds = profile.create_port ? ids() : undefined;
      return async ({ links, ovs }, journal) => {
        if (vifName !== undefined) await ownedOrAbsent(links, vif.id, vifName, VIF_DEVICE);
        await ovs.ensureBridge(journal, bridge, dp);
        if (vifName !== undefined)
          await ovs.createPort(journal, withTag({ bridge, port: vifName, externalIds: portIds }, tag), mtu);
      };
    }

    if (isA(vif, 'VIFBridge')) {
      const qbr = requireField(vif, 'bridge_name', vif.bridge_name);
      const dp = datapath(profile, 'system');
      const portIds = ids();
      return async ({ links, ovs }, journal) => {
        await checkHybridDevices(links, vif.id, qbr);
        await createBridgeIfMissing(links, journal, qbr, { ageingTime: 0 });
        await bridgeSysctls(links, qbr);
        await links.set(qbr, { up: true });
        if (!(await links.exists(names.qvo))) {
          await deleteIfExists(links, names.qvb);
          await deleteIfExists(links, names.qvo);
          if (!(await addVethUnlessMade(links, names.qvb, names.qvo))) {
            await setMtuIfExists(links, names.qvb, mtu);
            await setMtuIfExists(links, names.qvo, mtu);
            await ovs.updateDeviceMtu(names.qvo, mtu);
            return;
          }
          journal.push(`delete veth ${names.qvb}`, () => deleteIfExists(links, names.qvb));
          // os-vif asks for promisc='on', which its netlink layer turns into clearing IFF_PROMISC.
          await links.set(names.qvb, { up: true, promisc: true, mtu });
          await links.set(names.qvo, { up: true, promisc: true, mtu });
          await links.set(names.qvb, { master: qbr });
          await ovs.ensureBridge(journal, bridge, dp);
          await ovs.createPort(journal, withTag({ bridge, port: names.qvo, externalIds: portIds }, tag), mtu);
        } else {
          await setMtuIfExists(links, names.qvb, mtu);
          await setMtuIfExists(links, names.qvo, mtu);
          if (await convergeHybrid(links, ovs, qbr, bridge, names))
            await ovs.createPort(
              journal,
              withTag({ bridge, port: names.qvo, externalIds: portIds }, tag),
              mtu,
            );
          else await ovs.updateDeviceMtu(names.qvo, mtu);
        }
      };
    }

    if (isA(vif, 'VIFVHostUser')) {
      const dp = datapath(profile, 'netdev');
      const server = vif.mode === 'server';
      const path = server ? requireField(vif, 'path', vif.path) : undefined;
      const port = withTag(
        {
          bridge,
          port: names.vhu,
          externalIds: ids(),
          type: server ? 'dpdkvhostuserclient' : 'dpdkvhostuser',
          ...(path !== undefined ? { options: { 'vhost-server-path': path } } : {}),
        },
        tag,
      );
      return async ({ ovs }, journal) => {
        await ovs.createPort(journal, port, mtu, { datapathType: dp });
      };
    }

    if (isA(vif, 'VIFHostDevice')) {
      const devAddress = requireField(vif, 'dev_address', vif.dev_address);
      const dp = datapath(profile, 'system');
      const portIds = ids();
      if (dp === 'system') {
        return async ({ links, ovs }, journal) => {
          const representor = await this.kernelRepresentor(devAddress);
          await ovs.ensureBridge(journal, bridge, dp);
          await links.set(representor, { up: true });
          journal.push(`set ${representor} down`, () => links.set(representor, { up: false }));
          await ovs.createPort(
            journal,
            withTag({ bridge, port: representor, externalIds: portIds }, tag),
            mtu,
          );
        };
      }
      return async ({ ovs }, journal) => {
        const vfNum = await this.sysfs.vfNumber(devAddress);
        const pfPci = await this.sysfs.pfPci(devAddress);
        await ovs.ensureBridge(journal, bridge, dp);
        const port = {
          bridge,
          port: names.vfr,
          externalIds: portIds,
          type: 'dpdk',
          options: { 'dpdk-devargs': `${pfPci},representor=[${vfNum}]` },
        };
        await ovs.createPort(journal, withTag(port, tag), mtu);
      };
    }

    throw new UnsupportedVif({ plugin: 'ovs', vif_class: className(vif) });
  }

  private async unplugHybrid(
    links: LinkHost,
    ovs: BaseOvs,
    bridge: string,
    qbr: string,
    vifId: string,
  ): Promise<void> {
    const names = ovsNames(vifId);
    await checkHybridDevices(links, vifId, qbr);
    // os-vif deletes qbr, sets qvb down, deletes the OVS port, then qvo. Here the OVS port goes
    // first and qbr and qvo (with its peer qvb) are deleted together: one kernel request, one
    // unregister grace period instead of two, and the same end state.
    await ovs.deletePort(bridge, names.qvo, false);
    await Promise.all([deleteIfPresent(links, qbr), deleteIfPresent(links, names.qvo)]);
  }

  private async kernelRepresentor(devAddress: string): Promise<string> {
    const pf = await this.sysfs.pfIfname(devAddress);
    const vfNum = await this.sysfs.vfNumber(devAddress);
    return this.sysfs.representor(pf, vfNum);
  }
}

/**
 * The second-plug path of a hybrid VIF whose veth pair exists. os-vif only updates the MTUs
 * there, so a plug that died half-way (the agent killed after the pair was made) would never
 * get its bridge port or its OVS port. This finishes it: qvb and qvo up and promiscuous, qvb
 * on qbr, and true when the OVS port is missing (the caller then creates it, with br-int).
 * On a complete plug it only reads and changes nothing.
 */
async function convergeHybrid(
  links: LinkHost,
  ovs: BaseOvs,
  qbr: string,
  bridge: string,
  names: { qvb: string; qvo: string },
): Promise<boolean> {
  const qvb = await links.get(names.qvb);
  if (qvb && (!qvb.up || !qvb.promisc)) await links.set(names.qvb, { up: true, promisc: true });
  if (qvb && qvb.master !== qbr) await links.set(names.qvb, { master: qbr });
  const qvo = await links.get(names.qvo);
  if (qvo && (!qvo.up || !qvo.promisc)) await links.set(names.qvo, { up: true, promisc: true });
  return !(await ovs.hasPort(bridge, names.qvo));
}

/** The netdev of an OVS port named by `vif_name`: a tap (libvirt) or a veth (container runtimes). */
const VIF_DEVICE: Expected = { kinds: ['tun', 'veth'], what: 'a tap or veth (the VIF device)' };

/**
 * The hybrid devices a plug of this VIF makes, or nothing: `qbr` a Linux bridge, `qvo` a veth
 * whose peer is `qvb`, `qvb` a veth (whose peer is `qvo` and whose master is `qbr` or nothing
 * when `qvo` exists). UnexpectedDevice otherwise, before the plug or unplug changes anything.
 */
async function checkHybridDevices(links: LinkHost, vifId: string, qbr: string): Promise<void> {
  const n = ovsNames(vifId);
  await ownedOrAbsent(links, vifId, qbr, BRIDGE);
  const qvo = await ownedOrAbsent(links, vifId, n.qvo, {
    kinds: ['veth'],
    peer: n.qvb,
    what: `a veth whose peer is ${n.qvb}`,
  });
  await ownedOrAbsent(
    links,
    vifId,
    n.qvb,
    qvo
      ? {
          kinds: ['veth'],
          peer: n.qvo,
          masters: [qbr, undefined],
          what: `a veth whose peer is ${n.qvo}, in ${qbr}`,
        }
      : { kinds: ['veth'], what: 'a veth (a stale hybrid end)' },
  );
}

/** Deletes a link, treating "no such device" as done (no separate existence check). */
async function deleteIfPresent(links: LinkHost, name: string): Promise<void> {
  try {
    await links.del(name);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENODEV') throw error;
  }
}

/** `ovsdb_connection` must parse (unix:, tcp:, ssl:), or the configuration is refused up front. */
function checkRemote(remote: string): void {
  try {
    parseRemotes(remote);
  } catch (error) {
    throw new InvalidConfig({
      group: 'os_vif_ovs',
      option: 'ovsdb_connection',
      reason: (error as Error).message,
    });
  }
}

function profiles(names: string[]) {
  return names.map((name) => ({ profile_object_name: name, min_version: '1.0', max_version: '1.0' }));
}

/** os-vif's profile checks, before anything else. */
function checkProfile(vif: VifView): PortProfileView {
  const profile = vif.port_profile;
  if (profile === undefined || profile === null) throw new MissingPortProfile();
  if (!isA(profile, 'VIFPortProfileOpenVSwitch')) throw new WrongPortProfile({ profile: className(profile) });
  return profile;
}

function datapath(profile: PortProfileView, fallback: string): string {
  return profile.datapath_type || fallback;
}

function requireField<T>(vif: VifView, field: string, value: T | null | undefined): T {
  if (value === undefined || value === null || value === '')
    throw new InvalidVif({ vif_id: vif.id, field, reason: 'is required by the ovs plugin' });
  return value;
}

/** The Interface external_ids os-vif writes. */
function externalIds(
  vif: VifView,
  instance: InstanceView,
  ifaceId: string | undefined,
): Record<string, string> {
  const ids: Record<string, string> = {
    'iface-id': requireField(vif, 'port_profile.interface_id', ifaceId),
    'iface-status': 'active',
  };
  ids['attached-mac'] = requireField(vif, 'address', vif.address);
  ids['vm-uuid'] = requireField(vif, 'instance_info.uuid', instance.uuid);
  return ids;
}

function withTag<T extends object>(port: T, tag: number | undefined): T & { tag?: number } {
  return tag === undefined ? port : { ...port, tag };
}

/** The OVS row a step is about (for the log). */
function stepInterface(step: SwitchStep): string {
  switch (step.op) {
    case 'addPort':
    case 'delPort':
      return step.port;
    case 'setMtuRequest':
      return step.iface;
    case 'ensureBridge':
    case 'delBridge':
      return step.bridge;
  }
}
