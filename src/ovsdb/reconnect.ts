/**
 * Connection management as a pure state machine, after Open vSwitch's `reconnect` module
 * (`lib/reconnect.c`, `python/ovs/reconnect.py`): it decides when to connect, when to give up
 * on an attempt, when to probe an idle connection and when to drop it, with exponential
 * back-off; it does no I/O and keeps no timer. Time comes from an injected clock, so every
 * decision is reproducible in a unit test. The caller reports events (`connecting`,
 * `connected`, `received`, `disconnected`, ...) and asks {@link Reconnect.run} what to do now
 * and {@link Reconnect.timeout} how long it may sleep before asking again.
 *
 * Differences from OVS, on purpose: back-off and probe intervals are taken as given (OVS
 * raises both to at least 1000 ms; this library's clients reconnect to local sockets, and the
 * tests use 20 ms); the connection-attempt deadline is `max(connectTimeoutMs, backoff)` with
 * `connectTimeoutMs` configurable (OVS: 1000); `backoffFreeTries` (OVS's C library has it, its
 * Python one does not) is restored on every successful connection, so each outage first tries
 * every remote of a list once without waiting.
 */

/** The states, named as OVS logs them. */
export type ReconnectState =
  | 'VOID'
  | 'LISTENING'
  | 'BACKOFF'
  | 'CONNECTING'
  | 'ACTIVE'
  | 'IDLE'
  | 'RECONNECT';

/**
 * What {@link Reconnect.run} asks of the caller: start a connection attempt (`connect`), drop
 * the connection or attempt and report it with `disconnected`/`connectFailed` (`disconnect`),
 * send something that elicits a reply (`probe`), or nothing.
 */
export type ReconnectAction = 'connect' | 'disconnect' | 'probe' | undefined;

/** Options of {@link Reconnect}. */
export interface ReconnectOptions {
  /** Milliseconds now; default `Date.now`. */
  clock?: () => number;
  /** First back-off after a failure (default 1000 ms, as OVS). */
  minBackoffMs?: number;
  /** Largest back-off (default 8000 ms, as OVS); raised to `minBackoffMs` when below it. */
  maxBackoffMs?: number;
  /** Silence after which a probe is due, and after which an unanswered probe drops the connection (default 5000 ms; 0 = off). */
  probeIntervalMs?: number;
  /** Shortest time an attempt may take before it is abandoned (default 1000 ms, as OVS). */
  connectTimeoutMs?: number;
  /** Attempts allowed before the machine disables itself (default: unlimited). */
  maxTries?: number;
  /** Failed attempts in a row made without back-off (the number of remotes; default 1). */
  backoffFreeTries?: number;
  /** Listen for connections instead of making them. */
  passive?: boolean;
}

/** Counters and times, as OVS's `reconnect_get_stats`. */
export interface ReconnectStats {
  state: ReconnectState;
  /** Milliseconds spent in the current state. */
  stateElapsedMs: number;
  backoffMs: number;
  isConnected: boolean;
  /** Times the machine entered or left a connected state. */
  seqno: number;
  attemptedConnections: number;
  successfulConnections: number;
  /** Total milliseconds connected, the current connection included. */
  totalConnectedMs: number;
  lastConnected?: number;
  lastDisconnected?: number;
  lastReceived: number;
}

const CONNECTED: ReadonlySet<ReconnectState> = new Set(['ACTIVE', 'IDLE']);

/** A connection's state machine; see the module comment. */
export class Reconnect {
  private readonly clock: () => number;
  private minBackoff: number;
  private maxBackoff: number;
  private probeInterval: number;
  private readonly connectTimeout: number;
  private triesLeft: number | undefined;
  private readonly freeTries: number;
  private freeTriesLeft: number;
  private passiveMode: boolean;

  private current: ReconnectState = 'VOID';
  private entered: number;
  private backoff = 0;
  private lastReceived: number;
  private lastConnected: number | undefined;
  private lastDisconnected: number | undefined;
  private attempted = 0;
  private successful = 0;
  private connectedTotal = 0;
  private seq = 0;

