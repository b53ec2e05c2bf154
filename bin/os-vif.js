#!/usr/bin/env node
// The `os-vif` command; the code is in src/cli.ts (compiled to dist/src/cli.js).
// A CNI runtime runs it with CNI_COMMAND set and no arguments: that path loads only the plugin.
if (process.argv.length === 2 && process.env.CNI_COMMAND) {
  const { cniProcess } = await import('../dist/src/cni/process.js');
  process.exitCode = await cniProcess();
} else {
  const { run } = await import('../dist/src/cli.js');
  await run();
}
