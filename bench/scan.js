/**
 * Scan benchmarks: field and digit accuracy on generated forms (template and --auto-fields),
 * pages/s for 300-dpi letter pages as PNG and as PDF, and string accuracy on the real check
 * amounts of ../shared/data/orand-car-a in the default mode (each image one field, no template).
 */
'use strict';
const { mkdirSync, writeFileSync, readFileSync, existsSync, mkdtempSync, linkSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir, cpus } = require('node:os');
const { execFileSync } = require('node:child_process');

// The compiled library benched: dist/, or another build of it (DIGITSCAN_BENCH_DIST, a folder in the project).
const dist = (m) => require(join(__dirname, '..', process.env.DIGITSCAN_BENCH_DIST || 'dist', m));

/**
 * A bench part's generated folder once it is done: its pages (hundreds of MB a part) are removed, its
 * JSON files (meta, readings) kept; DIGITSCAN_BENCH_KEEP=1 keeps everything.
 */
function tidy(dir) {
  if (process.env.DIGITSCAN_BENCH_KEEP === '1') return dir;
  for (const f of readdirSync(dir)) if (!f.endsWith('.json')) rmSync(join(dir, f), { recursive: true, force: true });
  return dir;
}

/** Edit distance between two digit strings. */
function edits(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** Field accuracy (exact strings) and digit accuracy (1 - edits / digits) over pairs. */
function score(pairs) {
  let right = 0;
  let digits = 0;
  let wrongDigits = 0;
  for (const { expected, read } of pairs) {
    if (expected === read) right++;
    digits += expected.length;
    wrongDigits += Math.min(expected.length, edits(expected, read));
  }
  return { fields: pairs.length, fieldAccuracy: right / pairs.length, digitAccuracy: 1 - wrongDigits / digits };
}

/**
 * The share of fields (percent) a user can accept unread, most confident first, keeping at most 1 % of
 * those accepted wrong: how far the field confidence can be acted on.
 */
function acceptedAt1(pairs) {
  const { rejectCurve, acceptedAtError } = dist('pipeline/strings');
  return 100 * acceptedAtError(rejectCurve(judged(pairs)), 0.01).accepted;
}

/** Each field's confidence and whether it was read right, as the reject curve takes them. */
function judged(pairs) {
  return pairs.map((p) => ({ confidence: p.confidence, correct: p.expected === p.read }));
}

/**
 * The field read for each expected one: the found field that overlaps it most (intersection over
 * union at least 0.3, each found field used once, best pairs first), or none. Matching by place, not
 * by reading order, so that one box missed or found extra costs that field, not every field after it.
 */
function matchFields(want, found) {
  const iou = (a, b) => {
    const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
    const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
    if (w <= 0 || h <= 0) return 0;
    return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
  };
  const cand = [];
  want.forEach((w, i) => found.forEach((f, j) => {
    const v = iou(w.box, f.box);
    if (v >= 0.3) cand.push([v, i, j]);
  }));
  cand.sort((a, b) => b[0] - a[0]);
  const out = new Array(want.length).fill(null);
  const used = new Set();
  for (const [, i, j] of cand) {
    if (out[i] !== null || used.has(j)) continue;
    out[i] = found[j];
    used.add(j);
  }
  return out;
}

/** Generates `n` labeled forms (the three sample layouts in turn) with random scan artifacts. */
/**
 * The `i`-th page of the three sample layouts in turn, filled in with `digits` (seed `seed`: digits,
 * placement and the scan bench's artifacts), written as PNG to `path(layout name)`.
 */
async function writeSampleForm(digits, i, seed, path, options = {}) {
  const { generateForm, renderForm, benchArtifacts, SAMPLE_FORMS } = dist('samples/forms');
  const names = Object.keys(SAMPLE_FORMS);
  const name = names[i % names.length];
  const spec = SAMPLE_FORMS[name];
  const form = generateForm(spec.fields, digits, seed, { marks: spec.marks, ...options });
  const png = await renderForm(form, spec.fields, spec.title, benchArtifacts(seed), seed);
  const file = path(name);
  writeFileSync(file, png);
  return { name, form, png, file };
}

async function generate(dir, n) {
  const { loadMnist } = dist('classify/data/dataset');
  const test = loadMnist('test');
  const forms = [];
  for (let i = 0; i < n; i++) {
    const { name, form, png, file } = await writeSampleForm(test, i, 1000 + i, (name) => join(dir, `${String(i).padStart(3, '0')}-${name}.png`));
    forms.push({ file, png, name, template: form.template, expected: form.expected, sources: form.sources });
  }
  return forms;
}

/**
 * One generated form read as the scan bench reads it: with its template (the fields read), and with
 * --auto-fields (the template's fields in reading order, each with the found field in its place or null;
 * its place on the page is `place(box)` of the template's).
 */
async function readTwoWays(file, template, clf, place = (box) => box) {
  const { scanInputs } = dist('pipeline/scan');
  const { readingOrder, templateFields } = dist('segment/fields');
  const [t] = await collect(scanInputs, [file], { template, classifier: clf, concurrency: 1 });
  const [a] = await collect(scanInputs, [file], { autoFields: true, classifier: clf, concurrency: 1 });
  const page = a.pages[0];
  const want = readingOrder(templateFields(template, page.width, page.height).map((f) => ({ ...f, box: place(f.box) })));
  return { fields: t.pages[0].fields, auto: { found: page.fields.length, all: page.fields, want, got: matchFields(want, page.fields) } };
}

/**
 * One page's fields as read by {@link readTwoWays}, as pairs of what the form holds (`expected`, by
 * field name) and what was read: the template's fields into `tpl` (each with `extra(field)` too),
 * and for --auto-fields each template field's box found in its place (or '' for none) into `auto`.
 */
function addPairs(file, expected, { fields, auto }, tpl, autoPairs, extra = () => ({})) {
  const name = file.split('/').pop();
  for (const fl of fields) tpl.push({ expected: expected[fl.name], read: fl.value, where: `${name} ${fl.name}`, confidence: fl.confidence, ...extra(fl) });
  auto.want.forEach((w, i) => autoPairs.push({ expected: expected[w.name], read: auto.got[i]?.value ?? '', where: `${name} ${w.name} (${auto.got[i]?.name ?? 'not found'})`, confidence: auto.got[i]?.confidence ?? 0 }));
}

/**
 * What `--min-confidence` buys on a set of fields: for each threshold, the share of fields at or
 * above it (accepted unread) and the share of those misread, for each set of pairs (`sets`: title
 * -> pairs), printed as a table and returned for the results file.
 */
function confidenceTable(sets) {
  const { atThreshold } = dist('pipeline/strings');
  const names = Object.keys(sets);
  const thresholds = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999];
  const out = Object.fromEntries(names.map((n) => {
    const readings = judged(sets[n]);
    return [n, thresholds.map((t) => atThreshold(readings, t))];
  }));
  console.log(`\n| --min-confidence | ${names.map((n) => `${n}: accepted | misread among them`).join(' | ')} |`);
  console.log(`|---|${names.map(() => '---|---').join('|')}|`);
  thresholds.forEach((t, k) => console.log(`| ${t} | ${names.map((n) => `${(100 * out[n][k].accepted).toFixed(2)} % | ${(100 * out[n][k].error).toFixed(2)} %`).join(' | ')} |`));
  return out;
}

/** Fields misread and not flagged at the default --min-confidence (0.9): errors a user who reviews only flagged fields lets through. */
function unflagged(pairs) {
  return pairs.filter((p) => p.expected !== p.read && p.confidence >= 0.9).length;
}

/** The 95 % Wilson score interval of a proportion `k` of `n`, in percent. */
function wilson(k, n) {
  const z = 1.96;
  const p = k / n;
  const mid = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [100 * (mid - half), 100 * (mid + half)];
}

/**
 * Accuracy on `accuracyPages` generated forms (with each form's template, and with --auto-fields),
 * speed on the first `samples` of them.
 */
async function scanForms(samples, concurrency, row, accuracyPages = samples) {
  const { Classifier } = dist('classify/classifier');
  const { writePdf, writeBitonalPdf } = dist('samples/forms');
  const dir = mkdtempSync(join(tmpdir(), 'bench-forms-'));
  const n = Math.max(samples, accuracyPages);
  console.log(`\n## Scanning generated forms (${n} letter pages at 300 dpi: MNIST test digits, rotation ±2.5°, noise, blur, uneven light, bleed-through, JPEG on half; speed on the first ${samples})\n`);
  const all = await generate(dir, n);
  const forms = all.slice(0, samples);
  // Only the speed pages' files are kept in memory (for the PDF and the RGB copies).
  for (const f of all.slice(samples)) delete f.png;
  const clf = await Classifier.load(undefined, { workers: 1 });
  const rows = [];
  // Accuracy, with each form's template, and with --auto-fields (each template field matched to the box found in its place).
  const tplPairs = [];
  const autoPairs = [];
  for (const f of all) {
    const read = await readTwoWays(f.file, f.template, clf);
    addPairs(f.file, f.expected, read, tplPairs, autoPairs, (fl) => ({ digits: fl.digits, sources: f.sources[fl.name] }));
    if (read.auto.found !== read.auto.want.length) autoPairs.fieldCountErrors = (autoPairs.fieldCountErrors ?? 0) + 1;
  }
  const st = score(tplPairs);
  const sa = score(autoPairs);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  rows.push(row('field accuracy, template', st.fieldAccuracy * 100, 99, '%', 2));
  rows.push(row('digit accuracy, template', st.digitAccuracy * 100, null, '%', 2));
  rows.push(row('field accuracy, --auto-fields', sa.fieldAccuracy * 100, 99, '%', 2));
  rows.push(row('digit accuracy, --auto-fields', sa.digitAccuracy * 100, null, '%', 2));
  const right = (pairs) => pairs.filter((p) => p.expected === p.read).length;
  const [tl, th] = wilson(right(tplPairs), tplPairs.length);
  const [al, ah] = wilson(right(autoPairs), autoPairs.length);
  console.log(`\n(${st.fields} fields on ${n} pages; 95 % intervals of field accuracy: template ${tl.toFixed(2)}-${th.toFixed(2)} %, --auto-fields ${al.toFixed(2)}-${ah.toFixed(2)} %; --auto-fields found a different number of boxes on ${autoPairs.fieldCountErrors ?? 0} of ${n} pages)`);
  // What went wrong: a digit read wrong where the right number were found, unsure (under 0.99) or
  // sure; or a different number of digits.
  const wrong = tplPairs.filter((p) => p.expected !== p.read);
  const kinds = { 'one or more digits misread, each under 0.99': 0, 'a digit misread at 0.99 or more': 0, 'digits missed or extra': 0 };
  for (const p of wrong) {
    if (p.expected.length !== p.read.length) kinds['digits missed or extra']++;
    else if (p.digits.every((d, i) => d.value === p.expected[i] || d.confidence < 0.99)) kinds['one or more digits misread, each under 0.99']++;
    else kinds['a digit misread at 0.99 or more']++;
  }
  console.log(`Template misreads by kind: ${Object.entries(kinds).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  // The classifier's share: misread fields holding a digit that the model misreads even given its
  // clean MNIST image. No segmentation or preprocessing could read those fields right.
  const test = dist('classify/data/dataset').loadMnist('test');
  for (const p of wrong) {
    const px = new Float32Array(p.sources.length * 784);
    p.sources.forEach((s, k) => { for (let q = 0; q < 784; q++) px[k * 784 + q] = test.images[s * 784 + q] / 255; });
    const probs = await clf.predict(px, p.sources.length);
    p.cleanReads = p.sources.map((s, k) => { const r = Array.from(probs.subarray(k * 10, k * 10 + 10)); return r.indexOf(Math.max(...r)); });
    p.cleanWrong = p.sources.some((s, k) => p.cleanReads[k] !== test.labels[s]);
  }
  const cleanWrong = wrong.filter((p) => p.cleanWrong).length;
  const ceiling = 100 * (tplPairs.length - cleanWrong) / tplPairs.length;
  console.log(`Of the ${wrong.length} fields misread with the template, ${cleanWrong} hold a digit that the model misreads in its clean MNIST image as well; with every other field read right, field accuracy would be ${ceiling.toFixed(2)} %.`);
  rows.push(row('field accuracy, template, if only the clean-MNIST misreads were left', ceiling, null, '%', 2));
  // Misread and not flagged: confident enough to pass the default --min-confidence (0.9), the errors
  // a user who reviews only flagged fields would let through.
  rows.push(row('fields misread but not flagged (confidence >= 0.9), template', unflagged(tplPairs), null, 'fields', 0));
  rows.push(row('fields misread but not flagged (confidence >= 0.9), --auto-fields', unflagged(autoPairs), null, 'fields', 0));
  // Flagged for review, read right or not: the work a user who checks flagged fields is given.
  const flagged = (pairs) => pairs.filter((p) => p.confidence < 0.9).length;
  rows.push(row('fields flagged for review (confidence < 0.9), template', flagged(tplPairs), null, 'fields', 0));
  rows.push(row('fields flagged for review (confidence < 0.9), --auto-fields', flagged(autoPairs), null, 'fields', 0));
  rows.push(row('fields accepted at <= 1% error, most confident first, template', acceptedAt1(tplPairs), null, '%', 2));
  rows.push(row('fields accepted at <= 1% error, most confident first, --auto-fields', acceptedAt1(autoPairs), null, '%', 2));
  const thresholds = confidenceTable({ template: tplPairs, '--auto-fields': autoPairs });
  if (wrong.length) {
    console.log('\nFields misread with the template (expected -> read, field confidence):');
    for (const p of wrong) console.log(`  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)})${p.cleanWrong ? `; MNIST test ${p.sources.filter((s, k) => p.cleanReads[k] !== test.labels[s]).join(', ')} misread clean too` : ''}`);
  }
  const wrongAuto = autoPairs.filter((p) => p.expected !== p.read);
  if (wrongAuto.length) {
    console.log('\nFields misread with --auto-fields:');
    for (const p of wrongAuto) console.log(`  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)})`);
  }
  // Speed: every page with --auto-fields, PNG files and one multi-page PDF, both cores.
  await clf.close();
  const pdf = join(dir, 'all.pdf');
  // The same pages with a searchable (invisible) text layer over each scan, as OCR software writes them.
  const searchable = join(dir, 'searchable.pdf');
  // And with a line of visible text at each page's foot: a page number stamped over each scan.
  const marked = join(dir, 'marked.pdf');
  // And each scan turned by a degree on its page: not a scan, every page rendered whole by pdfjs.
  const rendered = join(dir, 'rendered.pdf');
  // And each scan printed with half-inch margins over a page filled in white: placed on the blank page.
  const margins = join(dir, 'margins.pdf');
  await writePdf(forms.map((f) => f.png), pdf, { searchable, marked, rendered, margins });
  // And thresholded, as a black-and-white scanner writes pages: CCITT Group 4.
  const bitonal = join(dir, 'bitonal.pdf');
  await writeBitonalPdf(forms.map((f) => f.png), bitonal);
  // The pages just written are flushed to disk first: the kernel writing them back during a run
  // (gigabytes of them with DIGITSCAN_BENCH_KEEP or many pages) would be timed with it.
  try {
    execFileSync('sync');
  } catch {
    // No sync command (not a Unix system): the runs go on unflushed.
  }
  // Each speed run in a fresh process (bench/speed-child.js), as a user's scan runs: not in this one,
  // whose heap holds what the accuracy runs left behind.
  // The median of three runs, each printed: this machine's speed swings by a fifth or more from one
  // minute to the next, and one run says little (the classifier's speed bench does the same).
  // Each run also gives the process's peak resident memory (worker threads included); the median is reported.
  const peaks = {};
  const pagesPerSec = async (inputs, what, n = 3) => {
    const runs = Array.from({ length: n }, () => {
      const out = execFileSync(process.execPath, [join(__dirname, 'speed-child.js'), JSON.stringify({ inputs, concurrency })], { encoding: 'utf8', maxBuffer: 1 << 20 });
      return JSON.parse(out.trim().split('\n').pop());
    });
    const rates = runs.map((r) => r.pages / r.seconds);
    const mb = runs.map((r) => r.peakMB);
    console.log(`(${what}: runs of ${rates.map((r) => r.toFixed(2)).join(', ')} pages/s, peak ${mb.map((m) => m.toFixed(0)).join(', ')} MB; the medians are reported)`);
    peaks[what] = [...mb].sort((a, b) => a - b)[(n - 1) >> 1];
    return [...rates].sort((a, b) => a - b)[(n - 1) >> 1];
  };
  console.log('');
  rows.push(row(`pages/s, PNG (${concurrency} workers, incl. start-up)`, await pagesPerSec(forms.map((f) => f.file), 'PNG'), 8, 'pages/s', 2));
  rows.push(row(`pages/s, PDF (${concurrency} workers, incl. start-up)`, await pagesPerSec([pdf], 'PDF'), 3, 'pages/s', 2));
  rows.push(row(`pages/s, searchable PDF: an invisible text layer over each scan (${concurrency} workers, incl. start-up)`, await pagesPerSec([searchable], 'searchable PDF'), null, 'pages/s', 2));
  rows.push(row(`pages/s, bitonal PDF: CCITT Group 4 (${concurrency} workers, incl. start-up)`, await pagesPerSec([bitonal], 'bitonal PDF'), null, 'pages/s', 2));
  rows.push(row(`pages/s, PDF with a line of print over each scan: the print rendered alone by pdfjs and painted over the decoded scan (${concurrency} workers, incl. start-up)`, await pagesPerSec([marked], 'stamped PDF'), null, 'pages/s', 2));
  rows.push(row(`pages/s, PDF of scans printed with half-inch margins over a page filled in white: each placed on the blank page (${concurrency} workers, incl. start-up)`, await pagesPerSec([margins], 'PDF with margins'), null, 'pages/s', 2));
  // One run: pdfjs renders ~1 page/s a worker.
  rows.push(row(`pages/s, PDF whose scans are drawn turned by a degree, rendered whole by pdfjs (${concurrency} workers, incl. start-up; one run)`, await pagesPerSec([rendered], 'rendered PDF', 1), null, 'pages/s', 2));
  // A longer batch, where start-up and warm-up weigh less: the same PNGs three times over, under
  // other names (hard links), so that no decoded image can come from a cache.
  const batch = [0, 1, 2].flatMap((k) => forms.map((f) => {
    if (k === 0) return f.file;
    const copy = f.file.replace(/\.png$/, `-again${k}.png`);
    linkSync(f.file, copy);
    return copy;
  }));
  rows.push(row(`pages/s, PNG, a batch of ${batch.length} (${concurrency} workers, incl. start-up)`, await pagesPerSec(batch, `the batch of ${batch.length}`), 8, 'pages/s', 2));
  // The same 60 pages as colour (RGB) PNGs, as a colour scanner would write them: decoded as RGB and
  // made grey by the project's own loop.
  const sharp = require('sharp');
  const colour = [];
  for (const f of forms) {
    const file = f.file.replace(/\.png$/, '-rgb.png');
    writeFileSync(file, await sharp(f.png).toColourspace('srgb').png().toBuffer());
    colour.push(file);
  }
  rows.push(row(`pages/s, PNG in RGB (${concurrency} workers, incl. start-up)`, await pagesPerSec(colour, 'RGB'), null, 'pages/s', 2));
  // What a user waits for a small job: the command line from process start to exit (Node's own
  // start, loading, the workers' start-up and the reading), median of 5 runs.
  const cliSeconds = (files) => {
    const runs = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      execFileSync(process.execPath, [join(__dirname, '..', 'bin', 'digitscan.js'), 'scan', ...files, '--auto-fields', '--format', 'csv'], { encoding: 'utf8', maxBuffer: 1 << 24 });
      runs.push((performance.now() - t) / 1000);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  rows.push(row('`digitscan scan` of 1 page, seconds from process start to exit', cliSeconds([forms[0].file]), null, 's', 2));
  rows.push(row(`\`digitscan scan\` of 2 pages (${concurrency} workers), seconds from process start to exit`, cliSeconds([forms[0].file, forms[1].file]), null, 's', 2));
  // What a scan holds in memory at its peak, from the speed runs above (the median run's).
  const mbOf = (what, bytes) => `peak resident memory, ${what} (${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB; ${concurrency} workers)`;
  rows.push(row(mbOf(`${forms.length} PNG pages`, forms.reduce((a, f) => a + statSync(f.file).size, 0)), peaks.PNG, null, 'MB', 0));
  for (const [what, file] of [['PDF', pdf], ['searchable PDF', searchable], ['bitonal PDF', bitonal], ['stamped PDF', marked], ['PDF with margins', margins], ['rendered PDF', rendered]]) rows.push(row(mbOf(what, statSync(file).size), peaks[what], null, 'MB', 0));
  return { rows, thresholds, generated: tidy(dir) };
}

