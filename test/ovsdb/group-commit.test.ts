/**
 * The group-commit scheduler on its own, deterministically: a server whose replies the test
 * releases by hand (a fake, because what is tested is WHEN the scheduler sends, which a real
 * server cannot make deterministic), and no timing assertion. A lone call on an idle scheduler
 * is sent before any macrotask runs (no timer, no setImmediate: the gathering window costs it
 * nothing); calls that arrive while a commit is in flight share the next transaction; a call
 * whose work fails is rejected alone. (The same scheduler against a real ovsdb-server is
 * covered through VSwitch in vswitch.test.ts.)
 */
import test from 'ava';
import type { Operation, OperationResult } from '../../src/ovsdb/operations.js';
import type { Replica } from '../../src/ovsdb/replica.js';
import { GroupCommit } from '../../src/ovsdb/vswitch/scheduler.js';

/** The part of a Replica the scheduler and runTransaction use; transact replies when released. */
class HeldServer {
  readonly sent: Operation[][] = [];
  private readonly held: Array<(r: OperationResult[]) => void> = [];
  seq = 0;
  readonly db = 'Open_vSwitch';
  readonly client = {
    remote: 'fake:',
    transact: (_db: string, ops: Operation[]) =>
      new Promise<OperationResult[]>((resolve) => {
        this.sent.push(ops);
        this.held.push(resolve);
      }),
    echo: async () => [],
    call: async () => [],
  };
  async synced(): Promise<void> {}
  replicates(): boolean {
    return false;
  }
  async nextChange(): Promise<void> {}
  /** Replies to the oldest held transaction. */
  release(): void {
    const resolve = this.held.shift();
    const ops = this.sent[this.sent.length - this.held.length - 1] ?? [];
    resolve?.(ops.map(() => ({})));
  }
}

/** Runs every pending microtask, and no macrotask (a timer or setImmediate would not fire). */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

function scheduler(server: HeldServer) {
  return new GroupCommit<string, string>(server as unknown as Replica, (txn) => ({
    add: (work) => {
      if (work.startsWith('bad')) throw new Error(`refused ${work}`);
      txn.push({ op: 'comment', comment: work });
      return work;
    },
    finish: () => () => undefined,
  }));
}

test('a lone call on an idle scheduler is sent before any timer or immediate could fire', async (t) => {
  const server = new HeldServer();
  const gc = scheduler(server);
  let fired = false;
  const macrotask = setImmediate(() => {
    fired = true;
  });
  const done = gc.submit('only');
  await microtasks();
  t.false(fired, 'no macrotask ran');
  t.deepEqual(server.sent, [[{ op: 'comment', comment: 'only' }]], 'sent without waiting for a window');
  clearImmediate(macrotask);
  server.release();
  t.is((await done).result, 'only');
});

test('calls arriving while a commit is in flight share the next transaction', async (t) => {
  const server = new HeldServer();
  const gc = scheduler(server);
  const first = gc.submit('a');
  await microtasks();
  const rest = ['b', 'c', 'd'].map((w) => gc.submit(w));
  await microtasks();
  t.is(server.sent.length, 1, 'the next group waits for the commit in flight');
  server.release();
  await first;
  await microtasks();
  t.is(server.sent.length, 2);
  t.deepEqual(
    server.sent[1]?.map((op) => (op as { comment: string }).comment),
    ['b', 'c', 'd'],
    'one transaction for the three',
  );
  server.release();
  t.deepEqual(
    (await Promise.all(rest)).map((c) => c.result),
    ['b', 'c', 'd'],
  );
});

test('a call whose work fails is rejected alone; the others of its group commit', async (t) => {
  const server = new HeldServer();
  const gc = scheduler(server);
  const first = gc.submit('a');
  await microtasks();
  const good = gc.submit('b');
  const bad = gc.submit('bad-c');
  const good2 = gc.submit('d');
  server.release();
  await first;
  await microtasks();
  t.deepEqual(
    server.sent[1]?.map((op) => (op as { comment: string }).comment),
    ['b', 'd'],
  );
  server.release();
  await t.throwsAsync(bad, { message: 'refused bad-c' });
  t.is((await good).result, 'b');
  t.is((await good2).result, 'd');
});
