/**
 * Runs Python os-vif 3.0.0's linux_bridge plugin (through `pylinuxbridge.py`) in a namespace,
 * without blocking the event loop: its iptables-nft path is the reference for what forwarding
 * rules must do to packets.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trySh } from './netns.js';

const SCRIPT = fileURLToPath(new URL('../../../test/harness/pylinuxbridge.py', import.meta.url));

/** True when /usr/bin/python3 can import os-vif's linux_bridge plugin and iptables-nft exists. */
export const hasPythonLinuxBridge =
  trySh('/usr/bin/python3', ['-c', 'import os_vif, vif_plug_linux_bridge.linux_bridge']).status === 0 &&
  trySh('sh', ['-c', 'command -v iptables-save && command -v iptables-restore']).status === 0;

/** One request (see pylinuxbridge.py). */
export type PyLinuxBridgeRequest =
  | {
      action: 'plug';
      vif: unknown;
      instance_info: unknown;
      config?: Record<string, Record<string, unknown>>;
    }
  | {
      action: 'filter';
      bridges: string[];
      gateway: boolean;
      config?: Record<string, Record<string, unknown>>;
    };

/** What Python answered. */
export interface PyLinuxBridgeAnswer {
  ok: boolean;
  error?: string;
  /** Per-bridge milliseconds of a `filter` request. */
  ms?: number[];
}

/** Runs one request in namespace `ns`. */
export function runPythonLinuxBridge(
  ns: string,
  request: PyLinuxBridgeRequest,
): Promise<PyLinuxBridgeAnswer> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => resolve({ ok: false, error: `spawn: ${error.message}` }));
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as PyLinuxBridgeAnswer);
      } catch {
        resolve({ ok: false, error: `python exited ${code}: ${stderr.trim().split('\n').pop()}` });
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
