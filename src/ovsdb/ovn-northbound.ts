/**
 * The end-to-end OVN signal for agents: a logical switch port's `up` column in the northbound
 * database, which ovn-northd sets once a chassis has claimed the port and ovn-controller has
 * installed its flows (`Port_Binding.up`). Watched through a monitor of
 * `Logical_Switch_Port` (`name`, `up`) on a {@link Replica}, so a wait costs no polling and
 * survives reconnections: the replica resynchronises on every new session and re-checks the
 * waiters. Several remotes (a clustered NB, `unix:a,unix:b,unix:c`) are tried in turn; by
 * default any member will do (a follower's view may trail the leader by a moment, which is
 * fine for a wait).
 *
 * ```ts
 * const nb = await LogicalPorts.open('unix:/run/ovn/ovnnb_db.sock');
 * await nb.waitUp('port-uuid', { timeoutMs: 30_000 });
 * await nb.close();
 * ```
 */
import { type ConnectOptions, OvsdbClient } from './client.js';
import { OvsdbError, OvsdbSchemaError } from './errors.js';
import { Replica } from './replica.js';
import type { Row } from './values.js';

/** The NB table and columns this watches. */
const TABLE = 'Logical_Switch_Port';

/** A logical port did not reach the wanted `up` state in time. */
export class LogicalPortTimeoutError extends OvsdbError {
  override name = 'LogicalPortTimeoutError';
  /** The logical port (`Logical_Switch_Port.name`). */
  readonly port: string;
  /** The state waited for. */
  readonly up: boolean;
  /** The bound, in ms. */
  readonly timeoutMs: number;
  /** What the replica showed at the end: true/false, or undefined when the port does not exist. */
  readonly last: boolean | undefined;
  constructor(port: string, up: boolean, timeoutMs: number, last: boolean | undefined) {
    super(
      `logical port ${port} did not become ${up ? 'up' : 'down'} within ${timeoutMs} ms (${
        last === undefined ? 'no such port' : `up=${last}`
      })`,
    );
    this.port = port;
    this.up = up;
    this.timeoutMs = timeoutMs;
    this.last = last;
  }
}

/** Options of {@link LogicalPorts.waitUp}. */
export interface LogicalPortWaitOptions {
  /** The state to wait for (default true; false waits for a port that is down or gone). */
  up?: boolean;
  /** Bound in ms (default 30000; 0: no bound). */
  timeoutMs?: number;
  /** Gives up early (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** A live view of the logical switch ports' `up` column. */
export class LogicalPorts {
  private constructor(
    /** The replica of `Logical_Switch_Port` (`name`, `up`). */
    readonly replica: Replica,
    private readonly ownClient: boolean,
  ) {}

  /**
   * Connects to the NB database at `remotes` (one remote or a comma-separated cluster list) and
   * starts the monitor; resolves once the initial contents are in.
   */
  static async open(remotes: string, options: ConnectOptions = {}): Promise<LogicalPorts> {
    const client = await OvsdbClient.connect(remotes, { leaderOnly: false, ...options });
    try {
      return new LogicalPorts(await LogicalPorts.replicate(client), true);
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  /** The same on a client the caller owns (it stays open after {@link LogicalPorts.close}). */
  static async attach(client: OvsdbClient): Promise<LogicalPorts> {
    return new LogicalPorts(await LogicalPorts.replicate(client), false);
  }

  private static async replicate(client: OvsdbClient): Promise<Replica> {
    const schema = await client.schema('OVN_Northbound');
    if (!schema.tables.get(TABLE)?.columns.has('up'))
      throw new OvsdbSchemaError('this OVN_Northbound has no Logical_Switch_Port.up column', TABLE, 'up');
    return Replica.open(client, 'OVN_Northbound', {
      tables: { [TABLE]: ['name', 'up'] },
      indexes: { [TABLE]: ['name'] },
    });
  }

  /** `up` of logical port `name`: true, false (also when the column is empty), undefined when there is no such port. */
  isUp(name: string): boolean | undefined {
    const row: Row | undefined = this.replica.findOne(TABLE, 'name', name);
    if (!row) return undefined;
    const up = row.up;
    return Array.isArray(up) ? up[0] === true : up === true;
  }

  /**
   * Resolves when logical port `name` is up (or, with `up: false`, down or gone), checked on
   * every monitor update and resync; rejects with {@link LogicalPortTimeoutError} after
   * `timeoutMs`.
   */
  waitUp(name: string, options: LogicalPortWaitOptions = {}): Promise<void> {
    const want = options.up ?? true;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const holds = () => (this.isUp(name) ?? false) === want;
    if (holds()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!holds()) return;
        cleanup();
        resolve();
      };
      const abort = () => {
        cleanup();
        reject(options.signal?.reason);
      };
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              cleanup();
              reject(new LogicalPortTimeoutError(name, want, timeoutMs, this.isUp(name)));
            }, timeoutMs)
          : undefined;
      const cleanup = () => {
        clearTimeout(timer);
        this.replica.off('batch', check);
        this.replica.off('synced', check);
        options.signal?.removeEventListener('abort', abort);
      };
      this.replica.on('batch', check);
      this.replica.on('synced', check);
      if (options.signal?.aborted) abort();
      else options.signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** Stops the monitor (and closes the connection when {@link LogicalPorts.open} made it). */
  async close(): Promise<void> {
    await this.replica.close();
    if (this.ownClient) await this.replica.client.close();
  }
}

/**
 * One-shot form: connects to `remotes`, waits for logical port `name` to be up (or down), closes.
 * Rejects with {@link LogicalPortTimeoutError} after `timeoutMs` (default 30000).
 */
export async function waitLogicalPortUp(
  remotes: string,
  name: string,
  options: LogicalPortWaitOptions & { connect?: ConnectOptions } = {},
): Promise<void> {
  const nb = await LogicalPorts.open(remotes, options.connect);
  try {
    await nb.waitUp(name, options);
  } finally {
    await nb.close();
  }
}
