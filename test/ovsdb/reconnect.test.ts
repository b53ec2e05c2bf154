/**
 * The reconnect state machine (src/ovsdb/reconnect.ts) with a hand-driven clock, no server:
 * the scenarios OVS's own reconnect tests walk through (enable, connect, probe, idle
 * disconnect, back-off growth and reset, attempt timeout, forced reconnection, max tries,
 * passive mode, statistics) and the additions (free tries for a list of remotes), plus
 * invariants over random event sequences; and the client using it, against a socket that
 * accepts and hangs up at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { OvsdbClient } from '../../src/ovsdb/client.js';
import { Reconnect, type ReconnectAction, type ReconnectOptions } from '../../src/ovsdb/reconnect.js';

/** A machine on a clock that only moves when told. */
function machine(options: ReconnectOptions = {}) {
  const clock = { now: 1000 };
  const fsm = new Reconnect({ clock: () => clock.now, ...options });
  const advance = (ms: number) => {
    clock.now += ms;
  };
  return { fsm, clock, advance };
}

test('a new machine is VOID and asks for nothing until enabled', (t) => {
  const { fsm, advance } = machine();
  t.is(fsm.state, 'VOID');
  t.false(fsm.isEnabled);
  t.is(fsm.run(), undefined);
  t.is(fsm.timeout(), undefined);
  advance(60_000);
  t.is(fsm.run(), undefined);
  fsm.enable();
  t.is(fsm.state, 'BACKOFF');
  t.is(fsm.timeout(), 0, 'the first attempt is due at once');
  t.is(fsm.run(), 'connect');
});

test('connect, probe after probe_interval of silence, disconnect after another, then back off the minimum', (t) => {
  const { fsm, advance } = machine();
  fsm.enable();
  t.is(fsm.run(), 'connect');
  fsm.connecting();
  advance(100);
  fsm.connected();
  t.is(fsm.state, 'ACTIVE');
  t.true(fsm.isConnected);
  t.is(fsm.timeout(), 5000);
  advance(4999);
  t.is(fsm.run(), undefined);
  advance(1);
  t.is(fsm.run(), 'probe');
  t.is(fsm.state, 'IDLE');
  t.is(fsm.timeout(), 5000);
  advance(5000);
  t.is(fsm.run(), 'disconnect');
  fsm.disconnected();
  t.is(fsm.state, 'BACKOFF');
  t.is(fsm.backoffMs, 1000);
  t.is(fsm.timeout(), 1000);
  advance(1000);
  t.is(fsm.run(), 'connect');
});

test('data received restarts the probe timer, and brings IDLE back to ACTIVE', (t) => {
  const { fsm, advance } = machine({ probeIntervalMs: 2000 });
  fsm.enable();
  fsm.connected();
  advance(1500);
  fsm.received();
  t.is(fsm.timeout(), 2000);
  advance(2000);
  t.is(fsm.run(), 'probe');
  advance(500);
  fsm.received();
  t.is(fsm.state, 'ACTIVE');
  t.is(fsm.run(), undefined);
  t.is(fsm.timeout(), 2000);
});

test('probe interval 0: no probes ever', (t) => {
  const { fsm, advance } = machine({ probeIntervalMs: 0 });
  fsm.enable();
  fsm.connected();
  t.is(fsm.timeout(), undefined);
  advance(1_000_000);
  t.is(fsm.run(), undefined);
});

test('failed attempts back off exponentially: min, doubled, capped at max', (t) => {
  const { fsm, advance } = machine({ minBackoffMs: 1000, maxBackoffMs: 8000 });
  fsm.enable();
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    t.is(fsm.run(), 'connect');
    fsm.connecting();
    fsm.connectFailed();
    seen.push(fsm.backoffMs);
    t.is(fsm.timeout(), fsm.backoffMs);
    advance(fsm.backoffMs - 1);
    t.is(fsm.run(), undefined, 'not before the back-off ends');
    advance(1);
  }
  t.deepEqual(seen, [1000, 2000, 4000, 8000, 8000, 8000]);
});

test('the cap applies as soon as doubling would reach it (max not a power-of-two multiple of min)', (t) => {
  const { fsm } = machine({ minBackoffMs: 100, maxBackoffMs: 500 });
  fsm.enable();
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    fsm.connectFailed();
    seen.push(fsm.backoffMs);
    fsm.connecting();
  }
  t.deepEqual(seen, [100, 200, 400, 500, 500]);
});

test('an attempt that takes too long is abandoned after max(connect timeout, back-off)', (t) => {
  const { fsm, advance } = machine({ minBackoffMs: 1000, maxBackoffMs: 8000 });
  fsm.enable();
  fsm.connecting();
  t.is(fsm.timeout(), 1000, 'back-off 0: the connect timeout');
  advance(1000);
  t.is(fsm.run(), 'disconnect');
  fsm.connectFailed();
  for (let i = 0; i < 3; i++) {
    advance(fsm.backoffMs);
    t.is(fsm.run(), 'connect');
    fsm.connecting();
    fsm.connectFailed();
  }
  t.is(fsm.backoffMs, 8000);
  advance(8000);
  fsm.connecting();
  t.is(fsm.timeout(), 8000, 'a long back-off gives the attempt as long');
  advance(7999);
  t.is(fsm.run(), undefined);
  advance(1);
  t.is(fsm.run(), 'disconnect');
});

