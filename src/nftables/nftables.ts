/**
 * `Nftables`: one NETLINK_NETFILTER socket (in a namespace when asked) that commits batches of
 * changes atomically and lists tables, chains and rules.
 */
import type { Chain, Change, Family, Rule, Table } from './model.js';

/** Options of {@link Nftables.open}. */
export interface NftablesOptions {
  /** Namespace file path (`/run/netns/NAME`) or a name under /run/netns; absent: the current namespace. */
  netns?: string;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
}

/** Options of {@link Nftables.commit}. */
export interface CommitOptions {
  /**
   * The ruleset generation the batch was prepared against (from {@link Nftables.generation}):
   * the kernel refuses the whole batch with ERESTART when the ruleset changed since.
   */
  generation?: number;
}

/** Which part of the ruleset to list. */
export interface ListFilter {
  family?: Family;
  table?: string;
  chain?: string;
}

/** One nf_tables socket. Many calls may be in flight; each commit is one batch, one datagram. */
export class Nftables {
  /** Opens a socket (inside `netns` when given). */
  static async open(_options: NftablesOptions = {}): Promise<Nftables> {
    throw new Error('not implemented');
  }

  /**
   * Applies `changes` as one batch (NFNL_MSG_BATCH_BEGIN ... END): all of them or none. A
   * refused change rejects with {@link NftablesError} naming that message and its index.
   */
  async commit(_changes: readonly Change[], _options: CommitOptions = {}): Promise<void> {
    throw new Error('not implemented');
  }

  /** The ruleset generation (NFT_MSG_GETGEN): it changes with every commit by anyone. */
  async generation(): Promise<number> {
    throw new Error('not implemented');
  }

  /** Lists tables. */
  async tables(_family?: Family): Promise<Table[]> {
    throw new Error('not implemented');
  }

  /** Lists chains (of one table when `table` is given). */
  async chains(_filter: ListFilter = {}): Promise<Chain[]> {
    throw new Error('not implemented');
  }

  /** One chain, read by name (not a dump); undefined when it or its table does not exist. */
  async chain(_family: Family, _table: string, _name: string): Promise<Chain | undefined> {
    throw new Error('not implemented');
  }

  /** Lists rules, in chain order (of one table, or one chain, when given). */
  async rules(_filter: ListFilter = {}): Promise<Rule[]> {
    throw new Error('not implemented');
  }

  /** The rules whose comment is `tag`. */
  async rulesByTag(_tag: string, _filter: ListFilter = {}): Promise<Rule[]> {
    throw new Error('not implemented');
  }

  /**
   * Deletes the rules whose comment is `tag`, by handle, in one batch prepared against the
   * generation it listed (retried when another writer committed in between). Returns how many.
   */
  async deleteRulesByTag(_tag: string, _filter: ListFilter = {}): Promise<number> {
    throw new Error('not implemented');
  }

  /** Closes the socket; calls in flight fail. Idempotent. */
  close(): void {}
}
