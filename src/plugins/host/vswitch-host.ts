/**
 * {@link SwitchHost} over {@link VSwitch}: each os-vif command maps onto one VSwitch verb and
 * each `transact` call is one VSwitch batch (one transaction, or part of one when VSwitch group
 * commits concurrent calls). VSwitch writes the rows ovsdbapp writes for `add_br`/`add_port`/
 * `db_set`/`del_port`/`del_br`; this file only translates. What a call created is what its
 * committed transaction created (decided on the replica the transaction was built on and
 * guarded by its prerequisites), so the plugin reads nothing before writing. The one read,
 * `bridgePorts` (a rollback deciding whether a bridge is still unused), first waits for the
 * replica to show every commit made before it, as a fresh `select` would.
 */
import type { OvsdbClient, VerbOptions, VSwitch, VSwitchBatch } from '../../ovsdb/index.js';
import type { InterfaceState, SwitchHost, SwitchLimit, SwitchOutcome, SwitchStep } from './switch.js';

/** The production SwitchHost: one OVSDB connection and its VSwitch replica. */
export class VSwitchHost implements SwitchHost {
  /**
   * @param vs the helpers on `client`'s replica
   * @param client closed by {@link VSwitchHost.close}
   * @param timeoutMs per-transaction timeout (os-vif's `ovs_vsctl_timeout`); undefined: the client's
   * @param vswitchdMs when set, each transaction bumps `next_cfg` and waits up to this many ms
   *   (0: no limit) for ovs-vswitchd, as ovsdbapp's vsctl transaction does; the outcome reports it
   */
  constructor(
    private readonly vs: VSwitch,
    private readonly client: OvsdbClient,
    private readonly timeoutMs?: number,
    private readonly vswitchdMs?: number,
  ) {}

  transact(steps: SwitchStep[], limit: SwitchLimit = {}): Promise<SwitchOutcome> {
    return this.vs.batch((b) => {
      for (const step of steps) queue(b, step);
    }, this.callOptions(limit.timeoutMs));
  }

  async hasColumn(table: string, column: string): Promise<boolean> {
    return this.vs.hasColumn(table, column);
  }

  async bridgePorts(bridge: string, limit: SwitchLimit = {}): Promise<string[]> {
    await this.vs.sync(limit.timeoutMs ?? this.timeoutMs);
    return this.vs.listPorts(bridge);
  }

  watchInterface(
    name: string,
    holds: (iface: InterfaceState | undefined) => boolean,
    timeoutMs?: number,
  ): Promise<boolean> {
    const check = () => {
      const i = this.vs.findInterface(name);
      return holds(i && { externalIds: i.externalIds, ofport: i.ofport });
    };
    if (check()) return Promise.resolve(true);
    const replica = this.vs.replica;
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        replica.off('batch', onUpdate);
        replica.off('synced', onUpdate);
        resolve(result);
      };
      const onUpdate = () => {
        if (check()) done(true);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(check()), timeoutMs);
      replica.on('batch', onUpdate);
      replica.on('synced', onUpdate);
    });
  }

  async close(): Promise<void> {
    await this.vs.close();
    await this.client.close();
  }

  private callOptions(limitMs: number | undefined): VerbOptions {
    const timeoutMs = limitMs ?? this.timeoutMs;
    return {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(this.vswitchdMs === undefined ? {} : { wait: { timeoutMs: this.vswitchdMs } }),
    };
  }
}

/** One os-vif command as the VSwitch verb with os-vif's semantics. */
function queue(b: VSwitchBatch, step: SwitchStep): void {
  switch (step.op) {
    case 'ensureBridge':
      b.ensureBridge(step.bridge, { datapathType: step.datapathType });
      return;
    case 'addPort': {
      const { op: _, bridge, port, ...settings } = step;
      b.addPort(bridge, port, settings);
      return;
    }
    case 'delPort':
      b.delPort(step.port, { bridge: step.bridge, ifOnBridge: true });
      return;
    case 'delBridge':
      b.delBridge(step.bridge);
      return;
    case 'setMtuRequest':
      b.setInterface(step.iface, { mtuRequest: step.mtu });
      return;
  }
}
