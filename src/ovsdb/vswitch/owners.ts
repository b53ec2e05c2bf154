/**
 * Who holds what: which bridge holds each port and which port each interface, kept from the
 * replica's changes (OVSDB only stores the forward references), and the port and interface
 * descriptions the VSwitch reads return.
 */
import type { Replica } from '../replica.js';
import type { Row, Uuid, Value } from '../values.js';
import type { InterfaceInfo, PortInfo, StringMap } from './types.js';

/** The reverse references of one replica. */
export class Owners {
  private readonly portOwner = new Map<string, string>();
  private readonly ifaceOwner = new Map<string, string>();

  constructor(private readonly replica: Replica) {
    for (const b of replica.rows('Bridge')) own(this.portOwner, b, 'ports', undefined);
    for (const p of replica.rows('Port')) own(this.ifaceOwner, p, 'interfaces', undefined);
    replica.on('change', (c: { table: string; old?: Row; new?: Row }) => {
      if (c.table === 'Bridge') own(this.portOwner, c.new, 'ports', c.old);
      else if (c.table === 'Port') own(this.ifaceOwner, c.new, 'interfaces', c.old);
    });
  }

  /** The bridge row holding a port, by the port's uuid. */
  ownerBridge(portUuid: string): Row | undefined {
    const b = this.portOwner.get(portUuid);
    return b ? this.replica.get('Bridge', b) : undefined;
  }

  /** A Port row as {@link PortInfo}. */
  portInfo(p: Row): PortInfo {
    const owner = this.portOwner.get((p._uuid as Uuid).id);
    return {
      uuid: (p._uuid as Uuid).id,
      name: p.name as string,
      bridge: owner ? (this.replica.get('Bridge', owner)?.name as string | undefined) : undefined,
      tag: (p.tag as number | null) ?? null,
      interfaces: (p.interfaces as Uuid[])
        .map((u) => this.replica.get('Interface', u)?.name as string)
        .filter(Boolean),
      externalIds: toRecord(p.external_ids),
    };
  }

  /** An Interface row as {@link InterfaceInfo}. */
  ifaceInfo(i: Row): InterfaceInfo {
    const portId = this.ifaceOwner.get((i._uuid as Uuid).id);
    const port = portId ? this.replica.get('Port', portId) : undefined;
    const bridgeId = portId ? this.portOwner.get(portId) : undefined;
    return {
      uuid: (i._uuid as Uuid).id,
      name: i.name as string,
      type: i.type as string,
      options: toRecord(i.options),
      externalIds: toRecord(i.external_ids),
      mtuRequest: (i.mtu_request as number | null) ?? null,
      ofport: (i.ofport as number | null) ?? null,
      error: (i.error as string | null) ?? null,
      port: port?.name as string | undefined,
      bridge: bridgeId ? (this.replica.get('Bridge', bridgeId)?.name as string | undefined) : undefined,
    };
  }
}

function own(map: Map<string, string>, row: Row | undefined, column: string, old: Row | undefined): void {
  if (old)
    for (const u of old[column] as Uuid[]) if (map.get(u.id) === (old._uuid as Uuid).id) map.delete(u.id);
  if (row) for (const u of row[column] as Uuid[]) map.set(u.id, (row._uuid as Uuid).id);
}

function toRecord(v: Value | undefined): StringMap {
  const out: StringMap = {};
  if (v instanceof Map) for (const [k, x] of v) out[String(k)] = String(x);
  return out;
}
