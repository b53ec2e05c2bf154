/**
 * The CNI commands: ADD, DEL, CHECK, STATUS and GC on a checked configuration. ADD delegates
 * IPAM, builds the VIF, plugs the host side with the os-vif plugin and attaches the container
 * side (`os-vif/guest`'s netns target); every step after IPAM is undone, IPAM included, when a
 * later one fails.
 */
import { existsSync } from 'node:fs';
import { attach, detach, type NetnsAttachment } from '../guest/index.js';
import { Netlink } from '../netlink/index.js';
import { OvsdbClient } from '../ovsdb/index.js';
import { OVS_OPTIONS } from '../plugins/index.js';
import { initialize, reset } from '../vif/index.js';
import { execPlugin, findPlugin, pluginVersions } from './delegate.js';
import { CNI_CODES, CniError } from './errors.js';
import type { NetConf } from './netconf.js';
import { listRecords, removeRecord, writeRecord } from './records.js';
import type { CniEnv, CniInterface, CniIp, CniResult, CniRoute } from './types.js';
import { buildVif, subnetsFrom } from './vif.js';

/** The process environment passed on to delegated plugins. */
export type RawEnv = Record<string, string | undefined>;

async function withPlugins<T>(conf: NetConf, body: () => Promise<T>): Promise<T> {
  await initialize({ config: conf.config, discover: false });
  try {
    return await body();
  } finally {
    await reset();
  }
}

/** The addresses to configure: IPAM's, else a previous plugin's that name no interface yet. */
function addressing(
  conf: NetConf,
  ipam: CniResult | undefined,
): { ips: CniIp[]; routes: CniRoute[]; taken: Set<CniIp> } {
  if (ipam) return { ips: ipam.ips ?? [], routes: ipam.routes ?? [], taken: new Set() };
  const free = (conf.prevResult?.ips ?? []).filter((ip) => ip.interface === undefined);
  return { ips: free, routes: [], taken: new Set(free) };
}

function mergeResult(
  conf: NetConf,
  att: NetnsAttachment,
  ips: CniIp[],
  routes: CniRoute[],
  taken: Set<CniIp>,
  ipam: CniResult | undefined,
): CniResult {
  const prev = conf.prevResult;
  const before = prev?.interfaces ?? [];
  const mine: CniInterface[] = att.interfaces.map((i) => ({
    name: i.name,
    ...(i.mac ? { mac: i.mac } : {}),
    ...(conf.cniVersion !== '1.0.0' && conf.mtu !== undefined ? { mtu: conf.mtu } : {}),
    ...(i.sandbox ? { sandbox: i.sandbox } : {}),
  }));
  const index = before.length + 1;
  const result: CniResult = {
    cniVersion: conf.cniVersion,
    interfaces: [...before, ...mine],
    ips: [
      ...(prev?.ips ?? []).filter((ip) => !taken.has(ip)),
      ...ips.map((ip) => ({ ...ip, interface: index })),
    ],
    routes: [...(prev?.routes ?? []), ...routes],
    dns: ipam?.dns ?? prev?.dns ?? {},
  };
  return result;
}

/** ADD: IPAM, plug, attach, record; the merged result. */
export async function add(conf: NetConf, env: CniEnv, raw: RawEnv): Promise<CniResult> {
  const { containerId, ifname, netns } = env as Required<Pick<CniEnv, 'containerId' | 'ifname' | 'netns'>>;
  if (!existsSync(netns)) throw new CniError(CNI_CODES.unknownContainer, `CNI_NETNS ${netns} does not exist`);
  const ipamFile = conf.ipam ? await findPlugin(conf.ipam.type, env.path) : undefined;
  const ipam = ipamFile ? ((await execPlugin(ipamFile, 'ADD', conf.raw, raw)) as CniResult) : undefined;
  try {
    const { ips, routes, taken } = addressing(conf, ipam);
    const { vif, instance } = buildVif(conf, containerId, ifname, subnetsFrom(ips, routes, ipam?.dns));
    const att = await withPlugins(conf, async () => {
      const a = await attach(vif, instance, { kind: 'netns', netns, ifname, defaultRoute: false });
      try {
        await writeRecord(conf.dataDir, conf.name, { containerId, ifname, netns });
      } catch (e) {
        await detach(vif, instance, { kind: 'netns', netns, ifname }).catch(() => undefined);
        throw new CniError(
          CNI_CODES.io,
          `cannot write the attachment record in ${conf.dataDir}: ${(e as Error).message}`,
        );
      }
      return a;
    });
    return mergeResult(conf, att, ips, routes, taken, ipam);
  } catch (e) {
    if (ipamFile) await execPlugin(ipamFile, 'DEL', conf.raw, raw).catch(() => undefined);
    throw e;
  }
}

