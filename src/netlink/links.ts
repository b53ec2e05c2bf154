/**
 * `nl.links`: create, change, delete, read, list and watch network interfaces.
 * Every input is validated before anything is sent; a tap/tun whose follow-up settings fail is
 * deleted again, so a failed `add` leaves nothing behind.
 */
import { open } from 'node:fs/promises';
import { native } from '../native/addon.js';
import { RTM_NEWLINK } from './codec/constants.js';
import { decodeBody, type LinkBody } from './codec/rtnl.js';
import type { NetlinkContext } from './context.js';
import { LinkNotFound, NetlinkError, NetlinkValidationError, UnsupportedLinkKind } from './errors.js';
import { kindByName } from './kinds/registry.js';
import type { LinkChanges, LinkRef, LinkSpec, TunTapSpec } from './link-spec.js';
import { type LinkEvent, type WatchOptions, watchLinks } from './link-watch.js';
import { netnsPath } from './netns.js';
import {
  checkLinkChanges,
  checkLinkSpec,
  infoKind,
  linkAddRequest,
  linkDelRequest,
  linkDumpRequest,
  linkGetRequest,
  linkGroupDelRequest,
  linkSetRequest,
  type Resolved,
} from './requests/link.js';
import { TunBatcher } from './tun-batch.js';
import { checkInt, checkNameOrIndex } from './validate.js';
import { type Link, linkView } from './views.js';

/** Filters of `links.list`; kind and master are applied by the kernel. */
export interface LinkFilter {
  kind?: string;
  master?: LinkRef;
  group?: number;
}

/** Deleting every device of a group in one request. */
export interface GroupRef {
  group: number;
}

const refName = (ref: LinkRef): string => String(ref);

/** Links of one namespace (`nl.links`): add, set, get, list, delete, watch. */
export class Links {
  /** Lookups of the same name in flight share one request (many plugs into one bridge). */
  private readonly lookups = new Map<string, Promise<Link | undefined>>();
  /** Tap/tun creations of one turn share one native call. */
  private readonly tuns: TunBatcher;

  constructor(private readonly nl: NetlinkContext) {
    this.tuns = new TunBatcher(nl.netns);
  }

  /** Native calls that created taps/tuns so far (for tests and benchmarks: shows the coalescing). */
  get tunBatches(): number {
    return this.tuns.batches;
  }

  /** Creates a link. Taps and tuns go through TUNSETIFF (the kernel refuses them over rtnetlink). */
  async add(spec: LinkSpec): Promise<void> {
    checkLinkSpec(spec);
    const ctx = { operation: 'links.add', interface: spec.name };
    if (spec.kind === 'tap' || spec.kind === 'tun') return this.addTunTap(spec);
    await this.withResolved(spec, async (r) => {
      try {
        await this.nl.request(linkAddRequest(spec, r), ctx);
      } catch (e) {
        throw this.addError(e, spec);
      }
    });
  }

