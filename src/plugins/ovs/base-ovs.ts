/**
 * os-vif's `BaseOVS` operations on top of {@link SwitchHost} and {@link LinkHost}, each one
 * OVSDB transaction as in os-vif, plus what os-vif lacks: each creation registers its undo (what
 * the transaction itself reports it created, so a bridge or port another client made a moment
 * before is never taken for this call's own).
 */

import type { CallBudget } from '../host/budget.js';
import type { LinkHost, LinkInfo } from '../host/links.js';
import { deleteIfExists, setMtuIfExists } from '../host/linux-net.js';
import type { AddPortStep, SwitchHost, SwitchLimit, SwitchOutcome, SwitchStep } from '../host/switch.js';
import type { UndoJournal } from '../host/undo.js';

/** Interface types whose MTU goes through `Interface.mtu_request` instead of the kernel. */
const MTU_REQUEST_TYPES = new Set(['dpdkvhostuser', 'dpdkvhostuserclient', 'dpdk']);

/** A port to create: `add_port` plus its Port and Interface columns. */
export type PortSpec = Omit<AddPortStep, 'op'>;

/**
 * Told about a transaction that ovs-vswitchd did not apply in time, or whose new interfaces it
 * could not attach (ovsdbapp's post-commit check; os-vif only logs it).
 */
export type VswitchdProblem = (steps: SwitchStep[], report: NonNullable<SwitchOutcome['vswitchd']>) => void;

/** The BaseOVS verbs the ovs plugin uses. */
export class BaseOvs {
  constructor(
    private readonly sw: SwitchHost,
    private readonly links: LinkHost,
    private readonly onProblem?: VswitchdProblem,
    private readonly budget?: CallBudget,
  ) {}

  /**
   * The same verbs for one plug or unplug call: vswitchd problems go to `onProblem`, and every
   * OVSDB request (rollback included) draws on the call's `budget`.
   */
  reporting(onProblem: VswitchdProblem, budget?: CallBudget): BaseOvs {
    return new BaseOvs(this.sw, this.links, onProblem, budget);
  }

  /** `ensure_ovs_bridge`: may exist; the datapath type is overwritten. Undone only if this call created it and it stayed empty. */
  async ensureBridge(journal: UndoJournal, bridge: string, datapathType: string): Promise<void> {
    await this.create(journal, [{ op: 'ensureBridge', bridge, datapathType }]);
  }

  /**
   * `create_ovs_vif_port`: one transaction (ensuring the bridge in it when `ensure` is given,
   * os-vif's `ensure_ovs_bridge` before it), then the MTU (unless `mtu` is undefined): `mtu_request` for vhost-user (and,
   * unlike os-vif, DPDK representor) interfaces when the schema has the column, the kernel MTU
   * for every other type when the netdev exists.
   *
   * `device`: the port's netdev as the caller just read it. Its MTU is then set (only when it
   * differs, undone on failure) while the transaction commits, instead of being read again and
   * set after it: the end state is os-vif's, one request and one round trip fewer.
   */
  async createPort(
    journal: UndoJournal,
    port: PortSpec,
    mtu: number | undefined,
    ensure?: { datapathType: string },
    device?: LinkInfo,
  ): Promise<void> {
    const steps: SwitchStep[] = [];
    if (ensure) steps.push({ op: 'ensureBridge', bridge: port.bridge, datapathType: ensure.datapathType });
    steps.push({ op: 'addPort', ...port });
    const kernelMtu = port.type === undefined || !MTU_REQUEST_TYPES.has(port.type);
    if (mtu === undefined || device === undefined || !kernelMtu) {
      await this.create(journal, steps);
      // undefined: the caller made the device with its MTU a moment ago (os-vif sets it again)
      if (mtu !== undefined) await this.updateDeviceMtu(port.port, mtu, port.type);
      return;
    }
    // both run to their end before the journal unwinds a failure of either
    const outcomes = await Promise.allSettled([
      this.create(journal, steps),
      this.setKnownMtu(journal, device, mtu),
    ]);
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
  }

