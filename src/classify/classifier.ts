/**
 * The digit classifier: a model loaded once per process, run in-process for small batches and
 * across worker threads (one backend each) for large ones.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { BackendName, useBackend } from './backend';
import { defaultModelDir, loadDigitModel, ModelError, ModelMetadata } from './model-io';
import { defaultWorkers, WorkerPool } from './pool';
import type { DigitCrop } from '../types';
import { argmaxRow } from './metrics';
import { foldAllForInference } from './fold';
import { DigitGate, DigitReaders, gateParts, gateWeight, meanDistance, readDigits, weighParts } from './infer';
import { isStringModel } from './string-model';

/** One classified digit. */
export interface Prediction {
  /** The most likely class. */
  digit: number;
  /** Its probability (calibrated when the model carries a temperature). */
  confidence: number;
  /** Probability of each digit 0-9. */
  probabilities: number[];
  /**
   * Probability that the crop is not a digit at all (a bad cut, a separator, a fragment), from a
   * model with a `reject` class; 0 for a digits-only model. The digit probabilities and this sum to 1.
   */
  reject: number;
}

/** Options for {@link Classifier.load}. */
export interface ClassifierOptions {
  /** TF.js backend, default `wasm`. */
  backend?: BackendName;
  /** Worker threads for large batches (default: cores; 1 = in-process only). */
  workers?: number;
  /** Batches at least this large go to the workers (default 2048). */
  parallelThreshold?: number;
}

/** Softens probabilities with a temperature: softmax(log p / T). */
export function applyTemperature(probs: Float32Array, k: number, t: number): Float32Array {
  if (t === 1) return probs;
  const out = new Float32Array(probs.length);
  for (let i = 0; i < probs.length / k; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, Math.log(Math.max(probs[i * k + c], 1e-12)) / t);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(Math.log(Math.max(probs[i * k + c], 1e-12)) / t - max);
      out[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c] /= sum;
  }
  return out;
}

/**
 * A loaded digit model: one network, or a digit ensemble (a folder with `ensemble.json`) whose
 * networks' probabilities are averaged.
 *
 * @example
 * const clf = await Classifier.load();               // the shipped default model
 * const [p] = await clf.classify([normalizeDigit(img)]);
 * console.log(p.digit, p.confidence);
 * await clf.close();
 */
export class Classifier {
  private pool: WorkerPool | null = null;

  private constructor(
    /** The networks that read each crop, folded for inference (one unless the model is an ensemble). */
    readonly networks: tfl.LayersModel[],
    /** An ensemble's networks that read the crops the others are unsure of (see `DigitEnsembleSpec.unsure`). */
    readonly unsure: DigitReaders['unsure'],
    readonly metadata: ModelMetadata,
    /** The model folder it was loaded from. */
    readonly modelPath: string,
    /** The TF.js backend it runs on. */
    readonly backend: BackendName,
    private readonly workers: number,
    private readonly parallelThreshold: number,
    /** An ensemble's page gate (see `DigitEnsembleSpec.gate`). */
    private readonly gate?: DigitGate,
    /** For a page reader ({@link forPage}): the gated member's weight, once its first batch set it. */
    private readonly page?: { weight: number | null; distance: number | null },
  ) {}

  /**
   * A reader of one page: the same networks, which for an ensemble with a page gate (see
   * `DigitEnsembleSpec.gate`) weigh their members by the first batch it classifies, and keep that
   * weighing for every later batch. A model with no gate, and a page reader, return themselves.
   * The scan reads each page with its own.
   *
   * @example
   * const reader = clf.forPage();
   * const digits = await reader.classify(cropsOfThePage);   // sets the page's weighing
   * const again = await reader.classify(recutCrops);        // read with the same weighing
   */
  forPage(): Classifier {
    return this.page ? this : this.freshPage();
  }

  /**
   * A new page reader of the same model, for another reading of a page (turned upright, read at
   * another scale), whose weighing its own first batch sets: a page read upside down sets the two
   * networks apart, and its weighing must not carry over to the page turned. A model with no gate
   * returns itself.
   */
  freshPage(): Classifier {
    if (!this.gate) return this;
    return new Classifier(this.networks, this.unsure, this.metadata, this.modelPath, this.backend, 1, Infinity, this.gate, { weight: null, distance: null });
  }