/** The other layouts' first fields: a 3 x 3 table of fields sharing borders, a comb of 7 cells and a lone box. */
function tableCombBox() {
  const fields = [];
  const cols = [[0.08, 0.22, 4], [0.3, 0.3, 6], [0.6, 0.18, 3]];
  for (let r = 0; r < 3; r++) for (const [c, [x, w, d]] of cols.entries()) fields.push({ name: `t${r}${c}`, label: '', digits: d, box: [x, 0.3 + r * 0.06, w, 0.06] });
  fields.push({ name: 'comb', label: 'Account', digits: 7, box: [0.1, 0.6, 0.49, 0.055], comb: true });
  fields.push({ name: 'lone', label: 'Total', digits: 5, box: [0.1, 0.75, 0.35, 0.06] });
  return fields;
}

/**
 * A generated grey form (`form`) as a colour scan, RGB bytes: its printed lines (`lines`, the same
 * form with blank digits) in `print`, its handwriting in `pen`, on `paper` (each [r, g, b]).
 */
function inColour(form, lines, paper, print, pen) {
  const { width: W, height: H } = form;
  const rgb = Buffer.alloc(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const l = Math.min(1, (255 - lines.data[p]) / 225);
    const k = Math.min(1, (1.3 * Math.max(0, lines.data[p] - form.data[p])) / 255);
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round((paper[c] * (1 - l) + print[c] * l) * (1 - k) + pen[c] * k);
  }
  return rgb;
}

/**
 * Forms the sample layouts do not have, read with --auto-fields as a new user would: a table of
 * fields sharing borders (3 x 3 cells), a comb of 7 cells, a lone box, combs open above, a row of digit squares, a dashed box and a shaded field, in four kinds of page
 * taken in turn: grey as the bench forms; printed in red on cream paper in blue pen (a colour JPEG);
 * big handwriting (80-90% of the box: neighbours touch); at 200 dpi. Field accuracy per kind.
 * Seeds 5000 + i; with `only` (a kind's index), every page is of that kind, seeds from `seedBase`.
 */
async function variedForms(n, row, only = null, seedBase = 5000) {
  const { generateForm, renderForm } = dist('samples/forms');
  const { loadMnist } = dist('classify/data/dataset');
  const { Rng } = dist('classify/data/random');
  const { scanInputs } = dist('pipeline/scan');
  const { Classifier } = dist('classify/classifier');
  const { readingOrder, templateFields } = dist('segment/fields');
  const sharp = require('sharp');
  const test = loadMnist('test');
  const blank = { ...test, images: new Uint8Array(test.images.length) };
  const fields = tableCombBox();
  // Combs open above (after the others, so that their digits are drawn as before).
  fields.push({ name: 'open', label: 'Branch', digits: 6, box: [0.1, 0.68, 0.42, 0.055], comb: true, combStyle: 'open-top' });
  fields.push({ name: 'ticks', label: 'Code', digits: 6, box: [0.1, 0.85, 0.42, 0.055], comb: true, combStyle: 'ticks' });
  // Other print styles, on the right (after the others, so that their digits are drawn as before):
  // a square per digit, apart; a dashed box; a shaded area with no border.
  fields.push({ name: 'squares', label: 'Date', digits: 5, box: [0.6, 0.6, 0.33, 0.05], comb: true, combStyle: 'squares' });
  fields.push({ name: 'dashed', label: 'Reference', digits: 5, box: [0.6, 0.7, 0.33, 0.06], boxStyle: 'dashed' });
  fields.push({ name: 'shaded', label: 'Amount', digits: 5, box: [0.6, 0.8, 0.33, 0.06], boxStyle: 'shaded' });
  const kinds = ['grey', 'red print, colour JPEG', 'big handwriting', '200 dpi'];
  const dir = mkdtempSync(join(tmpdir(), 'bench-varied-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const pairs = kinds.map(() => []);
  const bitonal = [];
  // Fields found that are in no form field's place (the matching's leftovers): what a user would see more.
  let extra = 0;
  for (let i = 0; i < n; i++) {
    const kind = only ?? i % kinds.length;
    const seed = seedBase + i;
    const rng = new Rng(seed);
    const opts = { dpi: kind === 3 ? 200 : 300, ...(kind === 2 ? { digitHeight: [0.8, 0.9] } : {}) };
    const form = generateForm(fields, test, seed, opts);
    const artifacts = { rotation: 2, noise: rng.uniform(0, 10), blur: rng.uniform(0.3, 1), jpeg: Math.round(rng.uniform(70, 90)) };
    let file;
    if (kind === 1) {
      // The printed lines (the same form with blank digits) in red, the handwriting in blue.
      const { width: W, height: H } = form;
      const paper = [248, 244, 232];
      const rgb = inColour(form, generateForm(fields, blank, seed, opts), paper, [230, 90, 90], [20, 30, 90]);
      file = join(dir, `${String(i).padStart(3, '0')}-colour.jpg`);
      const angle = rng.uniform(-artifacts.rotation, artifacts.rotation);
      const rot = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).blur(artifacts.blur).rotate(angle, { background: `rgb(${paper.join(',')})` }).raw().toBuffer({ resolveWithObject: true });
      const { width: rw, height: rh } = rot.info;
      const crop = sharp(rot.data, { raw: { width: rw, height: rh, channels: 3 } }).extract({ left: Math.floor((rw - W) / 2), top: Math.floor((rh - H) / 2), width: W, height: H });
      writeFileSync(file, await crop.jpeg({ quality: artifacts.jpeg }).toBuffer());
    } else {
      file = join(dir, `${String(i).padStart(3, '0')}-${kind}.png`);
      writeFileSync(file, await renderForm(form, fields, 'Order form', artifacts, seed));
    }
    const want = readingOrder(templateFields(form.template, form.width, form.height));
    const read = async (f, into) => {
      const [doc] = await collect(scanInputs, [f], { autoFields: true, classifier: clf, concurrency: 1 });
      const got = matchFields(want, doc.pages[0]?.fields ?? []);
      extra += (doc.pages[0]?.fields.length ?? 0) - got.filter(Boolean).length;
      want.forEach((w, k) => into.push({ expected: form.expected[w.name], read: got[k]?.value ?? '', where: `${f.split('/').pop()} ${w.name}${got[k] ? '' : ' (not found)'}`, confidence: got[k]?.confidence ?? 0, reasons: got[k]?.reasons ?? [] }));
    };
    await read(file, pairs[kind]);
    if (kind === 0) {
      // The same grey page as a bitonal scanner writes it: a fixed threshold, 1 bit a pixel, CCITT group 4.
      const tif = file.replace(/\.png$/, '-bitonal.tif');
      await sharp(file).threshold(140).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1 }).toFile(tif);
      await read(tif, bitonal);
    }
  }
  await clf.close();
  console.log(`
## Other layouts, --auto-fields (${n} letter pages: a 3 x 3 table of fields sharing borders, a 7-cell comb, a lone box, 6-cell combs open above (walls; ticks), 5 separate digit squares, a dashed box, a shaded field; ${only === null ? 'four kinds of page in turn, the grey ones also as bitonal TIFF' : `all ${kinds[only]}, seeds ${seedBase}+`})
`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = kinds.flatMap((k, j) => (pairs[j].length ? [row(`field accuracy, ${k} (${pairs[j].length} fields)`, score(pairs[j]).fieldAccuracy * 100, null, '%', 2)] : []));
  if (only === null) rows.push(row(`field accuracy, all (${pairs.flat().length} fields)`, score(pairs.flat()).fieldAccuracy * 100, null, '%', 2));
  if (bitonal.length) rows.push(row(`field accuracy, the grey pages as 1-bit TIFF (CCITT G4, threshold 140; ${bitonal.length} fields)`, score(bitonal).fieldAccuracy * 100, null, '%', 2));
  rows.push(row(`fields found in no form field's place, all pages read (${pairs.flat().length + bitonal.length} form fields)`, extra, null, 'fields', 0));
  const wrong = [...pairs.flat(), ...bitonal].filter((p) => p.expected !== p.read);
  if (wrong.length) {
    console.log('\nMisread:');
    for (const p of wrong) console.log(`  ${p.where}: ${p.expected} -> ${p.read}`);
  }
  // Every field's reading, for a look at what the pipeline decided (reasons: the notes of review).
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ kinds, pairs, bitonal }));
  console.log(`\n(every field's reading: ${dir}/readings.json; the pages are kept with DIGITSCAN_BENCH_KEEP=1)`);
  return { rows, generated: tidy(dir) };
}

/**
 * Handwriting taller than its boxes: the sample layouts filled in with MNIST test digits `heights`
 * (a share of the box's height; over 1, their tops and tails cross the box's borders), with the scan
 * bench's artifacts (seeds 70000 + i), read with each form's template and with --auto-fields.
 */
function tallForms(n, row, heights = [0.95, 1.15]) {
  return writtenForms(n, row, 70000, { digitHeight: heights }, `Handwriting taller than its boxes (${n} pages of the sample layouts, MNIST test digits ${heights[0]}-${heights[1]} of the box's height, crossing its borders; seeds 70000 on)`, 'tall');
}

/**
 * Handwriting that runs out of room: the sample layouts filled in with MNIST test digits whose
 * last digit's middle is `spill` (a share of the digits' height) past the box's right edge, with the
 * scan bench's artifacts (seeds 80000 + i), read with each form's template and with --auto-fields.
 */
function spillForms(n, row, spill = [-0.25, 0.1]) {
  return writtenForms(n, row, 80000, { spill }, `Handwriting that runs out of room (${n} pages of the sample layouts, MNIST test digits, the last one's middle ${spill[0]} to ${spill[1]} digit heights past the box's right edge; seeds 80000 on)`, 'spill');
}

/**
 * Handwriting in a light pencil: the sample layouts filled in with MNIST test digits of grey level
 * `ink` (the scan bench's pen: 10-60), with the scan bench's artifacts (seeds 90000 + i), read with
 * each form's template and with --auto-fields.
 */
function pencilForms(n, row, ink = [120, 190]) {
  return writtenForms(n, row, 90000, { ink }, `Handwriting in a light pencil (${n} pages of the sample layouts, MNIST test digits of grey level ${ink[0]}-${ink[1]}; seeds 90000 on)`, 'pencil');
}

/**
 * Forms photographed at an angle: the scan bench's pages (seeds 95000 + i) seen in perspective, each
 * corner of the page moved inwards by up to `tilt` of the page's width and height (drawn per corner;
 * white around), read with each form's template (registered through its marks: an affine fit) and
 * with --auto-fields, the boxes found matched to the template's boxes as the perspective moved them.
 */
async function angleForms(n, row, tilt = 0.08) {
  const sharp = require('sharp');
  const { Rng } = dist('classify/data/random');
  // Each page as photographed: its corners moved inwards, drawn per corner.
  const photo = async (png, seed) => {
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const [W, H] = [info.width, info.height];
    const rng = new Rng(seed);
    const page = [[0, 0], [W, 0], [W, H], [0, H]];
    const inward = [[1, 1], [-1, 1], [-1, -1], [1, -1]];
    const quad = page.map(([x, y], k) => [x + inward[k][0] * rng.uniform(0, tilt) * W, y + inward[k][1] * rng.uniform(0, tilt) * H]);
    // The photo's pixel (x, y) shows the page's pixel back(x, y); forth maps the page into the photo.
    const back = homography(quad, page);
    const forth = homography(page, quad);
    const out = Buffer.alloc(W * H, 255);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = back[6] * x + back[7] * y + 1;
        const sx = (back[0] * x + back[1] * y + back[2]) / d;
        const sy = (back[3] * x + back[4] * y + back[5]) / d;
        const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
        if (x0 < 0 || y0 < 0 || x0 >= W - 1 || y0 >= H - 1) continue;
        const [fx, fy, k] = [sx - x0, sy - y0, y0 * W + x0];
        out[y * W + x] = Math.round(data[k] * (1 - fx) * (1 - fy) + data[k + 1] * fx * (1 - fy) + data[k + W] * (1 - fx) * fy + data[k + W + 1] * fx * fy);
      }
    }
    // The template's boxes where the photo shows them: the box of its four corners moved.
    return { png: await sharp(out, { raw: { width: W, height: H, channels: 1 } }).png().toBuffer(), place: placeThrough(forth) };
  };
  const title = `Forms photographed at an angle (${n} pages of the sample layouts, the scan bench's artifacts, each page corner moved inwards by up to ${tilt} of the page; seeds 95000 on)`;
  return writtenForms(n, row, 95000, {}, title, 'angle', photo);
}

/**
 * Forms photographed on a desk, as a phone takes them: each page (the scan bench's, seeds 96000 on)
 * placed in a 3024 x 4032 picture, filling 0.6 to 0.9 of its height, each corner moved by up to
 * `tilt` of the page (perspective), on a desk (dark grey, wood grain, or blue cloth), lit unevenly
 * across the picture, a soft shadow somewhere, blurred a little and saved as JPEG (quality 85).
 * Read with the templates (their registration marks found wherever the page lies) and with
 * --auto-fields.
 */
async function deskForms(n, row, tilt = 0.05) {
  const sharp = require('sharp');
  const { Rng } = dist('classify/data/random');
  const [PW, PH] = [3024, 4032];
  const photo = async (png, seed) => {
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const [W, H] = [info.width, info.height];
    const rng = new Rng(seed + 700000);
    const s = (rng.uniform(0.6, 0.9) * PH) / H;
    const [cx, cy] = [PW / 2 + rng.uniform(-0.04, 0.04) * PW, PH / 2 + rng.uniform(-0.04, 0.04) * PH];
    const quad = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([sx, sy]) => [cx + (sx * W * s) / 2 + rng.uniform(-tilt, tilt) * W * s, cy + (sy * H * s) / 2 + rng.uniform(-tilt, tilt) * H * s]);
    const page = [[0, 0], [W, 0], [W, H], [0, H]];
    const back = homography(quad, page);
    const forth = homography(page, quad);
    const desk = rng.int(3);
    const [gx, gy] = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
    const [shx, shy, shr] = [rng.uniform(0, PW), rng.uniform(0, PH), rng.uniform(500, 1200)];
    const paper = [1, 0.98, 0.93];
    const tints = [[1, 1, 1], [1, 0.78, 0.58], [0.55, 0.7, 1]];
    const rgb = Buffer.alloc(PW * PH * 3);
    for (let y = 0; y < PH; y++) {
      for (let x = 0; x < PW; x++) {
        const d = back[6] * x + back[7] * y + 1;
        const sx = (back[0] * x + back[1] * y + back[2]) / d;
        const sy = (back[3] * x + back[4] * y + back[5]) / d;
        let v;
        let tint = paper;
        if (sx >= 0 && sy >= 0 && sx < W - 1 && sy < H - 1) {
          const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
          const [fx, fy, k] = [sx - x0, sy - y0, y0 * W + x0];
          v = data[k] * (1 - fx) * (1 - fy) + data[k + 1] * fx * (1 - fy) + data[k + W] * (1 - fx) * fy + data[k + W + 1] * fx * fy;
        } else {
          tint = tints[desk];
          v = desk === 0 ? 70 + rng.normal() * 8 : desk === 1 ? 125 + 25 * Math.sin(x / 37 + 3 * Math.sin(y / 211)) + rng.normal() * 6 : 110 + 10 * Math.sin(x / 3) * Math.sin(y / 3) + rng.normal() * 5;
        }
        const light = 0.8 + 0.3 * (gx * (x / PW - 0.5) + gy * (y / PH - 0.5));
        const r2 = (x - shx) ** 2 + (y - shy) ** 2;
        const shade = 1 - 0.25 * Math.exp(-r2 / (2 * shr * shr));
        const noise = rng.normal() * 3;
        for (let c = 0; c < 3; c++) rgb[(y * PW + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v * light * shade * tint[c] + noise)));
      }
    }
    const jpeg = await sharp(rgb, { raw: { width: PW, height: PH, channels: 3 } }).blur(1.2).jpeg({ quality: 85 }).toBuffer();
    // A box of the template (laid over the picture as if it were the page) where the picture shows it.
    return { png: jpeg, ext: 'jpg', place: placeThrough(forth, W / PW, H / PH) };
  };
  const title = `Forms photographed on a desk (${n} pages of the sample layouts, the scan bench's artifacts, each in a 3024 x 4032 JPEG filling 0.6-0.9 of its height, corners moved by up to ${tilt} of the page, a desk around it, uneven light and a shadow; seeds 96000 on)`;
  return writtenForms(n, row, 96000, {}, title, 'desk', photo);
}

