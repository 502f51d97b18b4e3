/**
 * Measuring string reading on labeled field images (`labels.tsv`): each image is read as one field
 * through the scan pipeline; string accuracy, digit accuracy, and the accuracy-reject curve over
 * the field confidence (what `--min-confidence` trades: fields accepted vs errors among them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../io/image';
import { LabeledString, readStringLabels, splitStrings } from '../io/labels';
import { Classifier } from '../classify/classifier';
import type { FieldType } from '../segment/fields';
import { renderPng } from '../report/plot';
import { readByRecognition, scanPage, ScanOptions } from './scan';
import { loadOpenCV } from '../preprocess/opencv';
import { cleanPage } from '../preprocess/page';
import { fieldInkBox } from '../segment/fields';
import { agreementFeatures, combineVariants, FieldImage, StringModel } from '../classify/string-model';
import { binaryNll, expectedCalibrationError, fitLogistic, goldenSection, logisticProbability } from '../classify/calibrate';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { BinaryImage } from '../types';

/** One labeled field and what was read. */
export interface StringReading {
  file: string;
  truth: string;
  value: string;
  confidence: number;
  correct: boolean;
  /** Edit distance between truth and value. */
  edits: number;
  /** The field's next most probable values, when asked for (`StringEvalOptions.alternatives`). */
  alternatives?: string[];
  error?: string;
}

/** A point of the accuracy-reject curve: fields with confidence >= threshold are accepted. */
export interface RejectPoint {
  threshold: number;
  /** Fraction of fields accepted. */
  accepted: number;
  /** Fraction of accepted fields read wrong. */
  error: number;
}

/** What {@link evaluateStrings} returns. */
export interface StringEvaluation {
  data: string;
  split: StringSplit;
  fieldType: FieldType;
  count: number;
  /** Fields read exactly right. */
  stringAccuracy: number;
  /** 1 - (edit distance summed over fields) / (true digits): the digit recognition rate. */
  digitAccuracy: number;
  /** The accuracy-reject curve, from accepting everything to accepting only the most confident field. */
  curve: RejectPoint[];
  /** The most fields accepted with at most 1% error among them, and the threshold that does it. */
  at1pct: RejectPoint;
  /** Error among accepted fields, and fraction accepted, at common `--min-confidence` values. */
  thresholds: RejectPoint[];
  readings: StringReading[];
  seconds: number;
}

/** Which part of a string set: all of it, or the fixed training / held-out split of `splitStrings`. */
export type StringSplit = 'all' | 'train' | 'heldout';

