/**
 * `os-vif cni`: a CNI plugin (spec 1.0.0 and 1.1.0) that attaches containers through the os-vif
 * plugins. A runtime executes it with the network configuration on stdin and `CNI_*` in the
 * environment; it prints the result (ADD), the version (VERSION) or nothing, or an error JSON
 * with the spec's code, and exits non-zero on error.
 */

import { CNI_CODES, CniError } from './errors.js';
import { checkVersion, decode, SUPPORTED_VERSIONS } from './version.js';

export { CNI_CODES, CniError } from './errors.js';
export { SUPPORTED_VERSIONS } from './version.js';

/** What one invocation prints and its exit code. */
export interface CniOutcome {
  exit: number;
  stdout: string;
  /** A line for stderr (errors), or undefined. */
  stderr?: string;
}

async function toCniError(e: unknown): Promise<CniError> {
  if (e instanceof CniError) return e;
  // loaded already when a command other than VERSION got this far
  const [{ InvalidGuestTarget }, { NetlinkValidationError }, { ExceptionBase, InvalidConfig }] =
    await Promise.all([
      import('../guest/index.js'),
      import('../netlink/index.js'),
      import('../vif/index.js'),
    ]);
  if (e instanceof InvalidConfig || e instanceof NetlinkValidationError || e instanceof InvalidGuestTarget)
    return new CniError(CNI_CODES.invalidConfig, e.message);
  const cause = e instanceof ExceptionBase && e.cause instanceof CniError ? e.cause : undefined;
  if (cause) return cause;
  return new CniError(CNI_CODES.failed, e instanceof Error ? e.message : String(e));
}

function versionOf(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' && v !== '' ? v : '1.1.0';
  } catch {
    return '1.1.0';
  }
}

/**
 * Runs one CNI invocation. VERSION is answered without loading the plugins (a runtime asks it of
 * every plugin it finds); the other commands import them on demand.
 */
export async function runCni(env: Record<string, string | undefined>, stdin: string): Promise<CniOutcome> {
  const version = versionOf(stdin);
  try {
    if (env.CNI_COMMAND === 'VERSION') {
      const asked = stdin.trim() === '' ? '1.1.0' : checkVersion(decode(stdin).cniVersion);
      return {
        exit: 0,
        stdout: JSON.stringify({ cniVersion: asked, supportedVersions: [...SUPPORTED_VERSIONS] }),
      };
    }
    const { readEnv, readNetConf } = await import('./netconf.js');
    const e = readEnv(env);
    const conf = readNetConf(stdin);
    const { add, check, del, gc, status } = await import('./commands.js');
    if (e.command === 'ADD') return { exit: 0, stdout: JSON.stringify(await add(conf, e, env)) };
    if (e.command === 'DEL') await del(conf, e, env);
    else if (e.command === 'CHECK') await check(conf, e, env);
    else if (e.command === 'STATUS') await status(conf, e, env);
    else await gc(conf, e, env);
    return { exit: 0, stdout: '' };
  } catch (err) {
    const c = await toCniError(err);
    return {
      exit: c.invalidInput ? 2 : 1,
      stdout: JSON.stringify(c.toJSON(version)),
      stderr: `os-vif cni: ${c.message}`,
    };
  }
}
