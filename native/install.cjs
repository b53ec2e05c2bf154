#!/usr/bin/env node
// The package's install script. On Linux: node-gyp-build (load the prebuild for this platform
// from prebuilds/, else compile the addon with node-gyp). Anywhere else there is nothing to
// build: the addon is Linux-only and loads lazily, so the objects layer (os-vif/vif) works and
// netlink calls throw PlatformNotSupportedError.
'use strict';
const { spawnSync } = require('node:child_process');

const platform = process.platform;
if (platform !== 'linux') {
  console.log(`os-vif: no native addon on ${platform} (netlink needs Linux); os-vif/vif works without it`);
  process.exit(0);
}
const bin = require.resolve('node-gyp-build/bin.js');
const r = spawnSync(process.execPath, [bin], { stdio: 'inherit' });
process.exit(r.status ?? 1);
