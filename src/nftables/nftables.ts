/**
 * `Nftables`: one NETLINK_NETFILTER socket (in a namespace when asked) that commits batches of
 * changes atomically and lists tables, chains and rules.
 */
import { NftablesError } from './errors.js';
import { parseChains, parseGeneration, parseRules, parseTables } from './listing.js';
import {
  changeMessage,
  getChainMessage,
  getChainsMessage,
  getGenMessage,
  getRulesMessage,
  getTablesMessage,
} from './messages.js';
import type { Chain, Change, Family, Rule, Table } from './model.js';
import { NftTransport } from './transport.js';

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

/** How often a list-then-write is retried when another writer committed in between. */
const GENERATION_RETRIES = 10;

/** One nf_tables socket. Many calls may be in flight; each commit is one batch, one datagram. */
export class Nftables {
  private constructor(private readonly transport: NftTransport) {}

  /** Opens a socket (inside `netns` when given). */
  static async open(options: NftablesOptions = {}): Promise<Nftables> {
    return new Nftables(await NftTransport.open(options));
  }

  /**
   * Applies `changes` as one batch (NFNL_MSG_BATCH_BEGIN ... END): all of them or none. A
   * refused change rejects with {@link NftablesError} naming that message and its index.
   */
  async commit(changes: readonly Change[], options: CommitOptions = {}): Promise<void> {
    await this.transport.batch(changes.map(changeMessage), options.generation);
  }

  /** The ruleset generation (NFT_MSG_GETGEN): it changes with every commit by anyone. */
  async generation(): Promise<number> {
    return parseGeneration(await this.transport.request(getGenMessage(), 'generation'));
  }

  /** Lists tables. */
  async tables(family?: Family): Promise<Table[]> {
    return parseTables(await this.transport.request(getTablesMessage(family), 'list tables'));
  }

  /** Lists chains (of one table when `table` is given). */
  async chains(filter: ListFilter = {}): Promise<Chain[]> {
    const chains = parseChains(
      await this.transport.request(getChainsMessage(filter.family, filter.table), 'list chains'),
    );
    return chains.filter((c) => filter.chain === undefined || c.name === filter.chain);
  }

  /** One chain, read by name (not a dump); undefined when it or its table does not exist. */
  async chain(family: Family, table: string, name: string): Promise<Chain | undefined> {
    try {
      return parseChains(await this.transport.request(getChainMessage(family, table, name), 'get chain'))[0];
    } catch (e) {
      if (e instanceof NftablesError && e.code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Lists rules, in chain order (of one table, or one chain, when given); none when the table or chain is absent. */
  async rules(filter: ListFilter = {}): Promise<Rule[]> {
    if (filter.chain !== undefined && filter.table === undefined)
      throw new TypeError('rules(): a chain filter needs its table');
    try {
      return parseRules(
        await this.transport.request(
          getRulesMessage(filter.family, filter.table, filter.chain),
          'list rules',
        ),
      );
    } catch (e) {
      if (e instanceof NftablesError && e.code === 'ENOENT') return [];
      throw e;
    }
  }

  /** The rules whose comment is `tag`. */
  async rulesByTag(tag: string, filter: ListFilter = {}): Promise<Rule[]> {
    return (await this.rules(filter)).filter((r) => r.comment === tag);
  }

  /**
   * Deletes the rules whose comment is `tag`, by handle, in one batch prepared against the
   * generation it listed (retried when another writer committed in between). Returns how many.
   */
  async deleteRulesByTag(tag: string, filter: ListFilter = {}): Promise<number> {
    return this.atGeneration(async (generation) => {
      const rules = await this.rulesByTag(tag, filter);
      const changes: Change[] = rules.map((r) => ({
        op: 'deleteRule',
        family: r.family,
        table: r.table,
        chain: r.chain,
        handle: r.handle,
      }));
      if (changes.length) await this.commit(changes, { generation });
      return changes.length;
    });
  }

  /**
   * Runs `work` (which lists, then commits with the generation it is given) until no other
   * writer committed in between: a commit refused with ERESTART runs it again, at most
   * 10 times (`GENERATION_RETRIES`).
   */
  async atGeneration<T>(work: (generation: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const generation = await this.generation();
      try {
        return await work(generation);
      } catch (e) {
        if (!(e instanceof NftablesError && e.code === 'ERESTART') || attempt >= GENERATION_RETRIES) throw e;
      }
    }
  }

  /** Closes the socket; calls in flight fail. Idempotent. */
  close(): void {
    this.transport.close();
  }
}