test('a connection that lived and received data resets the back-off to the minimum', (t) => {
  const { fsm, advance } = machine({ minBackoffMs: 1000, maxBackoffMs: 8000 });
  fsm.enable();
  for (let i = 0; i < 3; i++) fsm.connectFailed();
  t.is(fsm.backoffMs, 4000);
  advance(4000);
  fsm.connected();
  advance(4000);
  fsm.received();
  advance(100);
  fsm.disconnected();
  t.is(fsm.backoffMs, 1000);
});

test('a server that accepts and at once drops the connection is not hammered: the back-off keeps growing', (t) => {
  const { fsm, advance } = machine({ minBackoffMs: 1000, maxBackoffMs: 8000 });
  fsm.enable();
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    advance(fsm.backoffMs);
    t.is(fsm.run(), 'connect');
    fsm.connecting();
    fsm.connected();
    advance(10);
    fsm.received(); // a greeting, then the drop: alive for less than the back-off
    fsm.disconnected();
    seen.push(fsm.backoffMs);
  }
  t.deepEqual(seen, [1000, 2000, 4000, 8000, 8000]);
});

test('forceReconnect: disconnect at once, then the usual back-off', (t) => {
  const { fsm, advance } = machine();
  fsm.enable();
  fsm.connected();
  advance(10_000);
  fsm.received();
  fsm.forceReconnect();
  t.is(fsm.state, 'RECONNECT');
  t.false(fsm.isConnected);
  t.is(fsm.timeout(), 0);
  t.is(fsm.run(), 'disconnect');
  fsm.disconnected();
  t.is(fsm.state, 'BACKOFF');
  t.is(fsm.backoffMs, 1000);
});

test('forceReconnect does nothing while backing off or disabled', (t) => {
  const { fsm } = machine();
  fsm.forceReconnect();
  t.is(fsm.state, 'VOID');
  fsm.enable();
  fsm.forceReconnect();
  t.is(fsm.state, 'BACKOFF');
});

test('max tries: the machine disables itself when they are used up', (t) => {
  const { fsm, advance } = machine({ maxTries: 2, minBackoffMs: 100 });
  fsm.enable(); // uses one
  t.is(fsm.maxTries, 1);
  fsm.connectFailed(); // uses the other
  t.is(fsm.state, 'BACKOFF');
  advance(100);
  t.is(fsm.run(), 'connect');
  fsm.connectFailed();
  t.is(fsm.state, 'VOID');
  t.false(fsm.isEnabled);
  advance(100_000);
  t.is(fsm.run(), undefined);
  fsm.enable();
  t.is(fsm.state, 'VOID', 'no try left: enable does nothing');
  fsm.setMaxTries(undefined);
  fsm.enable();
  t.is(fsm.state, 'BACKOFF');
});

test('free tries: a list of remotes is tried once through without waiting, then the back-off starts', (t) => {
  const { fsm, advance } = machine({ backoffFreeTries: 3, minBackoffMs: 50, maxBackoffMs: 400 });
  fsm.enable();
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    t.is(fsm.run(), 'connect');
    fsm.connecting();
    fsm.connectFailed();
    seen.push(fsm.backoffMs);
    advance(fsm.backoffMs);
  }
  t.deepEqual(seen, [0, 0, 50, 100, 200]);
  // connected again: the free tries are back for the next outage
  fsm.connected();
  advance(1000);
  fsm.received();
  const again: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) fsm.connecting();
    fsm.disconnected();
    again.push(fsm.backoffMs);
  }
  t.deepEqual(again, [0, 0, 50]);
});

test('disable from any state; disconnected while backing off or disabled changes nothing', (t) => {
  const { fsm } = machine();
  fsm.enable();
  fsm.connected();
  fsm.disable();
  t.is(fsm.state, 'VOID');
  t.false(fsm.isConnected);
  fsm.disconnected();
  t.is(fsm.state, 'VOID');
  fsm.enable();
  const before = fsm.stats();
  fsm.disconnected();
  t.deepEqual(fsm.stats(), before);
});

