/**
 * os-vif for TypeScript: the package's main entry.
 *
 * ```ts
 * import { objects, initialize, plug, unplug, hostInfo } from 'os-vif';
 * ```
 * Importing it registers the reference plugins (`linux_bridge`, `noop`, `ovs`) as built-ins;
 * `initialize({ builtins: false })` leaves them out. The netlink, OVSDB and plugin layers have
 * their own entries (`os-vif/netlink`, `os-vif/ovsdb`, `os-vif/plugins`); oslo.config files are
 * read by `readConfigFiles`.
 */
import './plugins/index.js';

export * from './config/index.js';
export * from './vif/index.js';