/**
 * Where a photograph shows a box of its page: the box around its four corners, each scaled by
 * (`kx`, `ky`) and mapped by the homography `forth` (page to photograph).
 */
function placeThrough(forth, kx = 1, ky = 1) {
  return (b) => {
    const pts = [[b[0], b[1]], [b[0] + b[2], b[1]], [b[0] + b[2], b[1] + b[3]], [b[0], b[1] + b[3]]].map(([x, y]) => {
      const [u, v] = [x * kx, y * ky];
      const d = forth[6] * u + forth[7] * v + 1;
      return [(forth[0] * u + forth[1] * v + forth[2]) / d, (forth[3] * u + forth[4] * v + forth[5]) / d];
    });
    const [xs, ys] = [pts.map((p) => p[0]), pts.map((p) => p[1])];
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
  };
}

/** The homography (row-major, last entry 1) that maps each of the four points `from` to the one of `to`. */
function homography(from, to) {
  const A = [];
  const b = [];
  for (let i = 0; i < 4; i++) {
    const [[x, y], [u, v]] = [from[i], to[i]];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  // Gauss-Jordan elimination with partial pivoting.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p], b[c], b[p]] = [A[p], A[c], b[p], b[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k < 8; k++) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  return [...b.map((v, i) => v / A[i][i]), 1];
}

/**
 * The sample layouts written as `options` (the generator's) say, read with their templates and with
 * --auto-fields; with `photo(png, seed)`, each page as it makes it: `{ png, place }`, `place` taking a
 * box of the page to where the photo shows it (the form's boxes to match --auto-fields' fields to).
 */
async function writtenForms(n, row, seedBase, options, title, tag, photo = null) {
  const { generateForm, renderForm, benchArtifacts, SAMPLE_FORMS } = dist('samples/forms');
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const test = loadMnist('test');
  const dir = mkdtempSync(join(tmpdir(), `bench-${tag}-`));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const names = Object.keys(SAMPLE_FORMS);
  const tplPairs = [];
  const autoPairs = [];
  for (let i = 0; i < n; i++) {
    const name = names[i % names.length];
    const spec = SAMPLE_FORMS[name];
    const seed = seedBase + i;
    const form = generateForm(spec.fields, test, seed, { marks: spec.marks, ...options });
    const png = await renderForm(form, spec.fields, spec.title, benchArtifacts(seed), seed);
    // A page photographed (`photo`): its file (a PNG unless `ext` says), and where it shows a box of the page.
    const shot = photo ? await photo(png, seed) : { png, place: undefined };
    const file = join(dir, `${String(i).padStart(3, '0')}-${name}.${shot.ext ?? 'png'}`);
    writeFileSync(file, shot.png);
    addPairs(file, form.expected, await readTwoWays(file, form.template, clf, shot.place), tplPairs, autoPairs);
  }
  await clf.close();
  return { rows: reportBothWays(title, tplPairs, autoPairs, row), generated: tidy(dir) };
}

/**
 * Fields whose value is known to follow a pattern (dates, months, days, years, times, a rating, a
 * code with no leading zero) or to end in a check digit (a 16-digit card number, Luhn; a 13-digit
 * EAN, GTIN's mod 10): `n` letter pages of one layout (seeds 50000 + i), each field's value drawn at
 * random among those it can hold and written in MNIST test digits of those labels, with the scan
 * bench's artifacts; each page read with its template twice, with the fields' patterns and check
 * digits and without them, so that what they change is all that differs.
 */
async function patternForms(n, row) {
  const { generateForm, renderForm, benchArtifacts, CORNER_MARKS } = dist('samples/forms');
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const { scanInputs } = dist('pipeline/scan');
  const { Rng } = dist('classify/data/random');
  const { checkDigitHolds } = dist('pipeline/assemble');
  const test = loadMnist('test');
  // Random digits, then the check digit that makes `check` hold.
  const checked = (r, digits, check) => {
    const head = Array.from({ length: digits - 1 }, () => r.int(10)).join('');
    return head + [...'0123456789'].find((d) => checkDigitHolds(head + d, check));
  };
  const two = (v) => String(v).padStart(2, '0');
  const MONTH = '0[1-9]|1[0-2]';
  const DAY = '0[1-9]|[12][0-9]|3[01]';
  const YEAR = '(19|20)[0-9]{2}';
  // Each field: its spec, and a value its pattern takes, drawn from rng (days up to 28: every month has them).
  const fields = [
    [{ name: 'date', label: 'Date (MMDDYYYY)', digits: 8, box: [0.08, 0.14, 0.6, 0.065], pattern: `(${MONTH})(${DAY})${YEAR}` }, (r) => two(1 + r.int(12)) + two(1 + r.int(28)) + (1900 + r.int(200))],
    [{ name: 'month', label: 'Month', digits: 2, box: [0.08, 0.28, 0.2, 0.065], pattern: MONTH }, (r) => two(1 + r.int(12))],
    [{ name: 'day', label: 'Day', digits: 2, box: [0.36, 0.28, 0.2, 0.065], pattern: DAY }, (r) => two(1 + r.int(31))],
    [{ name: 'year', label: 'Year', digits: 4, box: [0.64, 0.28, 0.28, 0.065], pattern: YEAR }, (r) => String(1900 + r.int(200))],
    [{ name: 'time', label: 'Time (HHMM)', digits: 4, box: [0.08, 0.42, 0.35, 0.065], pattern: '([01][0-9]|2[0-3])[0-5][0-9]' }, (r) => two(r.int(24)) + two(r.int(60))],
    [{ name: 'rating', label: 'Rating (1-5)', digits: 1, box: [0.55, 0.42, 0.1, 0.065], pattern: '[1-5]' }, (r) => String(1 + r.int(5))],
    [{ name: 'code', label: 'Code', digits: 6, box: [0.08, 0.56, 0.45, 0.065], pattern: '[1-9][0-9]{5}' }, (r) => String(100000 + r.int(900000))],
    [{ name: 'card', label: 'Card number', digits: 16, box: [0.08, 0.7, 0.86, 0.065], check: 'luhn' }, (r) => checked(r, 16, 'luhn')],
    [{ name: 'ean', label: 'Product number (EAN)', digits: 13, box: [0.08, 0.84, 0.72, 0.065], check: 'gtin' }, (r) => checked(r, 13, 'gtin')],
  ];
  const specs = fields.map(([f]) => f);
  const checkedNames = new Set(specs.filter((f) => f.check).map((f) => f.name));
  const dir = mkdtempSync(join(tmpdir(), 'bench-patterns-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const withP = [];
  const without = [];
  for (let i = 0; i < n; i++) {
    const seed = 50000 + i;
    const rng = new Rng(seed + 500000);
    const values = Object.fromEntries(fields.map(([f, draw]) => [f.name, draw(rng)]));
    const form = generateForm(specs, test, seed, { marks: CORNER_MARKS, values });
    const file = join(dir, `${String(i).padStart(3, '0')}-dates.png`);
    writeFileSync(file, await renderForm(form, specs, 'Appointment', benchArtifacts(seed), seed));
    const plain = { ...form.template, fields: form.template.fields.map(({ pattern, check, ...f }) => f) };
    for (const [template, into] of [[form.template, withP], [plain, without]]) {
      const [doc] = await collect(scanInputs, [file], { template, classifier: clf, concurrency: 1 });
      for (const f of doc.pages[0]?.fields ?? []) into.push({ expected: form.expected[f.name], read: f.value, where: `${file.split('/').pop()} ${f.name}`, confidence: f.confidence, needsReview: f.needsReview, checked: checkedNames.has(f.name) });
    }
  }
  await clf.close();
  console.log(`\n## Fields with patterns and check digits (${n} letter pages, 9 fields each: date MMDDYYYY, month, day, year, time HHMM, a rating 1-5, a 6-digit code with no leading zero, a 16-digit card number (Luhn), a 13-digit EAN (GTIN mod 10); values drawn to fit, MNIST test digits; seeds 50000 on), read with their templates\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const part = (ps, checked) => ps.filter((p) => p.checked === checked);
  const rows = [
    row(`field accuracy (${withP.length} fields), with the patterns; without: ${(100 * score(without).fieldAccuracy).toFixed(2)} %`, score(withP).fieldAccuracy * 100, null, '%', 2),
    row(`... the fields with patterns (${part(withP, false).length}), with them; without: ${(100 * score(part(without, false)).fieldAccuracy).toFixed(2)} %`, score(part(withP, false)).fieldAccuracy * 100, null, '%', 2),
    row(`... the fields with check digits (${part(withP, true).length}), with them; without: ${(100 * score(part(without, true)).fieldAccuracy).toFixed(2)} %`, score(part(withP, true)).fieldAccuracy * 100, null, '%', 2),
    row(`fields flagged for review, with the patterns; without: ${without.filter((p) => p.needsReview).length}`, withP.filter((p) => p.needsReview).length, null, 'fields', 0),
    row(`fields misread but not flagged, with the patterns; without: ${without.filter((p) => p.expected !== p.read && !p.needsReview).length}`, withP.filter((p) => p.expected !== p.read && !p.needsReview).length, null, 'fields', 0),
  ];
  const changed = withP.map((p, k) => [p, without[k]]).filter(([a, b]) => a.read !== b.read);
  if (changed.length) console.log(`\nChanged by the patterns (written: without -> with):\n${changed.map(([a, b]) => `  ${a.where}: ${a.expected}: ${b.read} -> ${a.read}${a.read === a.expected ? ' (right)' : ''}`).join('\n')}`);
  const wrong = withP.filter((p) => p.expected !== p.read);
  if (wrong.length) console.log(`\nMisread with the patterns:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)}${p.needsReview ? ', flagged' : ''})`).join('\n')}`);
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ withPatterns: withP, without }));
  return { rows, generated: tidy(dir) };
}

/**
 * Fields whose values come from lexicons (`lexicon` in the template: zip codes, employee numbers,
 * account numbers, phone numbers), read with and without them. One value in ten is drawn from
 * outside its lexicon (a list out of date): those should be flagged.
 */
async function lexiconForms(n, row) {
  const { generateForm, renderForm, benchArtifacts, CORNER_MARKS } = dist('samples/forms');
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const { scanInputs } = dist('pipeline/scan');
  const { Rng } = dist('classify/data/random');
  const test = loadMnist('test');
  // Each field: its spec, the lexicon's size, and how its values are drawn.
  const digitsOf = (r, k, lead) => (lead ? String(1 + r.int(9)) : String(r.int(10))) + Array.from({ length: k - 1 }, () => r.int(10)).join('');
  const fields = [
    [{ name: 'zip', label: 'Zip code', digits: 5, box: [0.08, 0.16, 0.35, 0.065] }, 41000, (r) => digitsOf(r, 5, false)],
    [{ name: 'employee', label: 'Employee number', digits: 6, box: [0.08, 0.34, 0.42, 0.065] }, 2000, (r) => digitsOf(r, 6, true)],
    [{ name: 'account', label: 'Account number', digits: 8, box: [0.08, 0.52, 0.55, 0.065] }, 10000, (r) => digitsOf(r, 8, true)],
    [{ name: 'phone', label: 'Phone number', digits: 10, box: [0.08, 0.7, 0.7, 0.065] }, 50000, (r) => digitsOf(r, 10, true)],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'bench-lexicon-'));
  // The lexicons, as files next to the template that names them.
  const lexicons = {};
  for (const [f, size, draw] of fields) {
    const r = new Rng(7000 + f.digits);
    const set = new Set();
    while (set.size < size) set.add(draw(r));
    lexicons[f.name] = [...set];
    writeFileSync(join(dir, `${f.name}.txt`), `# ${f.label}\n${lexicons[f.name].join('\n')}\n`);
  }
  const specs = fields.map(([f]) => f);
  const clf = await Classifier.load(undefined, { workers: 1 });
  const withL = [];
  const without = [];
  for (let i = 0; i < n; i++) {
    const seed = 60000 + i;
    const rng = new Rng(seed + 500000);
    const inside = {};
    const values = Object.fromEntries(
      fields.map(([f, , draw]) => {
        inside[f.name] = rng.next() >= 0.1;
        const lex = lexicons[f.name];
        if (inside[f.name]) return [f.name, lex[rng.int(lex.length)]];
        const set = new Set(lex);
        let v;
        do v = draw(rng);
        while (set.has(v));
        return [f.name, v];
      }),
    );
    const form = generateForm(specs, test, seed, { marks: CORNER_MARKS, values });
    const file = join(dir, `${String(i).padStart(3, '0')}-ids.png`);
    writeFileSync(file, await renderForm(form, specs, 'Registration', benchArtifacts(seed), seed));
    const tplFile = join(dir, 'template.json');
    writeFileSync(tplFile, JSON.stringify({ ...form.template, fields: form.template.fields.map((f) => ({ ...f, lexicon: `${f.name}.txt` })) }));
    // Without the lexicons, each field's 3 next most probable values are asked for too.
    for (const [template, into, alternatives] of [[tplFile, withL, 0], [form.template, without, 3]]) {
      const [doc] = await collect(scanInputs, [file], { template, classifier: clf, concurrency: 1, alternatives });
      for (const f of doc.pages[0]?.fields ?? []) into.push({ expected: form.expected[f.name], read: f.value, where: `${file.split('/').pop()} ${f.name}`, confidence: f.confidence, needsReview: f.needsReview, inside: inside[f.name], alternatives: (f.alternatives ?? []).map((a) => a.value) });
    }
  }
  await clf.close();
  // What matching costs a field: the 41,000 zip codes, and a million 9-digit values (zip+4 codes);
  // a reading whose digits are each at 0.98 (the rest shared), and one whose probabilities are spread
  // (many values near it: the most to add up).
  const { bestInLexicon } = dist('pipeline/lexicon');
  const costOf = (values, n, spread) => {
    const r = new Rng(17);
    const ps = Array.from({ length: n }, () => {
      const top = r.int(10);
      const p = Array.from({ length: 10 }, (_, d) => (spread ? r.next() ** 4 : d === top ? 0.98 : 0.02 / 9));
      const sum = p.reduce((a, b) => a + b, 0);
      return p.map((v) => v / sum);
    });
    bestInLexicon(values, ps); // indexed once
    const t = performance.now();
    for (let k = 0; k < 20; k++) bestInLexicon(values, ps);
    return (performance.now() - t) / 20;
  };
  const big = new Rng(9009);
  const million = Array.from({ length: 1e6 }, () => Array.from({ length: 9 }, () => big.int(10)).join(''));
  const msZip = costOf(lexicons.zip, 5, false);
  const msMillion = costOf(million, 9, false);
  const msSpread = costOf(million, 9, true);
  console.log(`\n## Fields with lexicons (${n} letter pages, 4 fields each: a zip code from 41,000, an employee number from 2,000, an account number from 10,000 and a phone number from 50,000 values; one value in ten drawn from outside its lexicon; MNIST test digits; seeds 60000 on), read with their templates\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const part = (ps, inside) => ps.filter((p) => p.inside === inside);
  const flagged = (ps) => ps.filter((p) => p.needsReview).length;
  const letThrough = (ps) => ps.filter((p) => p.expected !== p.read && !p.needsReview).length;
  const inW = part(withL, true);
  const inO = part(without, true);
  const outW = part(withL, false);
  const outO = part(without, false);
  const rows = [
    row(`field accuracy, values in their lexicons (${inW.length} fields), with the lexicons; without: ${(100 * score(inO).fieldAccuracy).toFixed(2)} %`, score(inW).fieldAccuracy * 100, null, '%', 2),
    row(`... flagged for review, with the lexicons; without: ${flagged(inO)}`, flagged(inW), null, 'fields', 0),
    row(`... misread but not flagged, with the lexicons; without: ${letThrough(inO)}`, letThrough(inW), null, 'fields', 0),
    row(`values not in their lexicons (${outW.length} fields): flagged for review, with the lexicons (without: ${flagged(outO)}, and ${(100 * score(outO).fieldAccuracy).toFixed(2)} % read right)`, flagged(outW), null, 'fields', 0),
    row(`... misread but not flagged, with the lexicons; without: ${letThrough(outO)}`, letThrough(outW), null, 'fields', 0),
    row(`without the lexicons, all ${without.length} fields: the value written is the one read or one of its 3 alternatives (--alternatives 3); the one read: ${(100 * score(without).fieldAccuracy).toFixed(2)} %`, (100 * without.filter((p) => p.read === p.expected || p.alternatives.includes(p.expected)).length) / without.length, null, '%', 2),
    row('matching a field of 5 digits (each read at 0.98) against the 41,000 zip codes (one thread)', msZip, null, 'ms', 2),
    row(`matching a field of 9 digits (each read at 0.98) against a million values (one thread); with its probabilities spread: ${msSpread.toFixed(1)} ms`, msMillion, null, 'ms', 1),
  ];
  const changed = withL.map((p, k) => [p, without[k]]).filter(([a, b]) => a.read !== b.read && a.inside);
  if (changed.length) console.log(`\nValues in their lexicons changed by them (written: without -> with):\n${changed.map(([a, b]) => `  ${a.where}: ${a.expected}: ${b.read} -> ${a.read}${a.read === a.expected ? ' (right)' : ''} (${a.confidence.toFixed(3)})`).join('\n')}`);
  const wrong = inW.filter((p) => p.expected !== p.read);
  if (wrong.length) console.log(`\nValues in their lexicons misread with them:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)}${p.needsReview ? ', flagged' : ''})`).join('\n')}`);
  const passed = outW.filter((p) => !p.needsReview);
  if (passed.length) console.log(`\nValues not in their lexicons, not flagged:\n${passed.map((p) => `  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)})`).join('\n')}`);
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ withLexicons: withL, without }));
  return { rows, generated: tidy(dir) };
}

