/**
 * Delegation to another CNI plugin found in CNI_PATH (the IPAM plugin named by `ipam.type`), as
 * the reference plugins delegate: the plugin is executed with the same network configuration on
 * stdin and the same environment, `CNI_COMMAND` set to the command. This is the one place in
 * `src/` outside the sandbox that starts a process: executing plugins from CNI_PATH is what a
 * CNI plugin that delegates IPAM does (README, Security).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CNI_CODES, CniError } from './errors.js';

/** How long one delegated call may take (host-local answers in milliseconds). */
const DELEGATE_TIMEOUT_MS = 60_000;
/** Most output read from a delegate. */
const MAX_OUTPUT = 1 << 20;

/** The first executable `type` in the CNI_PATH directories. */
export async function findPlugin(type: string, path: readonly string[]): Promise<string> {
  for (const dir of path) {
    const file = join(dir, type);
    if (
      await access(file, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  throw new CniError(CNI_CODES.invalidConfig, `failed to find plugin "${type}" in path [${path.join(' ')}]`);
}

/** Runs the plugin; resolves to its parsed stdout (undefined when empty), rejects with its error. */
export async function execPlugin(
  file: string,
  command: string,
  stdin: string,
  env: Record<string, string | undefined>,
): Promise<unknown> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(file, [], {
        env: { ...env, CNI_COMMAND: command },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: DELEGATE_TIMEOUT_MS,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const take = (chunks: Buffer[]) => (b: Buffer) => {
        size += b.length;
        if (size <= MAX_OUTPUT) chunks.push(b);
      };
      child.stdout.on('data', take(out));
      child.stderr.on('data', take(err));
      child.on('error', (e) => reject(new CniError(CNI_CODES.io, `cannot run ${file}: ${e.message}`)));
      child.on('close', (c) =>
        resolve({
          code: c,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    },
  );
  let parsed: unknown;
  if (stdout.trim() !== '') {
    try {
      parsed = JSON.parse(stdout);
    } catch {
      if (code === 0)
        throw new CniError(CNI_CODES.decode, `${file} ${command} printed no JSON: ${stdout.slice(0, 200)}`);
    }
  }
  if (code !== 0) {
    const e = parsed as { code?: unknown; msg?: unknown; details?: unknown } | undefined;
    if (e && typeof e.code === 'number' && typeof e.msg === 'string')
      throw new CniError(e.code, `${file}: ${e.msg}`, typeof e.details === 'string' ? e.details : undefined);
    throw new CniError(
      CNI_CODES.failed,
      `${file} ${command} failed (exit ${code}): ${(stderr || stdout).trim().slice(0, 500)}`,
    );
  }
  return parsed;
}

/** The versions a plugin says it supports (its VERSION answer); [] when it cannot say. */
export async function pluginVersions(
  file: string,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const r = (await execPlugin(file, 'VERSION', '{"cniVersion":"1.0.0"}', env).catch(() => undefined)) as
    | { supportedVersions?: unknown }
    | undefined;
  return Array.isArray(r?.supportedVersions) ? r.supportedVersions.filter((v) => typeof v === 'string') : [];
}
