/**
 * `_update_bridge_routes`: moves a NIC's IPv4 state to the bridge it was just enslaved to.
 * Gateway routes of the NIC are deleted, its global addresses that are neither secondary nor
 * dynamic move to the bridge, and the routes are added back without a device, so the kernel
 * puts them on the bridge (which now holds the address). Each move is undone on failure.
 */
import type { LinkHost } from '../host/links.js';
import type { UndoJournal } from '../host/undo.js';

/** Moves addresses and gateway routes from `iface` to `bridge`. */
export async function moveL3(
  links: LinkHost,
  journal: UndoJournal,
  iface: string,
  bridge: string,
): Promise<void> {
  const routes = await links.gatewayRoutes(iface);
  for (const route of routes) {
    await links.delGatewayRoute(iface, route);
    journal.push(`restore route ${route.destination} via ${route.gateway}`, () =>
      links.addGatewayRoute(route),
    );
  }
  const addresses = (await links.addresses(iface)).filter(
    (a) => a.scope === 'global' && !a.secondary && !a.dynamic,
  );
  for (const address of addresses) {
    await links.delAddress(iface, address);
    journal.push(`restore ${address.address} on ${iface}`, () => links.addAddress(iface, address));
    await links.addAddress(bridge, address);
    journal.push(`remove ${address.address} from ${bridge}`, () => links.delAddress(bridge, address));
  }
  for (const route of routes) await links.addGatewayRoute(route);
}
