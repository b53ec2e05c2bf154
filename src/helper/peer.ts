/** Who is on the other end of an accepted unix socket: SO_PEERCRED through the addon. */
import type { Socket } from 'node:net';
import { native, type PeerCredentials } from '../native/addon.js';

export type { PeerCredentials };

/**
 * The peer's pid, uid and gid as the kernel recorded them at connect(); undefined when the
 * socket has no file descriptor (it is closed already) or the kernel cannot tell.
 */
export function peerCredentialsOf(socket: Socket): PeerCredentials | undefined {
  // net.Socket exposes its libuv handle's fd on Unix; it is not part of the typed API.
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return native().peerCredentials(fd);
  } catch {
    return undefined;
  }
}