/** The MNIST images of each label (`set`: a loaded set), by index. */
function indexByLabel(set) {
  const byLabel = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < set.count; i++) byLabel[set.labels[i]].push(i);
  return byLabel;
}

/** A box's border, 4 px of grey 30, on a `W`-wide page. */
function drawBox(page, W, x0, y0, w, h) {
  for (let t = 0; t < 4; t++) {
    for (let x = x0; x < x0 + w; x++) page[(y0 + t) * W + x] = page[(y0 + h - 1 - t) * W + x] = 30;
    for (let y = y0; y < y0 + h; y++) page[y * W + x0 + t] = page[y * W + x0 + w - 1 - t] = 30;
  }
}

/** MNIST image `idx` of `set`, enlarged to `side` px, drawn as ink of darkness `ink` at (`ox`, `oy`) on a `W`-wide page. */
function drawMnist(page, W, set, idx, side, ox, oy, ink) {
  const { resampleArea } = dist('segment/normalize');
  const big = resampleArea(Float32Array.from(set.images.subarray(idx * 784, (idx + 1) * 784), (v) => v / 255), 28, 28, side, side);
  for (let yy = 0; yy < side; yy++) {
    for (let xx = 0; xx < side; xx++) {
      const a = big[yy * side + xx];
      const p = (oy + yy) * W + ox + xx;
      if (a > 0.02) page[p] = Math.min(page[p], Math.round(255 - a * (255 - ink)));
    }
  }
}

/** A stroke of pen `pen` from (x0, y0) to (x1, y1) in ink `ink`, anti-aliased, on a `W`-wide page. */
function penStroke(page, W, x0, y0, x1, y1, pen, ink) {
  const len = Math.max(1e-6, Math.hypot(x1 - x0, y1 - y0));
  for (let y = Math.floor(Math.min(y0, y1) - pen); y <= Math.ceil(Math.max(y0, y1) + pen); y++) {
    for (let x = Math.floor(Math.min(x0, x1) - pen); x <= Math.ceil(Math.max(x0, x1) + pen); x++) {
      const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / (len * len)));
      const a = Math.max(0, Math.min(1, pen / 2 + 0.5 - Math.hypot(x - (x0 + t * (x1 - x0)), y - (y0 + t * (y1 - y0)))));
      if (a > 0.02) page[y * W + x] = Math.min(page[y * W + x], Math.round(255 - a * (255 - ink)));
    }
  }
}

/**
 * What the benches of handwritten boxes (dates, amounts) share: the loaded pieces, MNIST test by
 * label, a letter page's size, a temp folder and the shipped model.
 */
async function handwrittenBench(name) {
  const { renderForm, benchArtifacts } = dist('samples/forms');
  const test = dist('classify/data/dataset').loadMnist('test');
  return {
    renderForm, benchArtifacts, test,
    scanInputs: dist('pipeline/scan').scanInputs,
    Rng: dist('classify/data/random').Rng,
    byLabel: indexByLabel(test),
    W: 2550,
    H: 3300,
    dir: mkdtempSync(join(tmpdir(), `bench-${name}-`)),
    clf: await dist('classify/classifier').Classifier.load(undefined, { workers: 1 }),
  };
}

/** A page of a handwritten-box bench: its seed's generator, a blank page, and the fields, values and texts it will hold. */
function benchPage(Rng, W, H, seed) {
  return { seed, rng: new Rng(seed), page: new Uint8Array(W * H).fill(255), fields: [], expected: {}, texts: {} };
}

/**
 * A box at (fx, fy), `fw` wide, 0.4-0.75 in tall, drawn on a `W`-wide page, and a writer for it:
 * digits 0.5-0.68 of its height (`dh`; MNIST's 20 px box, so `side` the 28 px image), a stroke of the
 * pen 0.08-0.13 of their height, ink of darkness 10-60.
 */
function writingBox(rng, page, W, fx, fy, fw) {
  const fh = Math.round(rng.uniform(0.4, 0.75) * 300);
  drawBox(page, W, fx, fy, fw, fh);
  const dh = Math.round(fh * rng.uniform(0.5, 0.68));
  const side = Math.round((dh * 28) / 20);
  const ink = rng.uniform(10, 60);
  const pen = Math.max(2, dh * rng.uniform(0.08, 0.13));
  return { fh, dh, side, ink, pen };
}

/** MNIST test digit `c` (a random one of its images) written at `x` on the box's middle `cy`; the next digit's `x`. */
function writeDigit(rng, page, W, test, byLabel, c, x, cy, { fh, dh, side, ink }) {
  const of = byLabel[Number(c)];
  const idx = of[rng.int(of.length)];
  drawMnist(page, W, test, idx, side, Math.round(x - side * 0.15), Math.round(cy - side / 2 + rng.uniform(-0.06, 0.06) * fh), ink);
  return x + Math.round(dh * rng.uniform(0.9, 1.1));
}

/** A handwritten point after `x`: a disc 1.2-2 pens across on the digits' foot. Its centre and radius. */
function writePoint(rng, page, W, x, cy, { dh, pen, ink }) {
  const r = (pen * rng.uniform(1.2, 2)) / 2;
  const x0 = x + dh * rng.uniform(0.1, 0.25);
  const y0 = cy + dh / 2 - r + dh * rng.uniform(-0.05, 0.05);
  penStroke(page, W, x0, y0, x0 + 0.5, y0, 2 * r, ink);
  return { x0, y0, r };
}

/** Reads `file` each of `ways` ([set, options]); `push(set, field, got)` for each of `fields` (got: the field read, in order with --auto-fields). */
async function readEachWay(file, ways, fields, scanInputs, clf, push) {
  for (const [set, options] of ways) {
    const [doc] = await collect(scanInputs, [file], { ...options, classifier: clf, concurrency: 1 });
    const found = doc.pages[0]?.fields ?? [];
    fields.forEach((f, k) => push(set, f, options.template ? found.find((g) => g.name === f.name) : found[k]));
  }
}

/**
 * Date boxes with printed slashes (MM/DD/YYYY in one box: the slashes printed, the digits
 * handwritten between them), read with a template and with --auto-fields.
 */
