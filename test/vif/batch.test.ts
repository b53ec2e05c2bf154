/**
 * The facade's batch calls, scheduling only (the real host is in test/plugins/e2e-batch.test.ts):
 * the concurrency bound and its default, checks before any VIF starts, results in input order
 * with typed errors, misuse rejected before anything starts, abort, a throwing onProgress, and
 * plugEach reading its source no faster than VIFs finish. The plugin is one written for the test:
 * it holds each call until the test releases it and records what it saw.
 */
import test from 'ava';
import * as osvif from '../../src/index.js';
import { describePlugin, objects, PluginBase, type PluginContext } from '../../src/index.js';

const instanceInfo = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'vm',
  project_id: 'p',
});
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const vifOf = (n: number, plugin = 'gate') =>
  new objects.VIFVHostUser({
    id: idOf(n),
    plugin,
    path: `/tmp/vhu${n}`,
    mode: 'client',
    vif_name: `vhu${n}`,
  });
const pairsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ vif: vifOf(i), instanceInfo }));

/** What the gate plugin saw, and the calls it is holding. */
class Gate {
  events: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Hold calls until released (else they finish at once). */
  hold = false;
  private held: (() => void)[] = [];
  fail = new Set<string>();

  async call(action: string, vif: objects.VIFBase): Promise<void> {
    this.events.push(`${action} ${vif.id}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
      else await new Promise((resolve) => setImmediate(resolve));
      if (this.fail.has(vif.id)) throw new Error(`cannot ${action} ${vif.id}`);
    } finally {
      this.inFlight--;
    }
  }

  /** Releases the calls held so far; resolves once they have run on. */
  async release(count = Infinity): Promise<void> {
    for (const r of this.held.splice(0, count)) r();
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Resolves when `n` calls are held. */
  async waitHeld(n: number): Promise<void> {
    for (let i = 0; i < 1000 && this.held.length < n; i++) await new Promise((r) => setTimeout(r, 2));
  }

  get heldCount(): number {
    return this.held.length;
  }
}

let gate = new Gate();
class GatePlugin extends PluginBase {
  constructor(readonly ctx: PluginContext) {
    super();
  }
  describe() {
    return describePlugin({
      plugin_name: 'gate',
      vif_info: [{ vif_object_name: 'VIFVHostUser', min_version: '1.0', max_version: '1.1' }],
    });
  }
  plug(vif: objects.VIFBase) {
    return gate.call('plug', vif);
  }
  unplug(vif: objects.VIFBase) {
    return gate.call('unplug', vif);
  }
}

test.beforeEach(async () => {
  gate = new Gate();
  await osvif.reset();
  await osvif.initialize({ discover: false, builtins: false, plugins: { gate: GatePlugin } });
});
test.afterEach.always(() => osvif.reset());

test.serial('all in flight by default; --concurrency bounds them; results in input order', async (t) => {
  const all = await osvif.plugAll(pairsOf(40));
  t.is(gate.maxInFlight, 40, `all 40 in flight (default ${osvif.DEFAULT_BATCH_CONCURRENCY})`);
  t.true(all.every((r) => r.ok));
  t.deepEqual(
    all.map((r) => r.vifId),
    pairsOf(40).map((p) => p.vif.id),
  );
  gate = new Gate();
  const some = await osvif.unplugAll(pairsOf(40), { concurrency: 3 });
  t.is(gate.maxInFlight, 3);
  t.is(some.length, 40);
  t.true(some.every((r) => r.ok && r.ms >= 0));
});

test.serial('a failing VIF fails alone with its typed error; the batch resolves', async (t) => {
  gate.fail.add(idOf(2));
  const results = await osvif.plugAll(pairsOf(5));
  t.deepEqual(
    results.map((r) => r.ok),
    [true, true, false, true, true],
  );
  const bad = results[2];
  if (bad?.ok !== false) return t.fail('VIF 2 should have failed');
  t.true(bad.error instanceof osvif.PlugException);
  t.is((bad.error.cause as Error).message, `cannot plug ${idOf(2)}`);
  t.is(bad.vifId, idOf(2));
});

test.serial('every entry is checked before the first VIF starts; a bad one fails alone', async (t) => {
  const pairs: osvif.VifPair[] = pairsOf(4);
  pairs.push({ vif: vifOf(4, 'nosuch'), instanceInfo });
  pairs.push({ vif: {} as objects.VIFBase, instanceInfo });
  pairs.push({ vif: vifOf(6), instanceInfo: {} as objects.InstanceInfo });
  pairs.push(null as unknown as osvif.VifPair);
  pairs.length = 9; // a hole
  const seen: string[] = [];
  const results = await osvif.plugAll(pairs, {
    onProgress: (p) => seen.push(`${p.index} ${p.result.ok} started=${gate.events.length}`),
  });
  t.deepEqual(seen.slice(0, 4), [
    '4 false started=0',
    '5 false started=0',
    '6 false started=0',
    '7 false started=0',
  ]);
  const errors = results.slice(4).map((r) => (r.ok ? undefined : r.error));
  t.true(errors[0] instanceof osvif.NoMatchingPlugin);
  t.true(errors[1] instanceof osvif.ObjectTypeError);
  t.true(errors[2] instanceof osvif.ObjectTypeError);
  t.true(errors[3] instanceof osvif.ObjectTypeError);
  t.true(errors[4] instanceof osvif.ObjectTypeError);
  t.deepEqual(
    results.map((r) => r.vifId),
    [idOf(0), idOf(1), idOf(2), idOf(3), idOf(4), '', idOf(6), '', ''],
  );
  t.is(gate.events.length, 4, 'only the good ones reached the plugin');
});

test.serial('misuse rejects before anything starts', async (t) => {
  for (const concurrency of [0, -1, 1.5, Number.NaN, Infinity])
    await t.throwsAsync(osvif.plugAll(pairsOf(2), { concurrency }), { instanceOf: RangeError });
  await t.throwsAsync(osvif.plugAll({} as osvif.VifPair[]), { instanceOf: TypeError });
  await t.throwsAsync(osvif.plugEach(42 as unknown as osvif.VifPair[]), { instanceOf: TypeError });
  await t.throwsAsync(
    osvif.plugAll(pairsOf(2), { onProgress: 'x' as unknown as (p: osvif.BatchProgress) => void }),
    { instanceOf: TypeError },
  );
  await osvif.reset();
  await t.throwsAsync(osvif.plugAll(pairsOf(2)), { instanceOf: osvif.LibraryNotInitialized });
  await t.throwsAsync(osvif.unplugEach(pairsOf(2)), { instanceOf: osvif.LibraryNotInitialized });
  t.deepEqual(gate.events, []);
});

test.serial('abort: VIFs in flight finish, those not started fail with the reason', async (t) => {
  gate.hold = true;
  const controller = new AbortController();
  const batch = osvif.plugAll(pairsOf(6), { concurrency: 2, signal: controller.signal });
  await gate.waitHeld(2);
  controller.abort(new Error('agent stopping'));
  await gate.release();
  const results = await batch;
  t.deepEqual(
    results.map((r) => r.ok),
    [true, true, false, false, false, false],
  );
  t.deepEqual(
    results.slice(2).map((r) => (r.ok ? '' : r.error.message)),
    Array(4).fill('agent stopping'),
  );
  t.is(gate.events.length, 2);
});

test.serial('an onProgress that throws ends the batch: no new VIF starts, then it rejects', async (t) => {
  const error = await t.throwsAsync(
    osvif.plugAll(pairsOf(10), {
      concurrency: 1,
      onProgress: (p) => {
        if (p.done === 3) throw new Error('reporter broke');
      },
    }),
  );
  t.is(error?.message, 'reporter broke');
  t.is(gate.events.length, 3);
});

test.serial(
  'plugEach starts a VIF before its source has ended and reads no faster than VIFs finish',
  async (t) => {
    gate.hold = true;
    let pulled = 0;
    let release: () => void = () => {};
    const last = new Promise<void>((resolve) => (release = resolve));
    async function* source(): AsyncGenerator<osvif.VifPair> {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield { vif: vifOf(i), instanceInfo };
      }
      await last; // the stream stays open until the test says so
      pulled++;
      yield { vif: vifOf(9, 'nosuch'), instanceInfo };
    }
    const progress: osvif.BatchProgress[] = [];
    const batch = osvif.plugEach(source(), { concurrency: 2, onProgress: (p) => progress.push(p) });
    await gate.waitHeld(2);
    t.is(pulled, 2, 'two in flight, nothing more read');
    await gate.release(1);
    await gate.waitHeld(2);
    t.is(pulled, 3, 'one finished, one more read');
    t.like(progress[0], { index: 0, done: 1, ok: 1, failed: 0, total: undefined });
    gate.hold = false;
    await gate.release();
    for (let i = 0; i < 100 && progress.length < 5; i++) await new Promise((r) => setTimeout(r, 2));
    t.is(progress.length, 5, 'the first five are done while the source is still open');
    release();
    const summary = await batch;
    t.deepEqual(summary, { total: 6, ok: 5, failed: 1 });
    t.like(progress[5], { index: 5, failed: 1 }, 'reported as it was read, before the source ended');
    t.true(progress[5]?.result.ok === false && progress[5].result.error instanceof osvif.NoMatchingPlugin);
  },
);

test.serial('plugEach: an error of the source rejects once the VIFs in flight have finished', async (t) => {
  gate.hold = true;
  async function* source(): AsyncGenerator<osvif.VifPair> {
    yield { vif: vifOf(0), instanceInfo };
    throw new Error('stdin closed badly');
  }
  let settled = false;
  const batch = osvif.plugEach(source(), { concurrency: 4 }).finally(() => {
    settled = true;
  });
  await gate.waitHeld(1);
  await new Promise((r) => setTimeout(r, 20));
  t.false(settled, 'waits for the VIF in flight');
  await gate.release();
  await t.throwsAsync(batch, { message: 'stdin closed badly' });
});

test.serial('plugEach: an abort ends the batch even while the source has nothing to give', async (t) => {
  const controller = new AbortController();
  async function* stalled(): AsyncGenerator<osvif.VifPair> {
    yield { vif: vifOf(0), instanceInfo };
    await new Promise(() => {}); // a stream that never sends another line
  }
  const progress: osvif.BatchProgress[] = [];
  const batch = osvif.plugEach(stalled(), { signal: controller.signal, onProgress: (p) => progress.push(p) });
  for (let i = 0; i < 100 && progress.length < 1; i++) await new Promise((r) => setTimeout(r, 2));
  controller.abort(new Error('agent stopping'));
  t.deepEqual(await batch, { total: 1, ok: 1, failed: 0 });
});
