/**
 * In-memory hosts that record what a plugin asks for, in the vocabulary of os-vif's traces
 * (`test/fixtures/os-vif-3.0.0/plugin_traces`), so the traces can be replayed as expectations. Only the
 * trace-replay tests use these; every other plugin test runs against the real kernel and OVS.
 */

import type { BridgeFilterCase } from '../../src/nftables/index.js';
import type {
  AddressInfo,
  GatewayRoute,
  LinkChange,
  LinkHost,
  LinkInfo,
  VethSettings,
} from '../../src/plugins/host/links.js';
import type { SwitchHost, SwitchOutcome, SwitchStep } from '../../src/plugins/host/switch.js';
import type { FirewallHost } from '../../src/plugins/linux-bridge/plugin.js';

/** One recorded host step, already normalised to a comparable string. */
export type Fact = string;

/** A LinkHost over a table of fake devices. */
export class RecordingLinks implements LinkHost {
  readonly devices = new Map<string, LinkInfo>();
  readonly addrs = new Map<string, AddressInfo[]>();
  readonly routes = new Map<string, GatewayRoute[]>();
  /** Ordered creations/deletions and L3 moves: 'add bridge X', 'del X', 'addr-del A dev X', ... */
  readonly log: Fact[] = [];
  /** Every sysctl write. */
  readonly sysctls: Fact[] = [];
  /** Per-device attributes as last set (merged). */
  readonly sets = new Map<string, LinkChange>();
  /** Set to make a kind's creation fail, like a kernel without 8021q. */
  failKinds = new Set<string>();

  constructor(preexisting: string[] = []) {
    for (const name of preexisting) this.devices.set(name, { name, mtu: 1500, up: false, promisc: false });
  }

  async get(name: string) {
    const d = this.devices.get(name);
    return d ? { ...d } : undefined;
  }
  async exists(name: string) {
    return this.devices.has(name);
  }
  async getMany(names: readonly string[]) {
    const out = new Map<string, LinkInfo>();
    for (const n of names) {
      const d = await this.get(n);
      if (d) out.set(n, d);
    }
    return out;
  }
  private create(name: string, kind: string): void {
    if (this.failKinds.has(kind))
      throw Object.assign(new Error(`kind ${kind} is not available`), { code: 'EOPNOTSUPP' });
    if (this.devices.has(name)) throw Object.assign(new Error(`${name} exists`), { code: 'EEXIST' });
    this.devices.set(name, { name, kind, mtu: 1500, up: false, promisc: false });
  }
  async addBridge(name: string, options?: { ageingTime?: number }) {
    this.create(name, 'bridge');
    this.log.push(
      options?.ageingTime !== undefined
        ? `add bridge ${name} ageing=${options.ageingTime}`
        : `add bridge ${name}`,
    );
  }
  async addVeth(name: string, peer: string, settings: VethSettings = {}) {
    if (settings.master !== undefined && !this.devices.has(settings.master))
      throw Object.assign(new Error(`no master ${settings.master}`), { code: 'ENODEV' });
    this.create(name, 'veth');
    this.create(peer, 'veth');
    Object.assign(this.devices.get(name)!, { peer });
    Object.assign(this.devices.get(peer)!, { peer: name });
    this.log.push(`add veth ${name} peer=${peer}`);
    // settings given at creation count as set on each end (the trace records them as sets)
    const { master, ...both } = settings;
    if (Object.keys(both).length > 0) {
      await this.set(name, both);
      await this.set(peer, both);
    }
    if (master !== undefined) await this.set(name, { master });
  }
  async addVlan(name: string, parent: string, vlanId: number) {
    this.create(name, 'vlan');
    this.log.push(`add vlan ${name} link=${parent} id=${vlanId}`);
  }
  async set(name: string, change: LinkChange) {
    const d = this.devices.get(name);
    if (!d) throw Object.assign(new Error(`no device ${name}`), { code: 'ENODEV' });
    if (typeof change.master === 'string' && !this.devices.has(change.master)) {
      throw Object.assign(new Error(`no master ${change.master}`), { code: 'ENODEV' });
    }
    Object.assign(d, {
      ...(change.up !== undefined ? { up: change.up } : {}),
      ...(change.mtu !== undefined ? { mtu: change.mtu } : {}),
      ...(change.promisc !== undefined ? { promisc: change.promisc } : {}),
      ...(change.master !== undefined ? { master: change.master ?? undefined } : {}),
    });
    this.sets.set(name, { ...this.sets.get(name), ...change });
  }
  async del(name: string) {
    if (!this.devices.delete(name)) throw Object.assign(new Error(`no device ${name}`), { code: 'ENODEV' });
    this.log.push(`del ${name}`);
    const peer = name.startsWith('qvb')
      ? `qvo${name.slice(3)}`
      : name.startsWith('qvo')
        ? `qvb${name.slice(3)}`
        : undefined;
    if (peer && this.devices.get(peer)?.kind === 'veth') this.devices.delete(peer);
    this.sets.delete(name);
  }
  /** Sysctl values as last written (others read as the kernel's default, "0"). */
  readonly sysctlValues = new Map<string, string>();
  async writeSysctl(path: string, value: string) {
    this.sysctls.push(`/proc/sys/net/${path}=${value}`);
    this.sysctlValues.set(path, value);
    return true;
  }
  async readSysctl(path: string) {
    return this.sysctlValues.get(path) ?? '0';
  }
  async addresses(name: string) {
    return [...(this.addrs.get(name) ?? [])];
  }
  async addAddress(name: string, a: AddressInfo) {
    this.addrs.set(name, [...(this.addrs.get(name) ?? []), a]);
    this.log.push(`addr-add ${a.address}/${a.prefixLength} dev ${name}`);
  }
  async delAddress(name: string, a: AddressInfo) {
    this.addrs.set(
      name,
      (this.addrs.get(name) ?? []).filter((x) => x.address !== a.address),
    );
    this.log.push(`addr-del ${a.address}/${a.prefixLength} dev ${name}`);
  }
  async gatewayRoutes(name: string) {
    return [...(this.routes.get(name) ?? [])];
  }
  async addGatewayRoute(r: GatewayRoute) {
    this.log.push(`route-add ${r.destination} via ${r.gateway}`);
  }
  async delGatewayRoute(name: string, r: GatewayRoute) {
    this.routes.set(
      name,
      (this.routes.get(name) ?? []).filter((x) => x !== r),
    );
    this.log.push(`route-del ${r.destination} via ${r.gateway}`);
  }
  close() {}
}