async function separatorForms(n, row) {
  const { renderForm, benchArtifacts } = dist('samples/forms');
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const { scanInputs } = dist('pipeline/scan');
  const { Rng } = dist('classify/data/random');
  const sharp = require('sharp');
  const test = loadMnist('test');
  const byLabel = indexByLabel(test);
  const W = 2550;
  const H = 3300;
  const fonts = ['DejaVu Sans', 'Liberation Sans', 'Liberation Serif', 'DejaVu Serif'];
  const dir = mkdtempSync(join(tmpdir(), 'bench-separators-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const tpl = [];
  const auto = [];
  // The same boxes left empty: read empty (no slash read as a digit)?
  const emptyTpl = [];
  const emptyAuto = [];
  let slashes = 0;
  for (let i = 0; i < n; i++) {
    const seed = 65000 + i;
    const rng = new Rng(seed);
    const page = new Uint8Array(W * H).fill(255);
    // The same boxes and slashes with nothing written in them.
    const bare = new Uint8Array(W * H).fill(255);
    const svg = [];
    const fields = [];
    const expected = {};
    for (let k = 0; k < 5; k++) {
      // A box 0.4-0.75 in tall; digits 0.5-0.68 of it; slashes in 10-16 point print.
      const fh = Math.round(rng.uniform(0.4, 0.75) * 300);
      const fy = 300 + k * 560;
      const fx = 250;
      const fw = 1900;
      for (const p of [page, bare]) drawBox(p, W, fx, fy, fw, fh);
      const dh = Math.round(fh * rng.uniform(0.5, 0.68));
      const side = Math.round((dh * 28) / 20);
      const size = Math.round((rng.uniform(10, 16) * 300) / 72);
      const font = fonts[rng.int(fonts.length)];
      const value = String(1 + rng.int(12)).padStart(2, '0') + String(1 + rng.int(28)).padStart(2, '0') + String(1900 + rng.int(200));
      const ink = rng.uniform(10, 60);
      let x = fx + Math.round(0.3 * fh);
      [...value].forEach((c, j) => {
        const of = byLabel[Number(c)];
        const idx = of[rng.int(of.length)];
        drawMnist(page, W, test, idx, side, Math.round(x - side * 0.15), Math.round(fy + fh / 2 - side / 2 + rng.uniform(-0.06, 0.06) * fh), ink);
        if (j === 1 || j === 3) {
          // The printed slash, on the box's middle line, a fifth of the digits' height clear of them
          // either side (a digit's ink is up to its height wide).
          const sx = Math.round(x + dh * rng.uniform(1.15, 1.3));
          svg.push(`<text x="${sx}" y="${Math.round(fy + fh / 2 + size * 0.35)}" font-family="${font}" font-size="${size}">/</text>`);
          slashes++;
          x = Math.round(sx + size * 0.45 + dh * rng.uniform(0.2, 0.35));
        } else x += Math.round(dh * rng.uniform(1.0, 1.15));
      });
      fields.push({ name: `date-${k + 1}`, box: [fx / W, fy / H, fw / W, fh / H], length: 8 });
      expected[`date-${k + 1}`] = value;
    }
    const printed = (p) =>
      sharp(Buffer.from(p), { raw: { width: W, height: H, channels: 1 } })
        .composite([{ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${svg.join('')}</svg>`) }])
        .greyscale()
        .raw()
        .toBuffer();
    const none = Object.fromEntries(fields.map((f) => [f.name, '']));
    for (const [data, want, name, intoTpl, intoAuto] of [[await printed(page), expected, 'dates', tpl, auto], [await printed(bare), none, 'empty', emptyTpl, emptyAuto]]) {
      const form = { width: W, height: H, data: new Uint8Array(data), template: { fields }, expected: want, sources: {} };
      const file = join(dir, `${String(i).padStart(3, '0')}-${name}.png`);
      writeFileSync(file, await renderForm(form, [], 'Dates', benchArtifacts(seed), seed));
      for (const [options, into] of [[{ template: { fields } }, intoTpl], [{ autoFields: true }, intoAuto]]) {
        const [doc] = await collect(scanInputs, [file], { ...options, classifier: clf, concurrency: 1 });
        const found = doc.pages[0]?.fields ?? [];
        // --auto-fields: boxes in reading order, one per date.
        fields.forEach((f, k) => {
          const got = options.template ? found.find((g) => g.name === f.name) : found[k];
          into.push({ expected: want[f.name], read: got?.value ?? '', where: `${file.split('/').pop()} ${f.name}`, confidence: got?.confidence ?? 0, needsReview: got?.needsReview ?? true });
        });
      }
    }
  }
  await clf.close();
  console.log(`\n## Date boxes with printed slashes (${n} letter pages, 5 boxes each: MM/DD/YYYY in one box 0.4-0.75 in tall, the digits MNIST test handwriting, the two slashes printed in 10-16 point ${fonts.join(', ')}; the scan bench's artifacts; seeds 65000 on)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const slashRead = (ps) => ps.filter((p) => p.read.length > 8).length;
  const rows = [
    row(`field accuracy, template (${tpl.length} fields)`, score(tpl).fieldAccuracy * 100, null, '%', 2),
    row(`field accuracy, --auto-fields (${auto.length} fields)`, score(auto).fieldAccuracy * 100, null, '%', 2),
    row(`fields read with more than 8 digits (a slash read as a digit), template / --auto-fields: ${slashRead(auto)}`, slashRead(tpl), null, 'fields', 0),
    row('fields misread but not flagged (confidence >= 0.9), template', unflagged(tpl), null, 'fields', 0),
    row('fields misread but not flagged (confidence >= 0.9), --auto-fields', unflagged(auto), null, 'fields', 0),
    row(`the same boxes left empty, read empty, template / --auto-fields: ${emptyAuto.filter((p) => p.read === '').length} of ${emptyAuto.length}`, emptyTpl.filter((p) => p.read === '').length, null, 'fields', 0),
  ];
  for (const [label, pairs] of [['template', tpl], ['--auto-fields', auto], ['empty, template', emptyTpl], ['empty, --auto-fields', emptyAuto]]) {
    const wrong = pairs.filter((p) => p.expected !== p.read);
    if (wrong.length) console.log(`\nMisread, ${label}:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)})`).join('\n')}`);
  }
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ template: tpl, auto, emptyTpl, emptyAuto, slashes }));
  return { rows, generated: tidy(dir) };
}

/**
 * Dates written by hand in one box, their separators handwritten slashes (which the digit model reads
 * as sure 1s), dashes or dots: 60 letter pages (seeds 67000 on), 6 boxes each, a date in one of five
 * styles (`03/14/2021`, `3/14/2021`, `03/14/21`, `14/3/2021`, `2021/03/14`, the slashes 1.0-1.3 of the
 * digits' height, 15-35 degrees from upright; the fifth box's separators dashes, the sixth's dots), MNIST test
 * digits, the scan bench's artifacts. Read with the template's fields typed `date` and with
 * `--auto-fields --field-type date`, and as plain digit fields: the value (its digits) and, for dates,
 * the text (`3/14/2021`).
 */
async function dateForms(n, row) {
  const { renderForm, benchArtifacts, scanInputs, Rng, test, byLabel, W, H, dir, clf } = await handwrittenBench('dates');
  const sets = { 'template, type date': [], '--auto-fields --field-type date': [], 'template, plain digits': [] };
  const stroke = (page, x0, y0, x1, y1, pen, ink) => penStroke(page, W, x0, y0, x1, y1, pen, ink);
  for (let i = 0; i < n; i++) {
    const { seed, rng, page, fields, expected, texts } = benchPage(Rng, W, H, 67000 + i);
    for (let k = 0; k < 6; k++) {
      const fy = k < 5 ? 300 + k * 560 : 2850;
      const fx = 150;
      const fw = 2250;
      const hand = writingBox(rng, page, W, fx, fy, fw);
      const { fh, dh, ink, pen } = hand;
      const [mo, da, yr] = [1 + rng.int(12), 1 + rng.int(28), 1900 + rng.int(200)];
      const pad = (v) => String(v).padStart(2, '0');
      const styles = [`${pad(mo)}/${pad(da)}/${yr}`, `${mo}/${da}/${yr}`, `${pad(mo)}/${pad(da)}/${pad(yr % 100)}`, `${da}/${mo}/${yr}`, `${yr}/${pad(mo)}/${pad(da)}`];
      const written = styles[rng.int(styles.length)];
      // Slashes in the first four boxes, dashes in the fifth, dots in the sixth.
      const sep = k === 4 ? '-' : k === 5 ? '.' : '/';
      const cy = fy + fh / 2;
      let x = fx + Math.round(0.3 * fh);
      for (const c of written) {
        if (c !== '/') {
          x = writeDigit(rng, page, W, test, byLabel, c, x, cy, hand);
        } else if (sep === '.') {
          const { x0, r } = writePoint(rng, page, W, x, cy, hand);
          x = Math.round(x0 + r + dh * rng.uniform(0.2, 0.35));
        } else if (sep === '-') {
          // A dash: 0.3-0.6 of the digits' height long, a little aslant, about their middle.
          const len = dh * rng.uniform(0.3, 0.6);
          const ang = rng.uniform(-0.15, 0.1);
          const x0 = x + dh * rng.uniform(0.05, 0.2);
          const y0 = cy + dh * rng.uniform(-0.1, 0.15);
          stroke(page, x0, y0, x0 + len * Math.cos(ang), y0 + len * Math.sin(ang), pen, ink);
          x = Math.round(x0 + len * Math.cos(ang) + dh * rng.uniform(0.2, 0.35));
        } else {
          // A slash: bottom left to top right, 1.0-1.3 of the digits' height, 15-35 degrees from upright.
          const hh = dh * rng.uniform(1.0, 1.3);
          const tilt = (rng.uniform(15, 35) * Math.PI) / 180;
          const y0 = cy + hh / 2 + dh * rng.uniform(-0.05, 0.1);
          const x0 = x + dh * rng.uniform(0.05, 0.2);
          stroke(page, x0, y0, x0 + hh * Math.tan(tilt), y0 - hh, pen, ink);
          x = Math.round(x0 + hh * Math.tan(tilt) + dh * rng.uniform(0.2, 0.35));
        }
      }
      const name = `date-${k + 1}`;
      fields.push({ name, box: [fx / W, fy / H, fw / W, fh / H] });
      expected[name] = written.replaceAll('/', '');
      // The text has slashes for separators however written (dashes, left out as marks, at their places).
      texts[name] = { text: written, sep };
    }
    const form = { width: W, height: H, data: page, template: { fields }, expected, sources: {} };
    const file = join(dir, `${String(i).padStart(3, '0')}-dates.png`);
    writeFileSync(file, await renderForm(form, [], 'Dates', benchArtifacts(seed), seed));
    const dated = { fields: fields.map((f) => ({ ...f, type: 'date' })) };
    const ways = [['template, type date', { template: dated }], ['--auto-fields --field-type date', { autoFields: true, fieldType: 'date' }], ['template, plain digits', { template: { fields } }]];
    await readEachWay(file, ways, fields, scanInputs, clf, (set, f, got) => {
      sets[set].push({ expected: expected[f.name], read: got?.value ?? '', text: got?.text, wantText: texts[f.name].text, sep: texts[f.name].sep, where: `${file.split('/').pop()} ${f.name}`, confidence: got?.confidence ?? 0, needsReview: got?.needsReview ?? true });
    });
  }
  await clf.close();
  console.log(`\n## Dates written by hand (${n} letter pages, 6 boxes each: a date in one of five styles, 03/14/2021, 3/14/2021, 03/14/21, 14/3/2021 or 2021/03/14, the separators handwritten slashes in four boxes, dashes in the fifth, dots in the sixth; MNIST test digits; the scan bench's artifacts; seeds 67000 on)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  for (const [set, pairs] of Object.entries(sets)) {
    rows.push(row(`field accuracy (digits), ${set} (${pairs.length} fields)`, score(pairs).fieldAccuracy * 100, null, '%', 2));
    if (!set.includes('plain')) {
      for (const [how, some] of [['slashes', pairs.filter((p) => p.sep === '/')], ['dashes', pairs.filter((p) => p.sep === '-')], ['dots', pairs.filter((p) => p.sep === '.')]]) {
        rows.push(row(`... the date's text right (${some.length} fields with ${how}), ${set}`, (100 * some.filter((p) => p.text === p.wantText).length) / some.length, null, '%', 2));
      }
      rows.push(row(`fields read right but flagged for review, ${set}`, pairs.filter((p) => p.read === p.expected && p.needsReview).length, null, 'fields', 0));
    }
    rows.push(row(`fields read with more digits than written (a separator read as a 1), ${set}`, pairs.filter((p) => p.read.length > p.expected.length).length, null, 'fields', 0));
    rows.push(row(`fields misread but not flagged (confidence >= 0.9), ${set}`, unflagged(pairs), null, 'fields', 0));
  }
  for (const [set, pairs] of Object.entries(sets)) {
    const wrong = pairs.filter((p) => p.expected !== p.read);
    if (wrong.length && !set.includes('plain')) console.log(`\nMisread, ${set}:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read}${p.text ? ` (${p.text})` : ''} (${p.confidence.toFixed(3)})`).join('\n')}`);
  }
  writeFileSync(join(dir, 'readings.json'), JSON.stringify(sets));
  return { rows, generated: tidy(dir) };
}

/**
 * Amounts written by hand with their separators (1,234.56; 7.25; 12,345): commas and decimal points
 * handwritten between MNIST test digits, one amount a box, 6 boxes a page. Read with a template whose
 * fields are of type amount, with --auto-fields --field-type amount, and with a plain template (digit
 * by digit). The value is the digits; an amount's text has its separators where they were written.
 * Seeds 68000 on.
 */
async function amountForms(n, row) {
  const { renderForm, benchArtifacts, scanInputs, Rng, test, byLabel, W, H, dir, clf } = await handwrittenBench('amounts');
  const sets = { 'template, type amount': [], '--auto-fields --field-type amount': [], 'template, plain digits': [] };
  for (let i = 0; i < n; i++) {
    const { seed, rng, page, fields, expected, texts } = benchPage(Rng, W, H, 68000 + i);
    for (let k = 0; k < 6; k++) {
      const fy = 300 + k * 480;
      const fx = 150 + (k % 2) * 150;
      const fw = 1900;
      const hand = writingBox(rng, page, W, fx, fy, fw);
      const { fh, dh, ink, pen } = hand;
      const whole = [1 + rng.int(9), 10 + rng.int(90), 100 + rng.int(900), 1000 + rng.int(9000), 10000 + rng.int(90000), 100000 + rng.int(900000)][rng.int(6)];
      const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      const cents = String(rng.int(100)).padStart(2, '0');
      // With cents (a decimal point), or whole (with its thousands commas), or both.
      const written = rng.uniform(0, 1) < 0.65 ? `${grouped}.${cents}` : grouped;
      const cy = fy + fh / 2;
      let x = fx + Math.round(0.3 * fh);
      for (const c of written) {
        if (c >= '0' && c <= '9') {
          x = writeDigit(rng, page, W, test, byLabel, c, x, cy, hand);
          continue;
        }
        // A point; a comma: the same with a tail down and to the left, 0.2-0.35 of the digits' height long.
        const { x0, y0, r } = writePoint(rng, page, W, x, cy, hand);
        if (c === ',') {
          const len = dh * rng.uniform(0.2, 0.35);
          const ang = (rng.uniform(105, 125) * Math.PI) / 180;
          penStroke(page, W, x0 + r * 0.3, y0, x0 + r * 0.3 + len * Math.cos(ang), y0 + len * Math.sin(ang), pen, ink);
        }
        x = Math.round(x0 + r + dh * rng.uniform(0.2, 0.35));
      }
      const name = `amount-${k + 1}`;
      fields.push({ name, box: [fx / W, fy / H, fw / W, fh / H] });
      expected[name] = written.replace(/[^0-9]/g, '');
      texts[name] = written;
    }
    const form = { width: W, height: H, data: page, template: { fields }, expected, sources: {} };
    const file = join(dir, `${String(i).padStart(3, '0')}-amounts.png`);
    writeFileSync(file, await renderForm(form, [], 'Amounts', benchArtifacts(seed), seed));
    const typed = { fields: fields.map((f) => ({ ...f, type: 'amount' })) };
    const ways = [['template, type amount', { template: typed }], ['--auto-fields --field-type amount', { autoFields: true, fieldType: 'amount' }], ['template, plain digits', { template: { fields } }]];
    await readEachWay(file, ways, fields, scanInputs, clf, (set, f, got) => {
      sets[set].push({ expected: expected[f.name], read: got?.value ?? '', text: got?.text, wantText: texts[f.name], where: `${file.split('/').pop()} ${f.name}`, confidence: got?.confidence ?? 0, needsReview: got?.needsReview ?? true });
    });
  }
  await clf.close();
  console.log(`\n## Amounts written by hand with their separators (${n} letter pages, 6 boxes each: 1 to 6 digits before the point, two thirds with cents after a handwritten decimal point, commas between thousands; MNIST test digits; the scan bench's artifacts; seeds 68000 on)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  for (const [set, pairs] of Object.entries(sets)) {
    rows.push(row(`field accuracy (digits), ${set} (${pairs.length} fields)`, score(pairs).fieldAccuracy * 100, null, '%', 2));
    const separated = pairs.filter((p) => /[.,]/.test(p.wantText));
    rows.push(
      row(`... the amount's text right, separators included (${pairs.length} fields), ${set}`, (100 * pairs.filter((p) => (p.text ?? p.read) === p.wantText).length) / pairs.length, null, '%', 2),
      row(`... of the fields read right with a separator written (${separated.filter((p) => p.read === p.expected).length}), the text right, ${set}`, (100 * separated.filter((p) => p.read === p.expected && p.text === p.wantText).length) / Math.max(1, separated.filter((p) => p.read === p.expected).length), null, '%', 2),
      row(`fields read with more digits than written (a separator read as a digit), ${set}`, pairs.filter((p) => p.read.length > p.expected.length).length, null, 'fields', 0),
      row(`fields misread but not flagged (confidence >= 0.9), ${set}`, unflagged(pairs), null, 'fields', 0),
    );
  }
  for (const [set, pairs] of Object.entries(sets)) {
    const wrong = pairs.filter((p) => p.expected !== p.read || (p.text ?? p.read) !== p.wantText);
    if (wrong.length) console.log(`\nMisread (digits or text), ${set}:\n${wrong.map((p) => `  ${p.where}: ${p.wantText} -> ${p.read}${p.text !== undefined ? ` (${p.text})` : ''} (${p.confidence.toFixed(3)})`).join('\n')}`);
  }
  writeFileSync(join(dir, 'readings.json'), JSON.stringify(sets));
  return { rows, generated: tidy(dir) };
}

/** A handwritten parenthesis: a bow of pen strokes from (x, top) to (x, bottom), `bulge` px to the left (negative: right). */
function penArc(page, W, x, top, bottom, bulge, pen, ink) {
  let [px, py] = [x, top];
  for (let k = 1; k <= 24; k++) {
    const [nx, ny] = [x - bulge * Math.sin((Math.PI * k) / 24), top + ((bottom - top) * k) / 24];
    penStroke(page, W, px, py, nx, ny, pen, ink);
    [px, py] = [nx, ny];
  }
}

/**
 * Phone numbers written by hand in long boxes, as people write them: (555) 123-4567, (555)123-4567 and
 * 555-123-4567 in turn (MNIST test digits, handwritten parentheses 1-1.25 of the digits' height and
 * dashes), read as plain digit fields with a template and with --auto-fields. Seeds 77000 on.
 */
async function phoneForms(n, row) {
  const { renderForm, benchArtifacts, scanInputs, Rng, test, byLabel, W, H, dir, clf } = await handwrittenBench('phones');
  const styles = ['(555) 123-4567', '(555)123-4567', '555-123-4567'];
  const sets = { template: [], '--auto-fields': [] };
  for (let i = 0; i < n; i++) {
    const { seed, rng, page, fields, expected, texts } = benchPage(Rng, W, H, 77000 + i);
    for (let k = 0; k < 6; k++) {
      const [fy, fx] = [300 + k * 480, 150 + (k % 2) * 150];
      const hand = writingBox(rng, page, W, fx, fy, 2000);
      const { fh, dh, ink, pen } = hand;
      const digits = Array.from({ length: 10 }, () => String(rng.int(10))).join('');
      let d = 0;
      const text = styles[k % 3].replace(/[0-9]/g, () => digits[d++]);
      const cy = fy + fh / 2;
      let x = fx + Math.round(0.3 * fh);
      for (const c of text) {
        if (c >= '0' && c <= '9') x = writeDigit(rng, page, W, test, byLabel, c, x, cy, hand);
        else if (c === ' ') x += Math.round(dh * 0.4);
        else if (c === '-') {
          x += Math.round(dh * rng.uniform(0.05, 0.15));
          const [y, len] = [cy + rng.uniform(-0.05, 0.05) * dh, dh * rng.uniform(0.25, 0.4)];
          penStroke(page, W, x, y, x + len, y + rng.uniform(-2, 2), pen, ink);
          x = Math.round(x + len + dh * 0.25);
        } else {
          const [tall, bulge] = [dh * rng.uniform(1, 1.25), dh * rng.uniform(0.12, 0.22)];
          const top = cy - tall / 2;
          const x0 = c === '(' ? x + bulge : x + dh * rng.uniform(0.05, 0.15);
          penArc(page, W, x0, top, top + tall, c === '(' ? bulge : -bulge, pen, ink);
          x = Math.round(x0 + (c === '(' ? dh * 0.3 : bulge + dh * 0.3));
        }
      }
      const name = `phone-${k + 1}`;
      fields.push({ name, box: [fx / W, fy / H, 2000 / W, fh / H] });
      expected[name] = digits;
      texts[name] = text;
    }
    const form = { width: W, height: H, data: page, template: { fields }, expected, sources: {} };
    const file = join(dir, `${String(i).padStart(3, '0')}-phones.png`);
    writeFileSync(file, await renderForm(form, [], 'Phone numbers', benchArtifacts(seed), seed));
    const ways = [['template', { template: { fields } }], ['--auto-fields', { autoFields: true }]];
    await readEachWay(file, ways, fields, scanInputs, clf, (set, f, got) => {
      sets[set].push({ expected: expected[f.name], read: got?.value ?? '', written: texts[f.name], where: `${file.split('/').pop()} ${f.name}`, confidence: got?.confidence ?? 0 });
    });
  }
  await clf.close();
  console.log(`\n## Phone numbers written by hand (${n} letter pages, 6 long boxes each: (555) 123-4567, (555)123-4567 and 555-123-4567 in turn; MNIST test digits, handwritten parentheses and dashes; the scan bench's artifacts; seeds 77000 on)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  for (const [set, pairs] of Object.entries(sets)) {
    const paren = pairs.filter((p) => p.written.startsWith('('));
    rows.push(
      row(`field accuracy, ${set} (${pairs.length} fields)`, score(pairs).fieldAccuracy * 100, null, '%', 2),
      row(`... written with parentheses (${paren.length}), ${set}`, score(paren).fieldAccuracy * 100, null, '%', 2),
      row(`... with dashes only (${pairs.length - paren.length}), ${set}`, score(pairs.filter((p) => !paren.includes(p))).fieldAccuracy * 100, null, '%', 2),
      row(`fields read with more digits than written (a parenthesis or dash read as a digit), ${set}`, pairs.filter((p) => p.read.length > p.expected.length).length, null, 'fields', 0),
      row(`fields misread but not flagged (confidence >= 0.9), ${set}`, unflagged(pairs), null, 'fields', 0),
    );
  }
  for (const [set, pairs] of Object.entries(sets)) {
    const wrong = pairs.filter((p) => p.expected !== p.read);
    if (wrong.length) console.log(`\nMisread, ${set}:\n${wrong.map((p) => `  ${p.where}: ${p.written} -> ${p.read} (${p.confidence.toFixed(3)})`).join('\n')}`);
  }
  writeFileSync(join(dir, 'readings.json'), JSON.stringify(sets));
  return { rows, generated: tidy(dir) };
}

/**
 * The sample forms with each field's name printed inside its box, in its top left corner (as tax
 * and claim forms print them; 7-10 point, one field in two in capitals), instead of above it, and one
 * field in four left empty; the writers keep their digits a little smaller (0.45-0.6 of the box).
 * Each page is read as it is and with no captions (the same page drawn without them), with its
 * template and with --auto-fields. Seeds 70000 on.
 */
async function captionForms(n, row) {
  const { generateForm, renderForm, benchArtifacts, SAMPLE_FORMS } = dist('samples/forms');
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const { Rng } = dist('classify/data/random');
  const sharp = require('sharp');
  const test = loadMnist('test');
  const fonts = ['DejaVu Sans', 'Liberation Sans', 'Liberation Serif', 'DejaVu Serif'];
  const names = Object.keys(SAMPLE_FORMS);
  const dir = mkdtempSync(join(tmpdir(), 'bench-captions-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const sets = { captions: { tpl: [], auto: [] }, none: { tpl: [], auto: [] } };
  for (let i = 0; i < n; i++) {
    const seed = 70000 + i;
    const rng = new Rng(seed);
    const spec = SAMPLE_FORMS[names[i % names.length]];
    // One field in four empty (at least one field of a page filled).
    const empty = spec.fields.map(() => rng.uniform(0, 1) < 0.25);
    if (empty.every(Boolean)) empty[0] = false;
    const fields = spec.fields.map((f, k) => ({ ...f, label: '', digits: empty[k] ? 0 : f.digits }));
    const form = generateForm(fields, test, seed, { marks: spec.marks, digitHeight: [0.45, 0.6] });
    // A user's template says how long each field is, filled in or not.
    const template = { ...form.template, fields: form.template.fields.map((f, k) => ({ ...f, length: spec.fields[k].digits })) };
    const W = form.width;
    const H = form.height;
    const texts = spec.fields.map((f, k) => {
      const bh = f.box[3] * H;
      const size = Math.round((rng.uniform(7, 10) * 300) / 72);
      const font = fonts[rng.int(fonts.length)];
      const label = k % 2 ? f.label.toUpperCase() : f.label;
      return `<text x="${Math.round(f.box[0] * W + 0.12 * bh)}" y="${Math.round(f.box[1] * H + 0.06 * bh + size * 0.8)}" font-family="${font}" font-size="${size}">${label.replace(/&/g, '&amp;')}</text>`;
    });
    const captioned = await sharp(Buffer.from(form.data), { raw: { width: W, height: H, channels: 1 } })
      .composite([{ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g fill="#202020">${texts.join('')}</g></svg>`) }])
      .greyscale()
      .raw()
      .toBuffer();
    for (const [kind, data] of [['captions', new Uint8Array(captioned)], ['none', form.data]]) {
      const file = join(dir, `${String(i).padStart(3, '0')}-${kind}.png`);
      writeFileSync(file, await renderForm({ ...form, data }, fields, spec.title, benchArtifacts(seed), seed));
      addPairs(file, form.expected, await readTwoWays(file, template, clf), sets[kind].tpl, sets[kind].auto);
    }
  }
  await clf.close();
  const rows = [];
  for (const [kind, { tpl, auto }] of Object.entries(sets)) {
    const title = kind === 'captions' ? 'captions printed inside the boxes' : 'the same pages without the captions';
    rows.push(...reportBothWays(`The sample forms, ${title} (${n} pages, one field in four empty; seeds 70000 on)`, tpl, auto, row));
    const blank = (pairs) => pairs.filter((p) => p.expected === '');
    const readEmpty = (pairs) => blank(pairs).filter((p) => p.read === '').length;
    rows.push(row(`empty boxes read empty (no digits), template / --auto-fields: ${readEmpty(auto)} of ${blank(auto).length}`, readEmpty(tpl), null, 'fields', 0));
  }
  writeFileSync(join(dir, 'readings.json'), JSON.stringify(sets));
  return { rows, generated: tidy(dir) };
}

/**
 * What a bench part of generated forms read both ways starts with: the generator, MNIST's test set, a
 * temp folder `bench-<tag>-…` for its pages, a classifier on one worker, and the pairs to fill.
 */
async function formBench(tag) {
  const { generateForm, renderForm, benchArtifacts } = dist('samples/forms');
  const { Rng } = dist('classify/data/random');
  const test = dist('classify/data/dataset').loadMnist('test');
  const clf = await dist('classify/classifier').Classifier.load(undefined, { workers: 1 });
  return { generateForm, renderForm, benchArtifacts, Rng, test, dir: mkdtempSync(join(tmpdir(), `bench-${tag}-`)), clf, tplPairs: [], autoPairs: [] };
}

/** The start of the text NIST's handwriting sample form asks to be copied (the preamble of the US Constitution). */
const PREAMBLE = ['We the People of the United States, in order to form a', 'more perfect Union, establish Justice, insure domestic', 'Tranquility, provide for the common Defense, promote the', 'general Welfare, and secure the Blessings of Liberty'];

/**
 * Pages laid out like NIST's handwriting sample form (HSF, the forms MNIST's digits were cut from):
 * small boxes (0.28-0.4 of an inch high; 0.03-0.04 of the page), 28 digit boxes of 2 to 6 digits in
 * 7 rows, each with the digits to copy printed above it; above them a name (blacked out, as NIST
 * publishes the forms), a date, a city, a state and a zip; below them a box of lower-case letters, one
 * of capitals and a box of text copied (the letters drawn in an oblique font). Seeds 97000 + i; every
 * other page bitonal, 1 bit a pixel, as NIST scanned them. Read with a template of the digit fields
 * (no registration marks: the form has none) and with --auto-fields; the boxes of letters and text
 * are fields a user did not ask for: any that reads digits should come out flagged for review (the
 * letters here are print, an oblique font, which the reader leaves out: such a box mostly reads empty).
 */
