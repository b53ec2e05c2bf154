/**
 * The public types of the `Open_vSwitch` helpers: verb settings, what the replica reads give
 * back, and what a committed call reports (its creations and ovs-vswitchd's outcome).
 */
/** String-to-string map columns (external_ids, options, other_config) as callers write them. */
export type StringMap = Record<string, string>;

/** Settings of {@link VSwitch.ensureBridge}. */
export interface BridgeOptions {
  /** `Bridge.datapath_type` ('system', 'netdev'); overwritten when the bridge exists. */
  datapathType?: string;
  /** Merged into `Bridge.external_ids`. */
  externalIds?: StringMap;
  /** Merged into `Bridge.other_config`. */
  otherConfig?: StringMap;
  /** `Bridge.fail_mode`. */
  failMode?: 'secure' | 'standalone';
}

/** Interface columns that verbs set (maps are merged into the existing keys). */
export interface InterfaceSettings {
  /** `Interface.type`: '' (system), 'internal', 'tap', 'patch', 'dpdkvhostuser', ... */
  type?: string;
  /** Merged into `Interface.options` (e.g. `{ peer: 'x' }`, `{ 'vhost-server-path': p }`). */
  options?: StringMap;
  /** Merged into `Interface.external_ids` (`iface-id`, `iface-status`, `attached-mac`, `vm-uuid`). */
  externalIds?: StringMap;
  /** `Interface.mtu_request`; `null` clears it. */
  mtuRequest?: number | null;
}

/** Port columns that verbs set. */
export interface PortSettings {
  /** `Port.tag` (VLAN 0-4095); `null` clears it. */
  tag?: number | null;
  /** Merged into `Port.external_ids`. */
  portExternalIds?: StringMap;
}

/** Settings of {@link VSwitch.addPort}. */
export type AddPortOptions = InterfaceSettings & PortSettings;

/** A port as read from the replica. */
export interface PortInfo {
  uuid: string;
  name: string;
  /** The bridge that holds it. */
  bridge: string | undefined;
  tag: number | null;
  interfaces: string[];
  externalIds: StringMap;
}

/** An interface as read from the replica. */
export interface InterfaceInfo {
  uuid: string;
  name: string;
  type: string;
  options: StringMap;
  externalIds: StringMap;
  mtuRequest: number | null;
  /** OpenFlow port number once ovs-vswitchd attached it (-1: failed), null before. */
  ofport: number | null;
  /** ovs-vswitchd's error text, if any. */
  error: string | null;
  /** The port that holds it, and that port's bridge. */
  port: string | undefined;
  bridge: string | undefined;
}

/** The verbs, as queued in a batch. */
export interface VSwitchBatch {
  /** Queues {@link VSwitch.ensureBridge}. */
  ensureBridge(name: string, options?: BridgeOptions): void;
  /** Queues {@link VSwitch.delBridge}. */
  delBridge(name: string): void;
  /** Queues {@link VSwitch.addPort}. */
  addPort(bridge: string, name: string, options?: AddPortOptions): void;
  /** Queues {@link VSwitch.delPort}. */
  delPort(name: string, options?: DelPortOptions): void;
  /** Queues {@link VSwitch.setInterface}. */
  setInterface(name: string, settings: InterfaceSettings): void;
  /** Queues {@link VSwitch.setPort}. */
  setPort(name: string, settings: PortSettings): void;
  /** Queues {@link VSwitch.addPatchPair}. */
  addPatchPair(pair: PatchPair): void;
}

/** Two patch ports joining two bridges (`type=patch`, `options:peer` pointing at each other). */
export interface PatchPair {
  bridge: string;
  port: string;
  peerBridge: string;
  peerPort: string;
  /** On `port`. */
  tag?: number;
  /** On `port`'s interface. */
  externalIds?: StringMap;
}

/** Settings of {@link VSwitch.delPort}. */
export interface DelPortOptions {
  /** The bridge the port is expected on; a port found on another bridge is `port-on-other-bridge`. */
  bridge?: string;
  /**
   * With `bridge`: delete the port only when it is on that bridge; a port on another bridge, or
   * a bridge that does not exist, is left alone without error (ovsdbapp's
   * `del_port(port, bridge, if_exists=True)`, which os-vif calls).
   */
  ifOnBridge?: boolean;
}

/** What one call's transaction created (for undoing exactly that, e.g. on a rollback). */
export interface BatchOutcome {
  /** Bridges the call created (each with its internal port, not listed in `createdPorts`). */
  createdBridges: string[];
  /** Ports the call added (ports that existed already and only got settings are not listed). */
  createdPorts: string[];
  /**
   * What ovs-vswitchd made of the transaction, when the call asked for a `wait` and the
   * transaction changed something (a transaction that commits nothing bumps nothing, as in the IDL).
   */
  vswitchd?: VswitchdReport;
}

/**
 * ovsdbapp's post-commit check (`OvsVsctlTransaction.post_commit`): did ovs-vswitchd reach the
 * `next_cfg` the transaction set, and did every interface the call's `addPort` verbs inserted
 * get an OpenFlow port?
 */
export interface VswitchdReport {
  /** The `Open_vSwitch.next_cfg` value the transaction set. */
  nextCfg: number;
  /** True when `cur_cfg` did not reach `nextCfg` within the bound (the interfaces were not checked). */
  timedOut: boolean;
  /** The bound that applied, in ms (0: none). */
  timeoutMs: number;
  /** Interfaces inserted by the call whose `ofport` is empty or -1 once `cur_cfg` was reached. */
  failedInterfaces: FailedInterface[];
  /** How long the call waited for `cur_cfg` after its commit, in ms. */
  waitedMs: number;
}

/** An interface ovs-vswitchd could not attach. */
export interface FailedInterface {
  name: string;
  /** `Interface.ofport` (-1, or null when empty). */
  ofport: number | null;
  /** `Interface.error`, if any. */
  error: string | null;
}

/** Waiting for ovs-vswitchd after a commit (the `next_cfg` / `cur_cfg` handshake). */
export interface VswitchdWait {
  /**
   * Bound in ms, counted from the call's start (the commit included, as ovsdbapp bounds the
   * whole transaction); 0: no bound.
   */
  timeoutMs: number;
  /**
   * What a wait that runs out does: `'report'` (default) resolves and says so in the outcome's
   * {@link BatchOutcome.vswitchd} (`timedOut`), as ovsdbapp's post-commit check only logs;
   * `'reject'` rejects with `VSwitchError('timeout')`.
   */
  onTimeout?: 'report' | 'reject';
}

/** Options of a verb call (or a batch). */
export interface VerbOptions {
  /**
   * Wait for ovs-vswitchd to apply the call: `next_cfg` is bumped in the call's transaction and
   * the call resolves once `cur_cfg` reached it, after checking that every interface the call's
   * `addPort` verbs inserted got an OpenFlow port (the outcome's `vswitchd` report). A call that
   * commits nothing bumps nothing and waits for nothing. Without it the call resolves at the commit.
   */
  wait?: VswitchdWait;
  /**
   * Bound of the commit in ms, counted from the call: the wait in the queue behind other calls'
   * commits, every attempt and the waits for a reconnection share it (a call whose bound is
   * spent before its turn is rejected with OvsdbTimeoutError, unsent).
   */
  timeoutMs?: number;
}
