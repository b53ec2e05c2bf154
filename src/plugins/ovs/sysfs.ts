/**
 * SR-IOV lookups through sysfs for VIFHostDevice, as os-vif's vif_plug_ovs.linux_net does
 * (§6.3). The sysfs root is a parameter so tests can hand in a made-up tree; production uses
 * `/sys`. Reads only; nothing here changes the host.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { PciDeviceNotFoundById, RepresentorNotFound } from '../errors.js';

const VIRTFN_RE = /virtfn(\d+)/;
const INT_RE = /^(\d+)$/;
const VF_RE = /vf(\d+)/i;
const PF_RE = /pf(\d+)/i;
const PF_FUNC_RE = /\.(\d+)/;
const UPLINK_PORT_RE = /p(\d+)/i;

/** sysfs readers rooted at `root` (default `/sys`). */
export class Sysfs {
  constructor(readonly root = '/sys') {}

  private p(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  private async readLine(file: string): Promise<string | undefined> {
    try {
      return (await readFile(file, 'utf8')).split('\n')[0]?.trim();
    } catch {
      return undefined;
    }
  }

  /** `phys_switch_id` of a netdev; undefined when the file is absent or unreadable. */
  physSwitchId(ifname: string): Promise<string | undefined> {
    return this.readLine(this.p('class/net', ifname, 'phys_switch_id'));
  }

  /** `phys_port_name` of a netdev; undefined when absent. */
  physPortName(ifname: string): Promise<string | undefined> {
    return this.readLine(this.p('class/net', ifname, 'phys_port_name'));
  }

  /** The VF number of a VF PCI address, from its PF's `virtfn<N>` links. */
  async vfNumber(vfPci: string): Promise<number> {
    const physfn = this.p('bus/pci/devices', vfPci, 'physfn');
    try {
      for (const entry of (await readdir(physfn)).sort()) {
        const m = VIRTFN_RE.exec(entry);
        if (!m) continue;
        const target = await readlink(path.join(physfn, entry));
        if (target.includes(vfPci)) return Number(m[1]);
      }
    } catch {
      // an absent or unreadable tree means "not found", as in os-vif
    }
    throw new PciDeviceNotFoundById({ id: vfPci });
  }

  /** The PF's PCI address: the basename of the VF's `physfn` link. */
  async pfPci(vfPci: string): Promise<string> {
    try {
      return path.basename(await readlink(this.p('bus/pci/devices', vfPci, 'physfn')));
    } catch {
      throw new PciDeviceNotFoundById({ id: vfPci });
    }
  }

  /**
   * The PF uplink netdev of a VF in switchdev mode: a netdev of the PF whose phys_switch_id is
   * set and whose phys_port_name matches `p<N>`, else the first switchdev one.
   */
  async pfIfname(vfPci: string): Promise<string> {
    let devices: string[];
    try {
      devices = await readdir(this.p('bus/pci/devices', vfPci, 'physfn/net'));
    } catch {
      throw new PciDeviceNotFoundById({ id: vfPci });
    }
    let fallback: string | undefined;
    for (const netdev of devices) {
      if (!(await this.physSwitchId(netdev))) continue;
      fallback ??= netdev;
      const portName = await this.physPortName(netdev);
      if (portName !== undefined && UPLINK_PORT_RE.test(portName)) return netdev;
    }
    if (fallback !== undefined) return fallback;
    throw new PciDeviceNotFoundById({ id: vfPci });
  }

  /** The PCI function number of a netdev's device (`…:00.<F>`), or undefined. */
  async pciFunction(ifname: string): Promise<number | undefined> {
    try {
      const address = path.basename(await readlink(this.p('class/net', ifname, 'device')));
      const m = PF_FUNC_RE.exec(address);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The representor netdev of VF `vfNum` of PF `pfIfname`: same phys_switch_id as the PF, and a
   * phys_port_name naming the VF (`<n>` or `…vf<n>`; with `pf<M>`, M must be the PF's function).
   */
  async representor(pfIfname: string, vfNum: number): Promise<string> {
    const pfSwitchId = await this.physSwitchId(pfIfname);
    let devices: string[];
    try {
      devices = await readdir(this.p('class/net', pfIfname, 'subsystem'));
    } catch {
      throw new RepresentorNotFound({ ifname: pfIfname, vf_num: vfNum });
    }
    const pfFunc = await this.pciFunction(pfIfname);
    if (pfFunc === undefined) throw new RepresentorNotFound({ ifname: pfIfname, vf_num: vfNum });
    for (const device of devices.sort()) {
      const switchId = await this.physSwitchId(device);
      if (!switchId || switchId !== pfSwitchId) continue;
      const portName = await this.physPortName(device);
      if (portName === undefined) continue;
      const parentPf = PF_RE.exec(portName);
      if (parentPf && Number(parentPf[1]) !== pfFunc) continue;
      const vf = INT_RE.exec(portName) ?? VF_RE.exec(portName);
      if (vf && Number(vf[1]) === vfNum) return device;
    }
    throw new RepresentorNotFound({ ifname: pfIfname, vf_num: vfNum });
  }
}
