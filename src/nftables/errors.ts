/**
 * Errors of the nftables module. Callers branch on the class: `NftablesError` (the kernel
 * refused a message of a batch, or a request; it names the message), `FirewallBackendUnsupported`
 * (the host's firewall cannot be reached through nf_tables), `FirewallConfigError` (an option
 * this module cannot carry out, refused before anything changes).
 */

/** What the kernel said about one message. */
export interface NftablesErrorDetails {
  /** errno name: 'EEXIST', 'ENOENT', 'EPERM', 'ERESTART', 'ETIMEDOUT', ... */
  code: string;
  /** errno number (positive); 0 when the failure has none. */
  errno: number;
  /** The message the kernel refused, as `NFT_MSG_NEWRULE ip filter os-vif-filter-top`. */
  message: string;
  /** The operation this module was carrying out, such as `commit` or `list rules`. */
  operation: string;
  /** Index of the refused change within the batch given to `commit`, when it is one. */
  index?: number;
  /** The kernel's extended ACK text. */
  extAck?: string;
}

/** The kernel refused a message (the whole batch it belonged to was then not applied). */
export class NftablesError extends Error {
  readonly code: string;
  readonly errno: number;
  /** The refused message, as `NFT_MSG_NEWCHAIN ip filter os-vif-br-br0`. */
  readonly nftMessage: string;
  readonly operation: string;
  readonly index: number | undefined;
  readonly extAck: string | undefined;

  constructor(d: NftablesErrorDetails) {
    const hint =
      d.code === 'EPERM' || d.code === 'EACCES'
        ? ': permission denied; this needs CAP_NET_ADMIN (and CAP_SYS_ADMIN to enter a namespace)'
        : '';
    super(`nftables ${d.operation}: ${d.message}: ${d.code}${d.extAck ? ` (${d.extAck})` : ''}${hint}`);
    this.name = 'NftablesError';
    this.code = d.code;
    this.errno = d.errno;
    this.nftMessage = d.message;
    this.operation = d.operation;
    this.index = d.index;
    this.extAck = d.extAck;
  }
}

/**
 * The namespace's firewall is iptables-legacy (x_tables): rules written through nf_tables would
 * not be where its FORWARD chain decides. Nothing was changed.
 */
export class FirewallBackendUnsupported extends Error {
  /** The x_tables tables found (`/proc/net/ip_tables_names`). */
  readonly legacyTables: string[];

  constructor(legacyTables: string[], detail?: string) {
    super(
      `the firewall uses iptables-legacy (x_tables tables: ${legacyTables.join(', ')}) and nf_tables has no ` +
        `iptables-nft filter table; os-vif writes its bridge rules through nf_tables only, so they would ` +
        `not take effect. Switch the host to iptables-nft (update-alternatives --set iptables ` +
        `/usr/sbin/iptables-nft) or set has_traffic_filtering on the VIFs${detail ? ` (${detail})` : ''}`,
    );
    this.name = 'FirewallBackendUnsupported';
    this.legacyTables = legacyTables;
  }
}

/** An option this module cannot carry out (such as an `iptables_drop_action` it has no rule for). */
export class FirewallConfigError extends Error {
  readonly option: string;
  readonly value: string;

  constructor(option: string, value: string, reason: string) {
    super(`os_vif_linux_bridge.${option} = '${value}': ${reason}`);
    this.name = 'FirewallConfigError';
    this.option = option;
    this.value = value;
  }
}

/** A dump answer the parser could not read. */
export class NftablesParseError extends Error {
  constructor(message: string) {
    super(`nftables: malformed answer: ${message}`);
    this.name = 'NftablesParseError';
  }
}