/** Options of {@link evaluateStrings}. */
export interface StringEvalOptions extends Pick<ScanOptions, 'threshold' | 'deskew' | 'clahe' | 'stringModel' | 'alternatives'> {
  /** A loaded classifier (default: load `model`). */
  classifier?: Classifier;
  model?: string;
  fieldType?: FieldType;
  split?: StringSplit;
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The accuracy-reject curve of readings (sorted by confidence, most confident first). */
export function rejectCurve(readings: Array<{ confidence: number; correct: boolean }>): RejectPoint[] {
  const sorted = [...readings].sort((a, b) => b.confidence - a.confidence);
  const out: RejectPoint[] = [];
  let wrong = 0;
  sorted.forEach((r, i) => {
    if (!r.correct) wrong++;
    // Only at the last of equal confidences: a threshold accepts all of them or none.
    if (i + 1 < sorted.length && sorted[i + 1].confidence === r.confidence) return;
    out.push({ threshold: r.confidence, accepted: (i + 1) / sorted.length, error: wrong / (i + 1) });
  });
  return out.reverse();
}

/** Accepted fraction and error at a confidence threshold. */
export function atThreshold(readings: Array<{ confidence: number; correct: boolean }>, threshold: number): RejectPoint {
  const acc = readings.filter((r) => r.confidence >= threshold);
  return { threshold, accepted: acc.length / Math.max(1, readings.length), error: acc.length ? acc.filter((r) => !r.correct).length / acc.length : 0 };
}

/** The largest acceptance whose error is at most `maxError`. */
export function acceptedAtError(curve: RejectPoint[], maxError: number): RejectPoint {
  let best: RejectPoint = { threshold: 1, accepted: 0, error: 0 };
  for (const p of curve) if (p.error <= maxError && p.accepted > best.accepted) best = p;
  return best;
}

/**
 * Reads every labeled field image of `data` (a folder with `labels.tsv`) as one field and scores it.
 *
 * @example
 * const ev = await evaluateStrings('../shared/data/orand-car-a', { fieldType: 'amount', split: 'heldout' });
 * console.log(ev.stringAccuracy, ev.at1pct.accepted);
 */
export async function evaluateStrings(data: string, options: StringEvalOptions = {}): Promise<StringEvaluation> {
  const t0 = performance.now();
  const split = options.split ?? 'all';
  const all = readStringLabels(data);
  let items: LabeledString[] = split === 'all' ? all : split === 'train' ? splitStrings(all).train : splitStrings(all).heldOut;
  if (options.limit !== undefined) items = items.slice(0, options.limit);
  const fieldType = options.fieldType ?? 'digits';
  const clf = options.classifier ?? (await Classifier.load(options.model, { workers: 1 }));
  const template = { fields: [{ name: 'field', box: [0, 0, 1, 1] as [number, number, number, number], type: fieldType }] };
  const readings: StringReading[] = [];
  try {
    for (const [i, s] of items.entries()) {
      options.onProgress?.(i, items.length);
      try {
        const image = await decodeImage(s.path);
        const page = await scanPage(image, 1, clf, { template, fieldType, threshold: options.threshold, deskew: options.deskew, clahe: options.clahe, stringModel: options.stringModel, alternatives: options.alternatives });
        const f = page.fields[0];
        readings.push({ file: s.file, truth: s.digits, value: f.value, confidence: f.confidence, correct: f.value === s.digits, edits: editDistance(s.digits, f.value), ...(f.alternatives ? { alternatives: f.alternatives.map((a) => a.value) } : {}) });
      } catch (e) {
        readings.push({ file: s.file, truth: s.digits, value: '', confidence: 0, correct: false, edits: s.digits.length, error: (e as Error).message });
      }
    }
    options.onProgress?.(items.length, items.length);
  } finally {
    if (!options.classifier) await clf.close();
  }
  const curve = rejectCurve(readings);
  const digits = readings.reduce((a, r) => a + r.truth.length, 0);
  return {
    data,
    split,
    fieldType,
    count: readings.length,
    stringAccuracy: readings.filter((r) => r.correct).length / Math.max(1, readings.length),
    digitAccuracy: Math.max(0, 1 - readings.reduce((a, r) => a + r.edits, 0) / Math.max(1, digits)),
    curve,
    at1pct: acceptedAtError(curve, 0.01),
    thresholds: [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99].map((t) => atThreshold(readings, t)),
    readings,
    seconds: (performance.now() - t0) / 1000,
  };
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Plain-text summary of a string evaluation. */
export function formatStringEvaluation(ev: StringEvaluation): string[] {
  const lines = [
    `${ev.data} (${ev.split}, ${ev.count} fields, field type ${ev.fieldType}): string accuracy ${pct(ev.stringAccuracy)}, digit accuracy ${pct(ev.digitAccuracy)}`,
    `accepted at <= 1% string error: ${pct(ev.at1pct.accepted)} of fields (--min-confidence ${ev.at1pct.threshold.toFixed(4)}, error ${pct(ev.at1pct.error)})`,
    'min-confidence  accepted   error among accepted',
    ...ev.thresholds.map((t) => `${t.threshold.toFixed(2).padStart(14)}  ${pct(t.accepted).padStart(8)}   ${pct(t.error).padStart(8)}`),
  ];
  const failed = ev.readings.filter((r) => r.error);
  if (failed.length) lines.push(`${failed.length} unreadable: ${failed.slice(0, 3).map((r) => r.error).join('; ')}${failed.length > 3 ? '; ...' : ''}`);
  return lines;
}

/** Writes `index.html`, `reject-curve.png` and `readings.csv` into `dir`; returns the HTML path. */
export async function writeStringReport(ev: StringEvaluation, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await renderPng(
    {
      title: `Accuracy-reject curve (${ev.count} fields)`,
      width: 420,
      height: 300,
      data: { values: ev.curve.map((p) => ({ accepted: p.accepted, accuracy: 1 - p.error, threshold: p.threshold })) },
      layer: [
        { mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'accepted', type: 'quantitative', title: 'fields accepted', axis: { format: '%' } }, y: { field: 'accuracy', type: 'quantitative', title: 'string accuracy of accepted fields', scale: { zero: false }, axis: { format: '%' } } } },
        { data: { values: [{ y: 0.99 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#c00' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      ],
    },
    join(dir, 'reject-curve.png'),
  );
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  writeFileSync(join(dir, 'readings.csv'), ['file,truth,value,confidence,correct', ...ev.readings.map((r) => `${r.file},${r.truth},${r.value},${r.confidence.toFixed(6)},${r.correct}`)].join('\n') + '\n');
  const wrong = ev.readings.filter((r) => !r.correct).sort((a, b) => b.confidence - a.confidence).slice(0, 50);
  const html = `<!doctype html><meta charset="utf-8"><title>digitscan string evaluation</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}td,th{padding:2px 8px;text-align:right}</style>
<h1>String evaluation</h1>
<p>${esc(formatStringEvaluation(ev).slice(0, 2).join('<br>'))}</p>
<img src="reject-curve.png" width="520">
<h2>Confidence thresholds</h2>
<table><tr><th>--min-confidence</th><th>accepted</th><th>error among accepted</th></tr>
${ev.thresholds.map((t) => `<tr><td>${t.threshold}</td><td>${pct(t.accepted)}</td><td>${pct(t.error)}</td></tr>`).join('\n')}</table>
<h2>Most confident errors</h2>
<table><tr><th>file</th><th>truth</th><th>read</th><th>confidence</th></tr>
${wrong.map((r) => `<tr><td>${esc(r.file)}</td><td>${r.truth}</td><td>${r.value}</td><td>${r.confidence.toFixed(4)}</td></tr>`).join('\n')}</table>
<p>All readings: <a href="readings.csv">readings.csv</a></p>`;
  const file = join(dir, 'index.html');
  writeFileSync(file, html);
  return file;
}

/** What {@link calibrateStringModel} measured (on the measuring half of the held-out fields). */
export interface StringCalibration {
  temperature: number;
  fields: number;
  nllBefore: number;
  nllAfter: number;
  eceBefore: number;
  eceAfter: number;
  /** The second reader's weights and what they changed (log-loss and ECE at the fitted temperature, then with the weights). */
  second?: { model: string; weights: number[]; agreeing: number; nllBefore: number; nllAfter: number; eceBefore: number; eceAfter: number };
}

/**
 * Fits the temperature of a string model so that a field's confidence is the probability that
 * its string is right: the held-out fields of `data` are read as `scan` reads a whole-image field;
 * the temperature minimizing the binary log-loss of (confidence, right) is fitted on every other
 * field and the calibration error measured on the rest. Writes the model with it to `out`.
 *
 * With a second reader (`options.second`, a digit model with a reject class, or the one the
 * ensemble already names), the same fields are also read digit by digit, and the weights of
 * {@link agreementConfidence} are fitted the same way (logistic regression on every other field,
 * measured on the rest) and saved in `ensemble.json`.
 */
export async function calibrateStringModel(model: string, data: string, out: string, options: Pick<ScanOptions, 'backend'> & { second?: string } = {}): Promise<StringCalibration> {
  const items = splitStrings(readStringLabels(data)).heldOut;
  const sm = await StringModel.load(model, options.backend);
  const cv = await loadOpenCV();
  const fields: FieldImage[] = [];
  const cleans: BinaryImage[] = [];
  for (const s of items) {
    const image = await decodeImage(s.path);
    const pre = cleanPage(cv, image, { specks: false });
    fields.push({ gray: pre.gray, box: fieldInkBox(pre.clean, [0, 0, pre.gray.width, pre.gray.height]) });
    cleans.push(pre.clean);
  }
  const v = sm.variantLogits(fields);
  const read = (t: number, half: number) => {
    const conf: number[] = [];
    const right: boolean[] = [];
    for (let i = half; i < fields.length; i += 2) {
      const r = combineVariants(v, i, t);
      conf.push(r.confidence);
      right.push(r.value === items[i].digits);
    }
    return { conf, right };
  };
  const t = Math.exp(goldenSection((lt) => { const r = read(Math.exp(lt), 0); return binaryNll(r.conf, r.right); }, Math.log(0.2), Math.log(10)));
  const before = read(sm.temperature, 1);
  const after = read(t, 1);
  const result: StringCalibration = {
    temperature: t,
    fields: fields.length,
    nllBefore: binaryNll(before.conf, before.right),
    nllAfter: binaryNll(after.conf, after.right),
    eceBefore: expectedCalibrationError(before.conf, before.right),
    eceAfter: expectedCalibrationError(after.conf, after.right),
  };
  const secondDir = options.second ? resolve(options.second) : sm.second?.dir;
  if (secondDir) {
    if (!existsSync(join(sm.dir, 'ensemble.json'))) throw new Error(`${model}: a second reader is kept in an ensemble's ensemble.json; this is a single string model`);
    const clf = await Classifier.load(secondDir, { workers: 1, backend: options.backend });
    const x: number[][] = [];
    const right: boolean[] = [];
    const own: number[] = [];
    try {
      for (let i = 0; i < fields.length; i++) {
        const c = cleans[i];
        const [other] = await readByRecognition(cv, c, [{ name: 'field', box: [0, 0, c.width, c.height], type: 'amount' }], clf, { fieldType: 'amount' });
        const r = combineVariants(v, i, t);
        x.push(agreementFeatures(r.confidence, other.digits.map((d) => d.value).join('') === r.value, other.confidence ?? 0));
        right.push(r.value === items[i].digits);
        own.push(r.confidence);
      }
    } finally {
      await clf.close();
    }
    const half = (k: number) => x.map((_, i) => i).filter((i) => i % 2 === k);
    const fitIdx = half(0);
    const weights = fitLogistic(fitIdx.map((i) => x[i]), fitIdx.map((i) => right[i]));
    const test = half(1);
    const combined = test.map((i) => logisticProbability(x[i], weights));
    const ok = test.map((i) => right[i]);
    const before = test.map((i) => own[i]);
    result.second = {
      model: secondDir,
      weights,
      agreeing: x.filter((f) => f[2] === 1).length,
      nllBefore: binaryNll(before, ok),
      nllAfter: binaryNll(combined, ok),
      eceBefore: expectedCalibrationError(before, ok),
      eceAfter: expectedCalibrationError(combined, ok),
    };
  }
  const src = resolve(sm.dir);
  const dst = resolve(out);
  if (src !== dst) cpSync(src, dst, { recursive: true, filter: (f) => !f.includes('checkpoint') });
  // The second reader is saved relative to the output folder (models move together).
  const second = result.second && { ...result.second, model: relative(dst, result.second.model) };
  const calibration = { data, split: 'heldout (fitted on even fields, measured on odd)', ...result, ...(second ? { second } : {}), date: new Date().toISOString() };
  const ens = join(dst, 'ensemble.json');
  const file = existsSync(ens) ? ens : join(dst, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const meta = file === ens ? json : json.userDefinedMetadata;
  meta.temperature = t;
  meta.calibration = calibration;
  if (second) meta.second = { model: second.model, weights: second.weights };
  writeFileSync(file, JSON.stringify(json, null, file === ens ? 1 : undefined));
  return result;
}