  private async addTunTap(spec: TunTapSpec): Promise<void> {
    const netns = this.nl.netns;
    // the master is looked up first: a missing one fails before anything exists, and the
    // lookups of many concurrent plugs into one bridge share one request
    const master = spec.master === undefined ? undefined : await this.index(spec.master);
    try {
      await this.tuns.create({
        name: spec.name,
        mode: spec.kind,
        ...(spec.multiQueue !== undefined ? { multiQueue: spec.multiQueue } : {}),
        ...(spec.vnetHdr !== undefined ? { vnetHdr: spec.vnetHdr } : {}),
        ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
        ...(spec.ownerGroup !== undefined ? { group: spec.ownerGroup } : {}),
      });
    } catch (e) {
      const err = e as { code?: string; errno?: number; message?: string };
      throw new NetlinkError({
        operation: 'links.add',
        interface: spec.name,
        code: err.code ?? 'EIO',
        errno: err.errno ?? 0,
        extAck: err.message ?? String(e),
      });
    }
    const { kind: _k, name: _n, owner: _o, ownerGroup: _g, multiQueue: _m, vnetHdr: _v, ...rest } = spec;
    const changes: LinkChanges = master === undefined ? rest : { ...rest, master };
    if (Object.keys(changes).length === 0) return;
    // Read the new device first, in the same datagram as its settings (as `ip link set` does):
    // a read makes the kernel apply the tap's pending carrier-off (linkwatch) now, so the
    // settings see the real state: a bridge port without carrier stays disabled instead of
    // going through forwarding (which costs the bridge a pass over all its ports) and back.
    const read = this.nl.request(linkGetRequest(spec.name), { operation: 'links.add', interface: spec.name });
    read.catch(() => undefined);
    try {
      await this.set(spec.name, changes);
    } catch (e) {
      await native()
        .tunDelete({
          name: spec.name,
          mode: spec.kind,
          ...(netns ? { netns } : {}),
          ...(spec.multiQueue ? { multiQueue: true } : {}),
        })
        .catch(() => undefined);
      throw e;
    }
  }

  /** Applies changes to a link in one request. `master: null` detaches; `name` renames. */
  async set(ref: LinkRef, changes: LinkChanges): Promise<void> {
    checkNameOrIndex('link', ref);
    checkLinkChanges(changes);
    const ctx = { operation: 'links.set', interface: refName(ref) };
    const target = changes.name !== undefined && typeof ref === 'string' ? await this.index(ref) : ref;
    const master =
      changes.master === null
        ? 0
        : changes.master === undefined
          ? undefined
          : await this.index(changes.master);
    await this.withNetnsFd(changes.netns, async (netnsFd) => {
      try {
        await this.nl.request(linkSetRequest(target, changes, { master, netnsFd }), ctx);
      } catch (e) {
        throw notFound(e, ctx);
      }
    });
  }

  /** Deletes a link, or with `{ group }` every link of that device group in one request. */
  async del(ref: LinkRef | GroupRef): Promise<void> {
    if (typeof ref === 'object' && ref !== null) {
      checkInt('group', ref.group, 1, 0xffffffff);
      await this.nl.request(linkGroupDelRequest(ref.group), {
        operation: 'links.del',
        interface: `group ${ref.group}`,
      });
      return;
    }
    checkNameOrIndex('link', ref);
    const ctx = { operation: 'links.del', interface: refName(ref) };
    try {
      await this.nl.request(linkDelRequest(ref), ctx);
    } catch (e) {
      throw notFound(e, ctx);
    }
  }

  /** Reads one link; undefined when it does not exist. */
  async get(ref: LinkRef): Promise<Link | undefined> {
    checkNameOrIndex('link', ref);
    const ctx = { operation: 'links.get', interface: refName(ref) };
    let reply: Awaited<ReturnType<NetlinkContext['request']>>;
    try {
      reply = await this.nl.request(linkGetRequest(ref), ctx);
    } catch (e) {
      if (e instanceof NetlinkError && e.code === 'ENODEV') return undefined;
      throw e;
    }
    const m = reply.messages.find((x) => x.type === RTM_NEWLINK);
    return m ? this.view(m.type, m.payload) : undefined;
  }

  /** The index of a link; LinkNotFound when absent. */
  async index(ref: LinkRef): Promise<number> {
    if (typeof ref === 'number') return ref;
    let lookup = this.lookups.get(ref);
    if (!lookup) {
      lookup = this.get(ref).finally(() => this.lookups.delete(ref));
      this.lookups.set(ref, lookup);
    }
    const link = await lookup;
    if (!link)
      throw new LinkNotFound({ operation: 'links.index', interface: ref, code: 'ENODEV', errno: 19 });
    return link.index;
  }

