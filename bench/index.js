#!/usr/bin/env node
/**
 * digitscan benchmarks. Every figure in the README comes from here.
 *
 *   npm run bench                 speed, shipped model accuracy, scan, tall, spill, pencil, angle, desk, hsf, small, real-forms, orand
 *   npm run bench -- speed        training and inference samples/s vs targets
 *   npm run bench -- accuracy     the shipped model on MNIST test (+ real check digits if ../shared is there)
 *   npm run bench -- scan [N [M [A]]] generated forms: field/digit accuracy on A pages (default 300),
 *                                 pages/s PNG and PDF on the first N (default 60), and PNG in a batch of 3N (the N
 *                                 three times over); M pages (default 24) of other layouts (tables, combs, colour,
 *                                 big handwriting, 200 dpi)
 *   npm run bench -- layouts [N]  the scan bench's other layouts alone (N pages, default 24: the M above)
 *   npm run bench -- crowded [N]  N pages (default 24) of big, crowded handwriting only (seeds 9000 on)
 *   npm run bench -- tall [N]     N pages (default 60) of the sample layouts with digits taller than their boxes (seeds 70000 on)
 *   npm run bench -- spill [N]    N pages (default 60) of the sample layouts whose last digit crosses its box's right edge (seeds 80000 on)
 *   npm run bench -- pencil [N]   N pages (default 60) of the sample layouts filled in with a light pencil (seeds 90000 on)
 *   npm run bench -- angle [N]    N pages (default 60) of the sample layouts photographed at an angle (perspective; seeds 95000 on)
 *   npm run bench -- desk [N]     N pages (default 60) of the sample layouts photographed on a desk: 3024 x 4032 JPEGs, the page
 *                                 filling 0.6-0.9 of the picture, in perspective, lit unevenly (seeds 96000 on)
 *   npm run bench -- strips [N]   generated pages of unknown resolution (seeds 1000 on, each at 300 and 250 dpi): the tops of N
 *                                 pages down to their first fields, their N top halves and N 6-inch checks
 *   npm run bench -- real-forms [N [MODEL]]  N pages (default 300) of the sample forms filled in with real handwriting
 *                                 (held-out real check digits instead of MNIST test), template and --auto-fields
 *   npm run bench -- lines [N]    the sample forms read by lines (no template, no --auto-fields): N pages (default 60)
 *                                 of MNIST test digits, N of real check digits and N of MNIST test digits in a light
 *                                 pencil (the pencil bench's); fields read, other lines read as fields
 *   npm run bench -- underline [N]  N pages (default 24) of fields written on printed lines ("Zip code ________"), their
 *                                 labels above the lines or on them at their left, and a box beside one; and as boxes with
 *                                 their labels inside them at their left (seeds 12000 on); template, --auto-fields and by lines
 *   npm run bench -- reread-whole [N]  N pages (default 300) of the sample forms with MNIST test digits and N with real
 *                                 check digits, read with their templates with and without --reread-whole
 *   npm run bench -- upside-down [N]  the scan bench's N pages (default 60) turned by 180°, on their side and inverted: turned upright (read as positives)? read right?
 *   npm run bench -- patterns [N] N pages (default 300) of dates, times, codes, card numbers and EANs, read with their
 *                                 templates' patterns and check digits and without them (seeds 50000 on)
 *   npm run bench -- lexicon [N]  N pages (default 300) of zip codes, employee, account and phone numbers drawn from
 *                                 lexicons (one in ten from outside), read with the lexicons and without (seeds 60000 on)
 *   npm run bench -- separators [N]  N pages (default 60) of date boxes, MM/DD/YYYY with the slashes printed (seeds 65000 on),
 *                                 and the same boxes left empty
 *   npm run bench -- dates [N]    N pages (default 60) of dates written by hand in one box, their separators handwritten
 *                                 slashes (or dashes), read as date fields and as plain digits (seeds 67000 on)
 *   npm run bench -- amounts [N]  N pages (default 60) of amounts written with handwritten commas and decimal points in long
 *                                 boxes, read as amount fields (template, --auto-fields) and as plain digits (seeds 68000 on)
 *   npm run bench -- phones [N]   N pages (default 30) of phone numbers written by hand, (555) 123-4567, (555)123-4567 and
 *                                 555-123-4567 in turn, read as plain digit fields (template, --auto-fields; seeds 77000 on)
 *   npm run bench -- hsf [N]      N pages (default 40) laid out like NIST's handwriting sample form: 28 small digit boxes
 *                                 (0.28-0.4 in high) under their digits printed, boxes of letters and text, every
 *                                 other page bitonal (seeds 97000 on); template and --auto-fields
 *   npm run bench -- dropout [N [SEED]]  N pages (default 24) printed in a light colour (mid blue, light blue, paler blue,
 *                                 pink in turn), scanned in colour at 300 dpi (JPEG), a table, a comb, a box and digit squares
 *                                 (seeds SEED on, default 99000; another SEED saves to results/dropout-SEED.json)
 *   npm run bench -- small [N]    N pages (default 40) of combs (closed, open above, ticks) and rows of separate digit
 *                                 squares, 0.28-0.39 in high, and a box (seeds 98000 on); template and --auto-fields
 *   npm run bench -- captions [N] N pages (default 120) of the sample forms with each field's name printed inside its box
 *                                 (top left corner), one field in four empty; and the same pages without (seeds 70000 on)
 *   npm run bench -- orand        string accuracy on the real check amounts (../shared/data/orand-car-a), default mode
 *   npm run bench -- signs        the sign model (models/signs): digits it calls currency signs (MNIST test, held-out
 *                                 real check digits), and drawn signs it finds
 *   npm run bench -- compare [REV]  every figure of bench/results/*.json that moved since REV (default HEAD), timings
 *                                 aside, and the results not rerun since; exits 1 when a figure moved
 *   npm run bench -- zoo [names] [--force]   reproduce the five papers: train each preset with its recipe,
 *                                 evaluate (resumes: finished presets are reported, interrupted ones continue)
 *
 * Results are printed and written to bench/results/<name>.json.
 */
