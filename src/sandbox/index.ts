/** Private OVS daemons for the demo, benchmarks and tests (the one place in src/ that spawns). */
export { OvsSandbox, type SandboxOptions, VSWITCH_SCHEMA } from './ovs-sandbox.js';
export { isGone, stopProcess, waitGone } from './process.js';
