/**
 * Loads the addon as an installed package would (node-gyp-build; with PREBUILDS_ONLY=1 from
 * prebuilds/ even where build/Release exists) and drives every kind of entry point once: a C++
 * exception turned into a TypeError, a typed EINVAL, and, as root, a namespace made by the addon, a
 * netlink socket in it (bridge + tap through rtnetlink and the tun ioctls), a sysctl read and
 * write, an EEXIST coming back as a typed error, then the namespace removed (also on failure).
 *
 * Not a test file: test/native/prebuilds.test.ts runs it in a child process, with this
 * machine's node and under qemu with an arm64 node, and checks the one JSON line it prints:
 * `{ addon, arch, libc, typeError, errno, links, sysctl, eexist }`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '../../src/native/addon.js';
import { createNetns, deleteNetns, Netlink } from '../../src/netlink/index.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const resolveAddon = (require('node-gyp-build') as { path(dir: string): string }).path;

/** What one run found. */
export interface SmokeResult {
  /** The .node file node-gyp-build chose, relative to the package root. */
  addon: string;
  arch: string;
  /** The libc tag node-gyp-build matched on ('glibc' or 'musl'). */
  libc: string;
  /** The message of the TypeError the addon threw (a C++ exception caught by node-addon-api). */
  typeError: string;
  /** The code of the error netnsDelete('a/b') gave (EINVAL, named by the addon). */
  errno: string;
  /** Link names in the namespace after adding br0 and tap0 (root only, else undefined). */
  links?: string[];
  /** ipv6/conf/br0/disable_ipv6 after writing '1' (root only). */
  sysctl?: string;
  /** The code of the error adding tap0 a second time gave (root only). */
  eexist?: string;
}

async function main(): Promise<SmokeResult> {
  const addon = path.relative(root, resolveAddon(root));
  const nl = native();
  let typeError = '';
  try {
    await nl.tunCreateBatch({ devices: 42 } as unknown as Parameters<typeof nl.tunCreateBatch>[0]);
  } catch (e) {
    typeError = `${(e as Error).name}: ${(e as Error).message}`;
  }
  let errno = '';
  try {
    await nl.netnsDelete('a/b'); // refused by the addon before any system call
  } catch (e) {
    errno = String((e as { code?: string }).code);
  }
  const result: SmokeResult = {
    addon,
    arch: process.arch,
    libc: process.env.LIBC ?? 'glibc',
    typeError,
    errno,
  };
  if (process.getuid?.() !== 0) return result;

  const name = `ovt${process.pid}p0`;
  const netns = await createNetns(name);
  try {
    const handle = await Netlink.open({ netns });
    try {
      await handle.links.add({ kind: 'bridge', name: 'br0', up: true });
      await handle.links.add({ kind: 'tap', name: 'tap0', master: 'br0', up: true });
      result.links = (await handle.links.list()).map((l) => l.name).sort();
      await nl.sysctlWrite({ netns, path: 'ipv6/conf/br0/disable_ipv6', value: '1' });
      result.sysctl = (await nl.sysctlRead({ netns, path: 'ipv6/conf/br0/disable_ipv6' })).trim();
      try {
        await handle.links.add({ kind: 'tap', name: 'tap0' });
      } catch (e) {
        result.eexist = (e as { code?: string }).code;
      }
    } finally {
      handle.close();
    }
  } finally {
    await deleteNetns(name);
  }
  return result;
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