/** A SwitchHost over an in-memory Open_vSwitch database; records each transaction as a fact set. */
export class RecordingSwitch implements SwitchHost {
  readonly bridges = new Map<string, Set<string>>();
  /** Each transaction's normalised facts, sorted (order inside a transaction is not significant). */
  readonly transactions: Fact[][] = [];
  hasMtuRequest = true;
  /** When set, the n-th transaction (0-based) fails, as if ovsdb-server went away. */
  failAt?: number;

  async transact(steps: SwitchStep[]): Promise<SwitchOutcome> {
    if (this.failAt !== undefined && this.transactions.length === this.failAt) {
      this.failAt = undefined;
      throw Object.assign(new Error('connection closed'), { code: 'ECONNRESET' });
    }
    const facts: Fact[] = [];
    const created: SwitchOutcome = { createdBridges: [], createdPorts: [] };
    for (const s of steps) {
      switch (s.op) {
        case 'ensureBridge':
          facts.push(`add-br ${s.bridge} datapath_type=${s.datapathType}`);
          if (!this.bridges.has(s.bridge)) {
            this.bridges.set(s.bridge, new Set([s.bridge]));
            created.createdBridges.push(s.bridge);
          }
          break;
        case 'addPort': {
          facts.push(`add-port ${s.bridge} ${s.port}`);
          if (s.tag !== undefined) facts.push(`Port ${s.port} tag=${s.tag}`);
          for (const [k, v] of Object.entries(s.externalIds ?? {}))
            facts.push(`Interface ${s.port} external_ids:${k}=${v}`);
          if (s.type !== undefined) facts.push(`Interface ${s.port} type=${s.type}`);
          for (const [k, v] of Object.entries(s.options ?? {}))
            facts.push(`Interface ${s.port} options:${k}=${v}`);
          if (![...this.bridges.values()].some((ports) => ports.has(s.port))) {
            const ports = this.bridges.get(s.bridge);
            if (!ports) throw new Error(`no bridge ${s.bridge}`);
            ports.add(s.port);
            created.createdPorts.push(s.port);
          }
          break;
        }
        case 'delPort':
          facts.push(`del-port ${s.bridge} ${s.port}`);
          this.bridges.get(s.bridge)?.delete(s.port);
          break;
        case 'delBridge':
          facts.push(`del-br ${s.bridge}`);
          this.bridges.delete(s.bridge);
          break;
        case 'setMtuRequest':
          facts.push(`Interface ${s.iface} mtu_request=${s.mtu}`);
          break;
      }
    }
    this.transactions.push(facts.sort());
    return created;
  }
  async hasColumn(table: string, column: string) {
    return table === 'Interface' && column === 'mtu_request' ? this.hasMtuRequest : true;
  }
  async bridgePorts(bridge: string) {
    return [...(this.bridges.get(bridge) ?? [])];
  }
  async close() {}
}

/** A firewall that records the rule sets a plugin asks for (no kernel). */
export class RecordingFirewall implements FirewallHost {
  /** Every `ensure`, in order. */
  readonly ensured: Array<{ bridge: string; case: BridgeFilterCase }> = [];
  /** Set to make `placement` reject, as on a host using iptables-legacy. */
  placementError: Error | undefined;

  async placement(): Promise<unknown> {
    if (this.placementError) throw this.placementError;
    return { kind: 'own-table' };
  }

  async ensure(bridge: string, c: BridgeFilterCase): Promise<unknown> {
    this.ensured.push({ bridge, case: c });
    return undefined;
  }

  close(): void {}
}
