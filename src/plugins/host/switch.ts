/**
 * What the ovs plugin needs from the Open vSwitch database, in os-vif's vocabulary (`BaseOVS`,
 * §6.3 of the model). A call to {@link SwitchHost.transact} is ONE OVSDB transaction, as each
 * os-vif `BaseOVS` method is. The production implementation maps it onto `VSwitch` ({@link ./vswitch-host.ts}).
 */

import type { VswitchdReport } from '../../ovsdb/index.js';

/** `add_br(name, may_exist=True, datapath_type)`: creates the bridge or overwrites its datapath type. */
export interface EnsureBridgeStep {
  op: 'ensureBridge';
  bridge: string;
  datapathType: string;
}

/**
 * `add_port(bridge, port, may_exist=True)` (a no-op for the port when a port of that name
 * exists on any bridge), then `Port.tag` when `tag` is given, then the Interface columns:
 * map columns merged into existing keys, `type` overwritten.
 */
export interface AddPortStep {
  op: 'addPort';
  bridge: string;
  port: string;
  tag?: number;
  externalIds?: Record<string, string>;
  type?: string;
  options?: Record<string, string>;
}

/** `del_port(port, bridge, if_exists=True)`. */
export interface DelPortStep {
  op: 'delPort';
  bridge: string;
  port: string;
}

/** `del_br(bridge, if_exists=True)`, which removes its ports and interfaces too. */
export interface DelBridgeStep {
  op: 'delBridge';
  bridge: string;
}

/** `db_set('Interface', name, ('mtu_request', mtu))`. */
export interface SetMtuRequestStep {
  op: 'setMtuRequest';
  iface: string;
  mtu: number;
}

/** One command inside a transaction. */
export type SwitchStep = EnsureBridgeStep | AddPortStep | DelPortStep | DelBridgeStep | SetMtuRequestStep;

/** What a {@link SwitchHost.transact} call created: what a rollback of that call removes. */
export interface SwitchOutcome {
  /** Bridges the call created (not those that existed and only got their datapath type). */
  createdBridges: string[];
  /** Ports the call added (not those that existed, on any bridge, and only got columns). */
  createdPorts: string[];
  /** ovs-vswitchd's outcome, when the host waits for it and the transaction changed something. */
  vswitchd?: VswitchdReport;
}

/** A bound on one request, set from the plug or unplug call's budget (`CallBudget`). */
export interface SwitchLimit {
  /** Bound of the whole request, retries included, in ms (undefined: the host's default). */
  timeoutMs?: number;
}

/** An Interface row as a wait sees it (see {@link SwitchHost.watchInterface}). */
export interface InterfaceState {
  /** `Interface.external_ids`. */
  externalIds: Readonly<Record<string, string>>;
  /** `Interface.ofport` (null before ovs-vswitchd attached it, -1 when it failed). */
  ofport: number | null;
}

/** The OVSDB operations the ovs plugin uses. */
export interface SwitchHost {
  /** Runs the steps, in order, in one transaction; resolves with what it created. */
  transact(steps: SwitchStep[], limit?: SwitchLimit): Promise<SwitchOutcome>;
  /** True when the schema has that column (os-vif asks for Interface.mtu_request). */
  hasColumn(table: string, column: string): Promise<boolean>;
  /** The names of the bridge's ports, its own internal port included (read fresh). */
  bridgePorts(bridge: string, limit?: SwitchLimit): Promise<string[]>;
  /**
   * Resolves true once `holds` is true of Interface `name` (undefined while there is no such
   * row), checked on the live replica after every update and resync (no polling); false when
   * `timeoutMs` passes first (undefined: no bound). Optional: hosts without a replica lack it.
   */
  watchInterface?(
    name: string,
    holds: (iface: InterfaceState | undefined) => boolean,
    timeoutMs?: number,
  ): Promise<boolean>;
  /** Closes the connection. */
  close(): Promise<void>;
}