'use strict';
const { mkdirSync, writeFileSync, mkdtempSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir, cpus } = require('node:os');

// The compiled library benched: dist/, or another build of it (DIGITSCAN_BENCH_DIST, a folder in the project).
const dist = (m) => require(join(__dirname, '..', process.env.DIGITSCAN_BENCH_DIST || 'dist', m));
const results = join(__dirname, 'results');

function save(name, data) {
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, `${name}.json`), JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, ...data }, null, 1) + '\n');
}

function row(label, figure, target, unit, digits = 0) {
  const ratio = target ? (figure / target).toFixed(2) : '';
  console.log(`| ${label} | ${figure.toFixed(digits)} ${unit} | ${target ? `${target} ${unit}` : ''} | ${ratio} |`);
  return { label, figure, target, ratio: target ? figure / target : null, unit };
}

async function trainingSpeed(arch, samples, workers, batchSize) {
  const { train } = dist('classify/train');
  const r = await train({ arch, epochs: 1, limit: samples, batchSize, validationSplit: 0, testAtEnd: false, workers, out: mkdtempSync(join(tmpdir(), 'bench-')) });
  return r.samplesPerSec;
}

async function inferenceSpeed(arch, n, workers) {
  const { useBackend } = dist('classify/backend');
  const { getPreset } = dist('classify/zoo');
  const { saveModel, NORMALIZATION_SPEC } = dist('classify/model-io');
  const { Classifier } = dist('classify/classifier');
  const { loadMnist } = dist('classify/data/dataset');
  await useBackend('wasm');
  const dir = mkdtempSync(join(tmpdir(), 'bench-model-'));
  await saveModel(getPreset(arch).build(), dir, { format: 'digitscan-model', arch, classes: '0123456789'.split(''), normalization: NORMALIZATION_SPEC, date: '', packageVersion: '' });
  const clf = await Classifier.load(dir, { workers, parallelThreshold: workers > 1 ? 1 : Infinity });
  const test = loadMnist('test');
  const px = new Float32Array(n * 784);
  for (let i = 0; i < px.length; i++) px[i] = test.images[i % test.images.length] / 255;
  await clf.predict(px.slice(0, 2048 * 784), 2048); // warm-up: workers, operators
  // Three timed runs (the bench reports their median): one run of 20,000 digits on 2 workers has read
  // anywhere from 1,530 to 2,121 digits/s within minutes on this machine, as its speed drifts.
  const rates = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await clf.predict(px, n);
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  await clf.close();
  return rates;
}