async function hsfForms(n, row) {
  const { generateForm, renderForm, benchArtifacts, Rng, test, dir, clf, tplPairs, autoPairs } = await formBench('hsf');
  const sharp = require('sharp');
  // Fields found in the boxes of letters and text (and the blacked-out name) that read digits, and
  // how many of them are flagged (print and solid blocks are no handwriting: those read empty).
  let others = 0;
  let othersFlagged = 0;
  let elsewhere = 0;
  for (let i = 0; i < n; i++) {
    const seed = 97000 + i;
    const rng = new Rng(seed);
    const bh = rng.uniform(0.028, 0.04);
    const pitch = bh + 0.03;
    const words = [];
    const fields = [
      { name: 'name', label: 'NAME', digits: 0, box: [0.06, 0.1, 0.32, bh], text: '' },
      { name: 'date', label: 'DATE', digits: 6, box: [0.4, 0.1, 0.17, bh] },
      { name: 'city', label: 'CITY', digits: 0, box: [0.59, 0.1, 0.16, bh], text: 'Gaithersburg' },
      { name: 'state', label: 'STATE', digits: 0, box: [0.77, 0.1, 0.05, bh], text: 'MD' },
      { name: 'zip', label: 'ZIP', digits: 5, box: [0.84, 0.1, 0.13, bh] },
    ];
    for (let r = 0, k = 0; r < 7; r++) {
      // Four boxes a row, 2 to 6 digits each, 0.042 of the page a digit, spread across it.
      const lens = Array.from({ length: 4 }, () => 2 + rng.int(5));
      while (lens.reduce((a, b) => a + b, 0) * 0.042 + 0.08 > 0.8) lens[lens.indexOf(Math.max(...lens))]--;
      const gap = (0.88 - lens.reduce((a, b) => a + b, 0) * 0.042 - 0.08) / 3;
      let x = 0.06;
      for (const d of lens) {
        fields.push({ name: `digits-${++k}`, label: '', digits: d, box: [x, 0.18 + r * pitch, d * 0.042 + 0.02, bh] });
        x += d * 0.042 + 0.02 + gap;
      }
    }
    const lower = 'abcdefghijklmnopqrstuvwxyz';
    const y = 0.2 + 7 * pitch;
    fields.push({ name: 'lower', label: lower, digits: 0, box: [0.06, y, 0.88, bh], text: lower });
    fields.push({ name: 'upper', label: lower.toUpperCase(), digits: 0, box: [0.06, y + pitch, 0.88, bh], text: lower.toUpperCase() });
    fields.push({ name: 'text', label: `${PREAMBLE[0]} ...`, digits: 0, box: [0.06, y + 2 * pitch + 0.01, 0.88, 0.95 - (y + 2 * pitch + 0.01)], text: PREAMBLE });
    const form = generateForm(fields, test, seed);
    const [W, H] = [form.width, form.height];
    // The digits to copy, printed above each digit box; the letters and text written in the others.
    for (const f of fields) if (f.digits > 0 && !f.label) f.label = form.expected[f.name].split('').join(' ');
    for (const f of fields.filter((g) => g.digits === 0)) {
      const [x, y0, w, h] = [f.box[0] * W, f.box[1] * H, f.box[2] * W, f.box[3] * H].map(Math.round);
      if (f.text === '') words.push(`<rect x="${x + 8}" y="${y0 + 8}" width="${w - 16}" height="${h - 16}" fill="#000"/>`);
      else if (Array.isArray(f.text)) f.text.forEach((l, j) => words.push(`<text x="${x + 30}" y="${Math.round(y0 + ((j + 1) * h) / 5)}" font-size="${Math.round(h / 8)}">${l}</text>`));
      else words.push(`<text x="${x + 20}" y="${Math.round(y0 + h * 0.78)}" font-size="${Math.round(h * 0.6)}" letter-spacing="${f.text.length > 20 ? Math.round(W * 0.005) : 4}">${f.text}</text>`);
    }
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g font-family="DejaVu Sans" font-style="italic" fill="#303030">${words.join('')}</g></svg>`;
    const data = await sharp(Buffer.from(form.data), { raw: { width: W, height: H, channels: 1 } }).composite([{ input: Buffer.from(svg) }]).greyscale().raw().toBuffer();
    let png = await renderForm({ ...form, data: new Uint8Array(data) }, fields, 'HANDWRITING SAMPLE FORM', benchArtifacts(seed), seed);
    const bitonal = i % 2 === 1;
    if (bitonal) png = await sharp(png).threshold(140).png({ palette: true, colours: 2 }).toBuffer();
    const file = join(dir, `${String(i).padStart(3, '0')}-${bitonal ? 'bitonal' : 'grey'}.png`);
    writeFileSync(file, png);
    const template = { fields: form.template.fields.filter((f) => f.length > 0) };
    const read = await readTwoWays(file, template, clf);
    addPairs(file, form.expected, read, tplPairs, autoPairs);
    // The other fields found: in a box of letters or text (or the name's), or elsewhere.
    const matched = new Set(read.auto.got.filter(Boolean));
    const inside = (b, [fx, fy, fw, fh]) => b[0] + b[2] / 2 > fx * W && b[0] + b[2] / 2 < (fx + fw) * W && b[1] + b[3] / 2 > fy * H && b[1] + b[3] / 2 < (fy + fh) * H;
    for (const f of read.auto.all.filter((g) => !matched.has(g))) {
      if (!fields.some((g) => g.digits === 0 && inside(f.box, g.box))) elsewhere++;
      else if (f.value !== '') {
        // Digits read from letters: a user must be told to look.
        others++;
        if (f.needsReview) othersFlagged++;
        else console.log(`  ${file.split('/').pop()} ${f.name}: "${f.value}" (${f.confidence.toFixed(3)}) read in a box of letters or text, not flagged`);
      }
    }
  }
  await clf.close();
  const rows = reportBothWays(`Forms laid out like NIST's handwriting sample form (${n} letter pages, every other one bitonal: 28 boxes of 2-6 digits and a date and a zip, 0.28-0.4 in high, the digits to copy printed above each; boxes of letters and text; seeds 97000 on)`, tplPairs, autoPairs, row);
  rows.push(row(`fields found in the boxes of letters and text and the blacked-out name that read digits, --auto-fields: flagged for review (of ${others})`, othersFlagged, null, 'fields', 0));
  rows.push(row('other fields found, --auto-fields (in no box of the form)', elsewhere, null, 'fields', 0));
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ tplPairs, autoPairs }));
  return { rows, generated: tidy(dir) };
}

/**
 * Combs and digit squares under 0.4 in high: `n` letter pages (seeds 98000 + i) of six combs (closed,
 * open above, ticks on a baseline, and separate squares a digit each, 4 to 9 cells) and a plain box,
 * their cells 0.025-0.035 of the page high (0.28-0.39 in at 300 dpi; drawn per page) and 1.1 times
 * as wide, MNIST test digits with the scan bench's artifacts; read with their template and with
 * --auto-fields.
 */
async function smallForms(n, row) {
  const { generateForm, renderForm, benchArtifacts, Rng, test, dir, clf, tplPairs, autoPairs } = await formBench('small');
  const styles = ['closed', 'open-top', 'squares', 'ticks', 'closed', 'squares'];
  for (let i = 0; i < n; i++) {
    const seed = 98000 + i;
    const h = new Rng(seed).uniform(0.025, 0.035);
    const fields = styles.map((combStyle, k) => ({ name: `${combStyle}-${k}`, label: `Code ${k + 1}`, digits: 4 + k, box: [0.08, 0.15 + k * 0.09, (4 + k) * h * 1.1, h], comb: true, combStyle }));
    fields.push({ name: 'box', label: 'Total', digits: 5, box: [0.55, 0.15, 0.3, h] });
    const form = generateForm(fields, test, seed);
    const file = join(dir, `${String(i).padStart(3, '0')}.png`);
    writeFileSync(file, await renderForm(form, fields, 'Order form', benchArtifacts(seed), seed));
    addPairs(file, form.expected, await readTwoWays(file, form.template, clf), tplPairs, autoPairs);
  }
  await clf.close();
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ tplPairs, autoPairs }));
  const squares = (pairs) => pairs.filter((p) => p.where.includes(' squares-'));
  const rows = reportBothWays(`Combs and digit squares under 0.4 in high (${n} letter pages: closed combs, combs open above, ticks, separate squares, and a box, 0.28-0.39 in high; seeds 98000 on)`, tplPairs, autoPairs, row);
  rows.push(row(`field accuracy, the rows of separate squares alone, template (${squares(tplPairs).length} fields)`, score(squares(tplPairs)).fieldAccuracy * 100, null, '%', 2));
  rows.push(row(`field accuracy, the rows of separate squares alone, --auto-fields (${squares(autoPairs).length} fields)`, score(squares(autoPairs)).fieldAccuracy * 100, null, '%', 2));
  return { rows, generated: tidy(dir) };
}

/**
 * Forms printed in a light colour, as forms meant for machine reading are (a "dropout" blue or red that
 * a colour scanner can be told to drop), scanned in colour: the other layouts' table of fields, a comb,
 * a box and a row of digit squares, printed in one of four colours taken in turn (a mid blue, a light
 * blue, a paler blue, a pink) on white paper, filled in with MNIST test digits in a dark blue pen,
 * blurred a little and saved as JPEG (quality 85) at 300 dpi; seeds 99000 + i. Read with the template
 * and with --auto-fields; field accuracy per colour, misreads not flagged, and how many fields
 * --auto-fields found as boxes.
 */
async function dropoutForms(n, row, seedBase = 99000) {
  const sharp = require('sharp');
  const { generateForm, test, dir, clf, tplPairs, autoPairs } = await formBench('dropout');
  const blank = { ...test, images: new Uint8Array(test.images.length) };
  const fields = [...tableCombBox(), { name: 'squares', label: 'Date', digits: 5, box: [0.6, 0.6, 0.33, 0.05], comb: true, combStyle: 'squares' }];
  const colours = [['mid blue', [120, 170, 220]], ['light blue', [150, 200, 235]], ['paler blue', [170, 215, 240]], ['pink', [240, 150, 150]]];
  const byColour = colours.map(() => ({ tpl: [], auto: [], boxes: 0 }));
  for (let i = 0; i < n; i++) {
    const k = i % colours.length;
    const seed = seedBase + i;
    const form = generateForm(fields, test, seed, { dpi: 300 });
    const { width: W, height: H } = form;
    const rgb = inColour(form, generateForm(fields, blank, seed, { dpi: 300 }), [250, 250, 250], colours[k][1], [20, 30, 90]);
    const file = join(dir, `${String(i).padStart(3, '0')}-${colours[k][0].replace(' ', '-')}.jpg`);
    writeFileSync(file, await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).blur(0.6).jpeg({ quality: 85 }).toBuffer());
    const read = await readTwoWays(file, form.template, clf);
    const [t0, a0] = [tplPairs.length, autoPairs.length];
    addPairs(file, form.expected, read, tplPairs, autoPairs);
    byColour[k].tpl.push(...tplPairs.slice(t0));
    byColour[k].auto.push(...autoPairs.slice(a0));
    byColour[k].boxes += read.auto.all.filter((f) => f.name.startsWith('box-')).length;
  }
  await clf.close();
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ tplPairs, autoPairs }));
  const rows = reportBothWays(`Forms printed in a light colour, scanned in colour (${n} letter pages at 300 dpi, JPEG: a 3 x 3 table, a comb, a box and a row of digit squares, 12 fields; mid blue, light blue, paler blue and pink print in turn; seeds ${seedBase} on)`, tplPairs, autoPairs, row);
  colours.forEach(([name, rgb], k) => {
    const c = byColour[k];
    rows.push(row(`${name} print, rgb(${rgb.join(', ')}): field accuracy, template (${c.tpl.length} fields)`, score(c.tpl).fieldAccuracy * 100, null, '%', 2));
    rows.push(row(`${name} print: field accuracy, --auto-fields`, score(c.auto).fieldAccuracy * 100, null, '%', 2));
    rows.push(row(`${name} print: fields --auto-fields found as boxes (of ${c.auto.length})`, c.boxes, null, 'fields', 0));
  });
  return { rows, generated: tidy(dir) };
}

/** Fields read right but flagged for review (confidence under the default --min-confidence, 0.9): review work spent on them. */
const rightFlagged = (pairs) => pairs.filter((p) => p.expected === p.read && p.confidence < 0.9).length;

/**
 * Prints a bench part read both ways (with templates, `tpl`; with --auto-fields, `auto`: pairs as
 * {@link addPairs} makes them): field accuracy, misreads not flagged and right readings flagged, as
 * table rows (returned), and every field misread.
 */
function reportBothWays(title, tpl, auto, row) {
  console.log(`\n## ${title}\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [
    row(`field accuracy, template (${tpl.length} fields)`, score(tpl).fieldAccuracy * 100, null, '%', 2),
    row(`field accuracy, --auto-fields (${auto.length} fields)`, score(auto).fieldAccuracy * 100, null, '%', 2),
    row('fields misread but not flagged (confidence >= 0.9), template', unflagged(tpl), null, 'fields', 0),
    row('fields misread but not flagged (confidence >= 0.9), --auto-fields', unflagged(auto), null, 'fields', 0),
    row('fields read right and flagged for review (confidence < 0.9), template', rightFlagged(tpl), null, 'fields', 0),
    row('fields read right and flagged for review (confidence < 0.9), --auto-fields', rightFlagged(auto), null, 'fields', 0),
  ];
  for (const [label, pairs] of [['template', tpl], ['--auto-fields', auto]]) {
    const wrong = pairs.filter((p) => p.expected !== p.read);
    if (wrong.length) console.log(`\nMisread, ${label}:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)})`).join('\n')}`);
  }
  return rows;
}

/**
 * The labels of ../shared/data/orand-car-a that the image plainly contradicts (bench/orand-errata.tsv:
 * every held-out amount read wrong was looked at), by file: the label, the digits written, and the
 * digits (0-based) whose labeled box holds no digit once cut (column "no digit in box").
 */
function orandErrata() {
  return new Map(
    readFileSync(join(__dirname, 'orand-errata.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'))
      .map(([f, label, digits, , empty]) => [f, { label, digits, empty: (empty ?? '').split(',').filter(Boolean).map(Number) }]),
  );
}

/**
 * Labeled strings with the errata's digits in place of their labels (each erratum has as many
 * digits as its label, so each digit keeps its box), less the boxes that hold no digit: the digits
 * cut from them are labeled as written.
 */
function withErrata(strings) {
  const errata = orandErrata();
  return strings.map((s) => {
    const e = errata.get(s.file);
    if (!e) return s;
    if (e.label !== s.digits || e.digits.length !== s.digits.length) throw new Error(`bench/orand-errata.tsv: ${s.file} is labeled ${s.digits}, not ${e.label}`);
    const keep = [...e.digits].map((_, i) => i).filter((i) => !e.empty.includes(i));
    return { ...s, digits: keep.map((i) => e.digits[i]).join(''), boxes: s.boxes.length ? keep.map((i) => s.boxes[i]) : s.boxes };
  });
}

/**
 * The held-out real check digits as a digit set, cut at their labeled boxes and labeled as written
 * (the errata applied), or null when ../shared/data/orand-car-a is not there.
 */
async function realDigits() {
  const root = join(__dirname, '..', '..', 'shared', 'data', 'orand-car-a');
  if (!existsSync(join(root, 'labels.tsv'))) {
    console.log(`\n(real check amounts not found at ${root}: skipped)`);
    return null;
  }
  const { readStringLabels, splitStrings } = dist('io/labels');
  const { buildStringSet } = dist('classify/data/checks');
  const { set: cut } = await buildStringSet(withErrata(splitStrings(readStringLabels(root)).heldOut), { boxesOnly: true });
  // Not the few cut as a block of ink (a box over the check's patterned paper, binarized black):
  // none denser than the densest MNIST test digit (mean ink 0.327; 6 of 994).
  const keep = [];
  for (let i = 0; i < cut.count; i++) {
    let ink = 0;
    for (let k = 0; k < 784; k++) ink += cut.images[i * 784 + k];
    if (ink / 784 / 255 <= 0.327) keep.push(i);
  }
  return dist('classify/data/dataset').selectRows(cut, keep);
}

/**
 * The sample layouts filled in with real handwriting: `n` pages as the scan bench makes them (same
 * layouts, marks and scan artifacts; seeds 40000 + i), their digits drawn from the held-out fifth of
 * ../shared/data/orand-car-a cut at their labeled boxes (989 digits written on real bank checks, as
 * binarized there, never trained on by the shipped models) instead of MNIST test. Read with each
 * form's template and with --auto-fields. `model`: another digit model folder (default the shipped one).
 */
