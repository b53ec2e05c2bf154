/**
 * `os-vif/ovsdb`: an RFC 7047 OVSDB client (unix/tcp/ssl, clusters), a live table replica with
 * optimistic transactions, and the Open_vSwitch helpers the ovs plugin uses.
 */
export { Backoff } from './backoff.js';
export {
  type CallOptions,
  type ConnectOptions,
  type MonitorRequest,
  type MonitorUpdate,
  OvsdbClient,
  type SessionHandle,
  type SessionHook,
  ZERO_UUID,
} from './client.js';
export * from './errors.js';
export { FramingError, JsonFramer } from './framing.js';
export type { Logger } from './logger.js';
export * from './operations.js';
export {
  LogicalPorts,
  LogicalPortTimeoutError,
  type LogicalPortWaitOptions,
  waitLogicalPortUp,
} from './ovn-northbound.js';
export {
  Reconnect,
  type ReconnectAction,
  type ReconnectOptions,
  type ReconnectState,
  type ReconnectStats,
} from './reconnect.js';
export { parseRemotes, type Remote, type TlsOptions } from './remote.js';
export { Replica, type ReplicaOptions, type RowChange } from './replica.js';
export {
  type BaseType,
  type ColumnSchema,
  type ColumnType,
  DatabaseSchema,
  type TableSchema,
} from './schema.js';
export { ReplicaTxn, runTransaction, type TransactionOptions, type TransactionOutcome } from './txn.js';
export {
  type Atom,
  NamedUuid,
  namedUuid,
  type Row,
  Uuid,
  uuid,
  type Value,
  valueFromWire,
  valuesEqual,
  valueToWire,
} from './values.js';
export * from './vswitch/index.js';
