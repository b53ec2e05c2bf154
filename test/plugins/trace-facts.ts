/**
 * Turns a recorded os-vif trace (`plugin_traces/*.json`) into the same normalised facts that
 * {@link ./recording-host.ts} records, so the two can be compared: ordered link creations and
 * deletions and L3 moves, merged per-device attributes, sysctl writes, and OVS transactions as
 * sorted fact sets (reads such as `db_list` dropped).
 */
import type { LinkChange } from '../../src/plugins/host/links.js';
import type { Fact } from './recording-host.js';

/** One scenario of a trace file. */
export interface TraceScenario {
  description: string;
  plugin: string;
  config: Record<string, unknown>;
  action: 'plug' | 'unplug';
  vif_class: string;
  vif: Record<string, unknown>;
  instance_info: Record<string, unknown>;
  preexisting_devices: string[];
  outcome: 'ok' | 'raised';
  error?: { exception: string; message: string };
  ops: TraceNode[];
}

interface TraceNode {
  op?: string;
  call?: string;
  ops?: TraceNode[];
  [key: string]: unknown;
}

/** What a scenario did to the host, normalised. */
export interface HostEffects {
  log: Fact[];
  sets: Map<string, LinkChange>;
  sysctls: Fact[];
  transactions: Fact[][];
}

function* leaves(ops: TraceNode[]): Generator<TraceNode> {
  for (const o of ops) {
    if (o.op) yield o;
    if (o.ops) yield* leaves(o.ops);
  }
}

function ovsFacts(commands: { method: string; args: Record<string, unknown> }[]): Fact[] {
  const facts: Fact[] = [];
  for (const { method, args } of commands) {
    if (method === 'add_br') facts.push(`add-br ${args.name} datapath_type=${args.datapath_type}`);
    else if (method === 'add_port') facts.push(`add-port ${args.bridge} ${args.port}`);
    else if (method === 'del_port') facts.push(`del-port ${args.bridge} ${args.port}`);
    else if (method === 'del_br') facts.push(`del-br ${args.name}`);
    else if (method === 'db_set') {
      for (const [column, value] of args.col_values as [string, unknown][]) {
        if (value !== null && typeof value === 'object') {
          for (const [k, v] of Object.entries(value))
            facts.push(`${args.table} ${args.record} ${column}:${k}=${v}`);
        } else facts.push(`${args.table} ${args.record} ${column}=${value}`);
      }
    }
  }
  return facts.sort();
}

/** The words of an `ip` command line after the subcommand, e.g. `default via 192.0.2.1`. */
function execFact(argv: string[]): Fact | undefined {
  const [, object, verb, ...rest] = argv;
  const devAt = rest.indexOf('dev');
  const dev = devAt >= 0 ? rest[devAt + 1] : undefined;
  if (object === 'route' && (verb === 'add' || verb === 'del'))
    return `route-${verb} ${rest[0]} via ${rest[rest.indexOf('via') + 1]}`;
  if (object === 'addr' && (verb === 'add' || verb === 'del')) return `addr-${verb} ${rest[0]} dev ${dev}`;
  return undefined;
}

/** The host effects recorded in a trace. */
export function traceEffects(scenario: TraceScenario): HostEffects {
  const fx: HostEffects = { log: [], sets: new Map(), sysctls: [], transactions: [] };
  for (const o of leaves(scenario.ops)) {
    const device = o.device as string;
    switch (o.op) {
      case 'ip.add':
        if (o.dev_type === 'bridge')
          fx.log.push(
            o.ageing !== undefined ? `add bridge ${device} ageing=${o.ageing}` : `add bridge ${device}`,
          );
        else if (o.dev_type === 'veth') fx.log.push(`add veth ${device} peer=${o.peer}`);
        else if (o.dev_type === 'vlan') fx.log.push(`add vlan ${device} link=${o.link} id=${o.vlan_id}`);
        break;
      case 'ip.delete':
        fx.log.push(`del ${device}`);
        fx.sets.delete(device);
        break;
      case 'ip.set': {
        const change: LinkChange = {};
        if (o.state !== undefined) change.up = o.state === 'up';
        if (o.mtu !== undefined) change.mtu = o.mtu as number;
        if (o.master !== undefined) change.master = o.master as string;
        if (o.promisc !== undefined) change.promisc = o.promisc === true;
        fx.sets.set(device, { ...fx.sets.get(device), ...change });
        break;
      }
      case 'file.write':
        fx.sysctls.push(`${o.path}=${o.value}`);
        break;
      case 'ovsdb.transaction': {
        const facts = ovsFacts(o.commands as { method: string; args: Record<string, unknown> }[]);
        if (facts.length > 0) fx.transactions.push(facts);
        break;
      }
      case 'exec': {
        const fact = execFact(o.argv as string[]);
        if (fact) fx.log.push(fact);
        break;
      }
    }
  }
  return fx;
}

/**
 * The FORWARD rules os-vif fed to `iptables-restore` for the bridge (its wrapped
 * `nova-compute-FORWARD` chain), in order, spelled `-i BR -o IF -j ACCEPT` (os-vif's
 * `--in-interface`/`--out-interface` as `-i`/`-o`); [] when the scenario restored nothing.
 */
export function traceForwardRules(scenario: TraceScenario): string[] {
  for (const o of leaves(scenario.ops)) {
    const argv = o.argv as string[] | undefined;
    if (o.op !== 'exec' || argv?.[0] !== 'iptables-restore') continue;
    return String(o.process_input)
      .split('\n')
      .filter((l) => l.includes('-A nova-compute-FORWARD '))
      .map((l) =>
        l
          .replace(/^\[\d+:\d+\] -A nova-compute-FORWARD /, '')
          .replace('--in-interface', '-i')
          .replace('--out-interface', '-o'),
      );
  }
  return [];
}
