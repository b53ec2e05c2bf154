/** Namespaces of the sandboxes. */
import { createNetns, deleteNetns, Netlink } from '../netlink/index.js';

/**
 * Creates named namespace `name` with its loopback up; the caller deletes it. When the loopback
 * cannot be brought up, the namespace is deleted again before the error is thrown.
 */
export async function createNetnsWithLoopback(name: string): Promise<void> {
  await createNetns(name);
  try {
    const nl = await Netlink.open({ netns: name });
    try {
      await nl.links.set('lo', { up: true });
    } finally {
      nl.close();
    }
  } catch (e) {
    await deleteNetns(name).catch(() => undefined);
    throw e;
  }
}
