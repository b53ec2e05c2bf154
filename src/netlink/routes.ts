/** `nl.routes`: routes in the main (or another) table, enough to move a NIC's routes to a bridge. */
import type { RouteBody } from './codec/rtnl.js';
import type { NetlinkContext } from './context.js';
import { NetlinkValidationError } from './errors.js';
import type { LinkRef } from './link-spec.js';
import type { Links } from './links.js';
import { checkRouteSpec, type RouteSpec, routeDumpRequest, routeRequest } from './requests/route.js';
import { checkInt } from './validate.js';
import { type Route, routeView } from './views.js';

/** Routes of one namespace (`nl.routes`): add, replace, list, delete. */
export class Routes {
  constructor(
    private readonly nl: NetlinkContext,
    private readonly links: Links,
  ) {}

  /** Adds a route (EEXIST when present, unless `replace`). */
  async add(spec: RouteSpec): Promise<void> {
    await this.run('add', spec);
  }

  /** Deletes a route (ESRCH when absent). */
  async del(spec: RouteSpec): Promise<void> {
    await this.run('del', spec);
  }

  /** Lists routes of a family (default both) in a table (default main), optionally through one device. */
  async list(filter: { family?: 4 | 6; table?: number; dev?: LinkRef } = {}): Promise<Route[]> {
    if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) {
      throw new NetlinkValidationError('family', filter.family, 'must be 4 or 6');
    }
    const table = filter.table === undefined ? 254 : checkInt('table', filter.table, 0, 0xffffffff);
    const oif = filter.dev === undefined ? undefined : await this.links.index(filter.dev);
    const all = await this.nl.dump(routeDumpRequest(filter.family), { operation: 'routes.list' }, (b) =>
      b.family === 'route' ? routeView(b as RouteBody) : undefined,
    );
    return all.filter((r) => (table === 0 || r.table === table) && (oif === undefined || r.oif === oif));
  }

  private async run(op: 'add' | 'del', spec: RouteSpec): Promise<void> {
    checkRouteSpec(spec);
    const oif = spec.dev === undefined ? undefined : await this.links.index(spec.dev);
    await this.nl.request(routeRequest(op, spec, oif), {
      operation: `routes.${op}`,
      ...(spec.dev === undefined ? {} : { interface: String(spec.dev) }),
    });
  }
}
