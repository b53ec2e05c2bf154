/**
 * The demo's sandbox: its own network namespaces (created with the library's netns functions,
 * named `osvd<pid><role>`), its own ovsdb-server and ovs-vswitchd (userspace datapath) when Open
 * vSwitch is installed, and a run directory `/tmp/os-vif-demo<pid>/`. Everything is removed by
 * {@link DemoSandbox.cleanup}, which also runs on SIGINT, SIGTERM and on errors.
 */
import { accessSync, constants } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { deleteNetns, netnsPath } from '../netlink/index.js';
import { createNetnsWithLoopback, OvsSandbox } from '../sandbox/index.js';

/** True when the Open vSwitch daemons are on PATH. */
export function ovsInstalled(): boolean {
  return ['ovsdb-server', 'ovs-vswitchd', 'ovsdb-tool'].every((bin) =>
    (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((dir) => {
      try {
        accessSync(path.join(dir, bin), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/** Namespaces, daemons and files of one demo run. */
export class DemoSandbox {
  readonly prefix = `osvd${process.pid}`;
  readonly runDir = `/tmp/os-vif-demo${process.pid}`;
  readonly namespaces: string[] = [];
  ovs: OvsSandbox | undefined;
  private cleaned = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    void this.cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /** Creates namespace `osvd<pid><role>` with loopback up; returns its name. */
  async namespace(role: string): Promise<string> {
    const name = `${this.prefix}${role}`;
    await createNetnsWithLoopback(name);
    this.namespaces.push(name);
    return name;
  }

  /** Starts ovsdb-server, and ovs-vswitchd inside namespace `netns`. */
  async startOvs(netns: string): Promise<OvsSandbox> {
    this.ovs = await OvsSandbox.start({
      dir: path.join(this.runDir, 'ovs'),
      vswitchd: true,
      netns: netnsPath(netns),
    });
    return this.ovs;
  }

  /** Stops the daemons, deletes the namespaces and the run directory. Idempotent; never throws. */
  async cleanup(): Promise<string[]> {
    if (this.cleaned) return [];
    this.cleaned = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    const problems: string[] = [];
    try {
      await this.ovs?.stop();
    } catch (error) {
      problems.push(String(error));
    }
    for (const name of this.namespaces.splice(0).reverse()) {
      await deleteNetns(name).catch((error: unknown) => problems.push(String(error)));
    }
    await rm(this.runDir, { recursive: true, force: true }).catch((error: unknown) =>
      problems.push(String(error)),
    );
    return problems;
  }
}
