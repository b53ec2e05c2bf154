/**
 * ovsdb-server killed (SIGKILL) and restarted under a stream of transactions: every caller gets
 * an answer, the idempotent verbs all land exactly once (retried after the resync), raw
 * transactions are never re-sent (each applied at most once, and exactly once when it
 * succeeded), and the replica converges to the server's state with each change seen once.
 */
import test from 'ava';
import { OvsdbClient, OvsdbConnectionError, type RowChange, VSwitch } from '../../src/ovsdb/index.js';
import { rootSerial, sleep, useSandbox, vsctl, vsctlRows } from './_helpers.js';

const sandbox = useSandbox(test);
const it = rootSerial(test);

it('server killed and restarted under a stream of transactions', async (t) => {
  const sb = sandbox();
  const client = await OvsdbClient.connect(sb.dbRemote, {
    backoffMinMs: 20,
    backoffMaxMs: 200,
    timeoutMs: 20_000,
  });
  try {
    const vs = await VSwitch.open(client);
    await vs.ensureBridge('br-f', { datapathType: 'netdev' });
    const inserted = new Map<string, number>();
    vs.replica.on('change', (c: RowChange) => {
      if (c.table !== 'Port') return;
      const name = String((c.new ?? c.old)!.name);
      if (c.kind === 'insert') inserted.set(name, (inserted.get(name) ?? 0) + 1);
      if (c.kind === 'delete') inserted.set(name, (inserted.get(name) ?? 0) - 1);
    });
    const disconnects: unknown[] = [];
    client.on('disconnected', (e) => disconnects.push(e));

    const N = 40;
    const verbs: Promise<void>[] = [];
    const raw: Array<Promise<'ok' | 'conn'>> = [];
    const worker = async (w: number) => {
      for (let i = w; i < N; i += 4) {
        verbs.push(vs.addPort('br-f', `f${i}`, { externalIds: { 'iface-id': `id${i}` } }));
        raw.push(
          client
            .transact('Open_vSwitch', [
              { op: 'insert', table: 'QoS', row: { type: 'seq', external_ids: { seq: String(i) } } },
            ])
            .then(
              () => 'ok' as const,
              (e) => {
                if (e instanceof OvsdbConnectionError) return 'conn' as const;
                throw e;
              },
            ),
        );
        await sleep(15);
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await sleep(60);
    await sb.stopServer(true);
    await sleep(150);
    await sb.startServer();
    await Promise.all(workers);
    const verbResults = await Promise.allSettled(verbs);
    const rawResults = await Promise.all(raw);

    t.true(disconnects.length >= 1, 'the kill was noticed');
    t.deepEqual(
      verbResults.filter((r) => r.status === 'rejected'),
      [],
      'every verb succeeded',
    );
    t.is(rawResults.length, N, 'every raw caller got an answer');

    // server state through the witness
    const ports = vsctl(sb.dbRemote, 'list-ports', 'br-f').split('\n').sort();
    t.deepEqual(ports, Array.from({ length: N }, (_, i) => `f${i}`).sort());
    const seqs = vsctlRows(sb.dbRemote, '--columns=external_ids', 'find', 'QoS', 'type=seq').map((r) =>
      JSON.stringify(r.external_ids),
    );
    t.is(new Set(seqs).size, seqs.length, 'no raw transaction applied twice');
    const applied = seqs.length;
    const ok = rawResults.filter((r) => r === 'ok').length;
    t.true(applied >= ok && applied <= N, `${ok} acknowledged, ${applied} applied`);

    // the replica converged, and each port was inserted exactly once in the event stream
    await vs.replica.synced();
    await client.echo();
    t.deepEqual(
      vs.listPorts('br-f').filter((p) => p !== 'br-f'),
      ports,
    );
    for (let i = 0; i < N; i++) t.is(inserted.get(`f${i}`), 1, `f${i} seen once`);
    t.is(vs.findInterfacesByIfaceId('id7')[0]?.name, 'f7');
  } finally {
    await client.close();
  }
});
