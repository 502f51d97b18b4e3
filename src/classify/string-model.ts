/**
 * The string model: a convolutional network that reads a whole field (a line of digits on its
 * background, grayscale, no segmentation) as a sequence of frames, trained with CTC (the
 * "segmentation-free" readers of the check-amount benchmark). Its input is the field scaled to 32 px
 * high; each of its 32 output frames covers 4 px of that width and holds the probabilities of the
 * ten digits and the blank.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Box, GrayImage } from '../types';
import { BackendName, useBackend } from './backend';
import { loadModel, ModelError, ModelMetadata, readDigitEnsemble } from './model-io';
import { resampleArea } from '../segment/normalize';
import { batchNormalization } from './kernels/batchnorm-train';
import { foldForInference } from './fold';
import { ctcGreedyDecode, ctcLogProbability } from './ctc';
import { logisticProbability, logit } from './calibrate';

/** How a field becomes the string model's input; stored in the model's metadata. */
export const STRING_NORMALIZATION = {
  name: 'field-line',
  height: 32,
  width: 128,
  /** Input pixels per output frame. */
  stride: 4,
  ink: 'bright-on-dark, background (median) at 0, 98th percentile at 1',
} as const;

/** Output classes: the digits, then the CTC blank. */
export const STRING_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'blank'];

const H = STRING_NORMALIZATION.height;
const W = STRING_NORMALIZATION.width;
export const STRING_FRAMES = W / STRING_NORMALIZATION.stride;

function convBn(filters: number, kernelSize: number | [number, number], extra: Partial<Parameters<typeof tfl.layers.conv2d>[0]> = {}): tfl.layers.Layer[] {
  return [tfl.layers.conv2d({ filters, kernelSize, padding: 'same', useBias: false, ...extra }), batchNormalization(), tfl.layers.activation({ activation: 'relu' })];
}

/**
 * Builds the string network (`string-cnn`, 116,667 parameters, 896 of them batch-norm statistics): four conv-BN-ReLU stages that halve
 * the height to 2 and the width to 32 frames, a 2x1 conv that collapses the height, two 1x3 convs
 * over neighbouring frames for context, and a 1x1 conv to the 11 classes (logits, no softmax).
 */
export function buildStringModel(): tfl.Sequential {
  const m = tfl.sequential();
  const layers: tfl.layers.Layer[] = [
    ...convBn(16, 3, { inputShape: [H, W, 1] }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    ...convBn(32, 3),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    ...convBn(48, 3),
    tfl.layers.maxPooling2d({ poolSize: [2, 1], strides: [2, 1] }),
    ...convBn(64, 3),
    tfl.layers.maxPooling2d({ poolSize: [2, 1], strides: [2, 1] }),
    ...convBn(96, [2, 1], { padding: 'valid' }),
    tfl.layers.dropout({ rate: 0.2 }),
    ...convBn(96, [1, 3]),
    ...convBn(96, [1, 3]),
    tfl.layers.conv2d({ filters: STRING_CLASSES.length, kernelSize: 1 }),
    tfl.layers.reshape({ targetShape: [STRING_FRAMES, STRING_CLASSES.length] }),
  ];
  layers.forEach((l) => m.add(l));
  return m;
}

/** A field prepared for the string model, and how its pixels map back to the page. */
export interface PreparedField {
  /** H x W floats, row-major. */
  input: Float32Array;
  /** Page pixels per input pixel. */
  scale: number;
  /** The part of the page that was read. */
  box: Box;
  /** Input columns that hold the field (the rest is padding). */
  used: number;
}

/**
 * Scales a field (the part `box` of a page, default all of it) to 32 px high, left-aligned in the
 * 128 px input (scaled down further when wider), ink bright: the median grey is the background
 * (0) and the 98th percentile of the ink darkness is 1. `xScale` stretches it horizontally (test-time
 * variants); `scale` is then the horizontal page pixels per input pixel.
 */
export function prepareField(gray: GrayImage, box: Box = [0, 0, gray.width, gray.height], xScale = 1): PreparedField {
  const [bx, by] = [Math.max(0, Math.round(box[0])), Math.max(0, Math.round(box[1]))];
  const bw = Math.max(1, Math.min(gray.width - bx, Math.round(box[2])));
  const bh = Math.max(1, Math.min(gray.height - by, Math.round(box[3])));
  const src = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) src[y * bw + x] = 1 - gray.data[(by + y) * gray.width + bx + x] / 255;
  let scale = bh / H;
  if ((bw * xScale) / scale > W) scale = (bw * xScale) / W;
  const dw = Math.max(1, Math.min(W, Math.round((bw * xScale) / scale)));
  const dh = Math.max(1, Math.min(H, Math.round(bh / scale)));
  const small = resampleArea(src, bw, bh, dw, dh);
  const sorted = Float32Array.from(small).sort();
  const bg = sorted[Math.floor(sorted.length * 0.5)];
  const hi = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.98))];
  const span = Math.max(hi - bg, 0.1);
  const input = new Float32Array(H * W);
  const top = Math.floor((H - dh) / 2);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) input[(top + y) * W + x] = Math.min(1, Math.max(0, (small[y * dw + x] - bg) / span));
  }
  return { input, scale: scale / xScale, box: [bx, by, bw, bh], used: dw };
}