  constructor(options: ReconnectOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const now = this.clock();
    this.entered = now;
    this.lastReceived = now;
    this.minBackoff = options.minBackoffMs ?? 1000;
    this.maxBackoff = Math.max(options.maxBackoffMs ?? 8000, this.minBackoff);
    this.probeInterval = options.probeIntervalMs ?? 5000;
    this.connectTimeout = options.connectTimeoutMs ?? 1000;
    this.triesLeft = options.maxTries;
    this.freeTries = options.backoffFreeTries ?? 1;
    this.freeTriesLeft = this.freeTries;
    this.passiveMode = options.passive ?? false;
  }

  /** The current state. */
  get state(): ReconnectState {
    return this.current;
  }

  /** The back-off that applies now (ms): the wait in BACKOFF, and the attempt's minimum time. */
  get backoffMs(): number {
    return this.backoff;
  }

  /** True in ACTIVE and IDLE. */
  get isConnected(): boolean {
    return CONNECTED.has(this.current);
  }

  /** False only in VOID (never enabled, disabled, or out of tries). */
  get isEnabled(): boolean {
    return this.current !== 'VOID';
  }

  /** True when listening for connections instead of making them. */
  get passive(): boolean {
    return this.passiveMode;
  }

  /** Attempts left before the machine disables itself (undefined: unlimited). */
  get maxTries(): number | undefined {
    return this.triesLeft;
  }

  /** Limits the attempts from now on (undefined: unlimited). */
  setMaxTries(tries: number | undefined): void {
    this.triesLeft = tries;
  }

  /** Changes the back-off range; a current back-off above the new maximum is lowered to it. */
  setBackoff(minMs: number, maxMs: number): void {
    this.minBackoff = minMs;
    this.maxBackoff = Math.max(maxMs, minMs);
    if (this.current === 'BACKOFF' && this.backoff > this.maxBackoff) this.backoff = this.maxBackoff;
  }

  /** Changes the probe interval (0 turns probing off). */
  setProbeInterval(ms: number): void {
    this.probeInterval = Math.max(0, ms);
  }

  /**
   * Switches between making connections and listening for them; an attempt or pending
   * reconnection in the old mode is dropped and a new one starts without back-off.
   */
  setPassive(passive: boolean): void {
    if (this.passiveMode === passive) return;
    this.passiveMode = passive;
    const restart = passive
      ? this.current === 'CONNECTING' || this.current === 'RECONNECT'
      : this.current === 'LISTENING' && this.mayRetry();
    if (restart) {
      this.transition('BACKOFF');
      this.backoff = 0;
    }
  }

  /** Starts the machine (VOID to BACKOFF with no back-off, so `run` says `connect`). */
  enable(): void {
    if (this.current === 'VOID' && this.mayRetry()) {
      this.transition('BACKOFF');
      this.backoff = 0;
    }
  }

  /** Stops the machine; `run` says nothing until it is enabled again. */
  disable(): void {
    if (this.current !== 'VOID') this.transition('VOID');
  }

  /** Makes `run` say `disconnect` next (then the usual back-off and reconnection follow). */
  forceReconnect(): void {
    if (this.current === 'CONNECTING' || this.isConnected) this.transition('RECONNECT');
  }

  /** An attempt (or, passive, a listen) is under way; `run` says `disconnect` when it takes too long. */
  connecting(): void {
    if (this.current !== 'CONNECTING') this.transition('CONNECTING');
  }

  /** Listening for connections (passive); lasts until something else is reported. */
  listening(): void {
    if (this.current !== 'LISTENING') this.transition('LISTENING');
  }

  /** Listening failed: back off, then `run` says `connect` (listen again). */
  listenError(): void {
    if (this.current === 'LISTENING') this.disconnected();
  }

  /** The connection is up: probe timer started, free tries restored. */
  connected(): void {
    if (this.isConnected) return;
    this.connecting();
    this.transition('ACTIVE');
    this.lastConnected = this.clock();
    this.freeTriesLeft = this.freeTries;
  }

  /** The attempt failed: back off, then reconnect. */
  connectFailed(): void {
    this.connecting();
    this.disconnected();
  }

