/**
 * Runs the real Python os-vif 3.0.0 (Debian `python3-os-vif`, `/usr/bin/python3`) inside a
 * test namespace, through `pyosvif.py`, so its host state can be compared with this library's.
 */
import { fileURLToPath } from 'node:url';
import { trySh } from './netns.js';

const SCRIPT = fileURLToPath(new URL('../../../test/harness/pyosvif.py', import.meta.url));

/** True when /usr/bin/python3 can import os_vif and both reference plugins. */
export const hasPythonOsVif =
  trySh('/usr/bin/python3', ['-c', 'import os_vif, vif_plug_ovs.ovs, vif_plug_linux_bridge.linux_bridge'])
    .status === 0;

/** One os-vif call. */
export interface PyRequest {
  action: 'plug' | 'unplug';
  vif: unknown;
  instance_info: unknown;
  config?: Record<string, Record<string, unknown>>;
}

/** Runs one request in namespace `ns`; resolves to `{ok}` or `{ok: false, error}`. */
export function runPythonOsVif(ns: string, request: PyRequest): { ok: boolean; error?: string } {
  const r = trySh('sh', [
    '-c',
    `exec ip netns exec ${ns} /usr/bin/python3 ${SCRIPT} <<'EOF'\n${JSON.stringify(request)}\nEOF`,
  ]);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as { ok: boolean; error?: string };
  } catch {
    return { ok: false, error: `python exited ${r.status}: ${r.stderr.trim().split('\n').pop()}` };
  }
}
