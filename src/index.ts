/**
 * os-vif for TypeScript: the package's main entry.
 *
 * ```ts
 * import { objects, initialize, plug, unplug, hostInfo } from 'os-vif';
 * ```
 * The netlink and OVSDB layers have their own entries (`os-vif/netlink`, `os-vif/ovsdb`).
 */
export * from './vif/index.js';