  /** Something arrived: the connection is alive (IDLE goes back to ACTIVE). `at` defaults to now. */
  received(at: number = this.clock()): void {
    if (this.current !== 'ACTIVE') this.transition('ACTIVE');
    this.lastReceived = at;
  }

  /**
   * The connection dropped or the attempt failed. The next back-off is 0 while free tries
   * remain; the minimum after a connection that lived (received something) for at least the
   * current back-off; otherwise the current one doubled, up to the maximum (so a server that
   * accepts and at once closes is not hammered). Out of tries: VOID.
   */
  disconnected(): void {
    if (this.current === 'BACKOFF' || this.current === 'VOID') return;
    const wasConnected = this.isConnected;
    const now = this.clock();
    if (wasConnected) this.lastDisconnected = now;
    if (this.freeTriesLeft > 1) {
      this.freeTriesLeft--;
      this.backoff = 0;
    } else if (
      wasConnected &&
      (this.passiveMode || this.lastReceived - (this.lastConnected ?? now) >= this.backoff)
    ) {
      this.backoff = this.passiveMode ? 0 : this.minBackoff;
    } else if (this.backoff < this.minBackoff) {
      this.backoff = this.minBackoff;
    } else if (this.backoff >= this.maxBackoff / 2) {
      this.backoff = this.maxBackoff;
    } else {
      this.backoff *= 2;
    }
    this.transition(this.mayRetry() ? 'BACKOFF' : 'VOID');
  }

  /** What to do now (see {@link ReconnectAction}); probing moves ACTIVE to IDLE. */
  run(): ReconnectAction {
    const deadline = this.deadline();
    if (deadline === undefined || this.clock() < deadline) return undefined;
    switch (this.current) {
      case 'BACKOFF':
        return 'connect';
      case 'ACTIVE':
        this.transition('IDLE');
        return 'probe';
      case 'CONNECTING':
      case 'IDLE':
      case 'RECONNECT':
        return 'disconnect';
      default:
        return undefined;
    }
  }

  /** Milliseconds until `run` may have something to say (0: now); undefined: not until an event. */
  timeout(): number | undefined {
    const deadline = this.deadline();
    return deadline === undefined ? undefined : Math.max(0, deadline - this.clock());
  }

  /** Counters and times. */
  stats(): ReconnectStats {
    const now = this.clock();
    return {
      state: this.current,
      stateElapsedMs: now - this.entered,
      backoffMs: this.backoff,
      isConnected: this.isConnected,
      seqno: this.seq,
      attemptedConnections: this.attempted,
      successfulConnections: this.successful,
      totalConnectedMs:
        this.connectedTotal +
        (this.isConnected && this.lastConnected !== undefined ? now - this.lastConnected : 0),
      ...(this.lastConnected !== undefined ? { lastConnected: this.lastConnected } : {}),
      ...(this.lastDisconnected !== undefined ? { lastDisconnected: this.lastDisconnected } : {}),
      lastReceived: this.lastReceived,
    };
  }

  /** When the current state's timer runs out (undefined: it has none). */
  private deadline(): number | undefined {
    switch (this.current) {
      case 'BACKOFF':
        return this.entered + this.backoff;
      case 'CONNECTING':
        return this.entered + Math.max(this.connectTimeout, this.backoff);
      case 'ACTIVE':
        return this.probeInterval > 0
          ? Math.max(this.lastReceived, this.entered) + this.probeInterval
          : undefined;
      case 'IDLE':
        return this.entered + this.probeInterval;
      case 'RECONNECT':
        return this.entered;
      default:
        return undefined;
    }
  }

  /** Uses up one try; false when none is left. */
  private mayRetry(): boolean {
    if (this.triesLeft === undefined) return true;
    if (this.triesLeft <= 0) return false;
    this.triesLeft--;
    return true;
  }

  private transition(next: ReconnectState): void {
    const now = this.clock();
    if (this.current === 'CONNECTING') {
      this.attempted++;
      if (next === 'ACTIVE') this.successful++;
    }
    const before = this.isConnected;
    const after = CONNECTED.has(next);
    if (before !== after) {
      if (before && this.lastConnected !== undefined) this.connectedTotal += now - this.lastConnected;
      this.seq++;
    }
    this.current = next;
    this.entered = now;
  }
}
