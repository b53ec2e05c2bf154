/**
 * The gate of the native tests: they need root (namespaces, netlink writes, /dev/net/tun).
 * Without it every test is registered as skipped, under its own title, and the file says once
 * why on stderr; no placeholder test passes in their stead.
 */
import test, { type TestFn } from 'ava';
import { isRoot } from '../harness/netns.js';

/** `test` (or `test.serial`) as root; else `test.skip`, with one notice naming `file`. */
export function rootTest(file: string, serial = false): TestFn {
  if (isRoot) return serial ? (test.serial as unknown as TestFn) : test;
  process.stderr.write(`${file}: skipped, the native tests need root (namespaces, netlink writes)\n`);
  return test.skip as unknown as TestFn;
}
