#!/usr/bin/env node
// Splits OpenCV.js (one 10.8 MB script: 0.2 MB of JavaScript around an 8 MB WebAssembly binary
// written out in base64) into its JavaScript and its binary, once, at install time. Loading the
// split pair skips parsing 10.6 MB of string and decoding it: about 0.2 s less start-up in every
// process and scan worker. Nothing here is required: when the split is missing, stale or fails its
// checks, digitscan loads the package's own file as it is (src/preprocess/opencv.ts).
'use strict';
const { readFileSync, writeFileSync, mkdirSync, renameSync, statSync, rmSync } = require('fs');
const { join } = require('path');

const OUT = join(__dirname, 'opencv');
const PREFIX = 'var wasmBinaryFile="data:application/octet-stream;base64,';
// The UMD tail calls the emscripten factory with a fresh, empty Module; the split exports the
// factory itself, so that the loader can hand it the binary (Module.wasmBinary).
const TAIL = /if \(typeof Module === 'undefined'\)\s*var Module = \{\};\s*return cv\(Module\);/;

function split() {
  let source;
  try {
    source = require.resolve('@techstark/opencv-js');
  } catch {
    return 'OpenCV.js is not installed';
  }
  const text = readFileSync(source, 'utf8');
  const at = text.indexOf(PREFIX);
  if (at < 0 || text.indexOf(PREFIX, at + 1) >= 0) return 'its WebAssembly is not inlined once as expected';
  const end = text.indexOf('"', at + PREFIX.length);
  const wasm = Buffer.from(text.slice(at + PREFIX.length, end), 'base64');
  if (wasm.readUInt32BE(0) !== 0x0061736d) return 'the inlined data is not WebAssembly';
  if (!TAIL.test(text)) return 'its module wrapper is not the expected one';
  const glue = text.slice(0, at) + 'var wasmBinaryFile="opencv.wasm"' + text.slice(end + 1).replace(TAIL, 'return cv;');
  const { size, mtimeMs } = statSync(source);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'opencv.wasm'), wasm);
  writeFileSync(join(OUT, 'opencv-glue.js'), glue);
  // Written last: the loader uses the pair only if this names the very file it was cut from.
  writeFileSync(join(OUT, 'source.json.tmp'), JSON.stringify({ source, size, mtimeMs }));
  renameSync(join(OUT, 'source.json.tmp'), join(OUT, 'source.json'));
  return null;
}

try {
  const why = split();
  if (why) console.warn(`digitscan: OpenCV.js not split (${why}); it loads as shipped (about 0.2 s slower)`);
} catch (e) {
  console.warn(`digitscan: OpenCV.js not split (${e.message}); it loads as shipped (about 0.2 s slower)`);
}
process.exit(0);
