#!/usr/bin/env node
// The `os-vif` command; the code is in src/cli.ts (compiled to dist/src/cli.js).
import { run } from '../dist/src/cli.js';

await run();
