/**
 * The `ovs` plugin: os-vif 3.0.0's vif_plug_ovs on Linux, step for step (§6.3), through OVSDB
 * and rtnetlink instead of processes. Where os-vif is wrong this one differs, on purpose:
 * a plug that fails half-way undoes what it created; the hybrid veth ends really are made
 * promiscuous; DPDK representor ports get their MTU through `mtu_request`; a VIF without a
 * port profile raises MissingPortProfile; lookups that can fail run before the host changes.
 * This file is the plugin (checks, locks, the host connection); each VIF type's plan and
 * unplug live side by side in a file of their own (plain, hybrid, vhostuser, representor).
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
import { MissingPortProfile, UnsupportedVif, WrongPortProfile } from '../errors.js';
import { CallBudget } from '../host/budget.js';
import { hostFactory } from '../host/defaults.js';
import type { LinkHost } from '../host/links.js';
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
import { type OvsCallHost, type PlugCall, type PlugSteps, requireField, type UnplugCall } from './common.js';
import { planHybrid, unplugBridge } from './hybrid.js';
import { ovnTarget, requireWatch, waitInstalled, waitReleased } from './ovn-wait.js';
import { planPlain, unplugPlain } from './plain.js';
import { planRepresentor, unplugRepresentor } from './representor.js';
import { Sysfs } from './sysfs.js';
import { planVhostUser, unplugVhostUser } from './vhostuser.js';

/** How the plugin reaches the host; created lazily on first use and kept for its lifetime. */
export interface OvsHostFactory {
  /** The rtnetlink host (opened once, kept). */
  links(): Promise<LinkHost>;
  /**
   * One OVSDB connection for the plugin's lifetime, opened with the plugin's options; the
   * connection logs (reconnects, resyncs) through `logger`.
   */
  switch(options: OvsOptions, logger?: Logger): Promise<SwitchHost>;
}

/** The context the ovs plugin is loaded with: the library's, and how the plugin reaches the host. */
export interface OvsPluginContext extends PluginContext {
  /** The host factories (default: this network namespace, `hostFactory()`). */
  readonly hosts?: OvsHostFactory;
}

const OVS_PROFILES = ['VIFPortProfileOpenVSwitch'];
const OVS_AND_REPRESENTOR = ['VIFPortProfileOpenVSwitch', 'VIFPortProfileOVSRepresentor'];
const TRUNK_PREFIX = 'tbr-';
const DEAD_VLAN = 4095;

/** Each VIF class the plugin serves: its plan and its unplug, side by side in a file of their own. */
const VIF_TYPES: Record<
  string,
  { plan(call: PlugCall): PlugSteps; unplug(host: OvsCallHost, call: UnplugCall): Promise<void> }
> = {
  VIFOpenVSwitch: { plan: planPlain, unplug: unplugPlain },
  VIFBridge: { plan: planHybrid, unplug: unplugBridge },
  VIFVHostUser: { plan: planVhostUser, unplug: unplugVhostUser },
  VIFHostDevice: { plan: planRepresentor, unplug: unplugRepresentor },
};

/** The ovs reference plugin. */
export class OvsPlugin extends PluginBase {
  /** Plugin name (`vif.plugin` value and config group suffix). */
  static override readonly pluginName: string = 'ovs';
  /** Declared options, group `os_vif_ovs`. */
  static override readonly CONFIG_OPTS = OVS_OPTIONS;

  /** Builds the plugin for the library (`initialize`), with the context's host factories. */
  static override load(context: OvsPluginContext): PluginBase {
    return new OvsPlugin(context.config, context.hosts ?? hostFactory(), context.logger, context.locks);
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
    const ovn = this.options.wait_for_ovn_installed ? ovnTarget(vif, profile, this.options) : undefined;
    const budget = this.budget();
    return this.locks.synchronized(vifLockName(vif.id), async () => {
      const host = await budget.race('connect', this.host());
      if (ovn) requireWatch(host.sw);
      const ovs = host.ovs.reporting(this.vswitchdProblem(vif), budget);
      await new UndoJournal().run((journal) => plan({ ...host, ovs }, journal));
      if (ovn) await waitInstalled(host.sw, ovn, budget);
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
    const call = this.unplugCall(vif, profile);
    const type = this.vifType(vif);
    const ovn = this.options.wait_for_ovn_installed ? ovnTarget(vif, profile, this.options) : undefined;
    const budget = this.budget();
    return this.locks.synchronized(
      vifLockName(vif.id),
      async () => {
        const host = await budget.race('connect', this.host());
        if (ovn) requireWatch(host.sw);
        const ovs = host.ovs.reporting(this.vswitchdProblem(vif), budget);
        await type.unplug({ links: host.links, ovs }, call);
        if (call.bridge.startsWith(TRUNK_PREFIX)) await ovs.deleteBridge(call.bridge);
        if (ovn) await waitReleased(host.sw, ovn, budget);
      },
      { removeFile: true },
    );
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
        // the ports and interfaces the transaction is about; its bridges only when it names nothing else
        const named = steps.filter((s) => s.op !== 'ensureBridge' && s.op !== 'delBridge');
        const interfaces = (named.length > 0 ? named : steps).map(stepInterface);
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

  /** The handler of the VIF's class (UnsupportedVif for any other). */
  private vifType(vif: VifView): (typeof VIF_TYPES)[string] {
    const cls = className(vif);
    const type = Object.keys(VIF_TYPES).find((name) => isA(vif, name));
    if (type === undefined) throw new UnsupportedVif({ plugin: 'ovs', vif_class: cls });
    return VIF_TYPES[type] as (typeof VIF_TYPES)[string];
  }

  private unplugCall(vif: VifView, profile: PortProfileView): UnplugCall {
    return {
      vif,
      profile,
      bridge: requireField(vif, 'network.bridge', vif.network?.bridge),
      names: ovsNames(vif.id),
      options: this.options,
      sysfs: this.sysfs,
    };
  }

  /** Checks the VIF fully, then returns the steps; nothing touches the host before they run. */
  private planPlug(vif: VifView, instance: InstanceView, profile: PortProfileView): PlugSteps {
    const call: PlugCall = {
      ...this.unplugCall(vif, profile),
      instance,
      mtu: checkMtu(vif.id, vif.network?.mtu, this.options.network_device_mtu),
      tag: this.options.isolate_vif ? DEAD_VLAN : undefined,
    };
    return this.vifType(vif).plan(call);
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
