/** The deletion batcher: one request for deletions issued together, errors kept per link. */
import test from 'ava';
import { DeleteBatcher, type GroupDeleter } from '../../src/plugins/host/delete-batcher.js';

function recorder(missing: string[] = []) {
  const calls: string[] = [];
  const groups = new Map<number, string[]>();
  const nl: GroupDeleter = {
    deleteOne: async (name) => {
      calls.push(`del ${name}`);
      if (missing.includes(name)) throw Object.assign(new Error(`no ${name}`), { code: 'ENODEV' });
    },
    setGroup: async (name, group) => {
      if (missing.includes(name)) throw Object.assign(new Error(`no ${name}`), { code: 'ENODEV' });
      groups.set(group, [...(groups.get(group) ?? []), name]);
    },
    deleteGroup: async (group) => {
      calls.push(`del group [${groups.get(group)?.join(' ')}]`);
      await new Promise((r) => setTimeout(r, 5));
    },
  };
  return { nl, calls };
}

test('a lone deletion is sent as it is', async (t) => {
  const { nl, calls } = recorder();
  await new DeleteBatcher(nl).delete('qbr1');
  t.deepEqual(calls, ['del qbr1']);
});

test('deletions issued together become one group delete; those issued meanwhile form the next batch', async (t) => {
  const { nl, calls } = recorder();
  const b = new DeleteBatcher(nl);
  const first = Promise.all(['a', 'b', 'c'].map((n) => b.delete(n)));
  await new Promise((r) => setImmediate(r));
  const second = Promise.all(['d', 'e'].map((n) => b.delete(n)));
  await Promise.all([first, second]);
  t.deepEqual(calls, ['del group [a b c]', 'del group [d e]']);
});

test('a missing link fails alone; the others of its batch are deleted', async (t) => {
  const { nl, calls } = recorder(['ghost']);
  const b = new DeleteBatcher(nl);
  const results = await Promise.allSettled(['a', 'ghost', 'b'].map((n) => b.delete(n)));
  t.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.deepEqual(calls, ['del group [a b]']);
});
