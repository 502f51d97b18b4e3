#!/usr/bin/env node
/**
 * Makes samples/forms/: a zip-code form, a bank check and a multi-field form, each as PNG and PDF
 * (300 dpi letter), with its template and expected values, from MNIST *test-set* handwriting with
 * scan artifacts (rotation, blur; no pixel noise here, which would make each file megabytes). Run after `npm run build`: node samples/generate-forms.js
 */
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { generateForm, renderForm, writePdf, SAMPLE_FORMS } = require('../dist/samples/forms');
const { loadMnist } = require('../dist/classify/data/dataset');

(async () => {
  const dir = join(__dirname, 'forms');
  mkdirSync(dir, { recursive: true });
  const test = loadMnist('test');
  let seed = 11;
  for (const [name, spec] of Object.entries(SAMPLE_FORMS)) {
    seed++;
    const form = generateForm(spec.fields, test, seed, { marks: spec.marks });
    const png = await renderForm(form, spec.fields, spec.title, { rotation: 1.5, blur: 0.6 }, seed);
    writeFileSync(join(dir, `${name}.png`), png);
    await writePdf([png], join(dir, `${name}.pdf`));
    writeFileSync(join(dir, `${name}.template.json`), JSON.stringify(form.template, null, 1) + '\n');
    writeFileSync(join(dir, `${name}.expected.json`), JSON.stringify(form.expected, null, 1) + '\n');
    console.log(name, form.expected);
  }
})();
