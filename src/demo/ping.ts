/**
 * The demo's data-path proof: it runs the system `ping` inside a guest namespace (through
 * `nsenter --net=/run/netns/NAME`). This is the only process the demo spawns besides the OVS
 * daemons, and it only sends to addresses inside the demo's own namespaces.
 */
import { spawn } from 'node:child_process';

/** Pings `address` from namespace `netns`; resolves to the packet loss line, rejects on failure. */
export function pingFrom(netns: string, address: string, count = 3): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'nsenter',
      [`--net=/run/netns/${netns}`, 'ping', '-c', String(count), '-i', '0.2', '-W', '2', address],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const summary = out.split('\n').find((l) => l.includes('packet loss')) ?? out.trim();
      if (code === 0) resolve(summary);
      else reject(new Error(`ping ${address} from ${netns} failed: ${summary}`));
    });
  });
}
