#!/usr/bin/env node
/**
 * Makes samples/digits/: MNIST *test-set* digits saved the way a scanner would give them (dark ink
 * on light paper, enlarged, some light-on-dark), plus expected.tsv with their true labels.
 * Run after `npm run build`: node samples/generate-digits.js
 */
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const sharp = require('sharp');
const { loadMnist } = require('../dist/classify/data/dataset');

(async () => {
  const dir = join(__dirname, 'digits');
  mkdirSync(dir, { recursive: true });
  const test = loadMnist('test');
  // The first test-set example of each class.
  const picks = [];
  for (let c = 0; c <= 9; c++) picks.push(Array.from(test.labels).indexOf(c));
  const rows = ['file\tlabel'];
  for (const [k, i] of picks.entries()) {
    const px = Buffer.from(test.images.subarray(i * 784, (i + 1) * 784));
    const scale = 2 + (k % 3); // 56 to 112 px
    const darkOnLight = k !== 4 && k !== 9;
    let img = sharp(px, { raw: { width: 28, height: 28, channels: 1 } });
    if (darkOnLight) img = img.negate();
    const file = `mnist-test-${String(i).padStart(5, '0')}.png`;
    await img.resize(28 * scale, 28 * scale, { kernel: 'lanczos3' }).png().toFile(join(dir, file));
    rows.push(`${file}\t${test.labels[i]}`);
  }
  writeFileSync(join(dir, 'expected.tsv'), rows.join('\n') + '\n');
  console.log(`wrote ${picks.length} digits to ${dir}`);
})();
