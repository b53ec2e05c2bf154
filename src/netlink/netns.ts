/**
 * Named network namespaces, as iproute2 keeps them (a bind mount at /run/netns/NAME), through
 * the addon: no `ip netns` process. Used by the demo, benchmarks and sandboxes.
 */
import { readdir } from 'node:fs/promises';
import { native } from '../native/addon.js';
import { NetlinkValidationError, wrapNativeError } from './errors.js';

/** Where iproute2 keeps named namespaces. */
export const NETNS_RUN_DIR = '/run/netns';

/** The file of a namespace given by name (under /run/netns) or by path (anything with a '/'). */
export function netnsPath(nameOrPath: string): string {
  if (typeof nameOrPath !== 'string' || nameOrPath === '') {
    throw new NetlinkValidationError('netns', nameOrPath, 'must be a namespace name or path');
  }
  if (nameOrPath.includes('/')) return nameOrPath;
  checkNetnsName(nameOrPath);
  return `${NETNS_RUN_DIR}/${nameOrPath}`;
}

function checkNetnsName(name: string): void {
  if (name === '.' || name === '..' || /[\s/\0]/u.test(name) || name.length > 255) {
    throw new NetlinkValidationError(
      'netns',
      name,
      "must be a file name (no '/', whitespace; not '.' or '..')",
    );
  }
}

/** Creates the named namespace /run/netns/NAME (EEXIST when it exists). Loopback stays down, as with `ip netns add`. */
export async function createNetns(name: string): Promise<string> {
  checkNetnsName(name);
  const path = `${NETNS_RUN_DIR}/${name}`;
  try {
    await native().netnsCreate(name);
  } catch (e) {
    throw wrapNativeError('netns.create', name, e);
  }
  return path;
}

/** Deletes a named namespace (ENOENT when absent). Links inside go when no process holds it. */
export async function deleteNetns(name: string): Promise<void> {
  checkNetnsName(name);
  try {
    await native().netnsDelete(name);
  } catch (e) {
    throw wrapNativeError('netns.delete', name, e);
  }
}

/** Names under /run/netns ([] when the directory does not exist). */
export async function listNetns(): Promise<string[]> {
  try {
    return (await readdir(NETNS_RUN_DIR)).sort();
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
}
