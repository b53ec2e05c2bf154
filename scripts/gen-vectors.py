#!/usr/bin/python3
# Test-vector generator for the TypeScript os-vif port.
#
# Runs the REAL Python os-vif 3.0.0 (Debian python3-os-vif, system
# interpreter /usr/bin/python3 -- not a pyenv python, which lacks the
# dist-packages) and writes JSON vectors under test/fixtures/os-vif-3.0.0/
# (or OUTDIR), the copy the tests read.
#
#   usage: /usr/bin/python3 scripts/gen-vectors.py [OUTDIR]
#
# test/vif/vectors-current.test.ts runs it into a temporary directory and
# compares every file with the checked-in copy whenever Python os-vif 3.0.0
# is installed.
#
# Output is deterministic: fixed UUIDs, sorted JSON keys, and every
# "versioned_object.changes" list sorted (Python emits it in set order,
# which varies between runs).  Nothing here touches the host network: the
# plugin traces replace every host-facing primitive with a recorder.

import builtins
import collections
import contextlib
import copy
import functools
import inspect
import io
import json
import os
import sys
import tempfile
import warnings
from unittest import mock

OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures',
    'os-vif-3.0.0'))

warnings.simplefilter('ignore')

import os_vif  # noqa: E402
from os_vif import exception as osv_exc  # noqa: E402
from os_vif import objects  # noqa: E402

objects.register_all()

from oslo_versionedobjects import base as ovo_base  # noqa: E402
from oslo_versionedobjects import fields as ovo_fields  # noqa: E402
from oslo_versionedobjects import fixture as ovo_fixture  # noqa: E402

from os_vif.objects import base as osv_base  # noqa: E402
from os_vif.objects import fixed_ip as F  # noqa: E402
from os_vif.objects import host_info as H  # noqa: E402
from os_vif.objects import instance_info as I  # noqa: E402
from os_vif.objects import network as N  # noqa: E402
from os_vif.objects import route as R  # noqa: E402
from os_vif.objects import subnet as S  # noqa: E402
from os_vif.objects import vif as V  # noqa: E402

NS = 'versioned_object.'
LoadAPI = osv_base.VersionedObject   # namespace-checking entry point

# --------------------------------------------------------------------------
# fixed identifiers
# --------------------------------------------------------------------------
UUID = {
    'net_ovs': '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
    'net_lb': '7a9b8c6d-5e4f-4a3b-8c2d-1e0f9a8b7c61',
    'net_trunk': '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e62',
    'vif_ovs': 'b679325f-ca89-4ee0-a8be-6db1409b69ea',
    'vif_hybrid': 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8',
    'vif_lb': 'e2b3c4d5-e6f7-4081-92a3-b4c5d6e7f809',
    'vif_vhu': 'f3c4d5e6-f708-4192-a3b4-c5d6e7f8091a',
    'vif_hostdev': '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    'vif_direct': '1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e',
    'vif_generic': '2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f',
    'vif_dpdk': '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f60',
    'vif_base': '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a71',
    'instance': '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
    'instance2': '9a8b7c6d-5e4f-4321-9b8a-7c6d5e4f3a21',
    'qbg_instance': '72a00fee-2fbb-43e6-a592-c858d056fcfc',
}


def canon(prim):
    """Sort every versioned_object.changes list (recursively)."""
    if isinstance(prim, dict):
        out = {}
        for k, v in prim.items():
            if k == NS + 'changes' and isinstance(v, list):
                out[k] = sorted(v)
            else:
                out[k] = canon(v)
        return out
    if isinstance(prim, (list, tuple)):
        return [canon(x) for x in prim]
    return prim


