/**
 * `initialize({ helper: { socket } })`: the facade sends plug, unplug and host-info through a
 * helper (here a real socket served by a recording handler, so no root is needed), rethrows the
 * helper's errors as they came, and wraps a failure of the helper itself as it wraps a plugin's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { HelperUnavailable } from '../../src/helper/errors.js';
import { type HelperHandler, HelperServer } from '../../src/helper/server.js';
import * as osvif from '../../src/index.js';
import { LinkNotFound } from '../../src/netlink/errors.js';

const { objects } = osvif;
const root = new URL('../../../examples/', import.meta.url);
const vifPrimitive = JSON.parse(readFileSync(new URL('vif-ovs.json', root), 'utf8')) as Record<
  string,
  unknown
>;
const vif = objects.fromPrimitive(vifPrimitive, objects.VIFBase);
const instance = objects.fromPrimitive(
  JSON.parse(readFileSync(new URL('instance.json', root), 'utf8')),
  objects.InstanceInfo,
);

const calls: string[] = [];
const handler: HelperHandler = {
  async plug(v) {
    calls.push(`plug ${v.id} ${v.constructor.name}`);
    if (v.plugin === 'fails') {
      const cause = new LinkNotFound({
        code: 'ENODEV',
        errno: 19,
        operation: 'links.get',
        interface: 'tapx',
      });
      throw new osvif.PlugException({ vif: String(v), err: cause.message }, { cause });
    }
  },
  async unplug(v) {
    calls.push(`unplug ${v.id}`);
  },
  hostInfo(permitted) {
    // the helper's own answer: one plugin with two VIF classes
    const info = new objects.HostInfo({
      plugin_info: [
        new objects.HostPluginInfo({
          plugin_name: 'ovs',
          vif_info: [
            new objects.HostVIFInfo({
              vif_object_name: 'VIFBridge',
              min_version: '1.0',
              max_version: '1.0',
              supported_port_profiles: [],
            }),
            new objects.HostVIFInfo({
              vif_object_name: 'VIFOpenVSwitch',
              min_version: '1.0',
              max_version: '1.0',
              supported_port_profiles: [],
            }),
          ],
        }),
      ],
    });
    if (permitted) info.filterVifTypes(permitted);
    return info.toPrimitive();
  },
};

const dir = mkdtempSync(path.join(tmpdir(), `ovth${process.pid}-`));
const socket = path.join(dir, 'helper.sock');
let server: HelperServer;

test.before(async () => {
  server = await HelperServer.listen({ socket, allowUids: [process.getuid?.() ?? 0], handler });
});
test.after.always(async () => {
  await osvif.reset();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test.serial('config or plugins together with helper are InvalidConfig, before any connection', async (t) => {
  await t.throwsAsync(osvif.initialize({ helper: { socket }, config: { os_vif_ovs: {} } }), {
    instanceOf: osvif.InvalidConfig,
  });
  t.false(osvif.isInitialized());
});

test.serial(
  'an unreachable helper fails initialize with HelperUnavailable and leaves it uninitialised',
  async (t) => {
    await t.throwsAsync(osvif.initialize({ helper: { socket: path.join(dir, 'none.sock') } }), {
      instanceOf: HelperUnavailable,
    });
    t.false(osvif.isInitialized());
  },
);

test.serial('plug, unplug and hostInfo go through the helper', async (t) => {
  await osvif.initialize({ helper: { socket, timeoutMs: 5000 } });
  t.deepEqual(osvif.loadedPlugins(), ['ovs']);
  await osvif.plug(vif, instance);
  await osvif.unplug(vif, instance);
  t.deepEqual(calls.splice(0), [`plug ${vif.id} VIFOpenVSwitch`, `unplug ${vif.id}`]);
  // hostInfo stays synchronous; filtering a copy leaves the next answer whole
  const filtered = osvif.hostInfo(['VIFBridge']);
  t.deepEqual(
    filtered.plugin_info[0]?.vif_info.map((v) => v.vif_object_name),
    ['VIFBridge'],
  );
  t.is(osvif.hostInfo().plugin_info[0]?.vif_info.length, 2);
  t.deepEqual(osvif.hostInfo(['VIFBridge']).toPrimitive(), handler.hostInfo(['VIFBridge']));
  await t.throwsAsync(osvif.plug(vifPrimitive as never, instance), { instanceOf: osvif.ObjectTypeError });
});

test.serial('the helper’s errors arrive as they were raised; its own failure is wrapped', async (t) => {
  const failing = objects.fromPrimitive(
    {
      ...vifPrimitive,
      'versioned_object.data': { ...(vifPrimitive['versioned_object.data'] as object), plugin: 'fails' },
    },
    objects.VIFBase,
  );
  const error = await t.throwsAsync(osvif.plug(failing, instance));
  t.true(error instanceof osvif.PlugException);
  t.true(error?.cause instanceof LinkNotFound, 'not wrapped twice');
  await server.close();
  const down = await t.throwsAsync(osvif.unplug(vif, instance));
  t.true(down instanceof osvif.UnplugException);
  t.true(down?.cause instanceof HelperUnavailable);
  server = await HelperServer.listen({ socket, allowUids: [process.getuid?.() ?? 0], handler });
  await t.notThrowsAsync(osvif.unplug(vif, instance), 'a new helper on the same path is used at once');
});

test.serial(
  'the CLI: --helper with --netns or --config, or a relative path, exits 2 before any call',
  async (t) => {
    const { main } = await import('../../src/cli.js');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), tty: false };
    const files = [
      '--vif',
      fileURLToPath(new URL('vif-ovs.json', root)),
      '--instance',
      fileURLToPath(new URL('instance.json', root)),
    ];
    const before = calls.length;
    t.is(await main(['plug', ...files, '--helper', socket, '--netns', 'x'], io), 2);
    t.regex(lines.pop() ?? '', /--helper: the helper has its own namespace and configuration/);
    t.is(await main(['unplug', ...files, '--helper', 'helper.sock'], io), 2);
    t.regex(lines.pop() ?? '', /--helper must be an absolute path/);
    t.is(
      await main(
        ['host-info', '--helper', socket, '--config', fileURLToPath(new URL('config.json', root))],
        io,
      ),
      2,
    );
    t.is(calls.length, before);
    t.is(await main(['plug', ...files, '--helper', socket, '--json'], io), 0);
    t.like(JSON.parse(lines.pop() ?? '{}'), { ok: true, action: 'plug' });
  },
);

test.serial(
  'the CLI: os-vif helper refuses bad ids and a relative socket with exit 2, before dropping anything',
  async (t) => {
    const { main } = await import('../../src/cli.js');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), tty: false };
    t.is(await main(['helper', '--socket', socket, '--allow-uid', '65534,abc'], io), 2);
    t.regex(lines.pop() ?? '', /--allow-uid takes numeric ids separated by commas/);
    t.is(await main(['helper', '--socket', socket, '--allow-uid', '1', '--allow-gid', '-1'], io), 2);
    t.is(await main(['helper', '--socket', socket, '--allow-uid', '4294967295'], io), 2);
    t.is(await main(['helper', '--socket', 'helper.sock', '--allow-uid', '1'], io), 2);
    t.regex(lines.pop() ?? '', /--socket must be an absolute path/);
    t.is(await main(['helper', '--allow-uid', '1'], io), 2);
    t.regex(lines.pop() ?? '', /--socket is required/);
  },
);