/** One digit of a string reading. */
export interface StringDigit {
  value: string;
  /** The digit's peak probability over its frames. */
  confidence: number;
  /** Where it was read, in page pixels (its frames' columns, the field's height). */
  box: Box;
}

/** A field read by the string model. */
export interface StringRead {
  value: string;
  /** p(value | field): the probability of the string, summed over all its alignments. */
  confidence: number;
  digits: StringDigit[];
}

/** Best-path decoding of one field's frame probabilities, with digit boxes in page pixels. */
export function decodeField(probs: Float32Array, off: number, f: PreparedField): StringRead {
  const K = STRING_CLASSES.length;
  const T = STRING_FRAMES;
  const stride = STRING_NORMALIZATION.stride;
  const d = ctcGreedyDecode(probs, off, T, K);
  const confidence = Math.exp(ctcLogProbability(probs, off, T, K, d.labels));
  const digits = d.labels.map((l, i) => {
    // A digit's run of frames marks its centre; it spans about one digit width (the field height) around it.
    const c = ((d.frames[i][0] + d.frames[i][1] + 1) / 2) * stride * f.scale;
    const half = Math.max(((d.frames[i][1] - d.frames[i][0] + 1) * stride * f.scale) / 2, f.box[3] * 0.3);
    const x0 = Math.max(0, Math.round(c - half));
    const x1 = Math.min(f.box[2], Math.round(c + half));
    return { value: String(l), confidence: d.peaks[i], box: [f.box[0] + x0, f.box[1], x1 - x0, f.box[3]] as Box };
  });
  return { value: d.labels.join(''), confidence, digits };
}

/** The shipped string model for check amounts. */
export function defaultStringModelDir(): string {
  return resolve(__dirname, '..', '..', 'models', 'amount');
}

/**
 * `ensemble.json` of a string-model folder that combines several trained models (subfolders) and
 * reads each field at several horizontal scales.
 */
export interface StringEnsembleSpec {
  format: 'digitscan-string-ensemble';
  /** Model subfolders. */
  members: string[];
  /** Horizontal stretches each field is read at (1 = as is). */
  scales: number[];
  /** Calibration temperature applied to every member's logits. */
  temperature?: number;
  calibration?: Record<string, unknown>;
  /**
   * A second reader for the field's confidence: a digit model with a reject class (folder relative
   * to this one) reads the field digit by digit; whether it reads the same string, and how sure it
   * is, enter the field's confidence through {@link agreementConfidence} with these fitted weights.
   */
  second?: { model: string; weights?: number[] };
}

/** A string model's second reader (see {@link StringEnsembleSpec.second}). */
export interface SecondReader {
  /** The digit model's folder. */
  dir: string;
  /** Weights of {@link agreementConfidence}; without them the string model's own confidence stands. */
  weights?: number[];
}

/** The features {@link agreementConfidence} weighs: 1, logit of the string model's confidence, agreement, agreement x logit of the second reader's. */
export function agreementFeatures(confidence: number, agree: boolean, secondConfidence: number): number[] {
  return [1, logit(confidence), agree ? 1 : 0, agree ? logit(secondConfidence) : 0];
}