def jsonable(v):
    """Make arbitrary python values JSON friendly (for trace args)."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [jsonable(x) for x in v]
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, ovo_base.VersionedObject):
        return canon(v.obj_to_primitive())
    return repr(v)


def exc_info(e):
    return {'exception': type(e).__name__,
            'module': type(e).__module__,
            'message': str(e)}


def write(relpath, data):
    path = os.path.join(OUT, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write('\n')


# --------------------------------------------------------------------------
# realistic object builders (fresh instances every call)
# --------------------------------------------------------------------------
def fixed_ip_v4():
    return F.FixedIP(address='10.0.0.5',
                     floating_ips=['172.24.4.10', '172.24.4.11'])


def fixed_ip_v6():
    return F.FixedIP(address='fd00:1234::5', floating_ips=[])


def route_v4():
    return R.Route(cidr='192.168.100.0/24', gateway='10.0.0.254',
                   interface='eth0')


def route_v6():
    return R.Route(cidr='::/0', gateway='fd00:1234::fe', interface='')


def subnet_v4():
    return S.Subnet(cidr='10.0.0.0/24',
                    dns=['8.8.8.8', '8.8.4.4'],
                    gateway='10.0.0.1',
                    ips=F.FixedIPList(objects=[fixed_ip_v4()]),
                    routes=R.RouteList(objects=[route_v4()]),
                    dhcp_server='10.0.0.2')


def subnet_v6():
    return S.Subnet(cidr='fd00:1234::/64',
                    dns=['2001:4860:4860::8888'],
                    gateway='fd00:1234::1',
                    ips=F.FixedIPList(objects=[fixed_ip_v6()]),
                    routes=R.RouteList(objects=[route_v6()]),
                    dhcp_server='fd00:1234::2')


_SMALL = [False]   # True: build networks without subnets (smaller files)


def network_ovs(mtu=1450, bridge='br-int', subnets=None):
    if subnets is None:
        subnets = not _SMALL[0]
    return N.Network(id=UUID['net_ovs'], bridge=bridge, label='private',
                     subnets=S.SubnetList(objects=[subnet_v4(), subnet_v6()]
                                          if subnets else []),
                     multi_host=False, should_provide_bridge=False,
                     should_provide_vlan=False, bridge_interface=None,
                     vlan=None, mtu=mtu)


def network_lb(vlan=True, mtu=9000, provide_bridge=True, multi_host=False,
               subnets=None):
    if subnets is None:
        subnets = not _SMALL[0]
    return N.Network(id=UUID['net_lb'], bridge='brq7a9b8c6d-5e',
                     label='provider-vlan1000',
                     subnets=S.SubnetList(objects=[subnet_v4()]
                                          if subnets else []),
                     multi_host=multi_host,
                     should_provide_bridge=provide_bridge,
                     should_provide_vlan=vlan, bridge_interface='eth2',
                     vlan=1000 if vlan else None, mtu=mtu)


def offload(name='enp59s0f0_3', addr='0000:3b:00.5'):
    return V.DatapathOffloadRepresentor(representor_name=name,
                                        representor_address=addr)


def prof_ovs(iface=UUID['vif_ovs'], dp='system', create_port=False,
             off=None, profile_id=''):
    kw = dict(interface_id=iface, profile_id=profile_id, datapath_type=dp,
              create_port=create_port)
    if off is not None:
        kw['datapath_offload'] = off
    return V.VIFPortProfileOpenVSwitch(**kw)


def vif_ovs(prof=None, net=None, vid=UUID['vif_ovs']):
    return V.VIFOpenVSwitch(
        id=vid, address='fa:16:3e:7c:2a:01',
        network=net if net is not None else network_ovs(),
        plugin='ovs', active=False, preserve_on_delete=False,
        has_traffic_filtering=True,
        vif_name=('tap' + vid)[:14], bridge_name='br-int',
        port_profile=prof if prof is not None else prof_ovs(iface=vid))


def vif_hybrid(net=None, vid=UUID['vif_hybrid']):
    return V.VIFBridge(
        id=vid, address='fa:16:3e:7c:2a:02',
        network=net if net is not None else network_ovs(),
        plugin='ovs', active=True, preserve_on_delete=False,
        has_traffic_filtering=True,
        vif_name=('tap' + vid)[:14], bridge_name=('qbr' + vid)[:14],
        port_profile=prof_ovs(iface=vid, dp=None))


def vif_lb(net=None, filtering=False, vid=UUID['vif_lb']):
    return V.VIFBridge(
        id=vid, address='fa:16:3e:7c:2a:03',
        network=net if net is not None else network_lb(),
        plugin='linux_bridge', active=True, preserve_on_delete=False,
        has_traffic_filtering=filtering,
        vif_name=('tap' + vid)[:14], bridge_name='brq7a9b8c6d-5e')


def vif_vhu(mode='client', net=None, prof=None, vid=UUID['vif_vhu']):
    return V.VIFVHostUser(
        id=vid, address='fa:16:3e:7c:2a:04',
        network=net if net is not None else network_ovs(),
        plugin='ovs', active=True, preserve_on_delete=False,
        has_traffic_filtering=False,
        vif_name=('vhu' + vid)[:14],
        path='/var/run/openvswitch/' + ('vhu' + vid)[:14],
        mode=mode,
        port_profile=prof if prof is not None else
        prof_ovs(iface=vid, dp='netdev'))


def vif_hostdev(dp='system', net=None, vid=UUID['vif_hostdev']):
    return V.VIFHostDevice(
        id=vid, address='fa:16:3e:7c:2a:05',
        network=net if net is not None else network_ovs(),
        plugin='ovs', active=True, preserve_on_delete=False,
        has_traffic_filtering=False,
        dev_type='ethernet', dev_address='0000:3b:00.5',
        port_profile=prof_ovs(iface=vid, dp=dp, off=offload()))


def vif_direct():
    return V.VIFDirect(
        id=UUID['vif_direct'], address='fa:16:3e:7c:2a:06',
        network=network_lb(), plugin='sriov', active=True,
        preserve_on_delete=True, has_traffic_filtering=False,
        vif_name='macvtap0', dev_address='0000:3b:02.1', mode='passthrough',
        vlan_name='eth2.1000',
        port_profile=V.VIFPortProfile8021Qbh(profile_id='prof-gold'))


def vif_generic():
    return V.VIFGeneric(
        id=UUID['vif_generic'], address='fa:16:3e:7c:2a:07',
        network=network_ovs(), plugin='calico', active=True,
        preserve_on_delete=False, has_traffic_filtering=True,
        vif_name=('tap' + UUID['vif_generic'])[:14],
        port_profile=V.VIFPortProfileFPTap(mac_address='fa:16:3e:ff:00:01'))


def vif_dpdk():
    return V.VIFNestedDPDK(
        id=UUID['vif_dpdk'], address='fa:16:3e:7c:2a:08',
        network=network_ovs(), plugin='kuryr', active=True,
        preserve_on_delete=False, has_traffic_filtering=False,
        pci_address='0000:00:05.0', dev_driver='virtio-pci',
        port_profile=V.VIFPortProfileK8sDPDK(
            l3_setup=False,
            selflink='/api/v1/namespaces/default/pods/pod-1',
            resourceversion='48211'))


def instance_info():
    return I.InstanceInfo(uuid=UUID['instance'], name='instance-0000002a',
                          project_id='7d3c5a1b2e4f4a6b8c9d0e1f2a3b4c5d')


# --------------------------------------------------------------------------
# object vectors
# --------------------------------------------------------------------------
def older_versions(cls):
    major, minor = [int(x) for x in cls.VERSION.split('.')]
    return ['%d.%d' % (major, m) for m in range(0, minor)]


MANIFEST_CLASSES = ('Network', 'VIFVHostUser', 'HostVIFInfo')


def make_vector(description, obj, reset=False, notes=None):
    if reset:
        obj.obj_reset_changes(recursive=True)
    prim = obj.obj_to_primitive()
    if isinstance(obj, osv_base.VersionedObjectPrintableMixin):
        # str() of these classes is str(primitive dict); render it with the
        # changes lists sorted so the file is reproducible
        pstr = str(canon(prim))
    else:
        pstr = str(obj)
    vec = {'description': description,
           'primitive': canon(prim),
           'python_str': pstr}
    if notes:
        vec['notes'] = notes
    # round trip must reproduce the same primitive
    again = LoadAPI.obj_from_primitive(copy.deepcopy(prim))
    assert canon(again.obj_to_primitive()) == canon(prim), description
    olds = older_versions(type(obj))
    if olds:
        vec['backports'] = {}
        for ver in olds:
            try:
                vec['backports'][ver] = canon(obj.obj_to_primitive(
                    target_version=ver))
            except Exception as e:  # recorded, not fatal
                vec['backports'][ver] = {'error': exc_info(e)}
        if obj.obj_name() in MANIFEST_CLASSES:
            manifest = ovo_base.obj_tree_get_versions(obj.obj_name())
            vec['manifest'] = manifest
            vec['backports_with_manifest'] = {}
            for ver in olds:
                try:
                    vec['backports_with_manifest'][ver] = canon(
                        obj.obj_to_primitive(target_version=ver,
                                             version_manifest=manifest))
                except Exception as e:
                    vec['backports_with_manifest'][ver] = {
                        'error': exc_info(e)}
    return vec


def host_objects():
    """Return (initialised) plugin describe() output."""
    os_vif.initialize()
    return os_vif.host_info()


def object_vectors():
    hi = host_objects()
    ovs_info = hi.get_plugin('ovs')
    noop_info = hi.get_plugin('noop')
    V_ = {}

    V_['FixedIP'] = [
        make_vector('IPv4 fixed IP with two floating IPs', fixed_ip_v4()),
        make_vector('IPv6 fixed IP, empty floating IP list', fixed_ip_v6()),
        make_vector('IPv4 fixed IP after obj_reset_changes(): no changes '
                    'key is emitted', fixed_ip_v4(), reset=True),
    ]
    V_['FixedIPList'] = [
        make_vector('list with an IPv4 and an IPv6 fixed IP',
                    F.FixedIPList(objects=[fixed_ip_v4(), fixed_ip_v6()])),
        make_vector('empty list built without arguments (objects defaults '
                    'to [] and is NOT marked changed)', F.FixedIPList()),
    ]
    V_['Route'] = [
        make_vector('IPv4 static route with interface', route_v4()),
        make_vector('IPv6 default route, empty interface string',
                    route_v6()),
    ]
    V_['RouteList'] = [
        make_vector('two routes', R.RouteList(objects=[route_v4(),
                                                       route_v6()])),
        make_vector('explicit empty list', R.RouteList(objects=[])),
    ]
    V_['Subnet'] = [
        make_vector('IPv4 subnet fully populated', subnet_v4()),
        make_vector('IPv6 subnet fully populated', subnet_v6()),
        make_vector('IPv4 subnet, only cidr and gateway set (other fields '
                    'absent from data)',
                    S.Subnet(cidr='10.1.0.0/16', gateway='10.1.0.1')),
    ]
    V_['SubnetList'] = [
        make_vector('dual-stack subnet list',
                    S.SubnetList(objects=[subnet_v4(), subnet_v6()])),
        make_vector('empty list (changes cleared)', S.SubnetList(objects=[]),
                    reset=True),
    ]
    V_['Network'] = [
        make_vector('OVS integration-bridge network, dual stack, mtu 1450',
                    network_ovs()),
        make_vector('linux-bridge VLAN provider network (bridge + vlan to be '
                    'provided by the plugin)', network_lb()),
        make_vector('network built with only id/bridge/label: constructor '
                    'fills subnets=[] multi_host/should_provide_* = false and '
                    'mtu = null', N.Network(id=UUID['net_trunk'],
                                            bridge='tbr-3c4d5e6f-7',
                                            label='trunk')),
    ]
    V_['DatapathOffloadBase'] = [
        make_vector('base offload object: no fields, empty data and no '
                    'changes key', V.DatapathOffloadBase()),
    ]
    V_['DatapathOffloadRepresentor'] = [
        make_vector('switchdev VF representor rename request', offload()),
        make_vector('representor with both fields explicitly null',
                    V.DatapathOffloadRepresentor(representor_name=None,
                                                 representor_address=None)),
    ]
    V_['VIFPortProfileBase'] = [
        make_vector('bare base profile carrying a datapath offload',
                    V.VIFPortProfileBase(datapath_offload=offload())),
        make_vector('base profile with datapath_offload explicitly null',
                    V.VIFPortProfileBase(datapath_offload=None)),
        make_vector('base profile with nothing set', V.VIFPortProfileBase()),
    ]
    V_['VIFPortProfileOpenVSwitch'] = [
        make_vector('OVS profile, netdev datapath, create_port and offload',
                    prof_ovs(dp='netdev', create_port=True, off=offload(),
                             profile_id='fishfood')),
        make_vector('OVS profile, system datapath, no offload',
                    prof_ovs(dp='system', create_port=False)),
        make_vector('OVS profile, only interface_id (others unset)',
                    V.VIFPortProfileOpenVSwitch(
                        interface_id=UUID['vif_hybrid'])),
    ]
    V_['VIFPortProfileFPOpenVSwitch'] = [
        make_vector('fast-path OVS profile, all fields incl. offload',
                    V.VIFPortProfileFPOpenVSwitch(
                        interface_id=UUID['vif_vhu'], profile_id='fp',
                        datapath_type='netdev', create_port=True,
                        bridge_name='br-int', hybrid_plug=False,
                        datapath_offload=offload())),
        make_vector('fast-path OVS profile with hybrid plug, null datapath',
                    V.VIFPortProfileFPOpenVSwitch(
                        interface_id=UUID['vif_vhu'], profile_id='',
                        datapath_type=None, bridge_name='qbr-fp',
                        hybrid_plug=True)),
    ]
    V_['VIFPortProfileOVSRepresentor'] = [
        make_vector('(deprecated) OVS representor profile, all fields',
                    V.VIFPortProfileOVSRepresentor(
                        interface_id=UUID['vif_hostdev'], profile_id='rep',
                        datapath_type='system', create_port=False,
                        representor_name='enp59s0f0_3',
                        representor_address='0000:3b:00.5',
                        datapath_offload=offload())),
        make_vector('(deprecated) OVS representor profile, nullable '
                    'representor fields null',
                    V.VIFPortProfileOVSRepresentor(
                        interface_id=UUID['vif_hostdev'], profile_id='rep',
                        datapath_type=None, representor_name=None,
                        representor_address=None)),
    ]
    V_['VIFPortProfileFPBridge'] = [
        make_vector('fast-path linux bridge profile with offload',
                    V.VIFPortProfileFPBridge(bridge_name='brq7a9b8c6d-5e',
                                             datapath_offload=offload())),
        make_vector('fast-path linux bridge profile',
                    V.VIFPortProfileFPBridge(bridge_name='br-fp0')),
    ]
    V_['VIFPortProfileFPTap'] = [
        make_vector('fast-path tap profile with host mac and offload',
                    V.VIFPortProfileFPTap(mac_address='fa:16:3e:ff:00:01',
                                          datapath_offload=offload())),
        make_vector('fast-path tap profile, mac null',
                    V.VIFPortProfileFPTap(mac_address=None)),
    ]
    V_['VIFPortProfile8021Qbg'] = [
        make_vector('802.1Qbg VSI profile with offload',
                    V.VIFPortProfile8021Qbg(
                        manager_id=8, type_id=23, type_id_version=523,
                        instance_id=UUID['qbg_instance'],
                        datapath_offload=offload())),
        make_vector('802.1Qbg VSI profile (zero ids)',
                    V.VIFPortProfile8021Qbg(
                        manager_id=0, type_id=0, type_id_version=0,
                        instance_id=UUID['instance'])),
    ]
    V_['VIFPortProfile8021Qbh'] = [
        make_vector('802.1Qbh profile with offload',
                    V.VIFPortProfile8021Qbh(profile_id='prof-gold',
                                            datapath_offload=offload())),
        make_vector('802.1Qbh profile', V.VIFPortProfile8021Qbh(
            profile_id='catfood')),
    ]
    V_['VIFPortProfileK8sDPDK'] = [
        make_vector('kuryr nested DPDK profile with offload',
                    V.VIFPortProfileK8sDPDK(
                        l3_setup=True,
                        selflink='/api/v1/namespaces/default/pods/pod-1',
                        resourceversion='48211',
                        datapath_offload=offload())),
        make_vector('kuryr nested DPDK profile',
                    V.VIFPortProfileK8sDPDK(
                        l3_setup=False, selflink='/api/v1/x',
                        resourceversion='1')),
    ]
    V_['VIFBase'] = [
        make_vector('VIFBase instantiated directly (allowed, though meant '
                    'to be abstract)',
                    V.VIFBase(id=UUID['vif_base'], address='fa:16:3e:00:00:01',
                              network=network_ovs(), plugin='noop',
                              active=True, preserve_on_delete=False,
                              has_traffic_filtering=False,
                              port_profile=V.VIFPortProfileBase())),
        make_vector('VIFBase with address and network explicitly null',
                    V.VIFBase(id=UUID['vif_base'], address=None, network=None,
                              plugin='noop')),
    ]
    V_['VIFOpenVSwitch'] = [
        make_vector('OVS VIF as built by nova for ml2/ovs (no hybrid plug)',
                    vif_ovs()),
        make_vector('OVS VIF for a smart-NIC: create_port=True, netdev',
                    vif_ovs(prof=prof_ovs(dp='netdev', create_port=True,
                                          off=offload()))),
    ]
    V_['VIFBridge'] = [
        make_vector('OVS hybrid-plug VIF (qbr linux bridge)', vif_hybrid()),
        make_vector('linux_bridge VIF on a VLAN provider network, no port '
                    'profile', vif_lb()),
    ]
    V_['VIFVHostUser'] = [
        make_vector('vhost-user VIF, qemu client mode, OVS netdev profile',
                    vif_vhu('client')),
        make_vector('vhost-user VIF, qemu server mode, fast-path profile',
                    vif_vhu('server', prof=V.VIFPortProfileFPOpenVSwitch(
                        interface_id=UUID['vif_vhu'], profile_id='',
                        datapath_type='netdev', bridge_name='br-int',
                        hybrid_plug=False))),
        make_vector('vhost-user VIF with only path/mode/vif_name (no network,'
                    ' no port_profile): the only shape that backports to 1.0'
                    ' without error',
                    V.VIFVHostUser(id=UUID['vif_vhu'], plugin='noop',
                                   path='/run/vhu0.sock', mode='server',
                                   vif_name='vhu0')),
    ]
    V_['VIFHostDevice'] = [
        make_vector('SR-IOV VF with OVS hardware offload (representor)',
                    vif_hostdev()),
        make_vector('generic PCI hostdev with 802.1Qbh profile',
                    V.VIFHostDevice(
                        id=UUID['vif_hostdev'], address='fa:16:3e:7c:2a:09',
                        network=network_lb(), plugin='sriov', active=True,
                        preserve_on_delete=False,
                        has_traffic_filtering=False,
                        dev_type='generic', dev_address='0000:3b:02.7',
                        port_profile=V.VIFPortProfile8021Qbh(
                            profile_id='prof-gold'))),
    ]
    V_['VIFDirect'] = [
        make_vector('macvtap passthrough VIF with 802.1Qbh profile',
                    vif_direct()),
        make_vector('macvtap VEPA VIF with 802.1Qbg profile',
                    V.VIFDirect(
                        id=UUID['vif_direct'], address='fa:16:3e:7c:2a:0a',
                        network=network_lb(vlan=False, mtu=None),
                        plugin='sriov', vif_name='macvtap1',
                        dev_address='0000:3b:02.2', mode='vepa',
                        vlan_name='', port_profile=V.VIFPortProfile8021Qbg(
                            manager_id=8, type_id=23, type_id_version=523,
                            instance_id=UUID['qbg_instance']))),
    ]
    V_['VIFGeneric'] = [
        make_vector('generic tap VIF with fast-path tap profile',
                    vif_generic()),
        make_vector('generic tap VIF, minimal',
                    V.VIFGeneric(id=UUID['vif_generic'], plugin='calico',
                                 vif_name='tap2c3d4e5f-6a',
                                 address='FA-16-3E-00-00-0B')),
    ]
    V_['VIFNestedDPDK'] = [
        make_vector('kuryr nested DPDK VIF', vif_dpdk()),
        make_vector('kuryr nested DPDK VIF, no network',
                    V.VIFNestedDPDK(id=UUID['vif_dpdk'], plugin='kuryr',
                                    pci_address='0000:00:06.0',
                                    dev_driver='vfio-pci',
                                    port_profile=V.VIFPortProfileK8sDPDK(
                                        l3_setup=True, selflink='/x',
                                        resourceversion='2'))),
    ]
    V_['InstanceInfo'] = [
        make_vector('nova instance', instance_info()),
        make_vector('another instance (unicode name)',
                    I.InstanceInfo(uuid=UUID['instance2'], name='vm-ü-01',
                                   project_id='demo')),
    ]
    V_['HostPortProfileInfo'] = [
        make_vector('OVS port profile as advertised by the ovs plugin',
                    copy.deepcopy(ovs_info.vif_info[0]
                                  .supported_port_profiles[0])),
        make_vector('OVS port profile with a version range',
                    H.HostPortProfileInfo(
                        profile_object_name='VIFPortProfileOpenVSwitch',
                        min_version='1.0', max_version='1.3')),
    ]
    V_['HostVIFInfo'] = [
        make_vector('VIFVHostUser as advertised by the ovs plugin (two port '
                    'profiles)', copy.deepcopy(ovs_info.get_vif(
                        'VIFVHostUser'))),
        make_vector('VIFBridge as advertised by linux_bridge (empty profile '
                    'list)', copy.deepcopy(hi.get_plugin('linux_bridge')
                                           .vif_info[0])),
    ]
    V_['HostPluginInfo'] = [
        make_vector('ovs plugin describe() output', copy.deepcopy(ovs_info)),
        make_vector('noop plugin describe() output',
                    copy.deepcopy(noop_info)),
    ]
    filtered = os_vif.host_info(permitted_vif_type_names=['VIFVHostUser'])
    V_['HostInfo'] = [
        make_vector('os_vif.host_info() with the three in-tree plugins',
                    os_vif.host_info()),
        make_vector("os_vif.host_info(permitted_vif_type_names="
                    "['VIFVHostUser'])", filtered),
        make_vector('os_vif.host_info(permitted_vif_type_names=[]) -> no '
                    'plugins', os_vif.host_info(permitted_vif_type_names=[])),
    ]
    reg = ovo_base.VersionedObjectRegistry.obj_classes()
    names = sorted(n for n in reg if reg[n][0].OBJ_PROJECT_NAMESPACE ==
                   'os_vif')
    assert sorted(V_) == names, (sorted(V_), names)
    for name in names:
        write('objects/%s.json' % name, {
            'class': name, 'version': reg[name][0].VERSION,
            'vectors': V_[name]})
    return names


# --------------------------------------------------------------------------
# class catalogue (machine readable) + fingerprints
# --------------------------------------------------------------------------
def describe_type(t):
    if isinstance(t, ovo_fields.Enum):
        return {'type': 'Enum', 'enum_class': type(t).__name__,
                'values': list(t.valid_values)}
    if isinstance(t, ovo_fields.Object):
        return {'type': 'Object', 'object': t._obj_name,
                'subclasses': t._subclasses}
    if isinstance(t, ovo_fields.List):
        return {'type': 'List',
                'element': describe_type(t._element_type._type),
                'element_nullable': t._element_type._nullable}
    return {'type': type(t).__name__}


def catalogue():
    reg = ovo_base.VersionedObjectRegistry.obj_classes()
    cat = {}
    for name in sorted(reg):
        cls = reg[name][0]
        if cls.OBJ_PROJECT_NAMESPACE != 'os_vif':
            continue
        parent = None
        for b in cls.__bases__:
            if (issubclass(b, ovo_base.VersionedObject) and
                    b.obj_name() in reg and b is not osv_base.VersionedObject):
                parent = b.obj_name()
        fl = {}
        for fname, field in sorted(cls.fields.items()):
            d = describe_type(field._type)
            d['field_class'] = type(field).__name__
            d['nullable'] = field.nullable
            if field.default is not ovo_fields.UnspecifiedDefault:
                d['default'] = field.default
            d['inherited'] = bool(parent) and fname in reg[parent][0].fields
            d['field_repr'] = repr(field)
            fl[fname] = d
        cat[name] = {
            'version': cls.VERSION,
            'parent': parent,
            'is_list': issubclass(cls, ovo_base.ObjectListBase),
            'comparable': issubclass(cls, ovo_base.ComparableVersionedObject),
            'printable_str': issubclass(
                cls, osv_base.VersionedObjectPrintableMixin),
            'obj_relationships': {k: [list(x) for x in v] for k, v in
                                  cls.obj_relationships.items()},
            'has_child_versions_attr': hasattr(cls, 'child_versions'),
            'fields': fl,
        }
    cat['Network']['constructor_defaults'] = {
        'subnets': 'SubnetList(objects=[])', 'multi_host': False,
        'should_provide_bridge': False, 'should_provide_vlan': False,
        'mtu': None}
    for lst in ('FixedIPList', 'RouteList', 'SubnetList'):
        cat[lst]['constructor_defaults'] = {'objects': '[] (not marked '
                                            'changed)'}
    cat['VIFPortProfileOVSRepresentor']['deprecated'] = (
        'constructor emits PendingDeprecationWarning')
    write('classes.json', cat)
    checker = ovo_fixture.ObjectVersionChecker(
        {n: reg[n] for n in cat})
    hashes = checker.get_hashes()
    write('fingerprints.json', hashes)
    # the exact strings that are md5'd, for debugging other languages
    pre = {}
    for n in cat:
        c = reg[n][0]
        flds = sorted(c.fields.items())
        if hasattr(c, 'child_versions'):
            rel = (flds, [], collections.OrderedDict(
                sorted(c.child_versions.items())))
        else:
            rel = (flds, [])
        pre[n] = repr(rel)
    write('fingerprint_preimages.json', pre)
    return hashes


# --------------------------------------------------------------------------
# invalid / lenient primitives
# --------------------------------------------------------------------------
def P(name, data, version=None, ns='os_vif', changes=None):
    if version is None:
        version = ovo_base.VersionedObjectRegistry.obj_classes()[name][0] \
            .VERSION
    p = {NS + 'name': name, NS + 'namespace': ns, NS + 'version': version,
         NS + 'data': data}
    if changes is not None:
        p[NS + 'changes'] = changes
    return p


def good(name):
    """Return a valid primitive for class name (from the builders)."""
    return {
        'FixedIP': lambda: fixed_ip_v4(),
        'Route': lambda: route_v4(),
        'Network': lambda: network_ovs(subnets=True),
        'Subnet': lambda: subnet_v4(),
        'VIFOpenVSwitch': lambda: vif_ovs(),
        'VIFDirect': lambda: vif_direct(),
        'VIFHostDevice': lambda: vif_hostdev(),
        'VIFVHostUser': lambda: vif_vhu(),
        'VIFPortProfile8021Qbg': lambda: V.VIFPortProfile8021Qbg(
            manager_id=8, type_id=23, type_id_version=523,
            instance_id=UUID['qbg_instance']),
        'VIFPortProfileOpenVSwitch': lambda: prof_ovs(),
        'InstanceInfo': lambda: instance_info(),
    }[name]().obj_to_primitive()


def mutate(_cls, **data_changes):
    p = good(_cls)
    for k, v in data_changes.items():
        if v is _DELETE:
            p[NS + 'data'].pop(k, None)
        else:
            p[NS + 'data'][k] = v
    return p


_DELETE = object()


def load_case(description, prim, category=None):
    entry = {'description': description, 'primitive': canon(prim)}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            obj = LoadAPI.obj_from_primitive(copy.deepcopy(prim))
            entry['result'] = 'accepted'
            entry['loaded_class'] = obj.obj_name()
            entry['loaded_version'] = obj.VERSION
            entry['reserialized'] = canon(obj.obj_to_primitive())
        except Exception as e:
            entry['result'] = 'rejected'
            entry.update(exc_info(e))
        ws = [{'category': x.category.__name__, 'message': str(x.message)}
              for x in w if not issubclass(x.category, DeprecationWarning)
              or x.category is PendingDeprecationWarning]
        if ws:
            entry['warnings'] = ws
    return entry


def invalid_and_lenient():
    _SMALL[0] = True
    inv = []
    len_ = []

    def rej(desc, prim):
        e = load_case(desc, prim)
        assert e['result'] == 'rejected', (desc, e)
        inv.append(e)

    def acc(desc, prim):
        e = load_case(desc, prim)
        assert e['result'] == 'accepted', (desc, e)
        len_.append(e)

    # envelope problems
    rej('unknown class name', P('VIFFooBar', {}, version='1.0'))
    rej('wrong namespace (nova) for a known class',
        dict(good('FixedIP'), **{NS + 'namespace': 'nova'}))
    rej('namespace of plain oslo.versionedobjects',
        dict(good('FixedIP'), **{NS + 'namespace': 'versionedobjects'}))
    rej('newer minor version than registered (Network 1.2 vs 1.1)',
        dict(good('Network'), **{NS + 'version': '1.2'}))
    rej('newer major version (VIFOpenVSwitch 2.0)',
        dict(good('VIFOpenVSwitch'), **{NS + 'version': '2.0'}))
    rej('older major version (FixedIP 0.9)',
        dict(good('FixedIP'), **{NS + 'version': '0.9'}))
    rej("three-part version '1.0.5' is newer than 1.0 -> rejected by "
        "obj_from_primitive (only the RPC serializer strips the .z part)",
        dict(good('FixedIP'), **{NS + 'version': '1.0.5'}))
    rej('unparseable version string',
        dict(good('FixedIP'), **{NS + 'version': 'abc'}))
    p = good('FixedIP'); del p[NS + 'name']
    rej('missing versioned_object.name key', p)
    p = good('FixedIP'); del p[NS + 'namespace']
    rej('missing versioned_object.namespace key', p)
    p = good('FixedIP'); del p[NS + 'version']
    rej('missing versioned_object.version key', p)
    p = good('FixedIP'); del p[NS + 'data']
    rej('missing versioned_object.data key', p)
    # field problems
    rej('malformed MAC address (5 octets)',
        mutate('VIFOpenVSwitch', address='fa:16:3e:7c:2a'))
    rej('malformed MAC address (non-hex)',
        mutate('VIFOpenVSwitch', address='fa:16:3e:7c:2a:zz'))
    rej('MAC address without separators',
        mutate('VIFOpenVSwitch', address='fa163e7c2a01'))
    rej('MAC address given as a number',
        mutate('VIFOpenVSwitch', address=12345))
    rej('malformed PCI address (missing function)',
        mutate('VIFHostDevice', dev_address='0000:3b:00'))
    rej('PCI address with too-large slot (0x20)',
        mutate('VIFHostDevice', dev_address='0000:3b:20.1'))
    rej('PCI address with function 8',
        mutate('VIFHostDevice', dev_address='0000:3b:00.8'))
    rej('PCI address without domain', mutate('VIFHostDevice',
                                             dev_address='3b:00.5'))
    rej('bad IPv4 address', mutate('FixedIP', address='10.0.0.300'))
    rej('IP address with a leading space',
        mutate('FixedIP', address=' 10.0.0.5'))
    rej('IPv6 link-local with zone id',
        mutate('FixedIP', address='fe80::1%eth0'))
    rej('IP address of wrong JSON type (list)',
        mutate('FixedIP', address=['10.0.0.5']))
    rej('bad CIDR prefix length /33', mutate('Route', cidr='10.0.0.0/33'))
    rej('non-IP CIDR', mutate('Route', cidr='not-a-network'))
    rej('bad element in a list of IP addresses',
        mutate('FixedIP', floating_ips=['172.24.4.10', 'bogus']))
    rej("list field given a plain string (Python iterates it character by "
        "character and fails on '.')",
        mutate('FixedIP', floating_ips='172.24.4.10'))
    rej('list field given an object/dict (Python iterates its keys)',
        mutate('FixedIP', floating_ips={'a': '172.24.4.10'}))
    rej('enum value not allowed (VIFDirect.mode)',
        mutate('VIFDirect', mode='private'))
    rej('enum value wrong case (VIFVHostUser.mode)',
        mutate('VIFVHostUser', mode='Client'))
    rej('enum value not allowed (VIFHostDevice.dev_type)',
        mutate('VIFHostDevice', dev_type='pci'))
    rej('integer field given a non-numeric string',
        mutate('Network', vlan='ten'))
    rej('integer field given a list', mutate('Network', mtu=[1500]))
    rej('string field given a list', mutate('InstanceInfo', name=['a']))
    rej('string field given an object/dict',
        mutate('InstanceInfo', project_id={'id': 'x'}))
    rej('non-nullable field without default given null (plugin)',
        mutate('VIFOpenVSwitch', plugin=None))
    rej('non-nullable UUID field given null', mutate('VIFOpenVSwitch',
                                                     id=None))
    rej('port_profile (non-nullable) given null',
        mutate('VIFOpenVSwitch', port_profile=None))
    rej('nested object of the wrong class (Network.subnets holds a '
        'FixedIPList)',
        mutate('Network', subnets=F.FixedIPList(objects=[])
               .obj_to_primitive()))
    rej('port_profile holding a non-profile object (Network)',
        mutate('VIFOpenVSwitch', port_profile=network_ovs()
               .obj_to_primitive()))
    rej('network field holding a VIF object',
        mutate('VIFOpenVSwitch', network=vif_generic().obj_to_primitive()))
    rej('nested object with unsupported version (Network 1.9 inside a VIF)',
        mutate('VIFOpenVSwitch', network=dict(
            network_ovs().obj_to_primitive(), **{NS + 'version': '1.9'})))
    rej('nested object with unknown class name',
        mutate('VIFOpenVSwitch', port_profile=P('VIFPortProfileNope', {},
                                                version='1.0')))
    rej('nested object given as a plain string',
        mutate('VIFOpenVSwitch', network='br-int'))
    rej('list of objects containing a non-object',
        P('FixedIPList', {'objects': ['10.0.0.5']}))
    rej('integer field given a float-looking string',
        mutate('Network', mtu='1450.0'))

    # accepted but normalised / lenient
    acc('MAC upper-case with dashes is normalised to lower-case colons',
        mutate('VIFOpenVSwitch', address='FA-16-3E-7C-2A-01'))
    acc('PCI address upper-case is lower-cased',
        mutate('VIFHostDevice', dev_address='0000:3B:00.5'))
    acc("PCI address: the separator before the function is matched by "
        "an unescaped regex '.', so any character is accepted",
        mutate('VIFHostDevice', dev_address='0000:3b:00_5'))
    acc('IPv6 address is re-rendered in compressed lower-case form',
        mutate('FixedIP', address='FD00:1234:0000:0000:0000:0000:0000:0005'))
    acc('IPv4-mapped IPv6 address kept in mixed notation',
        mutate('FixedIP', address='::ffff:10.0.0.5'))
    acc('IP address with trailing whitespace is accepted (netaddr 0.8)',
        mutate('FixedIP', address='10.0.0.5 '))
    acc('IP address as integer (netaddr accepts ints)',
        mutate('FixedIP', address=167772165))
    acc("abbreviated IPv4 '10.5' expands inet_aton style to 10.0.0.5 "
        "(netaddr 0.8 default; newer netaddr rejects)",
        mutate('FixedIP', address='10.5'))
    acc("zero-padded IPv4 octets are read as OCTAL ('010.000.000.005' -> "
        "8.0.0.5) by netaddr 0.8",
        mutate('FixedIP', address='010.000.000.005'))
    acc('CIDR keeps host bits (no normalisation to network address)',
        mutate('Route', cidr='192.168.100.7/24'))
    acc('CIDR without prefix gets /32', mutate('Route', cidr='192.168.100.7'))
    acc('CIDR with a netmask is rendered as prefix length',
        mutate('Route', cidr='192.168.0.0/255.255.0.0'))
    acc('IPv6 CIDR without prefix gets /128',
        mutate('Route', cidr='fd00::1'))
    acc("list-of-IP field given a digits-only STRING: iterated per character"
        " and each digit parsed as an integer IP ('12' -> ['0.0.0.1', "
        "'0.0.0.2'])", mutate('FixedIP', floating_ips='12'))
    acc('integer field given a numeric string is coerced',
        mutate('Network', mtu='1450', vlan='42'))
    acc('integer field given a float is truncated', mutate('Network',
                                                           mtu=1450.9))
    acc('integer field given a boolean becomes 1', mutate('Network',
                                                          vlan=True))
    acc('string field given an integer is stringified',
        mutate('InstanceInfo', name=12345))
    acc("string field given a boolean becomes 'True' (bool is an int "
        "subclass in Python)", mutate('InstanceInfo', name=True))
    acc('string field given a float is stringified',
        mutate('InstanceInfo', name=1.5))
    acc("boolean field uses Python truthiness: the string 'false' becomes "
        "true", mutate('VIFOpenVSwitch', active='false'))
    acc('boolean field: 0 becomes false, non-empty list becomes true',
        mutate('VIFOpenVSwitch', active=0, has_traffic_filtering=[1]))
    acc('null for a non-nullable field WITH a default yields the default '
        '(active -> true)', mutate('VIFOpenVSwitch', active=None,
                                   preserve_on_delete=None))
    acc('null for a nullable field stays null',
        mutate('VIFOpenVSwitch', address=None, network=None))
    acc('invalid UUID is accepted as-is (only a FutureWarning)',
        mutate('VIFOpenVSwitch', id='not-a-uuid'))
    acc('UUID given as an integer is stringified',
        mutate('InstanceInfo', uuid=42))
    acc('upper-case UUID is kept verbatim (no normalisation)',
        mutate('InstanceInfo', uuid=UUID['instance'].upper()))
    acc('UUID without dashes is kept verbatim',
        mutate('InstanceInfo', uuid=UUID['instance'].replace('-', '')))
    acc('unknown keys in data are silently ignored',
        mutate('InstanceInfo', flavor='m1.small'))
    acc('unknown names in the changes list are dropped',
        dict(good('InstanceInfo'), **{NS + 'changes': ['name', 'bogus']}))
    acc('missing changes key -> object has no changed fields',
        {k: v for k, v in good('InstanceInfo').items()
         if k != NS + 'changes'})
    acc('fields missing from data stay unset (omitted when re-serialised)',
        mutate('VIFOpenVSwitch', active=_DELETE, address=_DELETE))
    acc('data given as a list is treated as empty',
        P('FixedIP', []))
    acc('older minor version is accepted; the object keeps the requested '
        'version and re-serialises with it (Network 1.0, no mtu). The '
        'Network constructor still injects mtu=null.',
        dict(mutate('Network', mtu=_DELETE), **{
            NS + 'version': '1.0',
            NS + 'changes': [c for c in good('Network')[NS + 'changes']
                             if c != 'mtu']}))
    acc("version '1' (no minor) is compatible with 1.0 and is kept verbatim",
        dict(good('FixedIP'), **{NS + 'version': '1'}))
    acc("three-part version '1.0.0' equals 1.0 and is accepted (kept "
        "verbatim)", dict(good('FixedIP'), **{NS + 'version': '1.0.0'}))
    acc('Network primitive with no subnets key: constructor default '
        'SubnetList(objects=[]) appears on re-serialisation',
        mutate('Network', subnets=_DELETE))
    acc('a subclass is accepted where the field allows subclasses '
        '(port_profile holds VIFPortProfileFPTap)',
        mutate('VIFOpenVSwitch', port_profile=V.VIFPortProfileFPTap(
            mac_address='fa:16:3e:ff:00:01').obj_to_primitive()))
    acc('port_profile may hold the base class itself',
        mutate('VIFOpenVSwitch', port_profile=V.VIFPortProfileBase()
               .obj_to_primitive()))
    acc('loading through the generic entry point returns whatever class the '
        'primitive names (a Network here)', good('Network'))
    acc('nested object carried at an older compatible version '
        '(Network 1.0 inside a VIF)',
        mutate('VIFOpenVSwitch', network=dict(
            network_ovs().obj_to_primitive(), **{NS + 'version': '1.0'})))
    acc('deprecated VIFPortProfileOVSRepresentor loads (warning on '
        'construction)', V.VIFPortProfileOVSRepresentor(
            interface_id=UUID['vif_hostdev'], profile_id='rep')
        .obj_to_primitive())
    write('invalid_primitives.json', inv)
    write('lenient_primitives.json', len_)
    return len(inv), len(len_)


# --------------------------------------------------------------------------
# library API vectors
# --------------------------------------------------------------------------
def api_vectors():
    out = {}
    os_vif.initialize()
    out['plugin_names_loaded'] = list(os_vif._EXT_MANAGER.names())
    out['host_info'] = {
        'all': canon(os_vif.host_info().obj_to_primitive()),
        'permitted_VIFBridge': canon(os_vif.host_info(
            ['VIFBridge']).obj_to_primitive()),
        'permitted_VIFVHostUser_VIFHostDevice': canon(os_vif.host_info(
            ['VIFVHostUser', 'VIFHostDevice']).obj_to_primitive()),
        'permitted_empty_list': canon(os_vif.host_info(
            []).obj_to_primitive()),
        'permitted_unknown_name': canon(os_vif.host_info(
            ['VIFNope']).obj_to_primitive()),
    }
    # get_common_version over what the plugins advertise
    gcv = []
    hi = os_vif.host_info()
    for p in hi.plugin_info:
        for vi in p.vif_info:
            e = {'plugin': p.plugin_name, 'vif_object_name':
                 vi.vif_object_name, 'min_version': vi.min_version,
                 'max_version': vi.max_version}
            try:
                e['result'] = vi.get_common_version()
            except Exception as ex:
                e['error'] = exc_info(ex)
            e['port_profiles'] = []
            for pp in vi.supported_port_profiles:
                pe = {'profile_object_name': pp.profile_object_name,
                      'min_version': pp.min_version,
                      'max_version': pp.max_version}
                try:
                    pe['result'] = pp.get_common_version()
                except Exception as ex:
                    pe['error'] = exc_info(ex)
                e['port_profiles'].append(pe)
            gcv.append(e)
    out['get_common_version_advertised'] = gcv
    cases = []
    for kind, name, lo, hi_ in [
            ('vif', 'VIFVHostUser', '1.0', '1.1'),
            ('vif', 'VIFVHostUser', '1.1', '1.1'),
            ('vif', 'VIFVHostUser', '1.0', '1.0'),
            ('vif', 'VIFVHostUser', '1.2', '1.9'),
            ('vif', 'VIFVHostUser', '1.0', '2.0'),
            ('vif', 'VIFOpenVSwitch', '1.0', '1.5'),
            ('vif', 'VIFNope', '1.0', '1.0'),
            ('vif', 'VIFPortProfileOpenVSwitch', '1.0', '1.9'),
            ('profile', 'VIFPortProfileOpenVSwitch', '1.0', '1.3'),
            ('profile', 'VIFPortProfileOpenVSwitch', '1.3', '1.3'),
            ('profile', 'VIFPortProfileOpenVSwitch', '1.0', '1.2'),
            ('profile', 'VIFPortProfileOpenVSwitch', '1.4', '1.0'),
            ('profile', 'VIFPortProfileNope', '1.0', '1.0'),
            ('profile', 'VIFPortProfileBase', '1.0', '1.10')]:
        if kind == 'vif':
            o = H.HostVIFInfo(vif_object_name=name, min_version=lo,
                              max_version=hi_, supported_port_profiles=[])
        else:
            o = H.HostPortProfileInfo(profile_object_name=name,
                                      min_version=lo, max_version=hi_)
        e = {'kind': kind, 'name': name, 'min_version': lo,
             'max_version': hi_}
        try:
            e['result'] = o.get_common_version()
        except Exception as ex:
            e['error'] = exc_info(ex)
        cases.append(e)
    out['get_common_version_cases'] = cases
    # lookups
    look = []
    for what, fn in [
            ("HostInfo.has_plugin('ovs')", lambda: hi.has_plugin('ovs')),
            ("HostInfo.has_plugin('nope')", lambda: hi.has_plugin('nope')),
            ("HostInfo.get_plugin('nope')", lambda: hi.get_plugin('nope')),
            ("HostPluginInfo(ovs).has_vif('VIFBridge')",
             lambda: hi.get_plugin('ovs').has_vif('VIFBridge')),
            ("HostPluginInfo(ovs).has_vif('VIFDirect')",
             lambda: hi.get_plugin('ovs').has_vif('VIFDirect')),
            ("HostPluginInfo(ovs).get_vif('VIFDirect')",
             lambda: hi.get_plugin('ovs').get_vif('VIFDirect'))]:
        e = {'call': what}
        try:
            r = fn()
            e['result'] = jsonable(r)
        except Exception as ex:
            e['error'] = exc_info(ex)
        look.append(e)
    out['lookups'] = look
    # plug/unplug dispatch errors
    disp = []
    saved = os_vif._EXT_MANAGER
    vif = vif_ovs()
    inst = instance_info()
    try:
        os_vif._EXT_MANAGER = None
        for fn in ('plug', 'unplug'):
            try:
                getattr(os_vif, fn)(vif, inst)
            except Exception as ex:
                disp.append({'call': fn + ' before initialize()',
                             'error': exc_info(ex)})
        try:
            os_vif.host_info()
        except Exception as ex:
            disp.append({'call': 'host_info before initialize()',
                         'error': exc_info(ex)})
    finally:
        os_vif._EXT_MANAGER = saved
    v2 = vif_ovs()
    v2.plugin = 'contrail'
    for fn in ('plug', 'unplug'):
        try:
            getattr(os_vif, fn)(v2, inst)
        except Exception as ex:
            disp.append({'call': fn + " with vif.plugin='contrail'",
                         'error': exc_info(ex)})
    out['dispatch_errors'] = disp
    # obj_to_primitive(target_version=...) edge cases
    tv = []
    for what, obj, ver in [
            ('VIFPortProfileOpenVSwitch 1.3 -> 1.4 (newer than current)',
             prof_ovs(), '1.4'),
            ('VIFPortProfileOpenVSwitch 1.3 -> 2.0', prof_ovs(), '2.0'),
            ('VIFPortProfileOpenVSwitch 1.3 -> 0.9 (older major: not '
             'rejected, treated like < 1.1)', prof_ovs(off=offload()),
             '0.9'),
            ('VIFPortProfileOpenVSwitch 1.3 -> 1.3 (same: no compat step)',
             prof_ovs(off=offload()), '1.3'),
            ('FixedIP 1.0 -> 1.0', fixed_ip_v4(), '1.0'),
            ('VIFOpenVSwitch 1.0 -> 1.0 with a 1.3 profile inside: nested '
             'objects are NOT backported without a manifest',
             vif_ovs(net=network_ovs(subnets=False)), '1.0')]:
        e = {'case': what, 'target_version': ver}
        try:
            e['result'] = canon(obj.obj_to_primitive(target_version=ver))
        except Exception as ex:
            e['error'] = exc_info(ex)
        tv.append(e)
    out['target_version_cases'] = tv
    # exception catalogue with formatted messages
    samples = {
        'ExceptionBase': {},
        'LibraryNotInitialized': {},
        'NoMatchingPlugin': {'plugin_name': 'contrail'},
        'NoMatchingPortProfileClass': {'name': 'VIFPortProfileNope'},
        'NoSupportedPortProfileVersion': {
            'name': 'VIFPortProfileOpenVSwitch', 'got_versions': '1.3',
            'min_version': '1.0', 'max_version': '1.0'},
        'NoMatchingVIFClass': {'name': 'VIFNope'},
        'NoSupportedVIFVersion': {
            'name': 'VIFVHostUser', 'got_versions': '1.1',
            'min_version': '1.0', 'max_version': '1.0'},
        'PlugException': {'vif': 'VIF-STR', 'err': 'ERR-STR'},
        'UnplugException': {'vif': 'VIF-STR', 'err': 'ERR-STR'},
        'NetworkMissingPhysicalNetwork': {'network_uuid': UUID['net_lb']},
        'NetworkInterfaceNotFound': {'interface': 'eth9'},
        'NetworkInterfaceTypeNotDefined': {'type': 'vxlan'},
        'ExternalImport': {},
        'NotImplementedForOS': {'function': 'ip.add', 'os': 'windows'},
    }
    from vif_plug_ovs import exception as ovs_exc
    ovs_samples = {
        'AgentError': {'method': 'plug'},
        'MissingPortProfile': {},
        'WrongPortProfile': {'profile': 'VIFPortProfileFPTap'},
        'RepresentorNotFound': {'ifname': 'enp59s0f0', 'vf_num': '3'},
        'PciDeviceNotFoundById': {'id': '0000:3b:00.5'},
    }
    cat = []
    for modname, mod, smp in [('os_vif.exception', osv_exc, samples),
                              ('vif_plug_ovs.exception', ovs_exc,
                               ovs_samples)]:
        for name, kw in smp.items():
            cls = getattr(mod, name)
            e = cls(**kw)
            cat.append({'module': modname, 'exception': name,
                        'base': cls.__bases__[0].__name__,
                        'template': str(cls.msg_fmt), 'kwargs': kw,
                        'message': str(e)})
        # missing kwarg -> template returned verbatim
    cat.append({'module': 'os_vif.exception',
                'exception': 'NoMatchingPlugin',
                'note': 'missing kwargs: formatting fails and the raw '
                        'template is used',
                'kwargs': {}, 'message': str(osv_exc.NoMatchingPlugin())})
    cat.append({'module': 'os_vif.exception',
                'exception': 'NoMatchingPlugin',
                'note': 'explicit message argument wins over template',
                'kwargs': {'message': 'custom text'},
                'message': str(osv_exc.NoMatchingPlugin('custom text'))})
    out['exceptions'] = cat
    write('api.json', out)


# --------------------------------------------------------------------------
# plugin traces
# --------------------------------------------------------------------------
class Recorder(object):
    def __init__(self, existing=()):
        self.root = []
        self.stack = [self.root]
        self.existing = set(existing)

    def emit(self, op):
        self.stack[-1].append(op)

    @contextlib.contextmanager
    def call(self, name, args):
        node = {'call': name, 'args': jsonable(args), 'ops': []}
        self.stack[-1].append(node)
        self.stack.append(node['ops'])
        try:
            yield node
        except Exception as e:
            node['raised'] = exc_info(e)
            raise
        finally:
            self.stack.pop()
            if not node['ops']:
                del node['ops']


def _bind(fn, args, kwargs):
    # privsep entrypoints are functools.partial(ctx._wrap, real_function)
    if isinstance(fn, functools.partial) and fn.args and callable(
            fn.args[0]):
        fn = fn.args[0]
    try:
        sig = inspect.signature(fn)
        b = sig.bind(*args, **kwargs)
        d = dict(b.arguments)
        d.pop('self', None)
        return d
    except (TypeError, ValueError):
        return {'args': list(args), 'kwargs': kwargs}


class FakeIp(object):
    """Stands in for os_vif.internal.ip.api.ip (the IpCommand object)."""

    def __init__(self, rec):
        self.rec = rec

    def exists(self, device):
        r = device in self.rec.existing
        self.rec.emit({'op': 'ip.exists', 'device': device, 'result': r})
        return r

    def add(self, device, dev_type, check_exit_code=None, peer=None,
            link=None, vlan_id=None, ageing=None):
        op = {'op': 'ip.add', 'device': device, 'dev_type': dev_type}
        for k, v in (('peer', peer), ('link', link), ('vlan_id', vlan_id),
                     ('ageing', ageing),
                     ('check_exit_code', check_exit_code)):
            if v is not None:
                op[k] = v
        self.rec.emit(op)
        self.rec.existing.add(device)
        if peer:
            self.rec.existing.add(peer)

    def set(self, device, check_exit_code=None, state=None, mtu=None,
            address=None, promisc=None, master=None):
        op = {'op': 'ip.set', 'device': device}
        for k, v in (('state', state), ('mtu', mtu), ('address', address),
                     ('promisc', promisc), ('master', master),
                     ('check_exit_code', check_exit_code)):
            if v is not None:
                op[k] = v
        if promisc is not None:
            op['promisc_effect'] = ('set IFF_PROMISC' if promisc is True
                                    else 'clear IFF_PROMISC')
        self.rec.emit(op)

    def delete(self, device, check_exit_code=None):
        op = {'op': 'ip.delete', 'device': device}
        if check_exit_code is not None:
            op['check_exit_code'] = check_exit_code
        self.rec.emit(op)
        self.rec.existing.discard(device)


def wrap_module_fn(rec, module, fname, label):
    orig = getattr(module, fname)

    @functools.wraps(orig)
    def wrapper(*a, **kw):
        with rec.call(label, _bind(orig, a, kw)) as node:
            r = orig(*a, **kw)
            if r is not None:
                node['result'] = jsonable(r)
            return r
    return mock.patch.object(module, fname, wrapper)


def fake_fs(rec):
    real_exists = os.path.exists
    real_open = builtins.open

    class W(io.StringIO):
        def __init__(self, path):
            super().__init__()
            self.path = path

        def close(self):
            rec.emit({'op': 'file.write', 'path': self.path,
                      'value': self.getvalue()})
            super().close()

    def exists(p):
        if isinstance(p, str) and p.startswith('/proc/sys/net/'):
            return True
        return real_exists(p)

    def fopen(p, mode='r', *a, **kw):
        if isinstance(p, str) and p.startswith('/proc/sys/net/'):
            return W(p)
        return real_open(p, mode, *a, **kw)
    return [mock.patch('os.path.exists', exists),
            mock.patch('builtins.open', fopen)]


def ovs_env(rec, mtu_request_supported=True):
    """Patch vif_plug_ovs so every host effect is recorded."""
    from vif_plug_ovs import linux_net as ovs_ln
    from vif_plug_ovs import ovs as ovs_mod
    from vif_plug_ovs.ovsdb import impl_vsctl
    from vif_plug_ovs.ovsdb import ovsdb_lib
    from vif_plug_ovs import privsep as ovs_priv
    ovs_priv.vif_plug.set_client_mode(False)
    fake = FakeIp(rec)
    ipapi = sys.modules['os_vif.internal.ip.api']
    patches = [mock.patch.object(ipapi.ip, m, getattr(fake, m))
               for m in ('exists', 'add', 'set', 'delete')]
    patches += fake_fs(rec)

    def run_vsctl(full_args):
        rec.emit({'op': 'ovs-vsctl', 'argv': list(full_args)})
        if not mtu_request_supported and '--columns=mtu_request' in \
                full_args:
            from oslo_concurrency import processutils
            raise processutils.ProcessExecutionError(
                stderr='ovs-vsctl: Interface does not contain a column '
                       'whose name matches "mtu_request"')
        return ''
    patches.append(mock.patch.object(impl_vsctl, '_run_vsctl', run_vsctl))

    # abstract OVSDB API calls: tag each command, record per transaction
    def tagger(mname):
        orig = getattr(impl_vsctl.OvsdbVsctl, mname)

        def w(self, *a, **kw):
            cmd = orig(self, *a, **kw)
            args = _bind(orig, (self,) + a, kw)
            args.pop('self', None)
            cmd._abstract = {'method': mname, 'args': jsonable(args)}
            return cmd
        return mock.patch.object(impl_vsctl.OvsdbVsctl, mname, w)
    for m in ('add_br', 'del_br', 'add_port', 'del_port', 'db_set',
              'db_list'):
        patches.append(tagger(m))
    orig_commit = impl_vsctl.Transaction.commit

    def commit(self):
        rec.emit({'op': 'ovsdb.transaction', 'commands': [
            getattr(c, '_abstract', {'method': c.cmd}) for c in
            self.commands]})
        return orig_commit(self)
    patches.append(mock.patch.object(impl_vsctl.Transaction, 'commit',
                                     commit))
    # SR-IOV sysfs lookups -> fixed answers
    sysfs = {
        'get_vf_num_by_pci_address': '3',
        'get_ifname_by_pci_address': 'enp59s0f0',
        'get_representor_port': 'enp59s0f0_3',
        'get_pf_pci_from_vf': '0000:3b:00.0',
    }
    for fn, val in sysfs.items():
        def mk(fn=fn, val=val):
            orig = getattr(ovs_ln, fn)

            def f(*a, **kw):
                rec.emit({'op': 'sysfs.' + fn, 'args': jsonable(
                    _bind(orig, a, kw)), 'result': val})
                return val
            return f
        patches.append(mock.patch.object(ovs_ln, fn, mk()))
    for fn in ('create_veth_pair', 'update_veth_pair', 'ensure_bridge',
               'delete_bridge', 'add_bridge_port', 'set_device_mtu',
               'set_interface_state', 'delete_net_dev'):
        patches.append(wrap_module_fn(rec, ovs_ln, fn, 'linux_net.' + fn))
    for fn in ('ensure_ovs_bridge', 'delete_ovs_bridge',
               'create_patch_port_pair', 'create_ovs_vif_port',
               'update_ovs_vif_port', 'delete_ovs_vif_port',
               'update_device_mtu'):
        patches.append(wrap_module_fn(rec, ovsdb_lib.BaseOVS, fn,
                                      'BaseOVS.' + fn))
    patches.append(mock.patch('sys.platform', 'linux'))
    return patches


def make_ovs_plugin(**conf):
    from oslo_config import cfg
    from vif_plug_ovs import ovs as ovs_mod
    CONF = cfg.CONF
    try:
        ovs_mod.OvsPlugin.load('ovs')
    except Exception:
        pass
    defaults = {'ovsdb_interface': 'vsctl', 'isolate_vif': False,
                'per_port_bridge': False, 'network_device_mtu': 1500,
                'ovs_vsctl_timeout': 120,
                'ovsdb_connection': 'tcp:127.0.0.1:6640'}
    defaults.update(conf)
    for k, v in defaults.items():
        CONF.set_override(k, v, group='os_vif_ovs')
    return ovs_mod.OvsPlugin(CONF.os_vif_ovs)


def run_trace(desc, plugin_name, config, action, vif, inst, env_patches,
              rec, through_api=False, extra=None):
    entry = {'description': desc, 'plugin': plugin_name, 'config': config,
             'action': action,
             'vif_class': vif.obj_name(),
             'vif': canon(vif.obj_to_primitive()),
             'instance_info': canon(inst.obj_to_primitive()),
             'preexisting_devices': sorted(rec.existing)}
    if extra:
        entry.update(extra)
    with contextlib.ExitStack() as st:
        for p in env_patches:
            st.enter_context(p)
        try:
            fn = getattr(entry_plugin(plugin_name, config), action) \
                if not through_api else getattr(os_vif, action)
            fn(vif, inst)
            entry['outcome'] = 'ok'
        except Exception as e:
            entry['outcome'] = 'raised'
            entry['error'] = exc_info(e)
    entry['ops'] = rec.root
    return entry


_PLUGIN_CACHE = {}


def entry_plugin(name, config):
    key = (name, json.dumps(config, sort_keys=True))
    return _PLUGIN_CACHE[key]


def ovs_traces():
    traces = []

    def T(desc, action, vif, conf=None, existing=(), mtu_req=True,
          api=False, extra=None):
        conf = conf or {}
        plugin = make_ovs_plugin(**conf)
        full = {'isolate_vif': False, 'per_port_bridge': False,
                'network_device_mtu': 1500, 'ovsdb_interface': 'vsctl',
                'ovs_vsctl_timeout': 120,
                'ovsdb_connection': 'tcp:127.0.0.1:6640'}
        full.update(conf)
        _PLUGIN_CACHE[('ovs', json.dumps(full, sort_keys=True))] = plugin
        rec = Recorder(existing)
        if api:
            os_vif.initialize()
            os_vif._EXT_MANAGER['ovs'].obj = plugin
        traces.append(run_trace(desc, 'ovs', full, action, vif,
                                instance_info(), ovs_env(rec, mtu_req),
                                rec, through_api=api, extra=extra))

    vid = UUID['vif_ovs']
    tap = ('tap' + vid)[:14]
    # --- VIFOpenVSwitch
    T('VIFOpenVSwitch plug, create_port=False (default ml2/ovs): only the '
      'bridge is ensured; the hypervisor adds the tap port', 'plug',
      vif_ovs())
    T('VIFOpenVSwitch plug, create_port=True, netdev datapath, network '
      'mtu 1450, tap already exists', 'plug',
      vif_ovs(prof=prof_ovs(dp='netdev', create_port=True)),
      existing=[tap])
    T('VIFOpenVSwitch plug, create_port=True, tap absent (MTU step skipped)',
      'plug', vif_ovs(prof=prof_ovs(dp='system', create_port=True)))
    T('VIFOpenVSwitch plug, create_port=True, isolate_vif=True (tag 4095)',
      'plug', vif_ovs(prof=prof_ovs(dp='system', create_port=True)),
      conf={'isolate_vif': True}, existing=[tap])
    T('VIFOpenVSwitch plug, datapath_type unset -> system; network mtu null '
      '-> config network_device_mtu', 'plug',
      vif_ovs(prof=V.VIFPortProfileOpenVSwitch(interface_id=vid,
                                               create_port=True),
              net=network_ovs(mtu=None)), existing=[tap])
    T('VIFOpenVSwitch plug with per_port_bridge=True', 'plug', vif_ovs(),
      conf={'per_port_bridge': True})
    T('VIFOpenVSwitch plug with per_port_bridge=True and isolate_vif=True',
      'plug', vif_ovs(), conf={'per_port_bridge': True, 'isolate_vif': True})
    T('VIFOpenVSwitch unplug (no leftover qbr bridge)', 'unplug', vif_ovs(),
      existing=[tap])
    T('VIFOpenVSwitch unplug when a qbr<id> linux bridge exists (treated as '
      'hybrid)', 'unplug', vif_ovs(),
      existing=[('qbr' + vid)[:14], ('qvb' + vid)[:14],
                ('qvo' + vid)[:14], tap])
    T('VIFOpenVSwitch unplug with per_port_bridge=True', 'unplug', vif_ovs(),
      conf={'per_port_bridge': True})
    T('VIFOpenVSwitch unplug on a trunk bridge (tbr-*) deletes the bridge',
      'unplug', vif_ovs(net=network_ovs(bridge='tbr-3c4d5e6f-7')))
    # --- VIFBridge (hybrid)
    hv = UUID['vif_hybrid']
    T('VIFBridge hybrid plug, first time (qvo absent)', 'plug',
      vif_hybrid())
    T('VIFBridge hybrid plug, second time (qvo exists -> MTU update only)',
      'plug', vif_hybrid(),
      existing=[('qbr' + hv)[:14], ('qvb' + hv)[:14], ('qvo' + hv)[:14]])
    T('VIFBridge hybrid plug with isolate_vif=True (tag 4095 on the qvo '
      'port)', 'plug', vif_hybrid(), conf={'isolate_vif': True})
    T('VIFBridge hybrid unplug', 'unplug', vif_hybrid(),
      existing=[('qbr' + hv)[:14], ('qvb' + hv)[:14], ('qvo' + hv)[:14]])
    T('VIFBridge hybrid unplug when nothing exists (idempotent)', 'unplug',
      vif_hybrid())
    # --- VIFVHostUser
    T('VIFVHostUser plug, mode=client (OVS is server: dpdkvhostuser)',
      'plug', vif_vhu('client'))
    T('VIFVHostUser plug, mode=server (OVS is client: dpdkvhostuserclient '
      '+ vhost-server-path)', 'plug', vif_vhu('server'))
    T('VIFVHostUser plug, OVS without mtu_request column', 'plug',
      vif_vhu('client'), mtu_req=False)
    T('VIFVHostUser plug, datapath_type unset -> netdev default', 'plug',
      vif_vhu('server', prof=V.VIFPortProfileOpenVSwitch(
          interface_id=UUID['vif_vhu'])))
    T('VIFVHostUser unplug', 'unplug', vif_vhu('client'))
    T('VIFVHostUser unplug on trunk bridge', 'unplug',
      vif_vhu('client', net=network_ovs(bridge='tbr-3c4d5e6f-7')))
    # --- VIFHostDevice
    T('VIFHostDevice plug, system datapath (kernel switchdev representor)',
      'plug', vif_hostdev('system'))
    T('VIFHostDevice plug, netdev datapath (DPDK representor)', 'plug',
      vif_hostdev('netdev'))
    T('VIFHostDevice unplug, system datapath', 'unplug',
      vif_hostdev('system'))
    T('VIFHostDevice unplug, netdev datapath', 'unplug',
      vif_hostdev('netdev'))
    # --- errors
    bad = vif_ovs()
    bad.port_profile = V.VIFPortProfileBase()
    T('plug with a non-OVS port profile -> WrongPortProfile', 'plug', bad)
    T('same through os_vif.plug() -> PlugException wrapping it', 'plug',
      vif_ovs(prof=V.VIFPortProfileFPTap(mac_address='fa:16:3e:ff:00:01')),
      api=True)
    nopp = V.VIFOpenVSwitch(id=vid, address='fa:16:3e:7c:2a:01',
                            network=network_ovs(), plugin='ovs',
                            vif_name=tap)
    T('plug with port_profile unset: hasattr() does not swallow the lazy-'
      'load error, so NotImplementedError (not MissingPortProfile)', 'plug',
      nopp)
    T('plug of an unsupported VIF class (VIFGeneric) via os_vif.plug()',
      'plug', V.VIFGeneric(id=vid, plugin='ovs', vif_name=tap,
                           network=network_ovs(),
                           port_profile=prof_ovs()), api=True)
    return traces


def lb_env(rec, iptables_save_output):
    from vif_plug_linux_bridge import iptables as ipt
    from vif_plug_linux_bridge import linux_net as lb_ln
    from vif_plug_linux_bridge import privsep as lb_priv
    from oslo_concurrency import processutils
    lb_priv.vif_plug.set_client_mode(False)
    fake = FakeIp(rec)
    ipapi = sys.modules['os_vif.internal.ip.api']
    patches = [mock.patch.object(ipapi.ip, m, getattr(fake, m))
               for m in ('exists', 'add', 'set', 'delete')]
    patches += fake_fs(rec)

    def execute(*cmd, **kw):
        op = {'op': 'exec', 'argv': list(cmd)}
        for k in ('check_exit_code', 'attempts', 'process_input'):
            if k in kw:
                op[k] = kw[k]
        rec.emit(op)
        if cmd[:3] == ('ip', 'route', 'show'):
            return ('default via 192.0.2.1 dev %s proto static\n'
                    '198.51.100.0/24 via 192.0.2.254 dev %s\n'
                    '192.0.2.0/24 proto kernel scope link src 192.0.2.10\n'
                    % (cmd[4], cmd[4]), '')
        if cmd[:3] == ('ip', 'addr', 'show'):
            d = cmd[4]
            return ('3: %s: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n'
                    '    inet 192.0.2.10/24 brd 192.0.2.255 scope global %s\n'
                    '       valid_lft forever preferred_lft forever\n'
                    '    inet 192.0.2.11/24 scope global secondary %s\n'
                    '    inet 192.0.2.12/24 scope global dynamic %s\n'
                    % (d, d, d, d), '')
        if cmd[0] == 'iptables-save':
            return (iptables_save_output, '')
        return ('', '')
    patches.append(mock.patch.object(processutils, 'execute', execute))
    for fn in ('ensure_vlan_bridge', '_ensure_vlan_privileged',
               'ensure_bridge', '_ensure_bridge_privileged',
               '_ensure_bridge_filtering', '_update_bridge_routes',
               '_set_device_mtu'):
        patches.append(wrap_module_fn(rec, lb_ln, fn, 'linux_net.' + fn))
    return patches


IPTABLES_SAVE = """# Generated by iptables-save v1.8.9 on Tue Nov 25 19:20:00 2025
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
COMMIT
# Completed on Tue Nov 25 19:20:00 2025
# Generated by iptables-save v1.8.9 on Tue Nov 25 19:20:00 2025
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
COMMIT
# Completed on Tue Nov 25 19:20:00 2025
# Generated by iptables-save v1.8.9 on Tue Nov 25 19:20:00 2025
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
# Completed on Tue Nov 25 19:20:00 2025"""


