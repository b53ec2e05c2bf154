/**
 * `os-vif/nftables`: nf_tables over NETLINK_NETFILTER without shelling out. Tables, chains and
 * rules added and deleted in atomic batches, listed and parsed back, each rule tagged with a
 * comment as `nft` writes it; and {@link BridgeFirewall}, os-vif's linux_bridge FORWARD rules
 * placed where they take effect (inside iptables-nft's filter table when there is one).
 *
 * ```ts
 * import { BridgeFirewall } from 'os-vif/nftables';
 * const fw = await BridgeFirewall.open({ netns: 'compute1' });
 * await fw.ensure('br100', { kind: 'gateway', forwardInterfaces: ['all'], dropAction: 'DROP' });
 * fw.close();
 * ```
 */
export {
  BridgeFirewall,
  type BridgeFirewallOptions,
  type EnsureResult,
  type FirewallPlacement,
  type ProcNetReader,
} from './bridge-firewall.js';
export {
  type BridgeFilterCase,
  type BridgeRule,
  bridgeRuleExprs,
  bridgeRuleSet,
  bridgeTag,
  checkDropAction,
  DROP_ACTIONS,
  type DropAction,
} from './bridge-rules.js';
export {
  FirewallBackendUnsupported,
  FirewallConfigError,
  NftablesError,
  type NftablesErrorDetails,
  NftablesParseError,
} from './errors.js';
export { counter, ifnameMatch, rejectTarget, verdict } from './expressions.js';
export type {
  Chain,
  ChainHook,
  ChainSpec,
  Change,
  CmpOp,
  Expr,
  Family,
  MetaKey,
  Rule,
  RuleSpec,
  Table,
  TableSpec,
  Verdict,
} from './model.js';
export { type CommitOptions, type ListFilter, Nftables, type NftablesOptions } from './nftables.js';
