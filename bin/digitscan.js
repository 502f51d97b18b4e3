#!/usr/bin/env node
'use strict';
const { main } = require('../dist/cli/index.js');
// A reader that stops early (`digitscan scan ... | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (e) => {
  if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`digitscan: ${e && e.message ? e.message : e}\n`);
    process.exitCode = 2;
  },
);
