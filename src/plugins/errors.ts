/**
 * The ovs and linux_bridge plugins' own exceptions, with os-vif's names and messages
 * (vif_plug_ovs.exception, §4.1). The facade wraps them in `PlugException`/`UnplugException`.
 *
 * TEMPORARY base: these extend `PluginError` below until `src/vif` exports os-vif's
 * `ExceptionBase`; then they will extend that, keeping names and messages.
 */

/** Base of the plugin exceptions. */
export class PluginError extends Error {
  /** The values the message names, as os-vif keeps its kwargs. */
  readonly kwargs: Record<string, unknown>;

  constructor(message: string, kwargs: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kwargs = kwargs;
  }
}

/** The profile is set but is not a `VIFPortProfileOpenVSwitch` (or a subclass of it). */
export class WrongPortProfile extends PluginError {
  constructor(profile: string) {
    super(`Port profile ${profile} is not a subclass of VIFPortProfileOpenVSwitch`, { profile });
  }
}

/** The VIF has no port profile, which the ovs plugin requires. */
export class MissingPortProfile extends PluginError {
  constructor() {
    super('A port profile is mandatory for the OpenVSwitch plugin');
  }
}

/** No representor netdev was found for a VF. */
export class RepresentorNotFound extends PluginError {
  constructor(ifname: string, vfNum: number | string) {
    super(`Failed getting representor port for PF ${ifname} with ${vfNum}`, { ifname, vf_num: vfNum });
  }
}

/** No PCI device (or no netdev of it) was found by address. */
export class PciDeviceNotFoundById extends PluginError {
  constructor(id: string) {
    super(`PCI device ${id} not found`, { id });
  }
}

/** A network interface the plugin needs does not exist. */
export class NetworkInterfaceNotFound extends PluginError {
  constructor(iface: string) {
    super(`Network interface ${iface} not found`, { interface: iface });
  }
}

/** The VIF class is not one this plugin plugs. */
export class UnsupportedVif extends PluginError {
  constructor(plugin: string, vifClass: string) {
    super(`Plugin ${plugin} does not support VIF type ${vifClass}`, { plugin, vif_class: vifClass });
  }
}

/** The VIF lacks a field that the chosen path needs (checked before the host is touched). */
export class InvalidVif extends PluginError {
  constructor(vifId: string, field: string, why: string) {
    super(`VIF ${vifId}: ${field} ${why}`, { vif_id: vifId, field });
  }
}