async function release(conf: NetConf, containerId: string, ifname: string, netns: string): Promise<void> {
  const { vif, instance } = buildVif(conf, containerId, ifname);
  await withPlugins(conf, () => detach(vif, instance, { kind: 'netns', netns, ifname }));
}

/** DEL: detach and unplug, release the IPAM lease, drop the record; succeeds when nothing is there. */
export async function del(conf: NetConf, env: CniEnv, raw: RawEnv): Promise<void> {
  const { containerId, ifname } = env as Required<Pick<CniEnv, 'containerId' | 'ifname'>>;
  await release(conf, containerId, ifname, env.netns ?? '');
  if (conf.ipam) await execPlugin(await findPlugin(conf.ipam.type, env.path), 'DEL', conf.raw, raw);
  await removeRecord(conf.dataDir, conf.name, containerId, ifname);
}

const differs = (what: string): never => {
  throw new CniError(CNI_CODES.failed, `CHECK: ${what}`);
};

/** CHECK: IPAM's check, then the host end and the container side against prevResult. */
export async function check(conf: NetConf, env: CniEnv, raw: RawEnv): Promise<void> {
  const { containerId, ifname, netns } = env as Required<Pick<CniEnv, 'containerId' | 'ifname' | 'netns'>>;
  const prev = conf.prevResult;
  if (!prev) throw new CniError(CNI_CODES.invalidConfig, 'CHECK needs prevResult');
  if (!existsSync(netns)) throw new CniError(CNI_CODES.unknownContainer, `CNI_NETNS ${netns} does not exist`);
  if (conf.ipam) await execPlugin(await findPlugin(conf.ipam.type, env.path), 'CHECK', conf.raw, raw);
  const { ident } = buildVif(conf, containerId, ifname);
  const index = (prev.interfaces ?? []).findIndex((i) => i.name === ifname && i.sandbox === netns);
  if (index < 0) differs(`prevResult has no interface ${ifname} in ${netns}`);
  const host = await Netlink.open();
  try {
    const end = await host.links.get(ident.vifName);
    if (end?.kind !== 'veth') differs(`the host end ${ident.vifName} is missing`);
    if (!end?.up) differs(`the host end ${ident.vifName} is down`);
    if (conf.plugin === 'linux_bridge') {
      const br = await host.links.get(conf.bridge);
      if (!br || end?.master !== br.index) differs(`${ident.vifName} is not a port of ${conf.bridge}`);
    } else await checkOvsPort(conf, ident.vifName, ident.id);
  } finally {
    host.close();
  }
  const inner = await Netlink.open({ netns });
  try {
    const link = await inner.links.get(ifname);
    if (!link) return differs(`${ifname} is missing in ${netns}`);
    if (link.address !== ident.mac) differs(`${ifname} has MAC ${link.address}, not ${ident.mac}`);
    if (!link.up) differs(`${ifname} is down`);
    if (conf.mtu !== undefined && link.mtu !== conf.mtu)
      differs(`${ifname} has MTU ${link.mtu}, not ${conf.mtu}`);
    const expectedMac = prev.interfaces?.[index]?.mac;
    if (expectedMac !== undefined && expectedMac !== link.address)
      differs(`prevResult's MAC of ${ifname} is ${expectedMac}`);
    const have = new Set((await inner.addresses.list({ interface: ifname })).map((a) => a.cidr));
    for (const ip of prev.ips ?? [])
      if (ip.interface === index && !have.has(ip.address)) differs(`${ip.address} is not on ${ifname}`);
    const routes = await inner.routes.list();
    for (const r of prev.routes ?? []) {
      const dst = r.dst === '0.0.0.0/0' || r.dst === '::/0' ? 'default' : r.dst;
      const fam = r.dst.includes(':') ? 6 : 4;
      if (
        !routes.some(
          (x) =>
            x.dst === dst &&
            x.family === fam &&
            (r.gw === undefined || x.gateway === r.gw || x.gateway === undefined),
        )
      )
        differs(`route ${r.dst}${r.gw ? ` via ${r.gw}` : ''} is missing in ${netns}`);
    }
  } finally {
    inner.close();
  }
}

