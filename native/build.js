#!/usr/bin/env node
// Builds the optional native convolution kernels (native/) with node-gyp at install time. A failed
// build is not an error: digitscan then trains and infers with the wasm backend's own kernels.
'use strict';
const { spawnSync } = require('child_process');
const { existsSync } = require('fs');
const { dirname, join } = require('path');

if (process.env.DIGITSCAN_NATIVE === '0') {
  console.log('digitscan: DIGITSCAN_NATIVE=0, native kernels not built');
  process.exit(0);
}
// npm hands its bundled node-gyp to lifecycle scripts; outside npm, look for it next to npm.
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
];
const gyp = candidates.find((p) => p && existsSync(p));
// Node's own headers when the machine has them (node-gyp would otherwise download them).
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
const cmd = gyp ? process.execPath : 'node-gyp';
const args = [...(gyp ? [gyp] : []), 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(cmd, args, { cwd: __dirname, stdio: 'inherit', shell: !gyp });
if (r.status !== 0) {
  console.warn(`digitscan: the native kernels did not build (${r.error ? r.error.message : `exit ${r.status}`}); training and inference use the wasm backend's kernels (slower)`);
}
process.exit(0);
