/**
 * Device and port names, exactly as os-vif 3.0.0 derives them from the VIF id
 * (`gen_port_name(prefix, id, max)` = `(prefix + id).slice(0, max)`; §6.3 "Names").
 */
import { createHash } from 'node:crypto';

/** os-vif's default maximum: 14 characters, one below the kernel's 15. */
export const NIC_NAME_LEN = 14;

/** `(prefix + id)` cut to `max` characters. */
export function portName(prefix: string, id: string, max = NIC_NAME_LEN): string {
  return (prefix + id).slice(0, max);
}

/** The names the ovs plugin uses for one VIF id. */
export interface OvsNames {
  /** Hybrid bridge `qbr…`, used only to detect a leftover hybrid plug on unplug. */
  qbr: string;
  /** Bridge side of the hybrid veth pair. */
  qvb: string;
  /** OVS side of the hybrid veth pair. */
  qvo: string;
  /** vhost-user port. */
  vhu: string;
  /** DPDK representor port. */
  vfr: string;
  /** Per-port bridge. */
  pb: string;
  /** Patch port on the per-port bridge (full id, no netdev). */
  pbp: string;
  /** Patch port on the integration bridge (full id, no netdev). */
  ibp: string;
}

/** All ovs plugin names for a VIF id. */
export function ovsNames(vifId: string): OvsNames {
  return {
    qbr: portName('qbr', vifId),
    qvb: portName('qvb', vifId),
    qvo: portName('qvo', vifId),
    vhu: portName('vhu', vifId),
    vfr: portName('vfr', vifId),
    pb: portName('pb', vifId),
    pbp: portName('pbp', vifId, 64),
    ibp: portName('ibp', vifId, 64),
  };
}

/**
 * The lock file of one VIF: `os-vif-ovs-<id>` when the id is a plain file name part (a UUID
 * is), else the SHA-256 of the id.
 */
export function vifLockName(id: string): string {
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(id)
    ? id
    : createHash('sha256').update(id).digest('hex');
  return `os-vif-ovs-${safe}`;
}
