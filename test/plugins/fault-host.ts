/**
 * Fault injection at the plugins' host seam, over the REAL hosts: every call a plugin makes on
 * its LinkHost (rtnetlink in a namespace) or SwitchHost (OVSDB) is one numbered step; when the
 * injector is armed with `failAt = k`, step k throws an {@link InjectedFault} instead of
 * reaching the kernel or ovsdb-server (a single fault: the rollback that follows runs on the
 * real hosts untouched). Reads count as steps too, so "fail at every step" covers a lookup
 * failing as well as a write. What is left behind is then read from the kernel and OVSDB by
 * the witnesses, never from this wrapper.
 */
import type { LinkHost } from '../../src/plugins/host/links.js';
import type { SwitchHost } from '../../src/plugins/host/switch.js';
import type { FirewallHost, LinuxBridgeHostFactory } from '../../src/plugins/linux-bridge/plugin.js';
import type { OvsOptions } from '../../src/plugins/options.js';
import type { OvsHostFactory } from '../../src/plugins/ovs/plugin.js';
import type { Logger } from '../../src/vif/index.js';

/** The error an injected step throws. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
  readonly code = 'EINJECTED';
  constructor(
    readonly step: number,
    readonly call: string,
  ) {
    super(`injected fault at step ${step}: ${call}`);
  }
}

/** Counts host calls and fails the chosen one. */
export class StepInjector {
  /** Every call seen since the last `arm`, in order (`links.addVeth(qvb…)`, `switch.transact(addPort …)`). */
  calls: string[] = [];
  private failAt: number | undefined;
  private fired = false;
  /** Called with each step's number before it runs (the kill tests SIGKILL the process there). */
  onStep: ((n: number, call: string) => void) | undefined;

  /** Starts counting from 0; step `failAt` (if given) throws once. */
  arm(failAt?: number): void {
    this.calls = [];
    this.failAt = failAt;
    this.fired = false;
  }

  /** True when the armed fault was thrown. */
  get injected(): boolean {
    return this.fired;
  }

  /** Records one call; throws when it is the chosen step. */
  step(call: string): void {
    const n = this.calls.length;
    this.calls.push(call);
    this.onStep?.(n, call);
    if (!this.fired && n === this.failAt) {
      this.fired = true;
      throw new InjectedFault(n, call);
    }
  }
}

/** `real` with every method but `close` passing through `injector.step` first. */
function wrap<T extends object>(
  real: T,
  prefix: string,
  injector: StepInjector,
  describe: (m: string, args: unknown[]) => string,
): T {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close' || typeof prop !== 'string') return value;
      return async (...args: unknown[]) => {
        injector.step(`${prefix}.${describe(prop, args)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function describeLinks(method: string, args: unknown[]): string {
  return `${method}(${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(', ')})`;
}

function describeSwitch(method: string, args: unknown[]): string {
  if (method !== 'transact') return `${method}(${args.join(', ')})`;
  const steps = args[0] as Array<Record<string, unknown>>;
  return `transact(${steps.map((s) => `${s.op} ${s.port ?? s.iface ?? s.bridge}`).join('; ')})`;
}

/**
 * A host factory (as `hostFactory()` returns) whose hosts fail at the injector's chosen step;
 * `switches` holds the real (unwrapped) SwitchHosts it made, for a test to read through.
 */
export function faultyFactory(
  real: OvsHostFactory & LinuxBridgeHostFactory,
  injector: StepInjector,
): OvsHostFactory & LinuxBridgeHostFactory & { switches: SwitchHost[] } {
  const switches: SwitchHost[] = [];
  return {
    switches,
    links: async (): Promise<LinkHost> => wrap(await real.links(), 'links', injector, describeLinks),
    firewall: async (): Promise<FirewallHost> =>
      wrap(await real.firewall(), 'firewall', injector, describeLinks),
    switch: async (options: OvsOptions, logger?: Logger): Promise<SwitchHost> => {
      const sw = await real.switch(options, logger);
      switches.push(sw);
      return wrap(sw, 'switch', injector, describeSwitch);
    },
  };
}
