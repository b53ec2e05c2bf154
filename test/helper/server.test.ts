/**
 * The helper's server over a real unix socket, with a recording handler in place of the
 * plugins (so it runs without root): answers, typed errors, the allow list, and hostile peers
 * (garbage, oversized, slow, too many) that close only their own connection.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { HelperClient } from '../../src/helper/client.js';
import {
  HelperAccessDenied,
  HelperBusy,
  HelperError,
  HelperTimeout,
  HelperUnavailable,
} from '../../src/helper/errors.js';
import { type HelperHandler, HelperServer, type HelperServerOptions } from '../../src/helper/server.js';
import { LinkNotFound } from '../../src/netlink/errors.js';
import { objects, PlugException } from '../../src/vif/index.js';
import { gatedTest } from '../plugins/e2e-host.js';

const root = new URL('../../../examples/', import.meta.url);
const vif = objects.fromPrimitive(
  JSON.parse(readFileSync(new URL('vif-ovs.json', root), 'utf8')),
  objects.VIFBase,
);
const instance = objects.fromPrimitive(
  JSON.parse(readFileSync(new URL('instance.json', root), 'utf8')),
  objects.InstanceInfo,
);
const uid = process.getuid?.() ?? 0;
const execFileAsync = promisify(execFile);

interface Recorded {
  calls: string[];
  /** Resolves the next call's result; by default calls succeed at once. */
  gate?: Promise<void>;
}

function recordingHandler(rec: Recorded): HelperHandler {
  return {
    async plug(v) {
      rec.calls.push(`plug ${v.id}`);
      await rec.gate;
      if (v.plugin === 'fails') {
        const cause = new LinkNotFound({
          code: 'ENODEV',
          errno: 19,
          operation: 'links.get',
          interface: 'tapx',
        });
        throw new PlugException({ vif: String(v), err: cause.message }, { cause });
      }
    },
    async unplug(v) {
      rec.calls.push(`unplug ${v.id}`);
    },
    hostInfo(permitted) {
      rec.calls.push(`host-info ${permitted ?? '-'}`);
      return new objects.HostInfo({ plugin_info: [] }).toPrimitive();
    },
  };
}

async function start(
  t: ExecutionContext,
  options: Partial<HelperServerOptions> = {},
): Promise<{ server: HelperServer; socket: string; rec: Recorded; events: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), `ovth${process.pid}-`));
  const socket = path.join(dir, 'helper.sock');
  const rec: Recorded = { calls: [] };
  const events: string[] = [];
  const server = await HelperServer.listen({
    socket,
    allowUids: [uid],
    handler: recordingHandler(rec),
    log: (e) => events.push(`${e.event}${e.error ? ` ${e.error}` : ''}`),
    ...options,
  });
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, socket, rec, events };
}

