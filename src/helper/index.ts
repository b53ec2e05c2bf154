/**
 * The privilege-separated helper (`os-vif helper`): a process with CAP_NET_ADMIN only that plugs
 * and unplugs for the unprivileged agents on its allow list. See docs/helper.md.
 */
export { HelperClient, type HelperClientOptions } from './client.js';
export * from './errors.js';
export {
  CAP_NET_ADMIN,
  ensureNetAdminOnly,
  privilegeProblems,
  readTaskCredentials,
  type TaskCredentials,
} from './privileges.js';
export {
  LIMITS,
  PROTOCOL_VERSION,
  parseRequest,
  type Request,
  type WireRequest,
  type WireResponse,
} from './protocol.js';
export {
  facadeHandler,
  type HelperEvent,
  type HelperHandler,
  HelperServer,
  type HelperServerOptions,
} from './server.js';
export { fromWire, RemoteError, toWire, type WireError } from './wire-errors.js';
