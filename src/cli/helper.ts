/**
 * `os-vif helper --socket PATH --allow-uid UID[,UID...] [--allow-gid GID,...] [CONFIG]`:
 * the privilege-separated helper (src/helper, docs/helper.md). It keeps CAP_NET_ADMIN only
 * (re-executing itself once to get there) and serves plug, unplug and host-info in its own
 * network namespace until SIGTERM or SIGINT.
 */
import { ensureNetAdminOnly } from '../helper/privileges.js';
import { type HelperEvent, HelperServer } from '../helper/server.js';
import * as osvif from '../vif/index.js';
import { CONFIG_OPTIONS, loadConfig } from './config-args.js';
import { InputFiles } from './input.js';
import { SUMMARIES } from './summaries.js';
import { type Command, type OptionValues, UsageError } from './usage.js';

function ids(value: OptionValues[string], option: string): number[] {
  if (value === undefined) return [];
  const parts = String(value).split(',');
  if (!parts.every((p) => /^\d{1,10}$/.test(p.trim()) && Number(p) < 0xffffffff))
    throw new UsageError(`--${option} takes numeric ids separated by commas, got ${JSON.stringify(value)}`);
  return parts.map((p) => Number(p));
}

/** `os-vif helper`. */
export const helperCommand: Command = {
  name: 'helper',
  summary: SUMMARIES['helper'],
  options: {
    socket: { type: 'string', value: 'PATH', help: 'unix socket to create', required: true },
    'allow-uid': {
      type: 'string',
      value: 'UID,...',
      help: 'uids that may call (SO_PEERCRED)',
      required: true,
    },
    'allow-gid': {
      type: 'string',
      value: 'GID,...',
      help: 'groups whose members may call (primary or supplementary)',
    },
    ...CONFIG_OPTIONS,
  },
  async run(values, io) {
    const allowUids = ids(values['allow-uid'], 'allow-uid');
    const allowGids = ids(values['allow-gid'], 'allow-gid');
    if (allowUids.length === 0) throw new UsageError('--allow-uid is required');
    const socket = values.socket as string;
    if (!socket.startsWith('/')) throw new UsageError(`--socket must be an absolute path, got ${socket}`);
    // the helper re-executes itself and reads its configuration again: files only, no stdin
    for (const name of ['config', 'config-file'])
      if ([values[name]].flat().includes('-'))
        throw new UsageError(`--${name} -: the helper reads its configuration from files, not stdin`);
    const config = await loadConfig(values, new InputFiles(io));
    ensureNetAdminOnly(); // returns with CAP_NET_ADMIN only, or re-executes this command, or throws
    await osvif.reset();
    await osvif.initialize({ config });
    const log = (e: HelperEvent) => io.err(JSON.stringify({ time: new Date().toISOString(), ...e }));
    const server = await HelperServer.listen({ socket, allowUids, allowGids, log });
    io.err(
      `os-vif helper: pid ${process.pid} serving ${socket} for uids ${allowUids.join(',')}` +
        (allowGids.length ? ` and gids ${allowGids.join(',')}` : '') +
        ` with plugins ${osvif.loadedPlugins().join(', ')}`,
    );
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    await server.close();
    await osvif.reset();
    io.err(`os-vif helper: stopped (${signal})`);
    return 0;
  },
};
