// Plug and unplug a VIF with the library, as a compute agent does.
//   node examples/plug.mjs examples/vif-hybrid.json examples/instance.json unix:/run/openvswitch/db.sock
// (The same with the command: os-vif plug --vif VIF.json --instance INSTANCE.json --config CONFIG.json)
import { readFileSync } from 'node:fs';
import { hostInfo, initialize, objects, plug, reset, unplug } from 'os-vif';

const [vifFile, instanceFile, ovsdb = 'unix:/run/openvswitch/db.sock'] = process.argv.slice(2);
const vif = objects.fromPrimitive(JSON.parse(readFileSync(vifFile, 'utf8')), objects.VIFBase);
const instance = objects.fromPrimitive(JSON.parse(readFileSync(instanceFile, 'utf8')), objects.InstanceInfo);

await initialize({ config: { os_vif_ovs: { ovsdb_connection: ovsdb } } });
console.log(hostInfo(['VIFBridge', 'VIFOpenVSwitch']).toPrimitive());
await plug(vif, instance); // idempotent: plugging again changes nothing
console.log(`plugged ${vif.id} with plugin ${vif.plugin}`);
await unplug(vif, instance); // succeeds when nothing is there
await reset(); // closes the plugins' netlink socket and OVSDB connection