async function realForms(n, row, model) {
  const real = await realDigits();
  if (!real) return { rows: [] };
  const { Classifier } = dist('classify/classifier');
  const dir = mkdtempSync(join(tmpdir(), 'bench-real-forms-'));
  const clf = await Classifier.load(model, { workers: 1 });
  const tplPairs = [];
  const autoPairs = [];
  const pair = (expected, fl, where) => ({ expected, read: fl?.value ?? '', where, confidence: fl?.confidence ?? 0, needsReview: fl?.needsReview ?? true, reasons: fl?.reasons ?? [] });
  // Fields --auto-fields found in no form field's place.
  let extra = 0;
  for (let i = 0; i < n; i++) {
    const { form, file } = await writeSampleForm(real, i, 40000 + i, (name) => join(dir, `${String(i).padStart(3, '0')}-${name}.png`));
    const { fields, auto } = await readTwoWays(file, form.template, clf);
    const where = `${file.split('/').pop()} `;
    for (const fl of fields) tplPairs.push(pair(form.expected[fl.name], fl, where + fl.name));
    auto.want.forEach((w, k) => autoPairs.push(pair(form.expected[w.name], auto.got[k], `${where}${w.name}${auto.got[k] ? '' : ' (not found)'}`)));
    extra += auto.found - auto.got.filter(Boolean).length;
  }
  await clf.close();
  console.log(`\n## The sample forms filled in with real handwriting (${n} pages, ${tplPairs.length} fields: held-out real check digits, ${real.count} of them, instead of MNIST test; model ${model ?? 'shipped'})\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const [st, sa] = [score(tplPairs), score(autoPairs)];
  // Misread and not flagged for review (confidence at least the default --min-confidence, 0.9, and the
  // field's length and pattern met): what a user who checks only flagged fields lets through.
  const unflagged = (pairs) => pairs.filter((p) => p.expected !== p.read && !p.needsReview).length;
  const rows = [
    row('field accuracy, template', st.fieldAccuracy * 100, null, '%', 2),
    row('digit accuracy, template', st.digitAccuracy * 100, null, '%', 2),
    row('field accuracy, --auto-fields', sa.fieldAccuracy * 100, null, '%', 2),
    row('digit accuracy, --auto-fields', sa.digitAccuracy * 100, null, '%', 2),
    row('fields misread but not flagged for review, template', unflagged(tplPairs), null, 'fields', 0),
    row('fields misread but not flagged for review, --auto-fields', unflagged(autoPairs), null, 'fields', 0),
    // The review work: fields flagged, read right or not.
    row('fields flagged for review, template', tplPairs.filter((p) => p.needsReview).length, null, 'fields', 0),
    row('fields flagged for review, --auto-fields', autoPairs.filter((p) => p.needsReview).length, null, 'fields', 0),
    row('fields accepted at <= 1% error, most confident first, template', acceptedAt1(tplPairs), null, '%', 2),
    row('fields accepted at <= 1% error, most confident first, --auto-fields', acceptedAt1(autoPairs), null, '%', 2),
    row("fields --auto-fields found in no form field's place", extra, null, 'fields', 0),
  ];
  const thresholds = confidenceTable({ template: tplPairs, '--auto-fields': autoPairs });
  const wrong = tplPairs.filter((p) => p.expected !== p.read);
  if (wrong.length) {
    console.log('\nFields misread with the template (expected -> read, field confidence):');
    for (const p of wrong) console.log(`  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)}${p.needsReview ? '' : ', not flagged'})`);
  }
  writeFileSync(join(dir, 'readings.json'), JSON.stringify({ kinds: ['template', '--auto-fields'], pairs: [tplPairs, autoPairs] }));
  console.log(`\n(every field's reading: ${dir}/readings.json; the pages are kept with DIGITSCAN_BENCH_KEEP=1)`);
  return { rows, thresholds, generated: tidy(dir) };
}

/**
 * The fields of `page` read for each wanted box (`want`: `{name, box, expected}`, page pixels): those
 * whose centres are within it, left to right, their values joined, pushed to `pairs` with what the box
 * holds (and how many fields were found in it, `lines`); every other field found is pushed to `others`
 * (print or marks read as digits). `where` names the page.
 */
function readWithin(page, want, where, pairs, others) {
  const within = (b, f) => {
    const [cx, cy] = [b[0] + b[2] / 2, b[1] + b[3] / 2];
    return cx >= f[0] && cx < f[0] + f[2] && cy >= f[1] && cy < f[1] + f[3];
  };
  const fields = page.fields ?? [];
  const taken = new Set();
  for (const w of want) {
    const got = fields.filter((f) => within(f.box, w.box)).sort((a, b) => a.box[0] - b.box[0]);
    for (const g of got) taken.add(g);
    pairs.push({ expected: w.expected, read: got.map((g) => g.value).join(''), where: `${where} ${w.name}`, lines: got.length });
  }
  for (const f of fields) if (!taken.has(f)) others.push({ where: `${where} ${f.name}`, value: f.value, confidence: f.confidence, needsReview: f.needsReview, box: f.box });
}

/** A bench part's end: the classifier closed, every reading written to `dir`/readings.json, its rows returned. */
async function finishReadings(clf, dir, readings, rows) {
  await clf.close();
  writeFileSync(join(dir, 'readings.json'), JSON.stringify(readings));
  console.log(`\n(every field's reading and every other field found: ${dir}/readings.json; the images are kept with DIGITSCAN_BENCH_KEEP=1)`);
  return { rows, generated: tidy(dir) };
}

/**
 * The sample layouts read with neither template nor --auto-fields (each line of handwriting a field):
 * `n` pages of MNIST test digits (the scan bench's, seeds 1000 + i) and `n` of real check digits (the
 * real-forms bench's, seeds 40000 + i). A form field is read right when the lines found within its
 * box (their centres), left to right, read its digits; every other line found is not handwriting
 * (print, registration marks) and counted, flagged for review or not.
 */