test('passive: listen, accept, and a listen error backs off; a dropped connection listens again at once', (t) => {
  const { fsm, advance } = machine({ passive: true, minBackoffMs: 1000 });
  t.true(fsm.passive);
  fsm.enable();
  t.is(fsm.run(), 'connect');
  fsm.listening();
  t.is(fsm.state, 'LISTENING');
  t.is(fsm.timeout(), undefined, 'listening lasts until something happens');
  fsm.listenError();
  t.is(fsm.state, 'BACKOFF');
  t.is(fsm.backoffMs, 1000);
  advance(1000);
  t.is(fsm.run(), 'connect');
  fsm.listening();
  fsm.connected();
  t.is(fsm.state, 'ACTIVE');
  fsm.disconnected();
  t.is(fsm.backoffMs, 0);
  t.is(fsm.run(), 'connect');
});

test('switching to passive drops an attempt in progress and starts over without back-off', (t) => {
  const { fsm } = machine();
  fsm.enable();
  fsm.connecting();
  fsm.setPassive(true);
  t.is(fsm.state, 'BACKOFF');
  t.is(fsm.backoffMs, 0);
  fsm.listening();
  fsm.setPassive(false);
  t.is(fsm.state, 'BACKOFF');
  t.is(fsm.run(), 'connect');
});

test('setBackoff lowers a current back-off above the new maximum', (t) => {
  const { fsm } = machine({ minBackoffMs: 1000, maxBackoffMs: 8000 });
  fsm.enable();
  for (let i = 0; i < 4; i++) fsm.connectFailed();
  t.is(fsm.backoffMs, 8000);
  fsm.setBackoff(100, 2000);
  t.is(fsm.backoffMs, 2000);
  t.is(fsm.timeout(), 2000);
});

test('statistics: attempts, successes, seqno and connected time', (t) => {
  const { fsm, advance } = machine({ minBackoffMs: 100 });
  fsm.enable();
  fsm.connecting();
  fsm.connectFailed();
  advance(100);
  fsm.connecting();
  advance(50);
  fsm.connected();
  advance(3000);
  fsm.received();
  let s = fsm.stats();
  t.like(s, {
    state: 'ACTIVE',
    attemptedConnections: 2,
    successfulConnections: 1,
    seqno: 1,
    totalConnectedMs: 3000,
    lastConnected: 1150,
    isConnected: true,
  });
  advance(1000);
  fsm.disconnected();
  advance(500);
  s = fsm.stats();
  t.like(s, {
    state: 'BACKOFF',
    seqno: 2,
    totalConnectedMs: 4000,
    lastDisconnected: 5150,
    stateElapsedMs: 500,
  });
});

test('invariants over random event sequences', (t) => {
  const events = fc.constantFrom(
    'enable',
    'disable',
    'forceReconnect',
    'connecting',
    'connected',
    'connectFailed',
    'disconnected',
    'received',
    'listening',
    'listenError',
    'run',
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(events, fc.nat(20_000)), { maxLength: 80 }),
      fc.integer({ min: 1, max: 2000 }),
      fc.integer({ min: 1, max: 20_000 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      (seq, minBackoffMs, span, freeTries) => {
        const maxBackoffMs = minBackoffMs + span;
        const { fsm, advance } = machine({
          minBackoffMs,
          maxBackoffMs,
          probeIntervalMs: 3000,
          ...(freeTries !== undefined ? { backoffFreeTries: freeTries } : {}),
        });
        let lastSeq = 0;
        for (const [event, dt] of seq) {
          advance(dt);
          const wasConnected = fsm.isConnected;
          const state = fsm.state;
          let action: ReconnectAction;
          if (event === 'run') action = fsm.run();
          else fsm[event]();
          if (action === 'connect' && state !== 'BACKOFF') return false;
          if (action === 'probe' && state !== 'ACTIVE') return false;
          const b = fsm.backoffMs;
          if (b < 0 || b > maxBackoffMs) return false;
          const to = fsm.timeout();
          if (to !== undefined && to < 0) return false;
          const s = fsm.stats();
          if (s.seqno !== lastSeq + (wasConnected !== fsm.isConnected ? 1 : 0)) return false;
          lastSeq = s.seqno;
          if (s.successfulConnections > s.attemptedConnections) return false;
          if (s.totalConnectedMs < 0) return false;
        }
        return true;
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('the client against a server that accepts and at once hangs up: its waits grow to the maximum', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ovt'));
  const sock = path.join(dir, 'flap.sock');
  let accepted = 0;
  // no OVSDB at all: the client's plain connect needs none; the server hangs up after 5 ms
  const server = net.createServer((c) => {
    accepted++;
    setTimeout(() => c.destroy(), 5);
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const client = await OvsdbClient.connect(`unix:${sock}`, { backoffMinMs: 10, backoffMaxMs: 160 });
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const stats = client.reconnectStats;
    t.log(
      `${accepted} connections in 1.5 s; back-off ${stats.backoffMs} ms; ${stats.successfulConnections} sessions`,
    );
    t.is(stats.backoffMs, 160, 'the back-off reached the maximum');
    // a back-off reset at every connection would reconnect every 10-15 ms: about 100 times
    t.true(accepted < 30, `${accepted} connections`);
    t.true(accepted >= 5, 'it kept trying');
  } finally {
    await client.close();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
