/**
 * The ovs and linux_bridge plugins' own exceptions, with os-vif's names and message templates
 * (vif_plug_ovs.exception, §4.1), on os-vif's `ExceptionBase`. The facade wraps them in
 * `PlugException`/`UnplugException`, keeping them as the cause.
 */
import { ExceptionBase, NetworkInterfaceNotFound } from '../vif/index.js';

export { NetworkInterfaceNotFound };

/** The profile is set but is not a `VIFPortProfileOpenVSwitch` (or a subclass of it); kwargs `profile`. */
export class WrongPortProfile extends ExceptionBase {
  static override template = 'Port profile %(profile)s is not a subclass of VIFPortProfileOpenVSwitch';
  static override pythonModule = 'vif_plug_ovs.exception';
}

/** The VIF has no port profile, which the ovs plugin requires. */
export class MissingPortProfile extends ExceptionBase {
  static override template = 'A port profile is mandatory for the OpenVSwitch plugin';
  static override pythonModule = 'vif_plug_ovs.exception';
}

/** No representor netdev was found for a VF; kwargs `ifname`, `vf_num`. */
export class RepresentorNotFound extends ExceptionBase {
  static override template = 'Failed getting representor port for PF %(ifname)s with %(vf_num)s';
  static override pythonModule = 'vif_plug_ovs.exception';
}

/** No PCI device (or no netdev of it) was found by address; kwargs `id`. */
export class PciDeviceNotFoundById extends ExceptionBase {
  static override template = 'PCI device %(id)s not found';
  static override pythonModule = 'vif_plug_ovs.exception';
}

/** The VIF class is not one this plugin plugs; kwargs `plugin`, `vif_class`. */
export class UnsupportedVif extends ExceptionBase {
  static override template = 'Plugin %(plugin)s does not support VIF type %(vif_class)s';
}

/** The VIF lacks a field that the chosen path needs (checked before the host is touched); kwargs `vif_id`, `field`, `reason`. */
export class InvalidVif extends ExceptionBase {
  static override template = 'VIF %(vif_id)s: %(field)s %(reason)s';
}

/**
 * A device the VIF names exists but is not what a plug of this VIF makes (a wrong kind, a veth
 * with another peer or master), so it is left alone and nothing changed; kwargs `vif_id`,
 * `device`, `found`, `expected`. os-vif deletes or reconfigures such a device blindly.
 */
export class UnexpectedDevice extends ExceptionBase {
  static override template =
    'VIF %(vif_id)s: device %(device)s is %(found)s, not %(expected)s; nothing was changed';
}

/**
 * With `wait_for_ovn_installed`, ovn-controller did not mark the VIF's OVS interface
 * `external_ids:ovn-installed="true"` within the call's time limit (`ovs_vsctl_timeout`). The
 * port stays plugged (binding is ovn-controller's business and may still come); a retry of the
 * plug waits again. kwargs `vif_id`, `port`, `iface_id`, `timeout` (seconds).
 */
export class OvnNotInstalled extends ExceptionBase {
  static override template =
    'VIF %(vif_id)s: ovn-controller did not mark port %(port)s (iface-id %(iface_id)s) ovn-installed within %(timeout)s s; the port stays plugged';
}

/**
 * With `wait_for_ovn_installed`, the VIF's OVS interface still carried its `iface-id` when the
 * unplug's time limit ran out (another client re-added it). kwargs `vif_id`, `port`, `iface_id`,
 * `timeout` (seconds).
 */
export class OvnNotReleased extends ExceptionBase {
  static override template =
    'VIF %(vif_id)s: port %(port)s (iface-id %(iface_id)s) was still bound in OVSDB after %(timeout)s s';
}
