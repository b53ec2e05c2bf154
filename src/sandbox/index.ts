/** Private OVS and OVN daemons for the demo, benchmarks and tests (the one place in src/ that spawns). */

export { createNetnsWithLoopback } from './netns.js';
export { OvnDatabase, type OvnDbKind } from './ovn-db.js';
export { attachGuest, createGuest, type GuestSpec, pingOk, setGuestMac, tcpOk } from './ovn-guest.js';
export { type OvnChassis, OvnSandbox, type OvnSandboxOptions } from './ovn-sandbox.js';
export { OvsSandbox, type SandboxOptions, VSWITCH_SCHEMA } from './ovs-sandbox.js';
export { isGone, stopProcess, waitGone } from './process.js';