  /**
   * For a page reader of a gated ensemble: the gated member's weight on this page and the distance
   * between the members' readings that set it (null before its first batch, and for other readers).
   */
  get pageWeighing(): { weight: number; distance: number } | null {
    return this.page && this.page.weight !== null && this.page.distance !== null ? { weight: this.page.weight, distance: this.page.distance } : null;
  }

  /** Loads a model folder (default: the shipped `models/default`). */
  static async load(modelPath: string = defaultModelDir(), options: ClassifierOptions = {}): Promise<Classifier> {
    const backend = options.backend ?? 'wasm';
    await useBackend(backend);
    if (isStringModel(modelPath)) throw new ModelError(`${modelPath}: a string model (it reads whole fields), not a digit model: pass it as --string-model`);
    const { networks, unsure, gate, metadata, dir } = await loadDigitModel(modelPath);
    const folded = unsure ? { below: unsure.below, networks: foldAllForInference(unsure.networks) } : undefined;
    return new Classifier(foldAllForInference(networks), folded, metadata, dir, backend, options.workers ?? defaultWorkers(), options.parallelThreshold ?? 2048, gate);
  }

  /** Number of output classes. */
  get numClasses(): number {
    return this.metadata.classes.length;
  }

  private predictLocal(pixels: Float32Array, count: number): Float32Array {
    if (this.page && this.gate && count > 0) {
      const parts = gateParts(this.networks, this.gate, pixels, count);
      if (this.page.weight === null) {
        this.page.distance = meanDistance(parts.member, parts.others, this.numClasses);
        this.page.weight = gateWeight(this.gate, this.page.distance, 1 / this.networks.length);
      }
      return weighParts(parts, this.page.weight);
    }
    return readDigits({ networks: this.networks, unsure: this.unsure }, pixels, count);
  }

  private async predictParallel(pixels: Float32Array, count: number, chunk = 4096): Promise<Float32Array> {
    if (!this.pool) {
      this.pool = new WorkerPool(this.workers, this.backend);
      await this.pool.all({ type: 'init-model', modelPath: this.modelPath });
    }
    const pool = this.pool;
    const k = this.numClasses;
    const out = new Float32Array(count * k);
    await pool.forEachChunk(count, chunk, async (w, start, end) => {
      const px = pixels.slice(start * 784, end * 784);
      const r = await pool.call<{ probs: Float32Array }>(w, { type: 'predict', pixels: px, count: end - start }, [px.buffer]);
      out.set(r.probs, start * k);
    });
    return out;
  }

  /**
   * Class probabilities for `count` normalized 28x28 images packed in `pixels` (count*784 floats,
   * 0..1, ink bright). Row-major `count x numClasses`.
   */
  async predict(pixels: Float32Array, count: number): Promise<Float32Array> {
    if (pixels.length !== count * 784) throw new Error(`predict: ${pixels.length} values for ${count} images of 784`);
    const raw =
      this.workers > 1 && count >= this.parallelThreshold ? await this.predictParallel(pixels, count) : this.predictLocal(pixels, count);
    return applyTemperature(raw, this.numClasses, this.metadata.temperature ?? 1);
  }

  /** Classifies normalized crops (see `normalizeDigit`). */
  async classify(crops: DigitCrop[]): Promise<Prediction[]> {
    const px = new Float32Array(crops.length * 784);
    crops.forEach((c, i) => px.set(c.pixels, i * 784));
    const probs = await this.predict(px, crops.length);
    const k = this.numClasses;
    return crops.map((_, i) => {
      const row = probs.subarray(i * k, (i + 1) * k);
      const d = argmaxRow(row, 0, 10);
      return { digit: d, confidence: row[d], probabilities: Array.from(row.subarray(0, 10)), reject: k > 10 ? row[10] : 0 };
    });
  }

  /** Stops the worker threads, if any were started. */
  async close(): Promise<void> {
    if (this.pool) await this.pool.close();
    this.pool = null;
  }
}
