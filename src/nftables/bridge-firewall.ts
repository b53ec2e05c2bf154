/**
 * `BridgeFirewall`: os-vif's per-bridge FORWARD rules, where they take effect. In nf_tables an
 * accept in one table does not override a drop in another base chain at the same hook, so:
 *
 * - on a namespace whose nf_tables holds iptables-nft's `ip filter` table with its FORWARD base
 *   chain, the rules live in chains of this library's own inside that table: `os-vif-filter-top`
 *   (jumped to from the top of FORWARD, as os-vif's `nova-filter-top` is) and one
 *   `os-vif-br-<bridge>` chain per bridge, jumped to from `os-vif-filter-top`; every rule has the
 *   shape iptables-nft itself lists (`iptables-nft-save` shows `-A os-vif-br-br0 -i br0 -m comment
 *   --comment "os-vif:br0" -j ACCEPT`);
 * - elsewhere, in a table of its own, `ip os-vif`, whose base chain `forward` (hook forward,
 *   priority filter, policy accept) jumps to the per-bridge chains;
 * - a namespace on iptables-legacy (x_tables `filter` in /proc/net/ip_tables_names, no
 *   iptables-nft filter table) is refused with {@link FirewallBackendUnsupported}: nf_tables
 *   rules would not be where its FORWARD decides.
 *
 * Every rule carries the comment `os-vif:<bridge>` (the top jump `os-vif`). A bridge's rules are
 * written once: the batch creates its chain exclusively, so of two writers (two processes, or two
 * calls) exactly one lands and the other finds them; a later call with another case replaces them
 * in one batch checked against the ruleset generation.
 */
import { native } from '../native/addon.js';
import { netnsPath } from '../netlink/netns.js';
import { type BridgeFilterCase, bridgeRuleExprs, bridgeRuleSet, bridgeTag } from './bridge-rules.js';
import { FirewallBackendUnsupported, NftablesError } from './errors.js';
import { counter, sameExprs, verdict } from './expressions.js';
import type { Change, Rule, RuleSpec } from './model.js';
import { Nftables } from './nftables.js';

/** Where the rules go in a namespace. */
export interface FirewallPlacement {
  /** `iptables-nft`: chains of ours in iptables-nft's `ip filter`; `own-table`: table `ip os-vif`. */
  kind: 'iptables-nft' | 'own-table';
  family: 'ip';
  table: string;
  /** The chain the per-bridge jumps are in (`os-vif-filter-top`, or the own table's base chain). */
  topChain: string;
}

/** Reads a file of the namespace's /proc/net (for the iptables-legacy check); tests pass a fake. */
export type ProcNetReader = (name: string) => Promise<string | undefined>;

/** Options of {@link BridgeFirewall.open}. */
export interface BridgeFirewallOptions {
  /** Namespace (`/run/netns/NAME` or a name); absent: the current namespace. */
  netns?: string;
  /** An open socket to use (not closed by {@link BridgeFirewall.close}); default: one of its own. */
  nft?: Nftables;
  /** Replaces the reader of /proc/net/ip_tables_names (tests). */
  readProcNet?: ProcNetReader;
}

/** What {@link BridgeFirewall.ensure} did. */
export interface EnsureResult {
  /** `added`: written now; `present`: already there, nothing written; `replaced`: rewritten. */
  outcome: 'added' | 'present' | 'replaced';
  placement: FirewallPlacement;
  /** The bridge's rules (the jump to its chain included) after the call. */
  rules: number;
}

/** iptables-nft's table and base chain. */
const IPT_TABLE = 'filter';
const IPT_FORWARD = 'FORWARD';
/** Our chain at the top of FORWARD (os-vif's is `nova-filter-top`). */
export const TOP_CHAIN = 'os-vif-filter-top';
/** The comment of the jump from FORWARD to {@link TOP_CHAIN}. */
export const TOP_TAG = 'os-vif';
/** The table of our own where there is no iptables-nft filter table, and its base chain. */
export const OWN_TABLE = 'os-vif';
export const OWN_CHAIN = 'forward';

/** The chain of a bridge's rules (at most 25 bytes: iptables-nft accepts 28). */
export function bridgeChain(bridge: string): string {
  return `os-vif-br-${bridge}`;
}

const IPTABLES_NFT: FirewallPlacement = {
  kind: 'iptables-nft',
  family: 'ip',
  table: IPT_TABLE,
  topChain: TOP_CHAIN,
};
const OWN: FirewallPlacement = { kind: 'own-table', family: 'ip', table: OWN_TABLE, topChain: OWN_CHAIN };

