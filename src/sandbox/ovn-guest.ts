/**
 * Guests of an OVN sandbox: a namespace standing in for a VM, joined to its chassis by a veth
 * pair (the host end named like the tap a hypervisor would make, the guest end `eth0`), and the
 * probes that prove the data path: `ping` and a TCP echo (a Node server and client spawned
 * inside the namespaces, both bounded in time). The guest end gets tx checksum offload turned
 * off (the SIOCETHTOOL ioctl, through python3): the userspace datapath forwards veth frames
 * with partial checksums unfinished, which breaks TCP and UDP (ICMP survives).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createNetns, Netlink, netnsPath } from '../netlink/index.js';
import { run } from './process.js';

/** How to make a guest. */
export interface GuestSpec {
  /** Namespace name of the guest. */
  netns: string;
  /** The chassis namespace (where the host end goes). */
  chassisNetns: string;
  /** Name of the host end (the VIF's `vif_name`, e.g. `tap…`). */
  hostIfname: string;
  /** MAC of the guest's eth0. */
  mac: string;
  /** Address with prefix, e.g. `10.99.0.1/24`. */
  address: string;
  /** MTU of both ends (default 1400: room for the Geneve header). */
  mtu?: number;
}

/** The system python (a version manager's shim on PATH can take seconds to start). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const TX_CSUM_OFF = [
  'import array,fcntl,socket,struct,sys',
  's=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)',
  'v=array.array("I",[0x17,0])', // ETHTOOL_STXCSUM, data 0
  'fcntl.ioctl(s.fileno(),0x8946,struct.pack("16sP",sys.argv[1].encode(),v.buffer_info()[0]))', // SIOCETHTOOL
].join('\n');

/** Creates the guest namespace and its veth; the host end is up in the chassis namespace. */
export async function createGuest(spec: GuestSpec): Promise<void> {
  await createNetns(spec.netns);
  await attachGuest(spec);
}

/**
 * (Re)creates the veth of an existing guest namespace, as a hypervisor re-creates the tap of a
 * VM (an unplug of a plain OVS VIF deletes the device, as os-vif does).
 */
export async function attachGuest(spec: GuestSpec): Promise<void> {
  const mtu = spec.mtu ?? 1400;
  const host = await Netlink.open({ netns: spec.chassisNetns });
  try {
    await host.links.add({
      kind: 'veth',
      name: spec.hostIfname,
      peer: { name: 'eth0', netns: spec.netns },
      mtu,
      up: true,
    });
  } finally {
    host.close();
  }
  const guest = await Netlink.open({ netns: spec.netns });
  try {
    await guest.links.set('lo', { up: true });
    await guest.links.set('eth0', { address: spec.mac, mtu, up: true });
    await guest.addresses.add({ interface: 'eth0', address: spec.address });
  } finally {
    guest.close();
  }
  await run('nsenter', [`--net=${netnsPath(spec.netns)}`, PYTHON, '-c', TX_CSUM_OFF, 'eth0'], {
    timeoutMs: 10_000,
  });
}

/** Sets the MAC of a guest's eth0 (a spoofing guest, for port-security checks). */
export async function setGuestMac(netns: string, mac: string): Promise<void> {
  const nl = await Netlink.open({ netns });
  try {
    await nl.links.set('eth0', { address: mac });
  } finally {
    nl.close();
  }
}

/**
 * Pings `address` from namespace `netns`: true when at least one reply came back (the first
 * packet to a new chassis may be lost while the tunnel neighbour resolves).
 */
export async function pingOk(netns: string, address: string, count = 3): Promise<boolean> {
  try {
    await run(
      'nsenter',
      [`--net=${netnsPath(netns)}`, 'ping', '-c', String(count), '-i', '0.2', '-W', '1', address],
      { timeoutMs: 15_000 },
    );
    return true;
  } catch {
    return false;
  }
}

const SERVER = [
  "const s=require('net').createServer(c=>{c.on('data',d=>{c.end('echo:'+d)})});",
  "s.listen(+process.argv[1],'0.0.0.0',()=>process.stdout.write('listening\\n'));",
  'setTimeout(()=>process.exit(0),+process.argv[2]).unref();',
  "s.on('connection',()=>{s.close();});",
].join('');

const CLIENT = [
  "const c=require('net').connect(+process.argv[2],process.argv[1]);let b='';",
  "c.setTimeout(+process.argv[3],()=>{process.stdout.write('timeout');process.exit(1)});",
  "c.on('connect',()=>c.write(process.argv[4]));c.on('data',d=>b+=d);",
  "c.on('end',()=>{process.stdout.write(b);process.exit(b==='echo:'+process.argv[4]?0:1)});",
  "c.on('error',e=>{process.stdout.write(String(e));process.exit(1)});",
].join('');

/**
 * A TCP round trip: an echo server in `serverNetns` on `port`, a client in `clientNetns` sends a
 * token to `serverAddress` and must get it back. True on success, false on a timeout or error;
 * both processes are bounded (`timeoutMs`) and killed at the end.
 */
export async function tcpOk(
  clientNetns: string,
  serverNetns: string,
  serverAddress: string,
  port = 5201,
  timeoutMs = 5000,
): Promise<boolean> {
  const server = spawn(
    'nsenter',
    [
      `--net=${netnsPath(serverNetns)}`,
      process.execPath,
      '-e',
      SERVER,
      String(port),
      String(timeoutMs + 2000),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    const listening = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      server.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) {
          clearTimeout(t);
          resolve(true);
        }
      });
      server.on('exit', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    if (!listening) return false;
    const token = `t${process.pid}${Date.now()}`;
    await run(
      'nsenter',
      [
        `--net=${netnsPath(clientNetns)}`,
        process.execPath,
        '-e',
        CLIENT,
        serverAddress,
        String(port),
        String(timeoutMs),
        token,
      ],
      { timeoutMs: timeoutMs + 2000 },
    );
    return true;
  } catch {
    return false;
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}