/** Writes `data` on a raw connection and collects what comes back until the helper closes it. */
function raw(
  socket: string,
  data: Buffer | string,
  options: { waitMs?: number } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    let text = '';
    const timer = setTimeout(() => {
      c.destroy();
      resolve({ text, closed: false });
    }, options.waitMs ?? 5000);
    c.on('connect', () => c.write(data));
    c.on('data', (d) => {
      text += d.toString();
    });
    c.on('error', () => undefined);
    c.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

function errorType(text: string): string | undefined {
  const first = text.split('\n')[0] ?? '';
  try {
    return (JSON.parse(first) as { error?: { type?: string } }).error?.type;
  } catch {
    return undefined;
  }
}

test('plug, unplug and host-info go through, answered in order on one connection', async (t) => {
  const { socket, rec } = await start(t);
  const client = new HelperClient({ socket, timeoutMs: 5000 });
  await client.plug(vif, instance);
  await client.unplug(vif, instance);
  const info = await client.hostInfo(['VIFOpenVSwitch']);
  t.true(info instanceof objects.HostInfo);
  t.deepEqual(rec.calls, [`plug ${vif.id}`, `unplug ${vif.id}`, 'host-info VIFOpenVSwitch']);
  // two requests pipelined on one connection get two answers, in order
  const line = (id: number) => `${JSON.stringify({ v: 1, id, op: 'host-info' })}\n`;
  const c = net.connect(socket);
  const answers = await new Promise<string[]>((resolve) => {
    let text = '';
    c.on('data', (d) => {
      text += d;
      if (text.split('\n').length > 2) resolve(text.trim().split('\n'));
    });
    c.write(line(1) + line(2));
  });
  c.destroy();
  t.deepEqual(
    answers.map((a) => (JSON.parse(a) as { id: number; ok: boolean }).id),
    [1, 2],
  );
});

test('the handler’s typed error comes back as the same classes, cause included', async (t) => {
  const { socket } = await start(t);
  const client = new HelperClient({ socket, timeoutMs: 5000 });
  const failing = objects.fromPrimitive(
    {
      ...vif.toPrimitive(),
      'versioned_object.data': { ...(vif.toPrimitive()['versioned_object.data'] as object), plugin: 'fails' },
    },
    objects.VIFBase,
  );
  const error = await t.throwsAsync(client.plug(failing, instance));
  t.true(error instanceof PlugException);
  t.true(error?.cause instanceof LinkNotFound);
  t.is((error?.cause as LinkNotFound | undefined)?.interface, 'tapx');
});

test('a uid not on the list is refused with HelperAccessDenied although the socket is mode 0666', async (t) => {
  const { socket, rec, events } = await start(t, { allowUids: [uid + 1], allowGids: [4242] });
  t.is(statSync(socket).mode & 0o777, 0o666);
  const error = await t.throwsAsync(new HelperClient({ socket, timeoutMs: 5000 }).hostInfo());
  t.true(error instanceof HelperAccessDenied, String(error));
  t.regex(error?.message ?? '', new RegExp(`uid ${uid} `));
  t.deepEqual(rec.calls, []);
  t.true(events.includes('denied'));
});

const rootOnly = gatedTest('supplementary group tests', uid === 0 ? undefined : 'needs root (setpriv)');

rootOnly('a member of an allowed supplementary group is served; a non-member is refused', async (t) => {
  const { socket } = await start(t, { allowUids: [], allowGids: [5555] });
  chmodSync(path.dirname(socket), 0o755);
  // asynchronously: the server runs in this process and must keep accepting
  const ask = async (groups: string) => {
    const script = `const c = require('node:net').connect(${JSON.stringify(socket)});
      let text = ''; c.on('connect', () => c.write('{"v":1,"id":1,"op":"host-info"}\\n'));
      c.on('data', (d) => { text += d; if (text.includes('\\n')) c.destroy(); });
      c.on('close', () => console.log(text.split('\\n')[0]));`;
    const r = await execFileAsync(
      'setpriv',
      ['--reuid', '4242', '--regid', '4242', '--groups', groups, process.execPath, '-e', script],
      { encoding: 'utf8', timeout: 30_000 },
    );
    return JSON.parse(r.stdout || '{}') as { ok?: boolean; error?: { type: string } };
  };
  t.true((await ask('7777,5555')).ok);
  t.is((await ask('7777')).error?.type, 'HelperAccessDenied');
});

test('an allowed gid is served', async (t) => {
  const gid = process.getgid?.() ?? 0;
  const { socket } = await start(t, { allowUids: [uid + 1], allowGids: [gid] });
  t.true((await new HelperClient({ socket, timeoutMs: 5000 }).hostInfo()) instanceof objects.HostInfo);
});

test('garbage closes only its own connection: a call in flight on another one completes', async (t) => {
  const { socket, rec, server } = await start(t);
  let open: () => void = () => undefined;
  rec.gate = new Promise((r) => {
    open = r;
  });
  const inFlight = new HelperClient({ socket, timeoutMs: 5000 }).plug(vif, instance);
  await until(() => rec.calls.length > 0);
  const garbage = await raw(socket, 'GET / HTTP/1.1\r\n\r\n');
  t.true(garbage.closed);
  t.is(errorType(garbage.text), 'HelperProtocolError');
  const binary = await raw(socket, Buffer.from([0xff, 0x00, 0xfe, 0x0a]));
  t.true(binary.closed);
  t.is(errorType(binary.text), 'HelperProtocolError');
  open();
  await t.notThrowsAsync(inFlight);
  await until(() => server.connectionCount === 0);
  t.is(server.connectionCount, 0);
});

test('an oversized request is cut off at the limit and closed', async (t) => {
  const { socket, rec } = await start(t);
  const big = await raw(socket, Buffer.alloc(1024 * 1024, 0x61));
  t.true(big.closed);
  t.is(errorType(big.text), 'HelperProtocolError');
  t.regex(big.text, /longer than 262143 bytes/);
  t.deepEqual(rec.calls, []);
});

test('a slow request (no full line in time) is closed; the helper still serves', async (t) => {
  const { socket } = await start(t, { requestTimeoutMs: 300 });
  const started = Date.now();
  const slow = await raw(socket, '{"v":1,"id":1,"op":');
  t.true(slow.closed);
  t.true(Date.now() - started >= 250);
  t.is(errorType(slow.text), 'HelperProtocolError');
  t.regex(slow.text, /no complete request within 300 ms/);
  const idle = await raw(socket, '');
  t.true(idle.closed);
  t.true((await new HelperClient({ socket, timeoutMs: 5000 }).hostInfo()) instanceof objects.HostInfo);
});

test('more connections than allowed get HelperBusy', async (t) => {
  const { socket, server } = await start(t, { maxConnections: 2, requestTimeoutMs: 5000 });
  const held = [net.connect(socket), net.connect(socket)];
  await until(() => server.connectionCount === 2);
  const error = await t.throwsAsync(new HelperClient({ socket, timeoutMs: 5000 }).hostInfo());
  t.true(error instanceof HelperBusy, String(error));
  for (const c of held) c.destroy();
  await until(() => server.connectionCount === 0);
  t.true((await new HelperClient({ socket, timeoutMs: 5000 }).hostInfo()) instanceof objects.HostInfo);
});

/** Waits (bounded, 10 s) for `condition`. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('an operation past its time limit is answered HelperTimeout', async (t) => {
  const { socket, rec } = await start(t, { operationTimeoutMs: 200 });
  rec.gate = new Promise(() => undefined);
  const error = await t.throwsAsync(new HelperClient({ socket, timeoutMs: 5000 }).plug(vif, instance));
  t.true(error instanceof HelperTimeout, String(error));
});

test('the client: no helper is HelperUnavailable; its own limit is HelperTimeout', async (t) => {
  const error = await t.throwsAsync(new HelperClient({ socket: '/nonexistent/helper.sock' }).hostInfo());
  t.true(error instanceof HelperUnavailable);
  t.regex(error?.message ?? '', /ENOENT/);
  const { socket, rec } = await start(t);
  rec.gate = new Promise(() => undefined);
  const late = await t.throwsAsync(new HelperClient({ socket, timeoutMs: 200 }).plug(vif, instance));
  t.true(late instanceof HelperTimeout);
});

test('a stale socket file is replaced; a live one or a regular file is not', async (t) => {
  const { socket } = await start(t);
  await t.throwsAsync(HelperServer.listen({ socket, allowUids: [uid] }), {
    instanceOf: HelperError,
    message: /another process/,
  });
  const file = path.join(path.dirname(socket), 'plain');
  writeFileSync(file, '');
  await t.throwsAsync(HelperServer.listen({ socket: file, allowUids: [uid] }), { message: /not a socket/ });
  const stale = path.join(path.dirname(socket), 'stale.sock');
  const s = net.createServer().listen(stale);
  await new Promise((r) => s.on('listening', r));
  // close the listener but leave its file behind, as a killed helper does
  (s as unknown as { _handle: { close(): void } })._handle.close();
  const again = await HelperServer.listen({
    socket: stale,
    allowUids: [uid],
    handler: recordingHandler({ calls: [] }),
  });
  t.true((await new HelperClient({ socket: stale, timeoutMs: 5000 }).hostInfo()) instanceof objects.HostInfo);
  await again.close();
});

test('fuzz: hostile byte streams on many connections get typed answers or a close, and the helper keeps serving', async (t) => {
  const { socket, server } = await start(t, { requestTimeoutMs: 500 });
  const samples = fc.sample(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(`${JSON.stringify(v)}\n`)),
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(`{"v":1,"id":1,"op":"plug","vif":${s}}\n`)),
    ),
    { numRuns: 120, seed: 42 },
  );
  const before = process.memoryUsage().rss;
  const outcomes = await Promise.all(samples.map((s) => raw(socket, s, { waitMs: 5000 })));
  for (const o of outcomes) {
    const type = errorType(o.text);
    // every answer is a typed error (or, for a well-formed host-info or a refused primitive, an answer)
    if (o.text.length > 0)
      t.true(type === undefined ? /"ok":true/.test(o.text) : /^[A-Z]\w+$/.test(type), o.text);
    t.true(o.closed, 'the helper closed every hostile connection by itself');
  }
  t.true((await new HelperClient({ socket, timeoutMs: 5000 }).hostInfo()) instanceof objects.HostInfo);
  await until(() => server.connectionCount === 0);
  t.is(server.connectionCount, 0);
  t.log(
    `rss ${((process.memoryUsage().rss - before) / 1e6).toFixed(1)} MB more after ${samples.length} hostile connections`,
  );
});

const soak = process.env.OS_VIF_SOAK === '1' ? test : test.skip;

soak('soak (OS_VIF_SOAK=1): 5,000 hostile connections and 2,000 calls leave the heap flat', async (t) => {
  t.timeout(600_000);
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const { socket, server } = await start(t, { requestTimeoutMs: 300 });
  const hostile = fc.sample(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 8192 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 5 }).map((v) => Buffer.from(`${JSON.stringify(v)}\n`)),
      fc.constant(Buffer.alloc(300 * 1024, 0x5b)),
      fc.constant(Buffer.from('{"v":1,"id":1,"op":"plug"')),
    ),
    { numRuns: 5000, seed: 7 },
  );
  const client = new HelperClient({ socket, timeoutMs: 10_000 });
  const round = async (from: number, to: number) => {
    for (let i = from; i < to; i += 50) {
      await Promise.all(hostile.slice(i, i + 50).map((h) => raw(socket, h, { waitMs: 5000 })));
      for (let k = 0; k < 20; k++) await client.plug(vif, instance);
    }
  };
  await round(0, 1000); // warm up
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = Date.now();
  await round(1000, 5000);
  await new Promise((r) => setTimeout(r, 500));
  gc();
  const after = process.memoryUsage().heapUsed;
  t.is(server.connectionCount, 0);
  const growth = (after - before) / 1e6;
  t.log(
    `heap ${(before / 1e6).toFixed(1)} MB -> ${(after / 1e6).toFixed(1)} MB over 4,000 hostile connections and 1,600 plugs in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  t.true(growth < 10, `heap grew ${growth.toFixed(1)} MB`);
});

test('a peer that sends its request and shuts down its side still gets the answer', async (t) => {
  const { socket, rec } = await start(t);
  const request = `${JSON.stringify({ v: 1, id: 4, op: 'plug', vif: vif.toPrimitive(), instance: instance.toPrimitive() })}\n`;
  const text = await new Promise<string>((resolve) => {
    const c = net.connect(socket);
    let got = '';
    c.on('connect', () => c.end(request));
    c.on('data', (d) => {
      got += d;
    });
    c.on('close', () => resolve(got));
  });
  t.deepEqual(JSON.parse(text), { v: 1, id: 4, ok: true, result: null });
  t.deepEqual(rec.calls, [`plug ${vif.id}`]);
});
