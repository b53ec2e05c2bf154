/**
 * oslo.config files for the differential test: each case is one or more files, read in order
 * as `--config-file` arguments. Every rule of the dialect and of the lookup has a case: the
 * separators, quotes, comments, continuation lines, blank lines, line endings, section-name
 * case, repeated keys, later files overriding earlier ones, os-vif's `[DEFAULT]` aliases,
 * multi-valued options, substitution, value conversion, choices, and syntax errors.
 */
export interface OsloCase {
  name: string;
  files: string[];
}

const c = (name: string, ...files: string[]): OsloCase => ({ name, files });

export const OSLO_CASES: OsloCase[] = [
  c('empty file', ''),
  c('lock_path', '[oslo_concurrency]\nlock_path = /var/lib/nova/tmp\ndisable_process_locking = true\n'),
  c('lock_path in [DEFAULT]', '[DEFAULT]\nlock_path = /var/lock/nova\n'),
  c(
    'every option set',
    `[os_vif_ovs]
network_device_mtu = 9000
ovs_vsctl_timeout = 30
ovsdb_connection = unix:/run/openvswitch/db.sock
ovsdb_interface = vsctl
isolate_vif = true
per_port_bridge = True

[os_vif_linux_bridge]
use_ipv6 = yes
iptables_top_regex = ^-A nova
iptables_bottom_regex = ^-A last
iptables_drop_action = REJECT
forward_bridge_interface = eth0
vlan_interface = bond0
flat_interface = eth1
network_device_mtu = 1450
`,
  ),
  c(
    'booleans',
    '[os_vif_ovs]\nisolate_vif = ON\nper_port_bridge = 0\n[os_vif_linux_bridge]\nuse_ipv6 = No\n',
  ),
  c('boolean 1 and off', '[os_vif_ovs]\nisolate_vif = 1\nper_port_bridge = off\n'),
  c('bad boolean', '[os_vif_ovs]\nisolate_vif = maybe\n'),
  c('empty boolean', '[os_vif_ovs]\nisolate_vif =\n'),
  c('integer with spaces and sign', '[os_vif_ovs]\novs_vsctl_timeout =   +45  \n'),
  c('integer with underscores', '[os_vif_ovs]\novs_vsctl_timeout = 1_000\n'),
  c('integer in hex', '[os_vif_ovs]\novs_vsctl_timeout = 0x10\n'),
  c('integer with a fraction', '[os_vif_ovs]\novs_vsctl_timeout = 4.5\n'),
  c('integer with a bad underscore', '[os_vif_ovs]\novs_vsctl_timeout = 1__0\n'),
  c('colon separator', '[os_vif_ovs]\novsdb_connection: tcp:127.0.0.1:6640\n'),
  c('equals before colon', '[os_vif_ovs]\novsdb_connection = unix:/x\n'),
  c('colon before equals', '[os_vif_linux_bridge]\niptables_top_regex: a=b\n'),
  c('double quotes dropped', '[os_vif_linux_bridge]\nflat_interface = "eth1"\n'),
  c('single quotes dropped', "[os_vif_linux_bridge]\nflat_interface = 'eth1'\n"),
  c('mismatched quotes kept', '[os_vif_linux_bridge]\nflat_interface = "eth1\'\n'),
  c('a lone quote', '[os_vif_linux_bridge]\nflat_interface = "\n'),
  c('inner quotes kept', '[os_vif_linux_bridge]\niptables_top_regex = a "b" c\n'),
  c(
    'comments',
    '# top\n; also\n[os_vif_ovs]\n# ovs_vsctl_timeout = 5\n;isolate_vif = true\novs_vsctl_timeout = 6\n',
  ),
  c('trailing text is not a comment', '[os_vif_linux_bridge]\nflat_interface = eth1 # nic\n'),
  c(
    'continuation lines',
    '[os_vif_linux_bridge]\niptables_top_regex = first\n  second\n\tthird\niptables_drop_action = DROP\n',
  ),
  c('an indented comment continues a value', '[os_vif_linux_bridge]\niptables_top_regex = a\n  # b\n'),
  c('a blank line ends a value', '[os_vif_linux_bridge]\niptables_top_regex = a\n\n  b\n'),
  c('continuation after a comment', '[os_vif_ovs]\n# c\n  x\n'),
  c('CRLF line endings', '[os_vif_ovs]\r\novs_vsctl_timeout = 9\r\nisolate_vif = true\r\n'),
  c('CR line endings', '[os_vif_ovs]\rovs_vsctl_timeout = 8\r'),
  c('upper-case group', '[OS_VIF_OVS]\novs_vsctl_timeout = 11\n'),
  c(
    'mixed-case group merges with lower',
    '[os_vif_ovs]\nisolate_vif = true\n[Os_Vif_Ovs]\novs_vsctl_timeout = 12\n',
  ),
  c('lower-case default is not DEFAULT', '[default]\nnetwork_device_mtu = 9000\n'),
  c('option names are case-sensitive', '[os_vif_ovs]\nOVS_VSCTL_TIMEOUT = 13\n'),
  c('repeated key: last wins', '[os_vif_ovs]\novs_vsctl_timeout = 1\novs_vsctl_timeout = 2\n'),
  c(
    'repeated section',
    '[os_vif_ovs]\novs_vsctl_timeout = 1\n[os_vif_linux_bridge]\nuse_ipv6 = true\n[os_vif_ovs]\nisolate_vif = true\n',
  ),
  c(
    'unknown options and groups are ignored',
    '[os_vif_ovs]\nno_such = 1\n[nova]\nx = y\n[DEFAULT]\ndebug = true\n',
  ),
  c(
    'later file wins',
    '[os_vif_ovs]\novs_vsctl_timeout = 1\nisolate_vif = true\n',
    '[os_vif_ovs]\novs_vsctl_timeout = 2\n',
  ),
  c(
    'DEFAULT aliases',
    '[DEFAULT]\nnetwork_device_mtu = 9000\novs_vsctl_timeout = 20\nuse_ipv6 = true\nflat_interface = eth3\n',
  ),
  c(
    'own group beats DEFAULT in one file',
    '[DEFAULT]\nnetwork_device_mtu = 9000\n[os_vif_ovs]\nnetwork_device_mtu = 1400\n',
  ),
  c(
    "a later file's DEFAULT beats an earlier file's group",
    '[os_vif_ovs]\nnetwork_device_mtu = 1400\n',
    '[DEFAULT]\nnetwork_device_mtu = 9000\n',
  ),
  c('ovsdb_connection has no DEFAULT alias', '[DEFAULT]\novsdb_connection = tcp:10.0.0.1:6640\n'),
  c(
    'multi option repeated',
    '[os_vif_linux_bridge]\nforward_bridge_interface = eth0\nforward_bridge_interface = eth1\n',
  ),
  c(
    'multi option across files',
    '[os_vif_linux_bridge]\nforward_bridge_interface = eth0\n',
    '[os_vif_linux_bridge]\nforward_bridge_interface = eth1\nforward_bridge_interface = eth2\n',
  ),
  c(
    'multi option in group and DEFAULT',
    '[DEFAULT]\nforward_bridge_interface = d0\n[os_vif_linux_bridge]\nforward_bridge_interface = g0\n',
  ),
  c('multi option with commas is one value', '[os_vif_linux_bridge]\nforward_bridge_interface = eth0,eth1\n'),
  c(
    'substitution in the group',
    '[os_vif_linux_bridge]\nflat_interface = eth9\nvlan_interface = $flat_interface\n',
  ),
  c(
    'braced substitution',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: oslo.config's own ${...} syntax
    '[os_vif_linux_bridge]\nflat_interface = eth9\nvlan_interface = ${flat_interface}.100\n',
  ),
  c(
    'substitution from another group',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: oslo.config's own ${...} syntax
    '[os_vif_ovs]\novsdb_connection = unix:/x\n[os_vif_linux_bridge]\niptables_top_regex = ${os_vif_ovs.ovsdb_connection}!\n',
  ),
  c('substitution of a default', '[os_vif_linux_bridge]\niptables_top_regex = <$iptables_drop_action>\n'),
  c('substitution of an integer', '[os_vif_linux_bridge]\niptables_top_regex = mtu $network_device_mtu\n'),
  c('substitution of a boolean', '[os_vif_linux_bridge]\niptables_top_regex = v6 $use_ipv6\n'),
  c('substitution of an unset option', '[os_vif_linux_bridge]\niptables_top_regex = [$vlan_interface]\n'),
  c(
    'substitution into an integer',
    '[os_vif_ovs]\nnetwork_device_mtu = 1400\novs_vsctl_timeout = $network_device_mtu\n',
  ),
  c('dollar escapes', '[os_vif_linux_bridge]\niptables_top_regex = a$$b \\$c\n'),
  c('a lone dollar', '[os_vif_linux_bridge]\niptables_top_regex = cost $ 5 $\n'),
  c('an unclosed brace', '[os_vif_linux_bridge]\niptables_top_regex = ${flat_interface\n'),
  c('substitution of an undeclared option', '[os_vif_linux_bridge]\niptables_top_regex = $no_such_thing\n'),
  c('choices accepted', '[os_vif_ovs]\novsdb_interface = native\n'),
  c('choices refused', '[os_vif_ovs]\novsdb_interface = python\n'),
  c('choices are case-sensitive', '[os_vif_ovs]\novsdb_interface = Native\n'),
  c('empty string value', '[os_vif_linux_bridge]\niptables_drop_action =\n'),
  c('spaces around the key', '[os_vif_ovs]\n   \n  ovs_vsctl_timeout = 3\n'),
  c('no separator', '[os_vif_ovs]\nisolate_vif\n'),
  c('empty key', '[os_vif_ovs]\n= 5\n'),
  c('section without its bracket', '[os_vif_ovs\novs_vsctl_timeout = 3\n'),
  c('empty section name', '[]\n'),
  c('assignment before any section', 'ovs_vsctl_timeout = 3\n'),
  c('unicode values', '[os_vif_linux_bridge]\niptables_top_regex = ünïcode ✓\n'),
];
