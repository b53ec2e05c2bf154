/**
 * errno numbers to names, from `os.constants.errno` (libc's table as Node reports it). The
 * addon names its own errors (glibc's strerrorname_np); this is for numbers that arrive as
 * data, such as the error of a netlink ack.
 */
import { constants } from 'node:os';

const names = new Map<number, string>();
// The first name wins: Node lists canonical names before their aliases (EAGAIN, EWOULDBLOCK).
for (const [name, number] of Object.entries(constants.errno)) if (!names.has(number)) names.set(number, name);
names.set(11, 'EAGAIN');
names.set(95, 'EOPNOTSUPP'); // as the kernel and glibc name it (ENOTSUP is the alias)

/** 'EEXIST' for 17; 'E<number>' when libc has no name for it. */
export function errnoName(errno: number): string {
  return names.get(errno) ?? `E${errno}`;
}
