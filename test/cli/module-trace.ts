/**
 * `node --import ./module-trace.js …`: appends the URL of every ES module the process loads to
 * the file named by OS_VIF_MODULE_TRACE, one a line (startup.test.ts and bench/startup.ts count
 * them).
 */
import { register } from 'node:module';

const file = process.env.OS_VIF_MODULE_TRACE;
if (file) register('./module-trace-hooks.js', import.meta.url, { data: { file } });
