/**
 * Remotes (`unix:PATH`, `tcp:HOST:PORT`, `ssl:HOST:PORT`, comma-separated for a cluster) and
 * opening a byte stream to one of them with Node's own `net` and `tls`.
 */
import net from 'node:net';
import tls from 'node:tls';
import { OvsdbConnectionError } from './errors.js';

/** One parsed remote. */
export type Remote =
  | { kind: 'unix'; path: string; text: string }
  | { kind: 'tcp' | 'ssl'; host: string; port: number; text: string };

/** Key, certificate and CA for `ssl:` remotes (PEM contents, not paths). */
export interface TlsOptions {
  key?: string | Buffer;
  cert?: string | Buffer;
  ca?: string | Buffer | Array<string | Buffer>;
  /** Check the server certificate against `ca` (default true). */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks (default: the host). */
  servername?: string;
}

/** Parses `unix:/p`, `tcp:127.0.0.1:6640`, `ssl:[::1]:6640`, or a comma-separated list. */
export function parseRemotes(spec: string): Remote[] {
  if (typeof spec !== 'string' || spec.trim() === '')
    throw new TypeError('remote must be a non-empty string');
  return spec.split(',').map((s) => parseRemote(s.trim()));
}

function parseRemote(text: string): Remote {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (kind === 'unix') {
    if (!rest) throw new TypeError(`remote ${text}: empty socket path`);
    return { kind, path: rest, text };
  }
  if (kind === 'tcp' || kind === 'ssl') {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(rest);
    const port = m ? Number(m[3]) : Number.NaN;
    if (!m || port < 1 || port > 65535) throw new TypeError(`remote ${text}: expected ${kind}:HOST:PORT`);
    return { kind, host: (m[1] ?? m[2])!, port, text };
  }
  throw new TypeError(`remote ${text}: unknown transport (expected unix:, tcp: or ssl:)`);
}

/** Opens a stream to `remote` within `timeoutMs`; rejects with a `refused` connection error. */
export function openStream(remote: Remote, timeoutMs: number, tlsOptions?: TlsOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let sock: net.Socket;
    const ready = remote.kind === 'ssl' ? 'secureConnect' : 'connect';
    if (remote.kind === 'unix') sock = net.connect({ path: remote.path });
    else if (remote.kind === 'tcp') sock = net.connect({ host: remote.host, port: remote.port });
    else {
      sock = tls.connect({
        host: remote.host,
        port: remote.port,
        key: tlsOptions?.key,
        cert: tlsOptions?.cert,
        ca: tlsOptions?.ca,
        rejectUnauthorized: tlsOptions?.rejectUnauthorized ?? true,
        servername: tlsOptions?.servername ?? (net.isIP(remote.host) ? undefined : remote.host),
      });
    }
    const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(new OvsdbConnectionError('refused', `cannot connect: ${e.message}`, remote.text, { cause: e }));
    };
    sock.once('error', fail);
    sock.once(ready, () => {
      clearTimeout(timer);
      sock.off('error', fail);
      sock.setNoDelay?.(true);
      if (remote.kind !== 'unix') sock.setKeepAlive(true, 10_000);
      resolve(sock);
    });
  });
}
