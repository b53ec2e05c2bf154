/**
 * The scale benchmark behind `os-vif bench` and `npm run bench`: N VIFs of three kinds plugged
 * and unplugged by each method in a sandbox of its own, every result verified, reported as
 * tables, JSON and an SVG plot. Internal to the package (no public entry).
 */

export * from './fixtures.js';
export { type BenchIo, benchMain, resultStem } from './main.js';
export { allMethods, BASELINES, methodIds } from './methods.js';
export { type BenchArgs, BenchOptionError, DEFAULT_SIZES, MAX_N, parseBenchArgs } from './options.js';
export { type RunOptions, runScaleBench } from './runner.js';
export { BenchSandbox } from './sandbox.js';
export { renderSvg } from './svg.js';
export { FLOOR, PYTHON, peersOf, renderScaling, renderTables, SHELL } from './table.js';
export * from './types.js';
export { verifyPlugged, verifyUnplugged } from './verify.js';