def lb_traces():
    from oslo_config import cfg
    from oslo_concurrency import lockutils  # noqa: F401 (registers opts)
    from vif_plug_linux_bridge import linux_bridge as lb_mod
    from vif_plug_linux_bridge import iptables as ipt
    # the real value is basename(argv[0])[:16] of the hosting process; pin
    # it so wrapped chain names look like they do under nova-compute
    ipt.binary_name = 'nova-compute'
    CONF = cfg.CONF
    lockdir = tempfile.mkdtemp(prefix='osvif-locks-')
    CONF.set_override('lock_path', lockdir, group='oslo_concurrency')
    try:
        lb_mod.LinuxBridgePlugin.load('linux_bridge')
    except Exception:
        pass
    traces = []

    def T(desc, action, vif, conf=None, existing=(), reuse=None):
        base = {'use_ipv6': False, 'iptables_top_regex': '',
                'iptables_bottom_regex': '', 'iptables_drop_action': 'DROP',
                'forward_bridge_interface': ['all'], 'vlan_interface': None,
                'flat_interface': None, 'network_device_mtu': 1500}
        base.update(conf or {})
        for k, v in base.items():
            CONF.set_override(k, v, group='os_vif_linux_bridge')
        plugin = reuse or lb_mod.LinuxBridgePlugin(CONF.os_vif_linux_bridge)
        from vif_plug_linux_bridge import linux_net as lb_ln
        lb_ln.configure(plugin_ipm(plugin))
        _PLUGIN_CACHE[('linux_bridge', json.dumps(base, sort_keys=True))] = \
            plugin
        rec = Recorder(existing)
        traces.append(run_trace(desc, 'linux_bridge', base, action, vif,
                                instance_info(),
                                lb_env(rec, IPTABLES_SAVE), rec))
        return plugin

    T('plug: network does not ask for a bridge -> nothing done', 'plug',
      vif_lb(net=network_lb(provide_bridge=False)))
    T('plug: multi_host network -> nothing done', 'plug',
      vif_lb(net=network_lb(multi_host=True)))
    p = T('plug: flat network, bridge and eth2 absent, filtering installed '
          '(has_traffic_filtering=False)', 'plug',
          vif_lb(net=network_lb(vlan=False)))
    T('plug: flat network, bridge absent, eth2 present (addresses/routes '
      'moved to bridge), mtu from network 9000', 'plug',
      vif_lb(net=network_lb(vlan=False)), existing=['eth2'])
    T('plug: flat network, bridge already exists (second plug, same '
      'manager -> rules already applied, no iptables-restore)', 'plug',
      vif_lb(net=network_lb(vlan=False)), existing=['brq7a9b8c6d-5e'],
      reuse=p)
    T('plug: flat network with has_traffic_filtering=True -> no iptables',
      'plug', vif_lb(net=network_lb(vlan=False, mtu=None), filtering=True),
      existing=['eth2'])
    T('plug: flat network, config flat_interface=eth3 overrides '
      'bridge_interface; forward_bridge_interface=[eth3]', 'plug',
      vif_lb(net=network_lb(vlan=False)),
      conf={'flat_interface': 'eth3', 'forward_bridge_interface': ['eth3']},
      existing=['eth3'])
    T('plug: VLAN network (should_provide_vlan) -- os-vif 3.0.0 raises '
      'TypeError here (missing gateway argument)', 'plug', vif_lb(),
      existing=['eth2'])
    T('unplug: always a no-op', 'unplug', vif_lb())
    return traces


def plugin_ipm(plugin):
    from vif_plug_linux_bridge import linux_net as lb_ln
    return lb_ln._IPTABLES_MANAGER


def noop_traces():
    from vif_plug_noop import noop
    plugin = noop.NoOpPlugin(None)
    _PLUGIN_CACHE[('noop', json.dumps({}, sort_keys=True))] = plugin
    out = []
    for action in ('plug', 'unplug'):
        rec = Recorder()
        out.append(run_trace('noop %s does nothing' % action, 'noop', {},
                             action, vif_vhu('server'), instance_info(),
                             ovs_env(rec), rec))
    return out


def plugin_traces():
    _SMALL[0] = True
    os_vif.initialize()
    write('plugin_traces/ovs.json', ovs_traces())
    write('plugin_traces/linux_bridge.json', lb_traces())
    write('plugin_traces/noop.json', noop_traces())


def main():
    names = object_vectors()
    hashes = catalogue()
    ninv, nlen = invalid_and_lenient()
    api_vectors()
    plugin_traces()
    print('classes: %d, fingerprints: %d, invalid: %d, lenient: %d -> %s'
          % (len(names), len(hashes), ninv, nlen, OUT))


if __name__ == '__main__':
    main()
