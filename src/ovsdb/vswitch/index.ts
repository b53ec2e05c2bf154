/** The `Open_vSwitch` helpers: {@link VSwitch} and its public types. */
export type { GroupCommitOptions, Kick } from './scheduler.js';
export * from './types.js';
export { VSwitch, type VSwitchOpenOptions } from './vswitch.js';
