/** Named namespaces made and removed as `ip netns add/del` does, checked with `ip netns list`. */
import test from 'ava';
import { native } from '../../src/native/addon.js';
import { trySh } from '../harness/netns.js';
import { Conn } from './conn.js';
import { rootTest } from './gate.js';
import { newBridge } from './nlmsg.js';

const it = rootTest('test/native/netns.test.ts', true);

const names = [0, 1, 2].map((i) => `ovt${process.pid}n${i}`);
test.after.always(() => {
  for (const name of names) trySh('ip', ['netns', 'del', name]);
});
const listed = (name: string): boolean =>
  (JSON.parse(trySh('ip', ['-j', 'netns', 'list']).stdout || '[]') as Array<{ name: string }>).some(
    (ns) => ns.name === name,
  );

it('netnsCreate makes a namespace that ip sees and the addon can work in; netnsDelete removes it', async (t) => {
  const [name] = names;
  const path = `/run/netns/${name}`;
  await native().netnsCreate(name);
  t.true(listed(name));
  t.is(trySh('ip', ['-n', name, '-j', 'link']).stdout.includes('"lo"'), true);
  const conn = await Conn.open({ netns: path });
  await conn.send(newBridge(1, 'ovtnsbr'));
  t.is((await conn.ack(1)).errno, 0);
  conn.close();
  t.regex(trySh('ip', ['-n', name, 'link', 'show', 'ovtnsbr']).stdout, /ovtnsbr/);
  t.is(trySh('ip', ['link', 'show', 'ovtnsbr']).status, 1, 'not in the host namespace');
  await native().netnsDelete(name);
  t.false(listed(name));
});

it('EEXIST when the name is taken, ENOENT when deleting an absent one', async (t) => {
  const name = names[1];
  const path = `/run/netns/${name}`;
  await native().netnsCreate(name);
  t.like(await t.throwsAsync(native().netnsCreate(name)), { code: 'EEXIST', syscall: 'open', path });
  t.true(listed(name), 'the first one is untouched');
  await native().netnsDelete(name);
  t.like(await t.throwsAsync(native().netnsDelete(name)), { code: 'ENOENT', syscall: 'open', path });
});

it('a namespace made by ip is removed by netnsDelete, and the other way round', async (t) => {
  const name = names[2];
  trySh('ip', ['netns', 'add', name]);
  await native().netnsDelete(name);
  t.false(listed(name));
  await native().netnsCreate(name);
  t.is(trySh('ip', ['netns', 'del', name]).status, 0);
  t.false(listed(name));
});

it('paths and names that are no file name are refused before any system call', async (t) => {
  for (const name of ['/run/netns/ovtrel', 'ovt/rel', '..', '']) {
    await t.throwsAsync(native().netnsCreate(name), { code: 'EINVAL' });
    await t.throwsAsync(native().netnsDelete(name), { code: 'EINVAL' });
  }
});
