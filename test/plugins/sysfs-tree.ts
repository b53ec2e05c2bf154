/**
 * A made-up sysfs tree with one SR-IOV PF in switchdev mode, matching the traces: VF 3 of PF
 * `enp59s0f0` at `0000:3b:00.0` is `0000:3b:00.5`, and its representor is `enp59s0f0_3`.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Builds the tree; returns its root and a remover. */
export function makeSysfsTree(options: { representor?: string } = {}): { root: string; remove: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'ovtsysfs'));
  const rep = options.representor ?? 'enp59s0f0_3';
  const dev = (...p: string[]) => path.join(root, 'bus/pci/devices', ...p);
  const net = (...p: string[]) => path.join(root, 'class/net', ...p);
  mkdirSync(dev('0000:3b:00.0/net/enp59s0f0'), { recursive: true });
  mkdirSync(dev('0000:3b:00.5'), { recursive: true });
  for (const vf of [0, 1, 2, 3]) symlinkSync(`../0000:3b:00.${vf + 2}`, dev('0000:3b:00.0', `virtfn${vf}`));
  symlinkSync('../0000:3b:00.0', dev('0000:3b:00.5/physfn'));
  const netdev = (name: string, switchId: string, portName: string) => {
    mkdirSync(net(name), { recursive: true });
    writeFileSync(net(name, 'phys_switch_id'), `${switchId}\n`);
    writeFileSync(net(name, 'phys_port_name'), `${portName}\n`);
    symlinkSync('../../net', net(name, 'subsystem'));
  };
  netdev('enp59s0f0', 'aabbcc', 'p0');
  symlinkSync('../../../bus/pci/devices/0000:3b:00.0', net('enp59s0f0', 'device'));
  netdev('enp59s0f0_1', 'aabbcc', 'pf0vf1');
  netdev(rep, 'aabbcc', 'pf0vf3');
  netdev('other_3', 'ddeeff', 'pf0vf3');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
