/**
 * A separate process for the cross-process tests: it reads one JSON request a line on stdin
 * (`{ plugin, action, vif, instance, config, netns }`, the VIF and InstanceInfo as primitives)
 * and answers `{ ok: true }` or `{ ok: false, error }` on stdout, in order. Plugins are built
 * once per (plugin, netns, config), with the lock directory of `config.oslo_concurrency`.
 */
import { createInterface } from 'node:readline';
import { Locks } from '../../src/concurrency/index.js';
import { hostFactory, LinuxBridgePlugin, OvsPlugin } from '../../src/plugins/index.js';
import { objects, type PluginBase } from '../../src/vif/index.js';

interface Request {
  plugin: 'linux_bridge' | 'ovs';
  action: 'plug' | 'unplug';
  vif: unknown;
  instance: unknown;
  netns: string;
  config: Record<string, Record<string, unknown>>;
}

const plugins = new Map<string, PluginBase>();

function pluginFor(r: Request): PluginBase {
  const key = JSON.stringify([r.plugin, r.netns, r.config]);
  let plugin = plugins.get(key);
  if (!plugin) {
    const locks = new Locks(r.config.oslo_concurrency ?? {});
    const hosts = hostFactory({ netns: r.netns });
    plugin =
      r.plugin === 'ovs'
        ? new OvsPlugin(r.config.os_vif_ovs, hosts, undefined, locks)
        : new LinuxBridgePlugin(r.config.os_vif_linux_bridge, hosts, locks);
    plugins.set(key, plugin);
  }
  return plugin;
}

async function serve(line: string): Promise<string> {
  try {
    const r = JSON.parse(line) as Request;
    const vif = objects.fromPrimitive(r.vif, objects.VIFBase);
    const instance = objects.fromPrimitive(r.instance, objects.InstanceInfo);
    const plugin = pluginFor(r);
    await (r.action === 'plug' ? plugin.plug(vif, instance) : plugin.unplug(vif, instance));
    return JSON.stringify({ ok: true });
  } catch (error) {
    return JSON.stringify({ ok: false, error: `${(error as Error).name}: ${(error as Error).message}` });
  }
}

let queue = Promise.resolve();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    queue = queue.then(async () => {
      process.stdout.write(`${await serve(line)}\n`);
    });
  })
  .on('close', () => {
    queue = queue.then(async () => {
      for (const p of plugins.values()) await p.close();
    });
  });
