/** Helpers of the kernel tests: skip cleanly without root. */
import test from 'ava';
import { Netlink } from '../../src/netlink/index.js';
import { isRoot, TestNetns } from '../harness/netns.js';

/** `test.serial` as root; a skipped test (with the reason in its title) otherwise. */
export const kernelTest = isRoot ? test.serial : test.skip;

if (!isRoot) console.log('netlink kernel tests skipped: they need root (network namespaces)');

/** Runs `body` with a fresh namespace and a handle in it; both are removed afterwards, also on failure. */
export async function inNetns<T>(body: (ns: TestNetns, nl: Netlink) => Promise<T>): Promise<T> {
  const ns = TestNetns.create();
  let nl: Netlink | undefined;
  try {
    nl = await Netlink.open({ netns: ns.name });
    return await body(ns, nl);
  } finally {
    nl?.close();
    ns.destroy();
  }
}