async function linePages(n, row) {
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const { scanInputs } = dist('pipeline/scan');
  const { templateFields } = dist('segment/fields');
  const test = loadMnist('test');
  const sets = [['MNIST test digits', test, 1000]];
  const real = await realDigits();
  if (real) sets.push(['real check digits', real, 40000]);
  // The pencil bench's pages (grey 120-190; seeds 90000 on).
  sets.push(['MNIST test digits in a light pencil', test, 90000, { ink: [120, 190] }]);
  // The scan bench's pages with a title and a heading added in bigger print (see bigPrint).
  sets.push(['MNIST test digits, a title and a heading in 12-40 point print', test, 1000, {}, true]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-lines-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const rows = [];
  const readings = {};
  console.log(`\n## The sample forms read by lines (no template, no --auto-fields; ${n} pages of each set)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  for (const [label, digits, seedBase, options, print] of sets) {
    const pairs = [];
    const others = [];
    for (let i = 0; i < n; i++) {
      const seed = seedBase + i;
      const { name, form, file } = await writeSampleForm(digits, i, seed, (layout) => join(dir, `${seed}-${layout}${print ? '-print' : ''}.png`), options);
      if (print) writeFileSync(file, await bigPrint(file, seed));
      const [doc] = await collect(scanInputs, [file], { classifier: clf, concurrency: 1 });
      const page = doc.pages[0];
      const want = templateFields(form.template, page.width, page.height).map((w) => ({ ...w, expected: form.expected[w.name] }));
      readWithin(page, want, `${seed}-${name}`, pairs, others);
    }
    const s = score(pairs);
    rows.push(
      row(`${label}: form fields read right (${pairs.length})`, s.fieldAccuracy * 100, null, '%', 2),
      row(`${label}: form fields with no line found`, pairs.filter((p) => p.lines === 0).length, null, 'fields', 0),
      row(`${label}: other lines read as fields (print, marks), per page`, others.length / n, null, 'fields', 2),
      row(`${label}: ... of them not flagged for review`, others.filter((o) => !o.needsReview).length, null, 'fields', 0),
    );
    readings[label] = { pairs, others };
  }
  return finishReadings(clf, dir, readings, rows);
}

/**
 * Strips of unknown resolution, written at 300 and 250 dpi with none stated and read with
 * --auto-fields and by lines (seeds 1000 + i): the top of the sample layouts down to their first row
 * of fields (2.8-3.1 inches of a letter page, the scan bench's first pages), and checks 6 inches wide
 * (2.5 inches tall; a check number and an amount box, no registration marks), which are taken for
 * 8.5 inches long (`stripPpi`) and so read at 0.71 of their scale (also read with their resolution
 * stated, `--ppi`, for comparison). A field is read right when the
 * fields found within its box (their centres), left to right, read its digits; every other field
 * found is print or marks read as digits, counted with those not flagged for review.
 */
async function stripForms(n, row) {
  const sharp = require('sharp');
  const { loadMnist } = dist('classify/data/dataset');
  const { Classifier } = dist('classify/classifier');
  const { scanInputs } = dist('pipeline/scan');
  const { generateForm, renderForm, benchArtifacts } = dist('samples/forms');
  const test = loadMnist('test');
  const dir = mkdtempSync(join(tmpdir(), 'bench-strips-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const CHECK = [
    { name: 'check-number', label: 'Check number', digits: 4, box: [0.04, 0.12, 0.22, 0.07] },
    { name: 'amount', label: 'Amount', digits: 6, box: [0.42, 0.12, 0.26, 0.07] },
  ];
  const strips = [];
  // The part [0, 0, right, bottom] of a 300-dpi letter page (fractions), at `dpi`, with the fields in it.
  const cut = async (kind, file, where, fields, expected, right, bottom) => {
    for (const dpi of [300, 250]) {
      const [W, H] = [Math.round(8.5 * dpi), Math.round(11 * dpi)];
      const out = join(dir, `${where}-${dpi}.png`);
      await sharp(file).resize(W, H).extract({ left: 0, top: 0, width: Math.round(right * W), height: Math.round(bottom * H) }).png().toFile(out);
      strips.push({ kind, dpi, file: out, where: `${where} (${dpi} dpi)`, want: fields.map((f) => ({ name: f.name, expected: expected[f.name], box: [f.box[0] * W, f.box[1] * H, f.box[2] * W, f.box[3] * H] })) });
    }
  };
  for (let i = 0; i < n; i++) {
    const seed = 1000 + i;
    const { name, form, file } = await writeSampleForm(test, i, seed, (layout) => join(dir, `${seed}-${layout}.png`));
    const fields = form.template.fields.filter((f) => f.box[1] < 0.25);
    await cut('tops', file, `${seed}-${name}`, fields, form.expected, 1, Math.max(...fields.map((f) => f.box[1] + f.box[3])) + 0.04);
    // The top half (8.5 x 5.5 in: not a strip, taken for a letter page by its shorter side, at 0.65 of its scale).
    await cut('halves', file, `${seed}-${name}-half`, form.template.fields.filter((f) => f.box[1] + f.box[3] < 0.5), form.expected, 1, 0.5);
    const check = generateForm(CHECK, test, seed);
    const checkFile = join(dir, `${seed}-check.png`);
    writeFileSync(checkFile, await renderForm(check, CHECK, 'Pay to the order of', benchArtifacts(seed), seed));
    await cut('checks', checkFile, `${seed}-check`, check.template.fields, check.expected, 6 / 8.5, 0.23);
    rmSync(file);
    rmSync(checkFile);
  }
  const rows = [];
  const readings = {};
  console.log(`\n## Strips of unknown resolution: ${n} tops of generated pages, their ${n} top halves and ${n} 6-inch checks, each at 300 and 250 dpi\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  for (const [kind, label, stated] of [['tops', 'tops of letter pages', false], ['halves', 'top halves of letter pages (read at 0.65 of their scale)', false], ['checks', '6-inch checks (read at 0.71 of their scale)', false], ['checks', '6-inch checks, resolution stated (--ppi)', true]]) {
    for (const [mode, options] of [['--auto-fields', { autoFields: true }], ['by lines', {}]]) {
      const pairs = [];
      const others = [];
      for (const s of strips.filter((x) => x.kind === kind)) {
        const [doc] = await collect(scanInputs, [s.file], { classifier: clf, concurrency: 1, ...options, ...(stated ? { ppi: s.dpi } : {}) });
        readWithin(doc.pages[0], s.want, s.where, pairs, others);
      }
      const title = `${label}, ${mode}`;
      rows.push(
        row(`${title}: fields read right (${pairs.length})`, score(pairs).fieldAccuracy * 100, null, '%', 2),
        row(`${title}: other fields read (print, marks), not flagged for review`, others.filter((o) => !o.needsReview).length, null, 'fields', 0),
        row(`${title}: ... flagged`, others.filter((o) => o.needsReview).length, null, 'fields', 0),
      );
      readings[title] = { pairs, others };
    }
  }
  return finishReadings(clf, dir, readings, rows);
}

/**
 * The page `file` (a 300-dpi letter page) with two lines of print added below its fields, at 60 % and
 * 75 % of its height: a form's title or heading in a font of the machine's (DejaVu, the URW fonts
 * Ghostscript brings), bold or not, 12 to 40 points, drawn at random (seed `seed`), as a PNG.
 */
async function bigPrint(file, seed) {
  const sharp = require('sharp');
  const { Rng } = dist('classify/data/random');
  const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'Nimbus Sans', 'Nimbus Roman', 'URW Gothic', 'P052', 'C059', 'URW Bookman', 'Nimbus Sans Narrow'];
  const TEXTS = ['Application for benefits', 'Monthly household income', 'Change of address form', 'Please write clearly in the boxes below', 'Customer information', 'Date of birth', 'Signature of applicant', 'Official use only', 'Total amount payable', 'Registration number', 'Section 2: your details', 'Employer identification'];
  const rng = new Rng(seed * 7 + 3);
  const pick = (list) => list[Math.floor(rng.uniform(0, list.length))];
  let svg = '';
  for (const y of [0.6, 0.75]) {
    const px = Math.round((rng.uniform(12, 40) * 300) / 72);
    svg += `<text x="${Math.round(rng.uniform(0.06, 0.2) * 2550)}" y="${Math.round(y * 3300)}" font-family="${pick(FONTS)}" font-size="${px}" font-weight="${rng.uniform(0, 1) < 0.5 ? 'bold' : 'normal'}" fill="#202020">${pick(TEXTS)}</text>`;
  }
  return sharp(file).composite([{ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="2550" height="3300">${svg}</svg>`) }]).png().toBuffer();
}

async function collect(scanInputs, inputs, options) {
  const docs = [];
  await scanInputs(inputs, options, (d) => void docs.push(d));
  return docs;
}

/**
 * Unsure fields read again whole (`rereadWhole`, `--reread-whole`) against the default: `n` pages of
 * the scan bench's (MNIST test digits, seeds 1000 + i) and `n` of the real-forms bench's (held-out
 * real check digits, seeds 40000 + i), each read with its template both ways.
 */
async function rereadWholeForms(n, row) {
  const { Classifier } = dist('classify/classifier');
  const { scanInputs } = dist('pipeline/scan');
  const { loadMnist } = dist('classify/data/dataset');
  const sets = [['MNIST test digits', loadMnist('test'), 1000], ['real check digits', await realDigits(), 40000]].filter(([, d]) => d);
  const dir = mkdtempSync(join(tmpdir(), 'bench-reread-whole-'));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const rows = [];
  const readings = {};
  console.log(`\n## Unsure fields read again whole (--reread-whole) or not: ${n} pages of the sample forms for each kind of handwriting, read with their templates\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  for (const [label, digits, seed0] of sets) {
    const pairs = [[], []];
    for (let i = 0; i < n; i++) {
      const { form, file } = await writeSampleForm(digits, i, seed0 + i, (name) => join(dir, `${String(i).padStart(3, '0')}-${name}.png`));
      for (const [k, rereadWhole] of [false, true].entries()) {
        const [d] = await collect(scanInputs, [file], { template: form.template, classifier: clf, concurrency: 1, rereadWhole });
        for (const fl of d.pages[0].fields) pairs[k].push({ where: `${file.split('/').pop()} ${fl.name}`, expected: form.expected[fl.name], read: fl.value, confidence: fl.confidence, needsReview: fl.needsReview });
      }
      // Pages are read as they are made (600 of them are over a GB); DIGITSCAN_BENCH_KEEP=1 keeps them.
      if (process.env.DIGITSCAN_BENCH_KEEP !== '1') rmSync(file, { force: true });
    }
    readings[label] = pairs;
    for (const [k, how] of ['default', '--reread-whole'].entries()) {
      const p = pairs[k];
      rows.push(row(`${label}, ${how}: field accuracy`, (100 * p.filter((x) => x.expected === x.read).length) / p.length, null, '%', 2));
      rows.push(row(`${label}, ${how}: fields misread but not flagged for review`, p.filter((x) => x.expected !== x.read && !x.needsReview).length, null, 'fields', 0));
      rows.push(row(`${label}, ${how}: fields flagged for review`, p.filter((x) => x.needsReview).length, null, 'fields', 0));
    }
  }
  await clf.close();
  writeFileSync(join(dir, 'readings.json'), JSON.stringify(readings));
  console.log(`\n(every field's reading, both ways: ${dir}/readings.json)`);
  return { rows, generated: tidy(dir) };
}

/** String accuracy on the real check amounts, default mode: all fields of an image, joined. */
async function orand(row, limit) {
  const root = join(__dirname, '..', '..', 'shared', 'data', 'orand-car-a');
  if (!existsSync(join(root, 'labels.tsv'))) {
    console.log(`\n(real check amounts not found at ${root}: skipped)`);
    return { rows: [] };
  }
  const { scanInputs } = dist('pipeline/scan');
  const lines = readFileSync(join(root, 'labels.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const items = lines.slice(0, limit ?? lines.length);
  const truth = new Map(items.map(([f, , , d]) => [join(root, 'images', f), d]));
  // The held-out split is every 5th image (splitStrings), as the string model was trained.
  const { splitStrings } = dist('io/labels');
  const heldOut = new Set(splitStrings([...truth.keys()]).heldOut);
  const pairs = [];
  await scanInputs([...truth.keys()], {}, (doc) => {
    const read = (doc.pages[0]?.fields ?? []).map((f) => f.value).join('');
    pairs.push({ expected: truth.get(doc.source), read, heldOut: heldOut.has(doc.source) });
  });
  const s = score(pairs);
  const h = score(pairs.filter((p) => p.heldOut));
  console.log(`\n## Real check amounts (orand-car-a, ${s.fields} images, default mode: no template, each line of ink a field)\n`);
  console.log('Digit by digit with the default model (never trained on these images); fields where its two segmentations disagree, or that it reads with under 0.98 confidence, are read whole by the string model (trained on 4 of every 5 images; the more confident reading is kept): the held-out fifth, never trained on, is the honest figure.\n');
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [
    row(`string accuracy, held-out images (${h.fields}, default mode)`, h.fieldAccuracy * 100, null, '%', 2),
    row('digit accuracy, held-out images (1 - edits/digits)', h.digitAccuracy * 100, null, '%', 2),
    row(`string accuracy, all images (${s.fields}, default mode)`, s.fieldAccuracy * 100, null, '%', 2),
    row('digit accuracy, all images (1 - edits/digits)', s.digitAccuracy * 100, null, '%', 2),
  ];
  // The held-out split (every 5th image), read as amounts: what #4's targets are measured on.
  const { evaluateStrings } = dist('pipeline/strings');
  const ev = await evaluateStrings(root, { split: 'heldout', fieldType: 'amount' });
  console.log(`\n## Real check amounts, held-out split (${ev.count} images never trained on), --field-type amount (the shipped string model, models/amount)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const held = [
    row('string accuracy', ev.stringAccuracy * 100, 90, '%', 2),
    row('digit accuracy (1 - edits/digits)', ev.digitAccuracy * 100, null, '%', 2),
    row('fields accepted at <= 1% string error', ev.at1pct.accepted * 100, 80, '%', 2),
    row('fields read per second (one thread, decode to string)', ev.count / ev.seconds, null, '/s', 1),
  ];
  // The same readings scored against corrected labels: every held-out field read wrong was looked
  // at; bench/orand-errata.tsv lists the labels that the image plainly contradicts.
  const errata = orandErrata();
  const { rejectCurve, acceptedAtError } = dist('pipeline/strings');
  const fixed = ev.readings.map((r) => {
    const e = errata.get(r.file);
    if (e && e.label !== r.truth) throw new Error(`bench/orand-errata.tsv: ${r.file} is labeled ${r.truth}, not ${e.label}`);
    return e ? { ...r, truth: e.digits, correct: r.value === e.digits } : r;
  });
  const fixedAt1 = acceptedAtError(rejectCurve(fixed), 0.01);
  const nFixed = ev.readings.filter((r) => errata.has(r.file)).length;
  held.push(
    row(`string accuracy, ${nFixed} label errata applied`, (100 * fixed.filter((r) => r.correct).length) / fixed.length, 90, '%', 2),
    row(`fields accepted at <= 1% string error, ${nFixed} label errata applied`, fixedAt1.accepted * 100, 80, '%', 2),
  );
  // Read again with each field's 3 next most probable values (--alternatives 3): the readings are the
  // same; how often is the value written (errata applied) among the reading and its alternatives?
  const alt = await evaluateStrings(root, { split: 'heldout', fieldType: 'amount', alternatives: 3 });
  const truthOf = (r) => errata.get(r.file)?.digits ?? r.truth;
  const sameReadings = alt.readings.every((r, i) => r.value === ev.readings[i].value);
  held.push(
    row(
      `string accuracy, ${nFixed} label errata applied, counting the value written among the reading and its 3 alternatives (--alternatives 3; same readings: ${sameReadings})`,
      (100 * alt.readings.filter((r) => r.value === truthOf(r) || (r.alternatives ?? []).includes(truthOf(r))).length) / alt.readings.length,
      null,
      '%',
      2,
    ),
  );
  console.log(`\n--min-confidence ${ev.at1pct.threshold.toFixed(4)} accepts ${(ev.at1pct.accepted * 100).toFixed(2)}% at ${(ev.at1pct.error * 100).toFixed(2)}% error (label errata applied: ${fixedAt1.threshold.toFixed(4)} accepts ${(fixedAt1.accepted * 100).toFixed(2)}% at ${(fixedAt1.error * 100).toFixed(2)}%). Thresholds, as labeled:\n`);
  console.log('| --min-confidence | accepted | error among accepted |\n|---|---|---|');
  for (const t of ev.thresholds) console.log(`| ${t.threshold} | ${(t.accepted * 100).toFixed(2)}% | ${(t.error * 100).toFixed(2)}% |`);
  // The same fields digit by digit: recognition-based segmentation with the reject-class model.
  const dp = await evaluateStrings(root, { split: 'heldout', fieldType: 'amount', stringModel: 'none', model: join(__dirname, '..', 'models', 'check') });
  console.log(`\n## The same held-out fields digit by digit (--string-model none --model models/check: over-segmentation + cut-path search)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const seg = [
    row('string accuracy, digit by digit', dp.stringAccuracy * 100, 90, '%', 2),
    row('fields accepted at <= 1% string error, digit by digit', dp.at1pct.accepted * 100, 80, '%', 2),
  ];
  const brief = (e) => ({ count: e.count, stringAccuracy: e.stringAccuracy, digitAccuracy: e.digitAccuracy, at1pct: e.at1pct, thresholds: e.thresholds, seconds: e.seconds });
  return { rows: [...rows, ...held, ...seg], heldOut: brief(ev), heldOutErrataApplied: { errata: nFixed, stringAccuracy: fixed.filter((r) => r.correct).length / fixed.length, at1pct: fixedAt1 }, heldOutDigitByDigit: brief(dp) };
}

/**
 * The scan bench's pages (the same seeds) turned upside down and on their side (a quarter turn,
 * alternately clockwise and not), read with their templates and with --auto-fields: pages turned
 * back, fields read right; and the same pages upright: pages turned (none
 * should be) and pages that read poorly enough to be looked at (their print, then maybe a second reading).
 */
async function upsideDown(n, row) {
  const sharp = require('sharp');
  const { scanInputs, readsPoorly } = dist('pipeline/scan');
  const { Classifier } = dist('classify/classifier');
  const dir = mkdtempSync(join(tmpdir(), 'bench-upside-'));
  console.log(`\n## Pages upside down, on their side, and negative (the scan bench's ${n} pages turned by 180° and by a quarter, and inverted)\n`);
  const forms = await generate(dir, n);
  const clf = await Classifier.load(undefined, { workers: 1 });
  let turnedTpl = 0, turnedAuto = 0, right = 0, rightUpright = 0, fields = 0, flipped = 0, poor = 0;
  let sideTpl = 0, sideAuto = 0, sideRight = 0;
  let negTpl = 0, negAuto = 0, negRight = 0, uprightInverted = 0;
  for (const [i, f] of forms.entries()) {
    // The page as a negative (light writing on dark paper).
    const negative = f.file.replace(/\.png$/, '-negative.png');
    writeFileSync(negative, await sharp(f.png).negate().toBuffer());
    const [nt] = await collect(scanInputs, [negative], { template: f.template, classifier: clf, concurrency: 1 });
    const [na] = await collect(scanInputs, [negative], { autoFields: true, classifier: clf, concurrency: 1 });
    negTpl += nt.pages[0].inverted ? 1 : 0;
    negAuto += na.pages[0].inverted ? 1 : 0;
    negRight += nt.pages[0].fields.filter((fl) => fl.value === f.expected[fl.name]).length;
    // The page on its side: turned a quarter, clockwise on even pages and counter-clockwise on odd ones.
    const rotation = i % 2 ? 270 : 90;
    const side = f.file.replace(/\.png$/, '-side.png');
    writeFileSync(side, await sharp(f.png).rotate(rotation).toBuffer());
    const [st] = await collect(scanInputs, [side], { template: f.template, classifier: clf, concurrency: 1 });
    const [sa] = await collect(scanInputs, [side], { autoFields: true, classifier: clf, concurrency: 1 });
    sideTpl += st.pages[0].orientation === 360 - rotation ? 1 : 0;
    sideAuto += sa.pages[0].orientation === 360 - rotation ? 1 : 0;
    sideRight += st.pages[0].fields.filter((fl) => fl.value === f.expected[fl.name]).length;
    const file = f.file.replace(/\.png$/, '-upside-down.png');
    writeFileSync(file, await sharp(f.png).rotate(180).toBuffer());
    for (const [input, upright] of [[file, false], [f.file, true]]) {
      const [t] = await collect(scanInputs, [input], { template: f.template, classifier: clf, concurrency: 1 });
      const [a] = await collect(scanInputs, [input], { autoFields: true, classifier: clf, concurrency: 1 });
      const [pt, pa] = [t.pages[0], a.pages[0]];
      const ok = pt.fields.filter((fl) => fl.value === f.expected[fl.name]).length;
      if (upright) {
        rightUpright += ok;
        flipped += (pt.orientation ? 1 : 0) + (pa.orientation ? 1 : 0);
        poor += (readsPoorly(pt) ? 1 : 0) + (readsPoorly(pa) ? 1 : 0);
        uprightInverted += (pt.inverted ? 1 : 0) + (pa.inverted ? 1 : 0);
      } else {
        right += ok;
        fields += pt.fields.length;
        turnedTpl += pt.orientation === 180 ? 1 : 0;
        turnedAuto += pa.orientation === 180 ? 1 : 0;
      }
    }
  }
  await clf.close();
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [
    row(`upside-down pages turned back, with the template (of ${n})`, turnedTpl, null, 'pages'),
    row(`upside-down pages turned back, --auto-fields (of ${n})`, turnedAuto, null, 'pages'),
    row(`fields right on the upside-down pages, with the template (of ${fields})`, right, null, 'fields'),
    row(`fields right on the same pages upright, with the template (of ${fields})`, rightUpright, null, 'fields'),
    row(`pages on their side turned upright, with the template (of ${n})`, sideTpl, null, 'pages'),
    row(`pages on their side turned upright, --auto-fields (of ${n})`, sideAuto, null, 'pages'),
    row(`fields right on the pages on their side, with the template (of ${fields})`, sideRight, null, 'fields'),
    row(`upright readings turned (of ${2 * n}: template and --auto-fields)`, flipped, null, 'readings'),
    row(`upright readings that read poorly, looked at for which way up their print stands (of ${2 * n})`, poor, null, 'readings'),
    row(`negatives (the pages' grey levels inverted) read inverted, with the template (of ${n})`, negTpl, null, 'pages'),
    row(`negatives read inverted, --auto-fields (of ${n})`, negAuto, null, 'pages'),
    row(`fields right on the negatives, with the template (of ${fields})`, negRight, null, 'fields'),
    row(`upright readings taken for negatives (of ${2 * n})`, uprightInverted, null, 'readings'),
  ];
  tidy(dir);
  return { rows };
}

/**
 * Pages scanned at lower resolutions: `n` pages of the sample layouts (MNIST test digits, the scan
 * bench's artifacts; seeds 11000 + i), each made at 300 dpi and scanned again at every resolution of
 * `dpis` (resized by averaging, as a scanner's sensor does, and saved as PNG stating that
 * resolution), and at those of `unstated` saved stating none, read with each form's template and with
 * --auto-fields. Where digitscan stops reading: a fax's fine mode is 200 dpi, its standard mode 100
 * (across), a page shrunk for the web or an e-mail often less.
 */
async function resolutionForms(n, row, dpis = [200, 150, 100, 75, 50, 40, 30], unstated = [100, 75, 50]) {
  const sharp = require('sharp');
  const { generateForm, renderForm, benchArtifacts, SAMPLE_FORMS } = dist('samples/forms');
  const test = dist('classify/data/dataset').loadMnist('test');
  const clf = await dist('classify/classifier').Classifier.load(undefined, { workers: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-resolution-'));
  const names = Object.keys(SAMPLE_FORMS);
  const scans = [...dpis.map((dpi) => ({ dpi, stated: true })), ...unstated.map((dpi) => ({ dpi, stated: false }))];
  const sets = scans.map((s) => ({ ...s, label: `${s.dpi} dpi${s.stated ? '' : ', not stated'}`, tpl: [], auto: [], heights: [] }));
  for (let i = 0; i < n; i++) {
    const name = names[i % names.length];
    const spec = SAMPLE_FORMS[name];
    const form = generateForm(spec.fields, test, 11000 + i, { marks: spec.marks });
    const png = await renderForm(form, spec.fields, spec.title, benchArtifacts(11000 + i), 11000 + i);
    const { width, height } = await sharp(png).metadata();
    for (const set of sets) {
      const k = set.dpi / 300;
      const file = join(dir, `${String(i).padStart(3, '0')}-${name}-${set.dpi}${set.stated ? '' : '-unstated'}.png`);
      const scan = sharp(png).resize(Math.round(width * k), Math.round(height * k), { kernel: 'cubic' });
      writeFileSync(file, await (set.stated ? scan.withMetadata({ density: set.dpi }) : scan).png().toBuffer());
      const read = await readTwoWays(file, form.template, clf);
      addPairs(file, form.expected, read, set.tpl, set.auto);
      for (const f of read.fields) for (const d of f.digits) set.heights.push(d.box[3]);
    }
  }
  await clf.close();
  const title = `Pages scanned at lower resolutions (${n} pages of the sample layouts, MNIST test digits, the scan bench's artifacts, made at 300 dpi and scanned again at ${dpis.join(', ')} dpi, and at ${unstated.join(', ')} dpi saved with no resolution; seeds 11000 on)`;
  console.log(`\n## ${title}\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  for (const { label, tpl, auto, heights } of sets) {
    const median = [...heights].sort((a, b) => a - b)[heights.length >> 1] ?? 0;
    rows.push(
      row(`${label}: field accuracy, template (${tpl.length} fields)`, score(tpl).fieldAccuracy * 100, null, '%', 2),
      row(`${label}: field accuracy, --auto-fields (${auto.length} fields)`, score(auto).fieldAccuracy * 100, null, '%', 2),
      row(`${label}: fields misread but not flagged (confidence >= 0.9), template`, unflagged(tpl), null, 'fields', 0),
      row(`${label}: fields misread but not flagged (confidence >= 0.9), --auto-fields`, unflagged(auto), null, 'fields', 0),
      row(`${label}: fields read right and flagged for review (confidence < 0.9), template`, rightFlagged(tpl), null, 'fields', 0),
      row(`${label}: digits' median height in the image, template`, median, null, 'px', 0),
    );
  }
  for (const { label, tpl, auto } of sets) {
    for (const [how, pairs] of [['template', tpl], ['--auto-fields', auto]]) {
      const wrong = pairs.filter((p) => p.expected !== p.read);
      if (wrong.length) console.log(`\nMisread at ${label}, ${how}:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read} (${p.confidence.toFixed(3)})`).join('\n')}`);
    }
  }
  return { rows, generated: tidy(dir) };
}

/**
 * Fields written on a printed line rather than in a box (a line to write on, as "Zip code ________"):
 * `n` letter pages (MNIST test digits, the scan bench's artifacts; seeds 12000 + i) of six such lines
 * (two of them dotted) and a box on the row of one of them, in turn with the fields' labels printed
 * above their lines, on the lines to their left, and with every field a box, its label printed inside
 * it at its left (the handwriting after it). Read with the template, with --auto-fields and by lines (no
 * template); a field is read right when the fields found whose centres are in its box, left to right,
 * read its digits, and every other field found is counted.
 */
async function underlineForms(n, row) {
  const { generateForm, renderForm, benchArtifacts } = dist('samples/forms');
  const test = dist('classify/data/dataset').loadMnist('test');
  const { templateFields } = dist('segment/fields');
  const { scanInputs } = dist('pipeline/scan');
  const clf = await dist('classify/classifier').Classifier.load(undefined, { workers: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-underline-'));
  const above = dist('samples/forms').LINES_FORM_FIELDS;
  // The same fields with their labels on their lines, each field moved right to make room and narrowed.
  const left = above.map((f) => ({ ...f, labelAt: 'left', box: [f.box[0] + (f.box[0] < 0.3 ? 0.15 : 0.1), f.box[1], f.box[2] * 0.8, f.box[3]] }));
  // And as boxes, each with its label printed inside it at its left ("Amount [ 2747 ]").
  const inside = above.map((f) => ({ ...f, boxStyle: 'solid', labelAt: 'inside', box: [f.box[0], f.box[1], f.box[2] * 1.1, f.box[3]] }));
  const kinds = ['labels above the lines', 'labels on the lines, at their left', 'boxes, labels inside them at their left'];
  const sets = kinds.map(() => ({ tpl: [], auto: [], lines: [], others: { auto: [], lines: [] } }));
  for (let i = 0; i < n; i++) {
    const seed = 12000 + i;
    const kind = i % kinds.length;
    const fields = [above, left, inside][kind];
    const set = sets[kind];
    const form = generateForm(fields, test, seed);
    const file = join(dir, `${seed}-${['above', 'left', 'inside'][kind]}.png`);
    writeFileSync(file, await renderForm(form, fields, 'Order form', benchArtifacts(seed), seed));
    for (const how of ['tpl', 'auto', 'lines']) {
      const opts = how === 'tpl' ? { template: form.template } : how === 'auto' ? { autoFields: true } : {};
      const [doc] = await collect(scanInputs, [file], { ...opts, classifier: clf, concurrency: 1 });
      const page = doc.pages[0];
      const want = templateFields(form.template, page.width, page.height).map((w) => ({ ...w, expected: form.expected[w.name] }));
      if (how === 'tpl') for (const f of page.fields) set.tpl.push({ expected: form.expected[f.name], read: f.value, where: `${seed} ${f.name}`, confidence: f.confidence });
      else readWithin(page, want, `${seed} ${how}`, set[how], set.others[how]);
    }
  }
  await clf.close();
  console.log(`\n## Fields written on printed lines (${n} letter pages, MNIST test digits, the scan bench's artifacts: six lines to write on (two dotted) and a box beside one, in turn with labels above the lines, labels on the lines at their left, and as boxes with their labels inside them at their left; seeds 12000 on)\n`);
  console.log('| measurement | figure | target | ratio |\n|---|---|---|---|');
  const rows = [];
  sets.forEach((set, k) => {
    const label = kinds[k];
    for (const [how, name] of [['tpl', 'template'], ['auto', '--auto-fields'], ['lines', 'by lines (no template)']]) {
      rows.push(row(`${label}: field accuracy, ${name} (${set[how].length} fields)`, score(set[how]).fieldAccuracy * 100, null, '%', 2));
    }
    rows.push(
      row(`${label}: fields misread but not flagged (confidence >= 0.9), template`, unflagged(set.tpl), null, 'fields', 0),
      row(`${label}: form fields with no field found, --auto-fields / by lines`, set.auto.filter((p) => p.lines === 0).length + set.lines.filter((p) => p.lines === 0).length, null, 'fields', 0),
      row(`${label}: other fields found (print, marks), --auto-fields`, set.others.auto.length, null, 'fields', 0),
      row(`${label}: other fields found (print, marks), by lines`, set.others.lines.length, null, 'fields', 0),
    );
  });
  sets.forEach((set, k) => {
    for (const how of ['tpl', 'auto', 'lines']) {
      const wrong = set[how].filter((p) => p.expected !== p.read);
      if (wrong.length) console.log(`\nMisread, ${kinds[k]}, ${how}:\n${wrong.map((p) => `  ${p.where}: ${p.expected} -> ${p.read}${p.confidence !== undefined ? ` (${p.confidence.toFixed(3)})` : ''}`).join('\n')}`);
    }
    for (const how of ['auto', 'lines']) for (const o of set.others[how]) console.log(`  other field, ${kinds[k]}, ${how}: ${o.where} ${o.value} (${o.confidence.toFixed(3)})`);
  });
  return { rows, generated: tidy(dir) };
}

module.exports = {
  resolutionForms, underlineForms, amountForms, phoneForms,
  deskForms, hsfForms, smallForms, dropoutForms, captionForms, patternForms, lexiconForms, separatorForms, dateForms, stripForms, tallForms, spillForms, pencilForms, angleForms, scanForms, variedForms, realForms, linePages, upsideDown, rereadWholeForms, orand, score };