/**
 * A field's confidence from two readers: sigmoid(w . features), where the features are the string
 * model's confidence (as a logit), whether the second reader read the same string, and (when it
 * did) its own confidence. Fitted by `digitscan calibrate` so that it is the probability that the
 * string is right.
 */
export function agreementConfidence(confidence: number, agree: boolean, secondConfidence: number, weights: number[]): number {
  return logisticProbability(agreementFeatures(confidence, agree, secondConfidence), weights);
}

/** Whether a folder holds a string model (a model with kind `string`, or an ensemble of them). */
export function isStringModel(dir: string): boolean {
  if (existsSync(join(dir, 'ensemble.json'))) return readDigitEnsemble(dir) === null;
  const p = dir.endsWith('.json') ? dir : join(dir, 'model.json');
  if (!existsSync(p)) return false;
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { userDefinedMetadata?: { kind?: string } }).userDefinedMetadata?.kind === 'string';
  } catch {
    return false;
  }
}

/** A field to read: a page and the box of the field on it. */
export interface FieldImage {
  gray: GrayImage;
  box: Box;
}

/** Every variant's frame logits for a batch of fields: variant v = member (v / scales) at scale (v % scales). */
export interface VariantLogits {
  /** Prepared fields per scale. */
  prepared: PreparedField[][];
  /** Logits `[n, frames, classes]` per variant. */
  logits: Float32Array[];
}

/** Frame logits `[n, frames, classes]` of prepared fields, predicted `batch` at a time. */
export function frameLogits(model: tfl.LayersModel, fields: PreparedField[], batch = 64): Float32Array {
  const out = new Float32Array(fields.length * STRING_FRAMES * STRING_CLASSES.length);
  for (let i = 0; i < fields.length; i += batch) {
    const part = fields.slice(i, i + batch);
    const x = new Float32Array(part.length * H * W);
    part.forEach((f, j) => x.set(f.input, j * H * W));
    const y = tf.tidy(() => model.apply(tf.tensor4d(x, [part.length, H, W, 1]), { training: false }) as tf.Tensor);
    out.set(y.dataSync() as Float32Array, i * STRING_FRAMES * STRING_CLASSES.length);
    y.dispose();
  }
  return out;
}

/** Softmax (at temperature `t`) of `n` rows of `k` logits from `off`. */
export function softmaxRows(logits: Float32Array, off: number, n: number, k: number, t: number): Float32Array {
  const p = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, logits[off + r * k + j] / t);
    let z = 0;
    for (let j = 0; j < k; j++) z += p[r * k + j] = Math.exp(logits[off + r * k + j] / t - m);
    for (let j = 0; j < k; j++) p[r * k + j] /= z;
  }
  return p;
}

/** A string's probability (summed over alignments) averaged over the variants' frame probabilities. */
function meanProbability(probs: Float32Array[], value: string): number {
  const label = Array.from(value, Number);
  return probs.reduce((a, p) => a + Math.exp(ctcLogProbability(p, 0, STRING_FRAMES, STRING_CLASSES.length, label)), 0) / probs.length;
}

/** Every variant's frame probabilities `[frames, classes]` for field `i`, at `temperature`. */
function fieldProbabilities(v: VariantLogits, i: number, temperature: number): Float32Array[] {
  const K = STRING_CLASSES.length;
  const T = STRING_FRAMES;
  return v.logits.map((l) => softmaxRows(l, i * T * K, T, K, temperature));
}

/** The probability of `value` for field `i`, as {@link combineVariants} scores its candidates. */
export function variantsProbability(v: VariantLogits, i: number, value: string, temperature: number): number {
  return meanProbability(fieldProbabilities(v, i, temperature), value);
}

/**
 * Combines the variants' readings of field `i`: every variant's best path is a candidate; each
 * candidate is scored by its probability (summed over alignments) averaged over all variants; the
 * best wins, with that average as its confidence. Digit boxes come from the first variant that
 * read the winner.
 */
export function combineVariants(v: VariantLogits, i: number, temperature: number): StringRead {
  const scales = v.prepared.length;
  const probs = fieldProbabilities(v, i, temperature);
  const reads = probs.map((p, j) => decodeField(p, 0, v.prepared[j % scales][i]));
  if (probs.length === 1) return reads[0];
  const candidates = [...new Set(reads.map((r) => r.value))];
  let best = { value: '', score: -1 };
  for (const c of candidates) {
    const score = meanProbability(probs, c);
    if (score > best.score) best = { value: c, score };
  }
  const from = reads.find((r) => r.value === best.value)!;
  return { value: best.value, confidence: best.score, digits: from.digits };
}