  /** Sets the MTU of a device read a moment ago, when it differs; the old one is restored on failure. */
  private async setKnownMtu(journal: UndoJournal, device: LinkInfo, mtu: number): Promise<void> {
    if (device.mtu === mtu) return;
    journal.push(`restore the MTU of ${device.name}`, () => this.links.set(device.name, { mtu: device.mtu }));
    await this.links.set(device.name, { mtu });
  }

  /** `create_patch_port_pair`: both patch ports in one transaction. */
  async createPatchPair(journal: UndoJournal, a: PortSpec, b: PortSpec): Promise<void> {
    await this.create(journal, [
      { op: 'addPort', ...a },
      { op: 'addPort', ...b },
    ]);
  }

  /**
   * Bridges and ports in ONE transaction, in order. What the transaction itself reports it
   * created registers its undo: the ports are removed first (one transaction), then each bridge
   * if it stayed unused.
   */
  async create(journal: UndoJournal, steps: SwitchStep[]): Promise<void> {
    const { createdBridges, createdPorts } = await this.transact(steps);
    for (const bridge of createdBridges)
      journal.push(`delete OVS bridge ${bridge}`, () => this.deleteBridgeIfUnused(bridge));
    const undo: SwitchStep[] = steps.flatMap((s) =>
      s.op === 'addPort' && createdPorts.includes(s.port)
        ? [{ op: 'delPort' as const, bridge: s.bridge, port: s.port }]
        : [],
    );
    if (undo.length > 0)
      journal.push(`delete OVS ports ${undo.map((s) => (s.op === 'delPort' ? s.port : '')).join(', ')}`, () =>
        this.transact(undo),
      );
  }

  /** `update_device_mtu`. */
  async updateDeviceMtu(dev: string, mtu: number, type?: string): Promise<void> {
    if (type !== undefined && MTU_REQUEST_TYPES.has(type)) {
      if (await this.sw.hasColumn('Interface', 'mtu_request')) {
        await this.transact([{ op: 'setMtuRequest', iface: dev, mtu }]);
      }
      return;
    }
    await setMtuIfExists(this.links, dev, mtu);
  }

  /** One transaction; a vswitchd timeout or failed interface goes to `onProblem`, never raised. */
  private async transact(steps: SwitchStep[]): Promise<SwitchOutcome> {
    const outcome = await this.sw.transact(steps, this.limit('transact'));
    const r = outcome.vswitchd;
    if (r) this.budget?.credit(r.waitedMs);
    if (r && (r.timedOut || r.failedInterfaces.length > 0)) this.onProblem?.(steps, r);
    return outcome;
  }

  /** True when `port` is on `bridge` (read fresh; false when the bridge is missing). */
  async hasPort(bridge: string, port: string): Promise<boolean> {
    return (await this.sw.bridgePorts(bridge)).includes(port);
  }

  /** `delete_ovs_vif_port`: the port if it exists, then the kernel netdev of that name if asked. */
  async deletePort(bridge: string, dev: string, deleteNetdev = true): Promise<void> {
    await this.transact([{ op: 'delPort', bridge, port: dev }]);
    if (deleteNetdev) await deleteIfExists(this.links, dev);
  }

  /** `delete_ovs_bridge`: if it exists, with its ports. */
  async deleteBridge(bridge: string): Promise<void> {
    await this.transact([{ op: 'delBridge', bridge }]);
  }

  /** What is left of the call's budget for one request (OvsdbTimeoutError when nothing is). */
  private limit(what: string): SwitchLimit {
    const timeoutMs = this.budget?.timeoutFor(what);
    return timeoutMs === undefined ? {} : { timeoutMs };
  }

  /** Deletes a bridge only while no port but its own internal one is on it (rollback of a shared bridge). */
  private async deleteBridgeIfUnused(bridge: string): Promise<void> {
    const ports = await this.sw.bridgePorts(bridge, this.limit('sync'));
    if (ports.every((p) => p === bridge)) await this.deleteBridge(bridge);
  }
}
