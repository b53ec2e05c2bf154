/**
 * A batch through an `os-vif helper` (a real socket and server, served by a handler that holds
 * each call a moment, so no root is needed): each VIF is a connection of its own and the server
 * refuses connections past its limit, so the default concurrency through a helper stays under it
 * and a batch of 100 succeeds whole; a concurrency above the limit shows what the bound prevents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { type HelperHandler, HelperServer } from '../../src/helper/server.js';
import * as osvif from '../../src/index.js';

const { objects } = osvif;
const instanceInfo = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'vm',
  project_id: 'p',
});
const pairs = Array.from({ length: 100 }, (_, n) => ({
  instanceInfo,
  vif: new objects.VIFVHostUser({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    plugin: 'noop',
    path: `/tmp/vhu${n}`,
    mode: 'client',
    vif_name: `vhu${n}`,
  }),
}));

let inFlight = 0;
let most = 0;
let holdMs = 10;
const handler: HelperHandler = {
  async plug() {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    inFlight--;
  },
  async unplug() {},
  hostInfo: () =>
    new objects.HostInfo({
      plugin_info: [
        osvif.describePlugin({
          plugin_name: 'noop',
          vif_info: [{ vif_object_name: 'VIFVHostUser', min_version: '1.0', max_version: '1.1' }],
        }),
      ],
    }).toPrimitive(),
};

const dir = mkdtempSync(path.join(tmpdir(), `ovth${process.pid}b`));
const socket = path.join(dir, 'helper.sock');
let server: HelperServer;
test.before(async () => {
  server = await HelperServer.listen({
    socket,
    allowUids: [process.getuid?.() ?? 0],
    handler,
    maxConnections: 32,
  });
  await osvif.initialize({ helper: { socket, timeoutMs: 10_000 } });
});
test.after.always(async () => {
  await osvif.reset();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test.serial('through a helper the default concurrency stays under its connection limit', async (t) => {
  most = 0;
  const results = await osvif.plugAll(pairs);
  t.deepEqual(
    results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.message)),
    [],
  );
  t.true(most <= osvif.HELPER_BATCH_CONCURRENCY, `at most ${most} calls at once`);
  t.true(most > 1, 'calls did overlap');
});

test.serial('a concurrency above the helper limit: the calls past it fail alone, typed', async (t) => {
  holdMs = 500; // long enough for all 100 connections to be open at once, however slow the machine
  const results = await osvif.plugAll(pairs, { concurrency: 100 });
  const failed = results.filter((r) => !r.ok);
  t.true(failed.length > 0, 'some were refused');
  t.true(
    results.some((r) => r.ok),
    'the others went through',
  );
  for (const r of failed) if (!r.ok) t.is((r.error.cause as Error | undefined)?.name, 'HelperBusy');
});
