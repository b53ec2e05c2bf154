/**
 * Benchmark: fromPrimitive and toPrimitive of a fully populated VIFOpenVSwitch (network with two
 * subnets, fixed and floating IPs, routes, OVS port profile with an offload), against Python
 * os-vif in the same run when `/usr/bin/python3` has it. Rates are calls per CPU-second of each
 * process (process CPU time, not wall time), best of 3 interleaved rounds.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/objects.js [--seconds 1] [--json]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { objects } from '../src/vif/index.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } },
});
const SECONDS = Math.min(Math.max(Number(args.seconds) || 1, 0.2), 10);
const PYTHON = process.env.OSVIF_PYTHON ?? '/usr/bin/python3';

function fullVif(): objects.VIFOpenVSwitch {
  const subnet = (
    cidr: string,
    gw: string,
    dns: string[],
    ip: string,
    floating: string[],
    route: [string, string],
  ) =>
    new objects.Subnet({
      cidr,
      gateway: gw,
      dhcp_server: gw.replace(/1$/, '2'),
      dns,
      ips: new objects.FixedIPList({
        objects: [new objects.FixedIP({ address: ip, floating_ips: floating })],
      }),
      routes: new objects.RouteList({
        objects: [new objects.Route({ cidr: route[0], gateway: route[1], interface: 'eth0' })],
      }),
    });
  return new objects.VIFOpenVSwitch({
    id: 'b679325f-ca89-4ee0-a8be-6db1409b69ea',
    address: 'fa:16:3e:7c:2a:01',
    plugin: 'ovs',
    active: true,
    preserve_on_delete: false,
    has_traffic_filtering: true,
    vif_name: 'tapb679325f-ca',
    bridge_name: 'br-int',
    network: new objects.Network({
      id: '5f3c2a1e-8b4d-4c6e-9a7f-0e1d2c3b4a50',
      bridge: 'br-int',
      label: 'private',
      mtu: 1450,
      bridge_interface: null,
      vlan: null,
      subnets: new objects.SubnetList({
        objects: [
          subnet(
            '10.0.0.0/24',
            '10.0.0.1',
            ['8.8.8.8', '8.8.4.4'],
            '10.0.0.5',
            ['172.24.4.10', '172.24.4.11'],
            ['192.168.100.0/24', '10.0.0.254'],
          ),
          subnet(
            'fd00:1234::/64',
            'fd00:1234::1',
            ['2001:4860:4860::8888'],
            'fd00:1234::5',
            [],
            ['::/0', 'fd00:1234::fe'],
          ),
        ],
      }),
    }),
    port_profile: new objects.VIFPortProfileOpenVSwitch({
      interface_id: 'b679325f-ca89-4ee0-a8be-6db1409b69ea',
      profile_id: '',
      datapath_type: 'system',
      create_port: false,
      datapath_offload: new objects.DatapathOffloadRepresentor({
        representor_name: 'enp59s0f0_3',
        representor_address: '0000:3b:00.5',
      }),
    }),
  });
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Calls per CPU-second of `fn` (process CPU time, so that other load on a shared host does not
 * count against either side), run for about `seconds` of wall time after a short warm-up.
 */
function rate(fn: () => unknown, seconds: number): number {
  const run = (ms: number) => {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 100; i++) fn();
      n += 100;
    }
    return n;
  };
  run(Math.min(300, seconds * 300));
  const start = cpuSeconds();
  const n = run(seconds * 1000);
  return n / (cpuSeconds() - start);
}

const PY_TIMING = `
import json, sys, time, warnings
warnings.simplefilter('ignore')
import os_vif
from os_vif.objects import base
os_vif.objects.register_all()
prim = json.load(sys.stdin)
secs = float(sys.argv[1])
def rate(fn):
    end = time.perf_counter() + min(0.3, secs * 0.3)
    while time.perf_counter() < end: fn()
    n = 0; start = time.process_time(); end = time.perf_counter() + secs
    while time.perf_counter() < end:
        for _ in range(20): fn()
        n += 20
    return n / (time.process_time() - start)
obj = base.VersionedObject.obj_from_primitive(prim)
assert obj.obj_to_primitive()['versioned_object.name'] == 'VIFOpenVSwitch'
print(json.dumps({'fromPrimitive': rate(lambda: base.VersionedObject.obj_from_primitive(prim)),
                  'toPrimitive': rate(lambda: obj.obj_to_primitive())}))
`;

function python(primitive: unknown): { fromPrimitive: number; toPrimitive: number } | undefined {
  const run = spawnSync(PYTHON, ['-c', PY_TIMING, String(SECONDS)], {
    input: JSON.stringify(primitive),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) return undefined;
  return JSON.parse(run.stdout) as { fromPrimitive: number; toPrimitive: number };
}

const vif = fullVif();
const primitive = JSON.parse(JSON.stringify(vif.toPrimitive())) as objects.Primitive;
const loaded = objects.fromPrimitive(primitive, objects.VIFOpenVSwitch);
if (JSON.stringify(loaded.toPrimitive()) !== JSON.stringify(primitive)) throw new Error('round trip differs');

// The host is shared: measure in interleaved rounds and keep each side's best round.
const ROUNDS = 3;
// Rates are per CPU-second of each process.
const best = {
  ts: { fromPrimitive: 0, toPrimitive: 0 },
  py: undefined as { fromPrimitive: number; toPrimitive: number } | undefined,
};
for (let r = 0; r < ROUNDS; r++) {
  best.ts.fromPrimitive = Math.max(
    best.ts.fromPrimitive,
    rate(() => objects.fromPrimitive(primitive), SECONDS),
  );
  best.ts.toPrimitive = Math.max(
    best.ts.toPrimitive,
    rate(() => loaded.toPrimitive(), SECONDS),
  );
  const p = python(primitive);
  if (p) {
    best.py = {
      fromPrimitive: Math.max(best.py?.fromPrimitive ?? 0, p.fromPrimitive),
      toPrimitive: Math.max(best.py?.toPrimitive ?? 0, p.toPrimitive),
    };
  }
}
const ts = best.ts;
const py = best.py;

const rows = (['fromPrimitive', 'toPrimitive'] as const).map((op) => ({
  operation: op,
  typescript: Math.round(ts[op]),
  python: py ? Math.round(py[op]) : null,
  ratio: py ? Number((ts[op] / py[op]).toFixed(1)) : null,
}));

if (args.json)
  console.log(JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, node: process.version, rows }, null, 2));
else {
  console.log(
    `VIFOpenVSwitch, fully populated (${JSON.stringify(primitive).length} bytes of JSON), best of ${ROUNDS} interleaved rounds of ${SECONDS}s, calls per CPU-second`,
  );
  console.log('| operation | TypeScript ops/s | Python os-vif ops/s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.operation} | ${r.typescript} | ${r.python ?? 'n/a'} | ${r.ratio === null ? 'n/a' : `${r.ratio}x`} |`,
    );
  }
  if (!py) console.log(`(Python os-vif not available at ${PYTHON})`);
}
