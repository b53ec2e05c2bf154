/** The hybrid VIF and instance the CLI tests plug (a VIFBridge on br-int, netdev datapath). */
import { objects } from '../../src/vif/index.js';

/** The VIF id. */
export const ID = 'd1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';
/** The instance. */
export const INSTANCE = new objects.InstanceInfo({
  uuid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10',
  name: 'vm',
  project_id: 'p',
});
/** The hybrid VIF; `fields` and `network` override its own and its network's fields. */
export const hybrid = (fields: Record<string, unknown> = {}, network: Record<string, unknown> = {}) =>
  new objects.VIFBridge({
    id: ID,
    address: 'fa:16:3e:7c:2a:02',
    plugin: 'ovs',
    vif_name: 'tapd1a2b3c4-d5',
    bridge_name: 'qbrd1a2b3c4-d5',
    network: new objects.Network({
      id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
      bridge: 'br-int',
      mtu: 1450,
      subnets: new objects.SubnetList({ objects: [] }),
      ...network,
    } as ConstructorParameters<typeof objects.Network>[0]),
    port_profile: new objects.VIFPortProfileOpenVSwitch({
      interface_id: ID,
      profile_id: '',
      datapath_type: 'netdev',
    }),
    ...fields,
  } as ConstructorParameters<typeof objects.VIFBridge>[0]);