/** The default reader: the namespace's own /proc/net through the addon; undefined when absent. */
function procNetReader(netns: string | undefined): ProcNetReader {
  return async (name) => {
    try {
      return await native().procNetRead({
        name,
        ...(netns === undefined ? {} : { netns: netnsPath(netns) }),
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
  };
}

/** os-vif's bridge rules in one namespace. Calls may run concurrently, also for the same bridge. */
export class BridgeFirewall {
  /** The top set-up in flight, shared by concurrent calls. */
  private topInFlight: Promise<void> | undefined;

  private constructor(
    private readonly nft: Nftables,
    private readonly owned: boolean,
    private readonly readProcNet: ProcNetReader,
  ) {}

  /** Opens the firewall of a namespace (nothing is changed until {@link BridgeFirewall.ensure}). */
  static async open(options: BridgeFirewallOptions = {}): Promise<BridgeFirewall> {
    const nft =
      options.nft ?? (await Nftables.open(options.netns === undefined ? {} : { netns: options.netns }));
    return new BridgeFirewall(nft, !options.nft, options.readProcNet ?? procNetReader(options.netns));
  }

  /**
   * Where the rules go; throws FirewallBackendUnsupported when the namespace uses
   * iptables-legacy and nf_tables has no iptables-nft filter table.
   */
  async placement(): Promise<FirewallPlacement> {
    const forward = await this.nft.chain('ip', IPT_TABLE, IPT_FORWARD);
    if (forward?.hook?.hook === 'forward') return IPTABLES_NFT;
    const legacy = ((await this.readProcNet('ip_tables_names')) ?? '').split('\n').filter(Boolean);
    if (legacy.includes('filter')) throw new FirewallBackendUnsupported(legacy);
    return OWN;
  }

  /**
   * Ensures the rules of `bridge` for case `c`, once: one batch that creates the bridge's chain
   * (exclusively), its rules and the jump to it; when the chain is already there with the same
   * rules, nothing is written; with other rules, they are replaced in one batch.
   */
  async ensure(bridge: string, c: BridgeFilterCase): Promise<EnsureResult> {
    const placement = await this.placement();
    await this.ensureTop(placement);
    const wanted = this.bridgeRules(placement, bridge, c);
    const chain = bridgeChain(bridge);
    const existing = await this.nft.chain('ip', placement.table, chain);
    if (!existing) {
      try {
        await this.nft.commit([
          { op: 'addChain', chain: { family: 'ip', table: placement.table, name: chain }, exclusive: true },
          ...wanted.map((rule): Change => ({ op: 'addRule', rule })),
          { op: 'addRule', rule: this.jumpRule(placement, bridge) },
        ]);
        return { outcome: 'added', placement, rules: wanted.length + 1 };
      } catch (e) {
        // another writer created the chain in the meantime: check what it wrote
        if (!(e instanceof NftablesError && e.code === 'EEXIST' && e.index === 0)) throw e;
      }
    }
    return this.nft.atGeneration(async (generation) => {
      const have = await this.nft.rules({ family: 'ip', table: placement.table, chain });
      const current = await this.nft.chain('ip', placement.table, chain);
      const jumps = (current?.use ?? 0) - have.length;
      const same =
        current !== undefined &&
        have.length === wanted.length &&
        have.every((r, i) => r.comment === wanted[i]?.comment && sameExprs(r.exprs, wanted[i]?.exprs ?? []));
      if (same && jumps > 0) return { outcome: 'present', placement, rules: wanted.length + jumps };
      const changes: Change[] = [];
      if (current) changes.push({ op: 'flushChain', family: 'ip', table: placement.table, chain });
      else changes.push({ op: 'addChain', chain: { family: 'ip', table: placement.table, name: chain } });
      changes.push(...wanted.map((rule): Change => ({ op: 'addRule', rule })));
      if (jumps <= 0) changes.push({ op: 'addRule', rule: this.jumpRule(placement, bridge) });
      await this.nft.commit(changes, { generation });
      return { outcome: 'replaced', placement, rules: wanted.length + Math.max(jumps, 1) };
    });
  }

  /** The rules tagged for `bridge` (its jump, then its chain's rules), wherever they are. */
  async rules(bridge: string): Promise<Rule[]> {
    const out: Rule[] = [];
    for (const p of [IPTABLES_NFT, OWN]) {
      const jumps = await this.nft.rulesByTag(bridgeTag(bridge), {
        family: 'ip',
        table: p.table,
        chain: p.topChain,
      });
      const own = await this.nft.rules({ family: 'ip', table: p.table, chain: bridgeChain(bridge) });
      out.push(...jumps, ...own);
    }
    return out;
  }

  /**
   * Removes the rules of `bridge` (the jumps to its chain, its rules, the chain) wherever they
   * are, in one batch per table checked against the ruleset generation; returns how many rules
   * went. Rules of anyone else stay.
   */
  async remove(bridge: string): Promise<number> {
    let removed = 0;
    for (const p of [IPTABLES_NFT, OWN]) {
      removed += await this.nft.atGeneration(async (generation) => {
        const chain = bridgeChain(bridge);
        // a jump to the bridge's chain is ours, tagged or not (a restore cycle drops the tag)
        const jumps = (await this.nft.rules({ family: 'ip', table: p.table, chain: p.topChain })).filter(
          (r) => isJumpTo(r, chain),
        );
        const current = await this.nft.chain('ip', p.table, chain);
        const own = current ? await this.nft.rules({ family: 'ip', table: p.table, chain }) : [];
        const changes: Change[] = jumps.map((r) => ({
          op: 'deleteRule',
          family: 'ip',
          table: p.table,
          chain: p.topChain,
          handle: r.handle,
        }));
        if (current) {
          changes.push({ op: 'flushChain', family: 'ip', table: p.table, chain });
          changes.push({ op: 'deleteChain', family: 'ip', table: p.table, name: chain });
        }
        if (changes.length) await this.nft.commit(changes, { generation });
        return jumps.length + own.length;
      });
    }
    return removed;
  }

  /** Closes the socket it opened. */
  close(): void {
    if (this.owned) this.nft.close();
  }

  private bridgeRules(p: FirewallPlacement, bridge: string, c: BridgeFilterCase): RuleSpec[] {
    return bridgeRuleSet(bridge, c).map((r) => {
      const exprs = bridgeRuleExprs(r, p.kind === 'own-table');
      const rule: RuleSpec = {
        family: 'ip',
        table: p.table,
        chain: bridgeChain(bridge),
        exprs,
        comment: bridgeTag(bridge),
      };
      // iptables-nft writes NFTA_RULE_COMPAT with an x_tables target (protocol any, no flags)
      if (exprs.some((e) => e.kind === 'target')) rule.compat = { proto: 0, flags: 0 };
      return rule;
    });
  }

  private jumpRule(p: FirewallPlacement, bridge: string): RuleSpec {
    return {
      family: 'ip',
      table: p.table,
      chain: p.topChain,
      exprs: [counter(), verdict({ kind: 'jump', chain: bridgeChain(bridge) })],
      comment: bridgeTag(bridge),
    };
  }

  /** The top of the placement, set up once: shared by the calls in flight, checked again after. */
  private ensureTop(p: FirewallPlacement): Promise<void> {
    if (!this.topInFlight) {
      const run = this.setUpTop(p).finally(() => {
        if (this.topInFlight === run) this.topInFlight = undefined;
      });
      this.topInFlight = run;
    }
    return this.topInFlight;
  }

  private async setUpTop(p: FirewallPlacement): Promise<void> {
    if (p.kind === 'own-table') {
      const base = await this.nft.chain('ip', OWN_TABLE, OWN_CHAIN);
      if (base?.hook) return;
      // NEWTABLE and NEWCHAIN leave an existing table or chain as it is: safe against a race
      await this.nft.commit([
        { op: 'addTable', table: { family: 'ip', name: OWN_TABLE } },
        {
          op: 'addChain',
          chain: {
            family: 'ip',
            table: OWN_TABLE,
            name: OWN_CHAIN,
            hook: { hook: 'forward', priority: 0 },
            type: 'filter',
            policy: 'accept',
          },
        },
      ]);
      return;
    }
    await this.nft.atGeneration(async (generation) => {
      const forward = await this.nft.rules({ family: 'ip', table: IPT_TABLE, chain: IPT_FORWARD });
      if (forward.some((r) => isJumpTo(r, TOP_CHAIN))) return;
      // one jump at the top of FORWARD; the generation check keeps two writers from adding two
      await this.nft.commit(
        [
          { op: 'addChain', chain: { family: 'ip', table: IPT_TABLE, name: TOP_CHAIN } },
          {
            op: 'addRule',
            rule: {
              family: 'ip',
              table: IPT_TABLE,
              chain: IPT_FORWARD,
              exprs: [counter(), verdict({ kind: 'jump', chain: TOP_CHAIN })],
              comment: TOP_TAG,
              insert: true,
            },
          },
        ],
        { generation },
      );
    });
  }
}

/**
 * The rule jumps to `chain` unconditionally: nothing before the verdict but a counter or an
 * x_tables `comment` match (what an `iptables-nft-save | iptables-nft-restore` cycle turns our
 * comment into).
 */
function isJumpTo(r: Rule, chain: string): boolean {
  const last = r.exprs[r.exprs.length - 1];
  return (
    last?.kind === 'immediate' &&
    last.verdict.kind === 'jump' &&
    last.verdict.chain === chain &&
    r.exprs.every((e) => e === last || e.kind === 'counter' || (e.kind === 'match' && e.name === 'comment'))
  );
}
