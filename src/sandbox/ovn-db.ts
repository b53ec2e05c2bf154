/**
 * One OVN database (OVN_Northbound or OVN_Southbound) of an OVN sandbox: a standalone
 * ovsdb-server, or a RAFT cluster of `size` members whose RAFT ports listen on the loopback of
 * the sandbox's central namespace (fixed ports are safe there: the namespace is private).
 * Clients reach every member through its unix socket, which works from any namespace; the
 * remote list is `unix:…/nb1.sock,unix:…/nb2.sock,…`.
 */
import path from 'node:path';
import type { Daemons } from './daemons.js';
import { run } from './process.js';

/** Which OVN database. */
export type OvnDbKind = 'nb' | 'sb';

const SCHEMAS: Record<OvnDbKind, { file: string; name: string; raftBase: number }> = {
  nb: { file: '/usr/share/ovn/ovn-nb.ovsschema', name: 'OVN_Northbound', raftBase: 6643 },
  sb: { file: '/usr/share/ovn/ovn-sb.ovsschema', name: 'OVN_Southbound', raftBase: 6644 },
};

/** A running NB or SB database. */
export class OvnDatabase {
  /** `OVN_Northbound` or `OVN_Southbound`. */
  readonly dbName: string;
  private constructor(
    readonly kind: OvnDbKind,
    /** 1 for standalone, else the number of RAFT members. */
    readonly size: number,
    private readonly dir: string,
    private readonly netns: string,
    private readonly daemons: Daemons,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.dbName = SCHEMAS[kind].name;
  }

  /**
   * Creates the database file(s) in `dir` and starts the server(s) in namespace `netns`; with
   * `size` > 1 waits (bounded) until every member reports `cluster member`.
   */
  static async start(
    kind: OvnDbKind,
    size: number,
    dir: string,
    netns: string,
    daemons: Daemons,
    env: NodeJS.ProcessEnv,
  ): Promise<OvnDatabase> {
    const db = new OvnDatabase(kind, size, dir, netns, daemons, env);
    const schema = SCHEMAS[kind].file;
    if (size <= 1) {
      await run('ovsdb-tool', ['create', db.file(1, 'db'), schema], { env });
    } else {
      await run('ovsdb-tool', ['create-cluster', db.file(1, 'db'), schema, db.raft(1)], { env });
      for (let i = 2; i <= size; i++)
        await run('ovsdb-tool', ['join-cluster', db.file(i, 'db'), db.dbName, db.raft(i), db.raft(1)], {
          env,
        });
    }
    for (const i of db.members()) await db.startMember(i);
    if (size > 1) {
      await db.until(
        async () =>
          (await Promise.all(db.members().map((i) => db.status(i)))).every((s) =>
            /^Status: cluster member$/m.test(s),
          ),
        20_000,
        'every member joined',
      );
    }
    return db;
  }

  /** 1..size. */
  members(): number[] {
    return Array.from({ length: this.size }, (_, i) => i + 1);
  }

  /** The remote list of every member (unix sockets). */
  get remote(): string {
    return this.members()
      .map((i) => this.unix(i))
      .join(',');
  }

  /** `unix:` socket of member i. */
  unix(i: number): string {
    return `unix:${this.file(i, 'sock')}`;
  }

  /** The control socket of member i (for `ovs-appctl -t`). */
  ctl(i: number): string {
    return this.file(i, 'ctl');
  }

  /** `cluster/status` of member i ('' when standalone or when it does not answer). */
  async status(i: number): Promise<string> {
    if (this.size <= 1) return '';
    return run('ovs-appctl', ['-t', this.ctl(i), '--timeout=3', 'cluster/status', this.dbName], {
      env: this.env,
      timeoutMs: 5000,
    }).catch(() => '');
  }

  /** The member that says `Role: leader` (waits up to `timeoutMs`); 1 for a standalone server. */
  async leader(timeoutMs = 20_000): Promise<number> {
    if (this.size <= 1) return 1;
    let found = 0;
    await this.until(
      async () => {
        for (const i of this.members()) {
          if (!this.daemons.get(this.role(i))) continue;
          if (/^Role: leader$/m.test(await this.status(i))) {
            found = i;
            return true;
          }
        }
        return false;
      },
      timeoutMs,
      'a leader',
    );
    return found;
  }

  /** SIGKILLs member i and waits until it is gone. */
  kill(i: number): Promise<void> {
    return this.daemons.stop(this.role(i), true);
  }

  /** (Re)starts member i on its existing database file. */
  async startMember(i: number): Promise<void> {
    await this.daemons.start(
      this.role(i),
      this.netns,
      'ovsdb-server',
      [
        this.file(i, 'db'),
        `--remote=punix:${this.file(i, 'sock')}`,
        `--pidfile=${this.file(i, 'pid')}`,
        `--unixctl=${this.ctl(i)}`,
        `--log-file=${this.file(i, 'log')}`,
        '--detach',
        '--no-chdir',
      ],
      this.file(i, 'pid'),
      this.env,
    );
  }

  private role(i: number): string {
    return `${this.kind}${i}`;
  }

  private raft(i: number): string {
    return `tcp:127.0.0.1:${SCHEMAS[this.kind].raftBase + 10 * (i - 1)}`;
  }

  private file(i: number, ext: string): string {
    return path.join(this.dir, `${this.kind}${i}.${ext}`);
  }

  /** Checks `pred` every 50 ms until it holds or `timeoutMs` passes (then throws naming `what`). */
  private async until(pred: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await pred())) {
      if (Date.now() > deadline) throw new Error(`${this.dbName}: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