/**
 * A loaded string model (one network, or an ensemble read at several scales): reads whole fields.
 *
 * @example
 * const sm = await StringModel.load();                 // models/amount
 * const [r] = sm.read([{ gray, box: [0, 0, gray.width, gray.height] }]);
 * console.log(r.value, r.confidence);
 */
export class StringModel {
  private constructor(
    readonly members: tfl.LayersModel[],
    readonly metadata: ModelMetadata,
    readonly dir: string,
    readonly scales: number[],
    readonly temperature: number,
    /** The second reader, when the ensemble names one. */
    readonly second?: SecondReader,
  ) {}

  /** Loads a string model folder; errors name the path (and say so when it is a digit model). */
  static async load(dir: string = defaultStringModelDir(), backend: BackendName = 'wasm'): Promise<StringModel> {
    await useBackend(backend);
    const ens = join(dir, 'ensemble.json');
    if (readDigitEnsemble(dir)) throw new ModelError(`${resolve(dir)}: not a string model (it is a digit ensemble; pass it as --model)`);
    if (existsSync(ens)) {
      let spec: StringEnsembleSpec;
      try {
        spec = JSON.parse(readFileSync(ens, 'utf8')) as StringEnsembleSpec;
      } catch (e) {
        throw new ModelError(`${ens}: corrupt string ensemble: not valid JSON (${(e as Error).message})`);
      }
      if (!Array.isArray(spec.members) || spec.members.length === 0) throw new ModelError(`${ens}: corrupt string ensemble: no members`);
      const loaded = [];
      for (const m of spec.members) loaded.push(await loadModel(join(dir, m)));
      for (const m of loaded) if (m.metadata.kind !== 'string') throw new ModelError(`${m.dir}: not a string model`);
      const second = spec.second?.model ? { dir: resolve(dir, spec.second.model), weights: spec.second.weights } : undefined;
      return new StringModel(loaded.map((m) => foldForInference(m.model)), loaded[0].metadata, resolve(dir), spec.scales?.length ? spec.scales : [1], spec.temperature ?? 1, second);
    }
    const m = await loadModel(dir);
    if (m.metadata.kind !== 'string') throw new ModelError(`${m.dir}: not a string model (it is a digit model; pass it as --model)`);
    return new StringModel([foldForInference(m.model)], m.metadata, m.dir, [1], m.metadata.temperature ?? 1);
  }

  /** Every variant's frame logits (for reading and calibration). */
  variantLogits(fields: FieldImage[], batch = 64): VariantLogits {
    const prepared = this.scales.map((sc) => fields.map((f) => prepareField(f.gray, f.box, sc)));
    const logits: Float32Array[] = [];
    // Every scale of a member in one batch (a call costs more than a field).
    const all = prepared.flat();
    const per = fields.length * STRING_FRAMES * STRING_CLASSES.length;
    for (const model of this.members) {
      const l = frameLogits(model, all, all.length <= 4 * batch ? all.length : batch);
      prepared.forEach((_, s) => logits.push(l.subarray(s * per, (s + 1) * per)));
    }
    return { prepared, logits };
  }

  /** Reads fields (see {@link combineVariants}); `temperature` defaults to the calibrated one. */
  read(fields: FieldImage[], temperature = this.temperature): StringRead[] {
    return this.readScoring(fields, temperature).reads;
  }

  /**
   * Reads fields, and gives the means to score other strings for them: `probability(i, value)` is
   * the probability of `value` for field `i`, measured as the readings' own confidences are.
   *
   * @example
   * const { reads, probability } = sm.readScoring(fields);
   * const p = probability(0, '1500'); // how likely field 0 says 1500, by this model
   */
  readScoring(fields: FieldImage[], temperature = this.temperature): { reads: StringRead[]; probability: (i: number, value: string) => number } {
    if (fields.length === 0) return { reads: [], probability: () => 0 };
    const v = this.variantLogits(fields);
    return { reads: fields.map((_, i) => combineVariants(v, i, temperature)), probability: (i, value) => variantsProbability(v, i, value, temperature) };
  }
}
