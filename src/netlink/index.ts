/**
 * `os-vif/netlink`: rtnetlink for Node.js without shelling out. Links (bridge, veth, tap/tun,
 * macvlan/macvtap, vxlan, dummy, vlan), addresses, routes, per-namespace sysctls and named
 * namespaces, over the native addon's netlink sockets.
 */

export { PlatformNotSupportedError } from '../native/addon.js';
export type { Addresses } from './addresses.js';
export { NetlinkParseError } from './codec/parse-error.js';
export {
  DumpInterrupted,
  LinkNotFound,
  NetlinkError,
  type NetlinkErrorDetails,
  NetlinkValidationError,
  UnsupportedLinkKind,
} from './errors.js';
export type { LinkKind } from './kinds/kind.js';
export type { MacvlanMode } from './kinds/macvlan.js';
export { allKinds, kindByName } from './kinds/registry.js';
export type {
  BridgeOptions,
  BridgeSpec,
  CommonChanges,
  CommonLinkSpec,
  DummySpec,
  KindChanges,
  LinkChanges,
  LinkRef,
  LinkSpec,
  MacvlanSpec,
  TunTapSpec,
  VethPeerSpec,
  VethSpec,
  VlanSpec,
  VxlanSpec,
} from './link-spec.js';
export type { LinkEvent, WatchOptions } from './link-watch.js';
export type { GroupRef, LinkFilter, Links } from './links.js';
export { Netlink, type NetlinkOptions } from './netlink.js';
export { createNetns, deleteNetns, listNetns, NETNS_RUN_DIR, netnsPath } from './netns.js';
export type { AddressSpec } from './requests/address.js';
export type { RouteSpec } from './requests/route.js';
export type { Routes } from './routes.js';
export { INTERFACE_SYSCTLS, type InterfaceSysctl, Sysctl } from './sysctl.js';
export { checkName, hasLoneSurrogate, ifnameProblem } from './validate.js';
export type { Address, Link, Route } from './views.js';
