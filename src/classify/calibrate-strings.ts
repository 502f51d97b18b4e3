/**
 * `digitscan calibrate`: fits the softmax temperature of a model on the held-out part of labeled
 * strings (digit crops and bad cuts made as in training, see `buildStringSet`) and writes the model
 * with it. The held-out samples are split in two: the temperature is fitted on one half and the
 * calibration error measured on the other.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readStringLabels, splitStrings } from '../io/labels';
import { buildStringSet } from './data/checks';
import { Classifier } from './classifier';
import type { BackendName } from './backend';
import { applyTemperature } from './classifier';
import { eceOf, fitTemperature, nll } from './calibrate';
import { readDigitEnsemble } from './model-io';

/** What {@link calibrateOnStrings} measured. */
export interface CalibrationResult {
  temperature: number;
  samples: number;
  /** On the measuring half, before and after. */
  nllBefore: number;
  nllAfter: number;
  eceBefore: number;
  eceAfter: number;
}

/** Fits and saves (see the module comment). `out` may be the model's own folder. */
export async function calibrateOnStrings(model: string, data: string, out: string, options: { backend?: BackendName } = {}): Promise<CalibrationResult> {
  const heldOut = splitStrings(readStringLabels(data)).heldOut;
  const { set } = await buildStringSet(heldOut, { mnistRejects: 0, rejectRatio: 1 });
  const clf = await Classifier.load(model, { workers: 1, backend: options.backend });
  const old = clf.metadata.temperature ?? 1;
  let probs: Float32Array;
  try {
    const px = Float32Array.from(set.images, (v) => v / 255);
    probs = await clf.predict(px, set.count);
  } finally {
    await clf.close();
  }
  const k0 = clf.numClasses;
  let labels = Array.from(set.labels);
  if (k0 === 10) {
    // A digits-only model: calibrate on the digit samples.
    const keep = labels.map((l, i) => (l < 10 ? i : -1)).filter((i) => i >= 0);
    const p = new Float32Array(keep.length * 10);
    keep.forEach((i, j) => p.set(probs.subarray(i * 10, i * 10 + 10), j * 10));
    probs = p;
    labels = keep.map((i) => labels[i]);
  }
  const k = k0;
  const pick = (half: number) => {
    const idx = labels.map((_, i) => i).filter((i) => i % 2 === half);
    const p = new Float32Array(idx.length * k);
    idx.forEach((i, j) => p.set(probs.subarray(i * k, (i + 1) * k), j * k));
    return { p, l: idx.map((i) => labels[i]) };
  };
  const fit = pick(0);
  const test = pick(1);
  const t = fitTemperature(fit.p, fit.l, k);
  const after = applyTemperature(test.p, k, t);
  const result: CalibrationResult = {
    temperature: old * t,
    samples: labels.length,
    nllBefore: nll(test.p, test.l, k),
    nllAfter: nll(after, test.l, k),
    eceBefore: eceOf(test.p, test.l, k),
    eceAfter: eceOf(after, test.l, k),
  };
  const src = resolve(model);
  const dst = resolve(out);
  const calibration = { data, split: 'heldout', ...result, date: new Date().toISOString() };
  const ensemble = readDigitEnsemble(src);
  if (ensemble) {
    // An ensemble's temperature applies to its averaged probabilities: it goes in ensemble.json.
    if (src !== dst) cpSync(src, dst, { recursive: true });
    writeFileSync(join(dst, 'ensemble.json'), JSON.stringify({ ...ensemble, temperature: result.temperature, calibration }, null, 1) + '\n');
    return result;
  }
  if (src !== dst) {
    mkdirSync(dst, { recursive: true });
    copyFileSync(join(src, 'weights.bin'), join(dst, 'weights.bin'));
  }
  const json = JSON.parse(readFileSync(join(src, 'model.json'), 'utf8'));
  json.userDefinedMetadata.temperature = result.temperature;
  json.userDefinedMetadata.calibration = calibration;
  writeFileSync(join(dst, 'model.json'), JSON.stringify(json));
  return result;
}
