/**
 * The methods in table order. The baselines (one process per step, Python os-vif, the floors)
 * run `ip`, `sysctl`, `ovs-vsctl` and Python as witnesses; they live in the repository's
 * `bench/baselines.ts`, outside the package and outside src/ (which spawns nothing but its
 * sandbox daemons and its own command). A build without them gets stand-ins that only say so.
 */
import { LIBRARY_METHODS } from './library.js';
import type { Method } from './types.js';

/** The baselines' ids and labels, in table order. */
export const BASELINES: readonly Pick<Method, 'id' | 'label' | 'family'>[] = [
  { id: 'shell', label: 'one process per step (ip, sysctl, ovs-vsctl)', family: 'baseline' },
  { id: 'python', label: 'Python os-vif 3.0.0 (in process)', family: 'baseline' },
  { id: 'floor', label: 'floor: one ip -batch / one ovs-vsctl transaction', family: 'floor' },
];

const MISSING =
  'the baselines run ip, ovs-vsctl and Python and ship with the source repository (bench/baselines.ts), not with the package';

/** Every method: the given baselines (stand-ins for missing ones), then this library's. */
export function allMethods(baselines: readonly Method[] = []): Method[] {
  const byId = new Map(baselines.map((m) => [m.id, m]));
  const base = BASELINES.map(
    (b): Method =>
      byId.get(b.id) ?? {
        ...b,
        unavailable: async () => MISSING,
        open: () => Promise.reject(new Error(MISSING)),
      },
  );
  return [...base, ...LIBRARY_METHODS];
}

/** The ids `--methods` accepts. */
export function methodIds(): string[] {
  return allMethods().map((m) => m.id);
}
