/**
 * os-vif 3.0.0's per-bridge FORWARD rules (vif_plug_linux_bridge: `linux_net.py`
 * `_ensure_bridge_filtering` and `iptables.py` `get_gateway_rules`), as data: which case gives
 * which rules, in os-vif's order, and their nf_tables expressions in the shape `nft` writes
 * (`meta iifname` + `cmp` on the 16-byte name, `counter`, then the verdict), which
 * `iptables-nft` lists as `-i BR -j ACCEPT`.
 */
import { FirewallConfigError } from './errors.js';
import { counter, ifnameMatch, rejectTarget, verdict } from './expressions.js';
import type { Expr } from './model.js';

/** What a drop rule does: os-vif's `iptables_drop_action`, the targets this module can write. */
export type DropAction = 'DROP' | 'REJECT';

/** The drop actions this module writes (`iptables_drop_action`). */
export const DROP_ACTIONS: readonly DropAction[] = ['DROP', 'REJECT'];

/** Which rules a bridge gets. */
export type BridgeFilterCase =
  /**
   * The flat path of a VIF without `has_traffic_filtering` (os-vif's gateway rules):
   * `forwardInterfaces` is `forward_bridge_interface` (`['all']`: accept anything in or out).
   */
  | { kind: 'gateway'; forwardInterfaces: readonly string[]; dropAction: DropAction }
  /** The VLAN path (os-vif's non-gateway rules): drop in and out of the bridge. */
  | { kind: 'isolated'; dropAction: DropAction };

/** One rule of a bridge, before it becomes expressions. */
export interface BridgeRule {
  /** `-i`: the input interface, when matched. */
  iifname?: string;
  /** `-o`: the output interface, when matched. */
  oifname?: string;
  /** `ACCEPT`, or the drop action. */
  action: 'ACCEPT' | DropAction;
}

/** Checks `iptables_drop_action`; throws {@link FirewallConfigError} for a target this module cannot write. */
export function checkDropAction(value: string): DropAction {
  if ((DROP_ACTIONS as readonly string[]).includes(value)) return value as DropAction;
  throw new FirewallConfigError(
    'iptables_drop_action',
    value,
    `this library writes the drop rules as ${DROP_ACTIONS.join(' or ')} only`,
  );
}

/** The rules os-vif 3.0.0 adds to FORWARD for `bridge` in case `c`, in its order. */
export function bridgeRuleSet(bridge: string, c: BridgeFilterCase): BridgeRule[] {
  const drop = c.dropAction;
  if (c.kind === 'isolated') {
    // _ensure_bridge_filtering(bridge, gateway=None): --in-interface, --out-interface
    return [
      { iifname: bridge, action: drop },
      { oifname: bridge, action: drop },
    ];
  }
  const rules: BridgeRule[] = [];
  if (c.forwardInterfaces.includes('all')) {
    rules.push({ iifname: bridge, action: 'ACCEPT' }, { oifname: bridge, action: 'ACCEPT' });
  } else {
    for (const iface of c.forwardInterfaces) {
      if (!iface) continue;
      rules.push(
        { iifname: bridge, oifname: iface, action: 'ACCEPT' },
        { iifname: iface, oifname: bridge, action: 'ACCEPT' },
      );
    }
    rules.push(
      { iifname: bridge, oifname: bridge, action: 'ACCEPT' },
      { iifname: bridge, action: drop },
      { oifname: bridge, action: drop },
    );
  }
  // _ensure_bridge_filtering always ends with `--out-interface BR -j D` (after `-o BR -j ACCEPT`
  // it is never reached; in the list case it repeats `-o BR -j D`): kept, as os-vif writes it.
  rules.push({ oifname: bridge, action: drop });
  return rules;
}

/**
 * A rule's expressions, as `nft` writes `iifname "BR" oifname "IF" counter accept`.
 * `native`: REJECT as nf_tables' own `reject` (for a table of this library's own); otherwise as
 * iptables-nft's x_tables `REJECT` target, which `iptables-nft-save` can list (a native
 * `reject` makes it call the whole table incompatible).
 */
export function bridgeRuleExprs(rule: BridgeRule, native: boolean): Expr[] {
  const exprs: Expr[] = [];
  if (rule.iifname !== undefined) exprs.push(...ifnameMatch('iifname', rule.iifname));
  if (rule.oifname !== undefined) exprs.push(...ifnameMatch('oifname', rule.oifname));
  exprs.push(counter());
  if (rule.action === 'ACCEPT') exprs.push(verdict({ kind: 'accept' }));
  else if (rule.action === 'DROP') exprs.push(verdict({ kind: 'drop' }));
  else if (native) exprs.push({ kind: 'reject', type: 0, code: 3 });
  else exprs.push(rejectTarget());
  return exprs;
}

/** The comment that tags every rule of `bridge` (what `nft list ruleset` shows). */
export function bridgeTag(bridge: string): string {
  return `os-vif:${bridge}`;
}
