/**
 * The production host seams: rtnetlink through `src/netlink` and nf_tables through
 * `src/nftables` in a chosen namespace, and one
 * OVSDB connection with its VSwitch replica (`src/ovsdb`) per plugin, opened with the plugin's
 * options.
 */
import { BridgeFirewall } from '../../nftables/index.js';
import { type Logger, OvsdbClient, VSwitch } from '../../ovsdb/index.js';
import type { OvsOptions } from '../options.js';
import { NetlinkLinks } from './netlink-links.js';
import { VSwitchHost } from './vswitch-host.js';

/** Where the plugins act. */
export interface HostOptions {
  /** Network namespace (a name under /run/netns or a path) for every kernel operation; default: the current one. */
  netns?: string;
}

/** Host factories for the plugins, bound to `options`. */
export function hostFactory(options: HostOptions = {}) {
  return {
    /** rtnetlink in the chosen namespace. */
    links: () => NetlinkLinks.open(options.netns),
    /** nf_tables (os-vif's bridge filter rules) in the chosen namespace. */
    firewall: () => BridgeFirewall.open(options.netns === undefined ? {} : { netns: options.netns }),
    /**
     * ovs_vsctl_timeout (seconds, 0 = none) becomes the OVSDB request timeout and, with
     * wait_for_vswitchd, the bound of the wait for ovs-vswitchd after each transaction. The
     * connection logs through `logger` (the plugin's).
     */
    switch: async (ovs: OvsOptions, logger?: Logger) => {
      const timeoutMs = ovs.ovs_vsctl_timeout * 1000;
      const client = await OvsdbClient.connect(ovs.ovsdb_connection, {
        timeoutMs,
        ...(logger ? { logger } : {}),
      });
      try {
        return new VSwitchHost(
          await VSwitch.open(client),
          client,
          timeoutMs,
          ovs.wait_for_vswitchd ? timeoutMs : undefined,
        );
      } catch (error) {
        await client.close().catch(() => undefined);
        throw error;
      }
    },
  };
}
