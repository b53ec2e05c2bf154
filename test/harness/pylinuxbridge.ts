/**
 * Runs Python os-vif 3.0.0's linux_bridge plugin (through `pylinuxbridge.py`) in namespaces,
 * without blocking the event loop: its iptables-nft path is the reference for what forwarding
 * rules must do to packets.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { trySh } from './netns.js';

const SCRIPT = fileURLToPath(new URL('../../../test/harness/pylinuxbridge.py', import.meta.url));

/** True when /usr/bin/python3 can import os-vif's linux_bridge plugin and iptables-nft exists. */
export const hasPythonLinuxBridge =
  trySh('/usr/bin/python3', ['-c', 'import os_vif, vif_plug_linux_bridge.linux_bridge']).status === 0 &&
  trySh('sh', ['-c', 'command -v iptables-save && command -v iptables-restore']).status === 0;

/** One request (see pylinuxbridge.py); `netns`: the namespace it runs in. */
export type PyLinuxBridgeRequest = {
  netns: string;
  lock_path?: string;
  config?: Record<string, Record<string, unknown>>;
} & (
  | { action: 'plug'; vif: unknown; instance_info: unknown }
  | { action: 'filter'; bridges: string[]; gateway: boolean }
);

/** What Python answered. */
export interface PyLinuxBridgeAnswer {
  ok: boolean;
  error?: string;
  /** Per-bridge milliseconds of a `filter` request. */
  ms?: number[];
  /** Per-bridge CPU milliseconds of a `filter` request (Python and the iptables processes). */
  cpu_ms?: number[];
}

/**
 * One Python process (`pylinuxbridge.py --serve`) answering requests in order, so its start-up
 * (over a second of CPU: os-vif, oslo.* and pyroute2 imports) is paid once per test file.
 */
export class PythonLinuxBridge {
  private readonly pending: ((answer: PyLinuxBridgeAnswer) => void)[] = [];
  private stderr = '';
  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    child.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-2000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let answer: PyLinuxBridgeAnswer;
      try {
        answer = JSON.parse(line) as PyLinuxBridgeAnswer;
      } catch {
        answer = { ok: false, error: `unreadable answer: ${line}` };
      }
      this.pending.shift()?.(answer);
    });
    child.on('close', (code) => {
      const error = `python exited ${code}: ${this.stderr.trim().split('\n').pop() ?? ''}`;
      for (const p of this.pending.splice(0)) p({ ok: false, error });
    });
  }

  /** Starts the process (as root: it enters namespaces). */
  static start(): PythonLinuxBridge {
    return new PythonLinuxBridge(
      spawn('/usr/bin/python3', [SCRIPT, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
  }

  /** Runs one request after the ones before it. */
  call(request: PyLinuxBridgeRequest): Promise<PyLinuxBridgeAnswer> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Ends the process (it exits when stdin ends). */
  stop(): void {
    this.child.stdin.end();
  }
}