function ovsdbRemote(conf: NetConf): string {
  const given = (conf.config.os_vif_ovs as Record<string, unknown> | undefined)?.ovsdb_connection;
  const fallback = OVS_OPTIONS.find((o) => o.name === 'ovsdb_connection')?.default;
  return String(given ?? fallback);
}

async function checkOvsPort(conf: NetConf, name: string, ifaceId: string): Promise<void> {
  const client = await OvsdbClient.connect(ovsdbRemote(conf), { reconnect: false, connectTimeoutMs: 5000 });
  try {
    const [r] = (await client.transactWire('Open_vSwitch', [
      { op: 'select', table: 'Interface', where: [['name', '==', name]], columns: ['external_ids'] },
    ])) as { rows?: { external_ids: [string, [string, string][]] }[] }[];
    const row = r?.rows?.[0];
    if (!row) differs(`${name} is not an OVS interface`);
    const ids = Object.fromEntries(row?.external_ids[1] ?? []);
    if (ids['iface-id'] !== ifaceId) differs(`${name}'s iface-id is ${ids['iface-id']}, not ${ifaceId}`);
  } finally {
    await client.close();
  }
}

async function delegateIfNew(
  conf: NetConf,
  env: CniEnv,
  raw: RawEnv,
  command: 'STATUS' | 'GC',
): Promise<void> {
  if (!conf.ipam) return;
  const file = await findPlugin(conf.ipam.type, env.path);
  // a plugin older than CNI 1.1 has no STATUS or GC (host-local 1.1.1): nothing to delegate
  if ((await pluginVersions(file, raw)).includes('1.1.0')) await execPlugin(file, command, conf.raw, raw);
}

/** STATUS: ready when the OVSDB server answers (ovs) and IPAM says so; code 50 otherwise. */
export async function status(conf: NetConf, env: CniEnv, raw: RawEnv): Promise<void> {
  if (conf.plugin === 'ovs') {
    const remote = ovsdbRemote(conf);
    try {
      const client = await OvsdbClient.connect(remote, { reconnect: false, connectTimeoutMs: 2000 });
      await client.close();
    } catch (e) {
      throw new CniError(
        CNI_CODES.notAvailable,
        `the OVSDB server at ${remote} does not answer: ${(e as Error).message}`,
      );
    }
  }
  await delegateIfNew(conf, env, raw, 'STATUS');
}

/** GC: removes every recorded attachment of this network not in `cni.dev/valid-attachments`. */
export async function gc(conf: NetConf, env: CniEnv, raw: RawEnv): Promise<void> {
  const valid = new Set((conf.validAttachments ?? []).map((a) => `${a.containerId}\0${a.ifname}`));
  for (const r of await listRecords(conf.dataDir, conf.name)) {
    if (valid.has(`${r.containerId}\0${r.ifname}`)) continue;
    await release(conf, r.containerId, r.ifname, r.netns);
    await removeRecord(conf.dataDir, conf.name, r.containerId, r.ifname);
  }
  await delegateIfNew(conf, env, raw, 'GC');
}
