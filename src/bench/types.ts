/**
 * The scale benchmark's vocabulary: the kinds of VIF it plugs, a method (one way of plugging N
 * VIFs, timed by itself), the sandbox context a method runs in, and one measured sample.
 */
import type { objects } from '../vif/index.js';

/** The three kinds of VIF the benchmark plugs. */
export type Kind = 'plain' | 'hybrid' | 'linux_bridge';

/** Every kind, in table order. */
export const KINDS: readonly Kind[] = ['plain', 'hybrid', 'linux_bridge'];

/** What each kind is, for the table headers and the plot. */
export const KIND_TITLES: Readonly<Record<Kind, string>> = {
  plain: 'plain OVS port (VIFOpenVSwitch, tap made beforehand)',
  hybrid: 'hybrid (VIFBridge on OVS: qbr + qvb/qvo + OVS port, guest tap made after plug)',
  linux_bridge: 'linux_bridge (VIFBridge, a bridge per network, tap made after plug)',
};

/** Where one method runs: a fresh namespace (and OVS daemons for the OVS kinds) of its own. */
export interface BenchContext {
  readonly kind: Kind;
  readonly n: number;
  /** Namespace name (under /run/netns). */
  readonly ns: string;
  /** The private ovsdb-server's unix remote; undefined for linux_bridge (no OVS). */
  readonly dbRemote: string | undefined;
  /** Directory for lock files (`oslo_concurrency.lock_path`) of this run. */
  readonly lockPath: string;
  /** A scratch directory of this run (input files), removed with the sandbox. */
  readonly workDir: string;
  /** The integration bridge of the OVS kinds. */
  readonly bridge: string;
  readonly mtu: number;
  readonly vifs: readonly objects.VIFBase[];
  readonly instance: objects.InstanceInfo;
  /** The os-vif configuration groups every method of this library is given. */
  readonly config: Record<string, Record<string, unknown>>;
}

/** One method opened in a sandbox: each call does the whole batch and returns its own time. */
export interface MethodRun {
  /** Plugs every VIF of the context; resolves to the milliseconds it took. */
  plug(): Promise<number>;
  /** Unplugs every VIF; resolves to the milliseconds it took. */
  unplug(): Promise<number>;
  /** Releases what `open` made (untimed). */
  close(): Promise<void>;
}

/** A way of plugging N VIFs. */
export interface Method {
  /** Short id for `--methods` and the JSON (`lib-inflight`, `floor`, …). */
  readonly id: string;
  /** The table's and the plot's label. */
  readonly label: string;
  /** `library`: this library's code; `baseline`: what it is compared with; `floor`: the floor. */
  readonly family: 'library' | 'baseline' | 'floor';
  /**
   * It plugs one VIF after another, each waiting for ovs-vswitchd, whose reconfiguration grows
   * with the ports on the bridge: its time grows faster than N (`--serial-max` bounds its N).
   */
  readonly oneAtATime?: boolean;
  /** Why it cannot run for `kind` here, or undefined when it can. */
  unavailable(kind: Kind): Promise<string | undefined>;
  /** Untimed preparation inside the sandbox (loading the library, writing input files). */
  open(ctx: BenchContext): Promise<MethodRun>;
}

/** One method at one N for one kind. */
export interface Sample {
  kind: Kind;
  n: number;
  method: string;
  label: string;
  family: Method['family'];
  /**
   * `ok`: both times measured and verified; `failed`: an error or a failed check;
   * `unavailable`: this build or host cannot run it; `skipped`: not run at this N (`--serial-max`).
   */
  status: 'ok' | 'failed' | 'unavailable' | 'skipped';
  /** Total milliseconds for all N VIFs (present when measured). */
  plugMs?: number;
  unplugMs?: number;
  /** Why it failed or is unavailable. */
  reason?: string;
}

/** A whole run. */
export interface BenchReport {
  /** ISO time the run started. */
  started: string;
  /** Seconds the run took, sandboxes included. */
  seconds: number;
  /** False in the files a run rewrites after each sample while it is still going. */
  complete: boolean;
  host: { node: string; cpus: number; loadavg: number[]; kernel: string };
  sizes: number[];
  kinds: Kind[];
  /** The largest N the one-at-a-time methods ran at (undefined: every N). */
  serialMax?: number | undefined;
  methods: { id: string; label: string; family: Method['family'] }[];
  samples: Sample[];
}
