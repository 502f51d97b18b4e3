#!/usr/bin/env node
'use strict';
const { main } = require('../dist/cli/index.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`digitscan: ${e && e.message ? e.message : e}\n`);
    process.exitCode = 2;
  },
);