async function speed() {
  const inferenceRuns = [];
  const trainingRuns = [];
  /** The median of three training runs (this machine's speed drifts by 20-30 % within minutes). */
  const training = async (arch, samples, workers) => {
    const rates = [];
    for (let r = 0; r < 3; r++) rates.push(await trainingSpeed(arch, samples, workers, 128));
    trainingRuns.push(`${arch}, ${workers} worker${workers > 1 ? 's' : ''}: ${rates.map((r) => r.toFixed(0)).join(', ')}`);
    return [...rates].sort((a, b) => a - b)[1];
  };
  /** The median of inferenceSpeed's three runs; all three are printed after the table. */
  const inference = async (arch, n, workers) => {
    const rates = await inferenceSpeed(arch, n, workers);
    inferenceRuns.push(`${arch}, ${workers === 1 ? '1 thread' : `${workers} workers`}: ${rates.map((r) => r.toFixed(0)).join(', ')}`);
    return [...rates].sort((a, b) => a - b)[1];
  };
  const { nativeStatus } = dist('classify/kernels');
  const kernels = nativeStatus().why;
  console.log(`\n## Speed (wasm backend; batch 128; both cores unless noted; convolutions: ${kernels})\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  rows.push(row('train vgg-bn, 2 workers', await training('vgg-bn', 128 * 60, 2), 800, 'samples/s'));
  rows.push(row('train vgg-bn, 1 worker', await training('vgg-bn', 128 * 30, 1), null, 'samples/s'));
  rows.push(row('train compact, 2 workers', await training('compact', 128 * 300, 2), 8000, 'samples/s'));
  rows.push(row('train compact, 1 worker', await training('compact', 128 * 150, 1), null, 'samples/s'));
  rows.push(row('infer vgg-bn, 2 workers', await inference('vgg-bn', 20000, 2), 2000, 'digits/s'));
  rows.push(row('infer vgg-bn, 1 thread', await inference('vgg-bn', 10000, 1), null, 'digits/s'));
  rows.push(row('infer compact, 2 workers', await inference('compact', 100000, 2), 15000, 'digits/s'));
  rows.push(row('infer compact, 1 thread', await inference('compact', 50000, 1), null, 'digits/s'));
  console.log(`\nTraining, the three timed runs (samples/s; the median is reported): ${trainingRuns.join('; ')}.`);
  console.log(`\nInference, the three timed runs (digits/s; the median is reported): ${inferenceRuns.join('; ')}.`);
  console.log('\nFor scale (from the issue): PyTorch on this CPU trains vgg-bn at ~1,600 and compact at ~15,300 samples/s, and infers ~2,000 and ~20,000 digits/s.');
  save('speed', { kernels, rows, trainingRuns, inferenceRuns });
}

async function accuracy() {
  const { Classifier } = dist('classify/classifier');
  const { evaluate, loadEvalData } = dist('classify/evaluate');
  const clf = await Classifier.load();
  const ev = await evaluate(clf, await loadEvalData('mnist-test'), 'mnist-test');
  console.log(`\n## Shipped model (models/default: ${clf.metadata.members ? `an ensemble of ${clf.metadata.members.length}, ` : ''}${clf.metadata.arch})\n`);
  console.log(`MNIST test accuracy: ${(100 * ev.metrics.accuracy).toFixed(2)}% of ${ev.metrics.count} (target >= 99.60%)`);
  const images = await digitImages(clf, row);
  await clf.close();
  const real = await realDigits();
  save('accuracy', { model: clf.modelPath, arch: clf.metadata.arch, epochsDone: clf.metadata.training?.epochsDone ?? null, mnistTest: ev.metrics.accuracy, count: ev.metrics.count, images, real });
}

/**
 * Real handwriting: the digits of the held-out real check amounts (../shared/data/orand-car-a, every
 * 5th string, never trained on), cut at their labeled boxes and normalized as training cuts them,
 * read by the shipped digit model and by models/check (digit classes only). Skipped without the data.
 */
async function realDigits() {
  const { existsSync } = require('node:fs');
  const data = join(__dirname, '..', '..', 'shared', 'data', 'orand-car-a');
  if (!existsSync(join(data, 'labels.tsv'))) {
    console.log('\n(real check digits: ../shared/data/orand-car-a not found, skipped)');
    return null;
  }
  const { Classifier } = dist('classify/classifier');
  const { readStringLabels, splitStrings } = dist('io/labels');
  const { buildStringSet } = dist('classify/data/checks');
  const { evaluate } = dist('classify/evaluate');
  const { set } = await buildStringSet(splitStrings(readStringLabels(data)).heldOut, { mnistRejects: 0, rejectRatio: 0 });
  console.log(`\n## Real handwriting: the ${set.count} digits of the held-out real check amounts (ORAND-CAR-A), cut at their labeled boxes\n`);
  console.log('| model | accuracy |\n|---|---|');
  const rows = [];
  for (const [name, dir] of [['models/default (the shipped model)', undefined], ['models/check (trained on the other four fifths)', join(__dirname, '..', 'models', 'check')]]) {
    // A digits-only set: evaluate scores a reject-class model on its digit classes.
    const clf = await Classifier.load(dir, { workers: 1 });
    const { accuracy } = (await evaluate(clf, set, 'orand-car-a held-out digits')).metrics;
    await clf.close();
    console.log(`| ${name} | ${(100 * accuracy).toFixed(2)} % |`);
    rows.push({ model: name, accuracy, count: set.count });
  }
  return rows;
}

/**
 * The sign model (models/signs) on marks the pipeline would ask it about: digits it must not call
 * currency signs (MNIST test; the held-out real check digits, cut at their labeled boxes) and signs
 * it must find (drawn by make-sign-set with seeds it was not trained on: in every font this machine
 * has, and in Liberation Sans alone, which every install has), at the pipeline's bar and at 0.9.
 */
async function signs() {
  const { existsSync } = require('node:fs');
  const { Classifier } = dist('classify/classifier');
  const { defaultSignModelDir } = dist('classify/model-io');
  const { SIGN_PROBABILITY } = dist('pipeline/scan');
  const { loadMnist } = dist('classify/data/dataset');
  const { makeSignSet, signFonts } = dist('samples/signs');
  const clf = await Classifier.load(defaultSignModelDir(), { workers: 1 });
  const crops = (set) => Array.from({ length: set.count }, (_, i) => ({ pixels: Float32Array.from(set.images.subarray(i * 784, i * 784 + 784), (v) => v / 255) }));
  const sets = [['MNIST test digits', loadMnist('test')]];
  const data = join(__dirname, '..', '..', 'shared', 'data', 'orand-car-a');
  if (existsSync(join(data, 'labels.tsv'))) {
    const { readStringLabels, splitStrings } = dist('io/labels');
    const { buildStringSet } = dist('classify/data/checks');
    sets.push(['held-out real check digits', (await buildStringSet(splitStrings(readStringLabels(data)).heldOut, { mnistRejects: 0, rejectRatio: 0 })).set]);
  }
  const fonts = signFonts();
  sets.push([`signs drawn in ${fonts.length} fonts (seed 99)`, makeSignSet({ count: 2000, seed: 99 })]);
  sets.push(['signs drawn in Liberation Sans (seed 12345)', makeSignSet({ count: 500, seed: 12345, fonts: ['Liberation Sans'] })]);
  console.log(`\n## The sign model (models/signs): marks called currency signs, at ${SIGN_PROBABILITY} (the pipeline's bar) and at 0.9\n`);
  console.log(`(fonts: ${fonts.join(', ')})\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  for (const [name, set] of sets) {
    const said = await clf.classify(crops(set));
    for (const bar of [SIGN_PROBABILITY, 0.9]) rows.push(row(`${name} (${set.count}) called signs at >= ${bar}`, said.filter((p) => p.reject >= bar).length, null, 'marks'));
  }
  await clf.close();
  return { model: defaultSignModelDir(), fonts, rows };
}

/**
 * The 10,000 MNIST test digits as single-digit images, read by `clf` the way `digitscan classify` reads a file
 * (isolateDigit, then normalizeDigit): on paper, soiled with specks and a neighbour's edge, as
 * 16x16 postal-code digits, in a printed box, over a printed rule and under uneven light. The
 * soiled, boxed and shaded ones are also read without isolateDigit, to show what it does.
 */
async function digitImages(clf, row) {
  const { loadMnist } = dist('classify/data/dataset');
  const { loadOpenCV } = dist('preprocess/opencv');
  const { isolateDigit } = dist('segment/isolate');
  const { normalizeDigit } = dist('segment/normalize');
  const { digitOnPaper, soiledDigit, postalDigit, boxedDigit, shadedDigit } = dist('samples/digits');
  const test = loadMnist('test');
  const cv = await loadOpenCV();
  const rate = async (make, isolate = true) => {
    const px = new Float32Array(test.count * 784);
    for (let i = 0; i < test.count; i++) {
      const img = make(test, i);
      px.set(normalizeDigit(isolate ? isolateDigit(cv, img) : img).pixels, i * 784);
    }
    const probs = await clf.predict(px, test.count);
    let right = 0;
    for (let i = 0; i < test.count; i++) {
      const p = probs.subarray(i * clf.numClasses, i * clf.numClasses + 10);
      if (p.indexOf(Math.max(...p)) === test.labels[i]) right++;
    }
    return (100 * right) / test.count;
  };
  console.log(`\n## Single-digit images, read as \`digitscan classify\` reads them (the ${test.count} MNIST test digits)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [
    row('on paper (40 x 28, dark on white)', await rate(digitOnPaper), null, '%', 2),
    row('soiled: three specks and a neighbour\'s edge', await rate(soiledDigit), null, '%', 2),
    row('soiled, without isolateDigit', await rate(soiledDigit, false), null, '%', 2),
    row('16 x 16 postal-code style (tight, thick)', await rate(postalDigit), null, '%', 2),
    row('in a printed box (a cell cut from a form)', await rate((set, i) => boxedDigit(set, i)), null, '%', 2),
    row('in a printed box, without isolateDigit', await rate((set, i) => boxedDigit(set, i), false), null, '%', 2),
    row('over a printed rule, edge to edge', await rate((set, i) => boxedDigit(set, i, true)), null, '%', 2),
    row('under uneven light (paper 250 to 140 across, noise)', await rate(shadedDigit), null, '%', 2),
    row('under uneven light, without isolateDigit', await rate(shadedDigit, false), null, '%', 2),
  ];
  return rows;
}

/**
 * Trains every preset with its paper's recipe (seed 1) and measures it on the MNIST test set.
 * Resumable: a preset with a result in bench/results/zoo-<name>.json is reported, not retrained
 * (`--force` retrains); an interrupted one continues from its last epoch's checkpoint. Training time
 * and samples/s are summed over the epochs' own timings, so they hold across resumes.
 */
async function zoo() {
  const { train } = dist('classify/train');
  const { PRESETS } = dist('classify/zoo');
  const { existsSync, readFileSync } = require('node:fs');
  const args = process.argv.slice(3);
  const force = args.includes('--force');
  const only = args.filter((a) => !a.startsWith('--'));
  const rows = [];
  console.log('\n## Model zoo: each paper\'s network trained here with its recipe\n');
  console.log('| preset | paper | claimed | measured (MNIST test) | epochs | training time | samples/s |\n|---|---|---|---|---|---|---|');
  for (const p of Object.values(PRESETS)) {
    if (only.length && !only.includes(p.name)) continue;
    const resultFile = join(results, `zoo-${p.name}.json`);
    let rowData;
    if (!force && existsSync(resultFile)) {
      rowData = JSON.parse(readFileSync(resultFile, 'utf8'));
    } else {
      const out = join(results, 'zoo', p.name);
      const resume = !force && existsSync(join(out, 'checkpoint', 'state.json'));
      const onEpoch = (l) => console.error(`${p.name} epoch ${l.epoch}: loss ${l.loss.toFixed(4)}, val ${l.valAccuracy != null ? (100 * l.valAccuracy).toFixed(2) + '%' : '-'}, ${l.samplesPerSec.toFixed(0)} samples/s`);
      const r = await train({ arch: p.name, out, seed: 1, testAtEnd: true, resume, onEpoch });
      if (r.interrupted || r.testAccuracy == null) throw new Error(`zoo: ${p.name} did not finish`);
      const seconds = r.history.reduce((a, h) => a + h.seconds, 0);
      const samples = r.history.reduce((a, h) => a + h.seconds * h.samplesPerSec, 0);
      rowData = { preset: p.name, paper: p.paper, claimed: p.claimedAccuracy, measured: r.testAccuracy, epochs: r.history.length, minutes: seconds / 60, samplesPerSec: samples / seconds, resumed: resume };
      save(`zoo-${p.name}`, rowData);
    }
    rows.push(rowData);
    console.log(`| ${p.name} | ${p.paper.split(':')[0]} | ${p.claimedAccuracy != null ? (100 * p.claimedAccuracy).toFixed(2) + '%' : 'n/a'} | ${(100 * rowData.measured).toFixed(2)}% | ${rowData.epochs} | ${rowData.minutes.toFixed(1)} min | ${rowData.samplesPerSec.toFixed(0)} |`);
  }
}

(async () => {
  const what = process.argv[2] || 'default';
  if (what === 'speed' || what === 'default') await speed();
  if (what === 'accuracy' || what === 'default') await accuracy();
  if (what === 'zoo') await zoo();
  if (what === 'scan' || what === 'default') {
    // Speed on 60 pages, accuracy on 300 (the first 60 and 240 more).
    const r = await require('./scan').scanForms(Number(process.argv[3]) || 60, cpus().length, row, Number(process.argv[5]) || 300);
    const v = await require('./scan').variedForms(Number(process.argv[4]) || 24, row);
    save('scan', { rows: [...r.rows, ...v.rows], thresholds: r.thresholds });
  }
  // The other layouts alone (the scan bench's second part, without its speed runs).
  if (what === 'layouts') save('layouts', await require('./scan').variedForms(Number(process.argv[3]) || 24, row));
  // More pages of big, crowded handwriting (seeds 9000 + i, none shared with the scan bench's).
  if (what === 'crowded') save('crowded', await require('./scan').variedForms(Number(process.argv[3]) || 24, row, 2, 9000));
  // Handwriting taller than its boxes, crossing their borders (seeds 70000 + i).
  if (what === 'tall' || what === 'default') save('tall', await require('./scan').tallForms(Number(process.argv[3]) || 60, row));
  // Handwriting that runs out of room, its last digit across its box's right edge (seeds 80000 + i).
  if (what === 'spill' || what === 'default') save('spill', await require('./scan').spillForms(Number(process.argv[3]) || 60, row));
  // Handwriting in a light pencil, paler than the print (seeds 90000 + i).
  if (what === 'pencil' || what === 'default') save('pencil', await require('./scan').pencilForms(Number(process.argv[3]) || 60, row));
  // Pages scanned at lower resolutions: the same pages at 200 dpi and down to 30 (seeds 11000 + i);
  // `resolution N DPIS UNSTATED`: other resolutions, comma-separated.
  const dpiList = (a) => (a === undefined ? undefined : a.split(',').filter(Boolean).map(Number));
  if (what === 'resolution') save('resolution', await require('./scan').resolutionForms(Number(process.argv[3]) || 24, row, dpiList(process.argv[4]), dpiList(process.argv[5])));
  // Forms photographed at an angle: pages seen in perspective (seeds 95000 + i).
  if (what === 'angle' || what === 'default') save('angle', await require('./scan').angleForms(Number(process.argv[3]) || 60, row));
  // Forms photographed on a desk: the page smaller than the picture, elsewhere in it (seeds 96000 + i).
  if (what === 'desk' || what === 'default') save('desk', await require('./scan').deskForms(Number(process.argv[3]) || 60, row));
  // Forms laid out like NIST's handwriting sample form: small boxes, letters and text among them (seeds 97000 + i).
  if (what === 'hsf' || what === 'default') save('hsf', await require('./scan').hsfForms(Number(process.argv[3]) || 40, row));
  // Combs and digit squares under 0.4 in high (seeds 98000 + i).
  if (what === 'small' || what === 'default') save('small', await require('./scan').smallForms(Number(process.argv[3]) || 40, row));
  // Forms printed in a light colour, scanned in colour (seeds 99000 + i; not in the default run).
  if (what === 'dropout') {
    // Another seed base (a second set of pages to check a change on) is saved apart from the bench's own.
    const seedBase = Number(process.argv[4]) || 99000;
    save(seedBase === 99000 ? 'dropout' : `dropout-${seedBase}`, await require('./scan').dropoutForms(Number(process.argv[3]) || 24, row, seedBase));
  }
  // The sample forms filled in with real handwriting (held-out real check digits), N pages (default 300).
  // With another model, saved under its folder's name (the shipped model's results stay).
  if (what === 'real-forms' || what === 'default') {
    const model = what === 'default' ? undefined : process.argv[4];
    save(model ? `real-forms-${require('node:path').basename(model)}` : 'real-forms', { model: model ?? 'shipped', ...(await require('./scan').realForms(Number(process.argv[3]) || 300, row, model)) });
  }
  // The sample forms read by lines, with neither template nor --auto-fields (not in the default run).
  // Fields written on printed lines, labels above them or on them (not in the default run).
  if (what === 'underline') save('underline', await require('./scan').underlineForms(Number(process.argv[3]) || 24, row));
  if (what === 'lines') save('lines', await require('./scan').linePages(Number(process.argv[3]) || 60, row));
  // Unsure fields read again whole, or not: MNIST and real handwriting (not in the default run).
  if (what === 'reread-whole') save('reread-whole', await require('./scan').rereadWholeForms(Number(process.argv[3]) || 300, row));
  // Fields whose values follow patterns (dates, times, ...), read with and without them (not in the default run).
  if (what === 'patterns') save('patterns', await require('./scan').patternForms(Number(process.argv[3]) || 300, row));
  // Date boxes with printed slashes, template and --auto-fields (not in the default run).
  if (what === 'separators') save('separators', await require('./scan').separatorForms(Number(process.argv[3]) || 60, row));
  // Dates written by hand, their slashes handwritten (seeds 67000 on).
  // Amounts written by hand with commas and decimal points (seeds 68000 on; not in the default run).
  if (what === 'amounts') save('amounts', await require('./scan').amountForms(Number(process.argv[3]) || 60, row));
  if (what === 'phones') save('phones', await require('./scan').phoneForms(Number(process.argv[3]) || 30, row));
  if (what === 'dates') save('dates', await require('./scan').dateForms(Number(process.argv[3]) || 60, row));
  // Captions printed inside the boxes, and empty boxes, template and --auto-fields (not in the default run).
  if (what === 'captions') save('captions', await require('./scan').captionForms(Number(process.argv[3]) || 120, row));
  // Fields whose values come from lexicons, read with and without them (not in the default run).
  if (what === 'lexicon') save('lexicon', await require('./scan').lexiconForms(Number(process.argv[3]) || 300, row));
  // Strips of unknown resolution: the top of the scan bench's first pages, none stated (not in the default run).
  if (what === 'strips') save('strips', await require('./scan').stripForms(Number(process.argv[3]) || 60, row));
  // The scan bench's pages turned upside down and on their side (not in the default run).
  if (what === 'upside-down') save('upside-down', await require('./scan').upsideDown(Number(process.argv[3]) || 60, row));
  if (what === 'orand' || what === 'default') save('orand', await require('./scan').orand(row));
  // The figures of the results files against a commit's (default HEAD), timings aside.
  if (what === 'compare') process.exitCode = require('./compare').compare(process.argv[3]) ? 0 : 1;
  if (what === 'signs' || what === 'default') save('signs', await signs());
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
