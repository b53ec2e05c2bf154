/**
 * `BridgeFirewall`: os-vif's per-bridge FORWARD rules, where they take effect. On a namespace
 * whose nf_tables holds iptables-nft's `ip filter` table with its FORWARD base chain, the rules
 * live in chains of this library's own in that table (`os-vif-filter-top`, jumped to from the
 * top of FORWARD, and one `os-vif-br-<bridge>` chain per bridge jumped to from it); elsewhere
 * in a table of its own (`ip os-vif`, base chain `forward` at hook forward, priority filter,
 * policy accept). Every rule carries the comment `os-vif:<bridge>`.
 */
import type { BridgeFilterCase } from './bridge-rules.js';
import type { Rule } from './model.js';
import type { Nftables } from './nftables.js';

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
  /** The bridge's rules (the jump included) after the call. */
  rules: number;
}

/** os-vif's bridge rules in one namespace. Calls may run concurrently, also for the same bridge. */
export class BridgeFirewall {
  /** Opens the firewall of a namespace (nothing is changed until {@link BridgeFirewall.ensure}). */
  static async open(_options: BridgeFirewallOptions = {}): Promise<BridgeFirewall> {
    throw new Error('not implemented');
  }

  /**
   * Where the rules go; throws FirewallBackendUnsupported when the namespace uses
   * iptables-legacy and nf_tables has no iptables-nft filter table.
   */
  async placement(): Promise<FirewallPlacement> {
    throw new Error('not implemented');
  }

  /**
   * Ensures the rules of `bridge` for case `c`, once: one batch that creates the bridge's chain
   * (exclusively), its rules and the jump to it; when the chain is already there with the same
   * rules, nothing is written; with other rules, they are replaced in one batch.
   */
  async ensure(_bridge: string, _c: BridgeFilterCase): Promise<EnsureResult> {
    throw new Error('not implemented');
  }

  /** The rules tagged for `bridge` (in the top chain and in its own chain). */
  async rules(_bridge: string): Promise<Rule[]> {
    throw new Error('not implemented');
  }

  /** Removes the rules of `bridge` (its jump and its chain) in one batch; returns how many rules went. */
  async remove(_bridge: string): Promise<number> {
    throw new Error('not implemented');
  }

  /** Closes the socket it opened. */
  close(): void {}
}
