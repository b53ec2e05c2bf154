/**
 * Strings OVSDB cannot store faithfully are refused before anything is sent: a NUL (ovsdb-server
 * drops the connection on it, which the retry loop used to turn into "still conflicted after 8
 * attempts") and a lone surrogate (no UTF-8 form; the server would store U+FFFD). VSwitch names
 * also refuse whitespace, control characters, '/', '.' and '..'. Against a real ovsdb-server:
 * the connection stays up and the database file does not grow.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { OvsdbClient, OvsdbSchemaError, VSwitch, VSwitchError } from '../../src/ovsdb/index.js';
import { OvsSandbox } from '../../src/sandbox/index.js';
import { isRoot } from './_helpers.js';

const it = isRoot ? test.serial : test.skip;

it('bad names and strings are refused unsent; the connection stays up and nothing is committed', async (t) => {
  const sb = await OvsSandbox.start();
  const client = await OvsdbClient.connect(sb.dbRemote, { timeoutMs: 20_000 });
  t.teardown(async () => {
    await client.close();
    await sb.stop();
  });
  const vs = await VSwitch.open(client);
  await vs.ensureBridge('br-ok');
  const db = () => statSync(path.join(sb.dir, 'conf.db')).size;
  const size = db();
  const generation = client.generation;
  for (const name of [
    'tap\0x',
    'tap\ud800',
    'tap\udc00x',
    'tap\nx',
    'tap x',
    'a/b',
    '..',
    '.',
    '',
    'x'.repeat(256),
  ]) {
    await t.throwsAsync(
      vs.ensureBridge(name),
      { instanceOf: VSwitchError, message: /invalid name/ },
      JSON.stringify(name),
    );
    await t.throwsAsync(
      vs.addPort('br-ok', name),
      { instanceOf: VSwitchError, message: /invalid name/ },
      JSON.stringify(name),
    );
  }
  for (const value of ['a\0b', 'a\ud800b']) {
    await t.throwsAsync(
      vs.addPort('br-ok', 'tapok', { externalIds: { 'iface-id': value } }),
      { instanceOf: OvsdbSchemaError },
      JSON.stringify(value),
    );
  }
  t.is(db(), size, 'nothing was committed');
  t.true(client.connected);
  t.is(client.generation, generation, 'the connection was never dropped');
  await vs.addPort('br-ok', 'tap+é', { externalIds: { 'iface-id': 'ok' } });
  t.true(db() > size, 'a valid name still commits');
});