  /** Lists links (one dump), filtered by kind and master in the kernel and by group here. */
  async list(filter: LinkFilter = {}): Promise<Link[]> {
    if (filter.kind !== undefined && typeof filter.kind !== 'string') {
      throw new NetlinkValidationError('kind', filter.kind, 'must be a string');
    }
    if (filter.group !== undefined) checkInt('group', filter.group, 0, 0xffffffff);
    const master = filter.master === undefined ? undefined : await this.index(filter.master);
    const kind = filter.kind === undefined ? undefined : infoKind(filter.kind);
    const links = await this.nl.dump(
      linkDumpRequest({ master, kind }),
      { operation: 'links.list' },
      (body) => (body.family === 'link' ? linkView(body as LinkBody) : undefined),
    );
    return links.filter(
      (l) =>
        (kind === undefined || l.kind === kind) &&
        (master === undefined || l.master === master) &&
        (filter.group === undefined || l.group === filter.group) &&
        (filter.kind !== 'tap' || l.data?.type === 2) &&
        (filter.kind !== 'tun' || l.data?.type !== 2),
    );
  }

  /**
   * Link events as an async iterator: `new`, `change`, `del`, and `lost` when the kernel dropped
   * events (ENOBUFS): the caller should then re-list. Stop with `break` or `return()`.
   */
  watch(options: WatchOptions = {}): AsyncIterableIterator<LinkEvent> {
    return watchLinks(this.nl, options);
  }

  private view(type: number, payload: Uint8Array): Link {
    return linkView(decodeBody(type, payload) as LinkBody);
  }

  private async withResolved(spec: LinkSpec, run: (r: Resolved) => Promise<void>): Promise<void> {
    const r: Resolved = {};
    const [master, link] = await Promise.all([
      spec.master === undefined ? undefined : this.index(spec.master),
      'link' in spec && spec.link !== undefined ? this.index(spec.link) : undefined,
    ]);
    if (master !== undefined) r.master = master;
    if (link !== undefined) r.link = link;
    const peerNs = spec.kind === 'veth' ? spec.peer?.netns : undefined;
    await this.withNetnsFd(spec.netns, (fd) =>
      this.withNetnsFd(peerNs, (peerFd) => {
        if (fd !== undefined) r.netnsFd = fd;
        if (peerFd !== undefined) r.peerNetnsFd = peerFd;
        return run(r);
      }),
    );
  }

  /** Opens the namespace file for IFLA_NET_NS_FD for the duration of `run`. */
  private async withNetnsFd(
    netns: string | undefined,
    run: (fd: number | undefined) => Promise<void>,
  ): Promise<void> {
    if (netns === undefined) return run(undefined);
    const path = netnsPath(netns);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      const err = e as { code?: string; errno?: number };
      throw new NetlinkValidationError('netns', netns, `cannot open ${path}: ${err.code ?? String(e)}`);
    }
    try {
      await run(handle.fd);
    } finally {
      await handle.close();
    }
  }

  private addError(e: unknown, spec: LinkSpec): unknown {
    if (!(e instanceof NetlinkError)) return e;
    const unknownType = e.extAck?.includes('Unknown device type') ?? false;
    if (unknownType || e.code === 'EOPNOTSUPP') {
      const vf = spec.kind === 'bridge' && spec.vlanFiltering === true && !unknownType;
      const missing = vf
        ? 'bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)'
        : (kindByName(infoKind(spec.kind))?.requires ?? `support for ${spec.kind}`);
      return new UnsupportedLinkKind(
        {
          operation: e.operation,
          interface: spec.name,
          code: e.code,
          errno: e.errno,
          ...(e.extAck ? { extAck: e.extAck } : {}),
        },
        vf ? 'bridge (vlanFiltering)' : spec.kind,
        missing,
      );
    }
    return e;
  }
}

function notFound(e: unknown, ctx: { operation: string; interface: string }): unknown {
  if (e instanceof NetlinkError && e.code === 'ENODEV') {
    return new LinkNotFound({
      ...ctx,
      code: 'ENODEV',
      errno: e.errno,
      ...(e.extAck ? { extAck: e.extAck } : {}),
    });
  }
  return e;
}
