/**
 * Data-parallel training on worker threads: each step's batch is split into one shard per worker,
 * each worker (its own wasm backend) computes its shard's gradients, the averaged gradients are
 * applied by every worker to its identical copy of the model. Checkpoints every epoch and on
 * interrupt; `resume` continues from the last one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackendName, useBackend } from './backend';
import { AugmentSpec, PAPER_004_AUGMENT, SCAN_AUGMENT } from './data/augment';
import { concatDatasets, DigitDataset, isIdxSet, loadIdxSet, loadLabeledDigits, loadMnist, REJECT_CLASSES, REJECT_LABEL } from './data/dataset';
import { Rng } from './data/random';
import { loadModel, ModelMetadata, NORMALIZATION_SPEC, packageVersion, readDigitEnsemble, saveModel } from './model-io';
import { defaultWorkers, WorkerPool } from './pool';
import { mixSeed, withSeededRandom } from './seeded';
import { getPreset, learningRateAt, Recipe } from './zoo';
import { computeMetrics, digitsOnly } from './metrics';

/** Named augmentation settings for `--augment`. */
export const AUGMENTS: Record<string, AugmentSpec | null> = { none: null, paper: PAPER_004_AUGMENT, scan: SCAN_AUGMENT };

/** Options of {@link train}; unset fields come from the preset's recipe. */
export interface TrainOptions {
  /** Preset name; defaults to the `init` model's arch, else `vgg-bn`. */
  arch?: string;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate. */
  lr?: number;
  /** Warm-up epochs of a warmup-cosine schedule (0: cosine decay from the first step). */
  warmupEpochs?: number;
  /** `mnist` (default) or a folder of class folders / a TSV of image<TAB>label. */
  data?: string;
  /** Model folder whose weights start the training (fine-tuning). */
  init?: string;
  /** Output folder: the model (rewritten every epoch) and checkpoint/. */
  out: string;
  /** Continue from `out`'s checkpoint. */
  resume?: boolean;
  seed?: number;
  backend?: BackendName;
  /** Worker threads (default: cores). */
  workers?: number;
  /** `recipe` (default), `none`, `paper` (004) or `scan` (004 + scan-like variation). */
  augment?: string;
  validationSplit?: number;
  /** Use only the first N training samples (quick runs). */
  limit?: number;
  /** Also measure MNIST test accuracy at the end (default: when training on MNIST). */
  testAtEnd?: boolean;
  /** Set `stopped` to true (e.g. on Ctrl-C) to checkpoint and return after the current step. */
  signal?: { stopped: boolean };
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (log: EpochLog) => void;
  /** The command line that started this, for the metadata. */
  command?: string;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  samplesPerSec: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

export interface TrainResult {
  out: string;
  history: EpochLog[];
  interrupted: boolean;
  testAccuracy: number | null;
  samplesPerSec: number;
}

interface CheckpointState {
  arch: string;
  recipe: Recipe;
  seed: number;
  data: string;
  limit: number | null;
  epoch: number;
  step: number;
  history: EpochLog[];
  init: string | null;
  /** The training metadata of the `init` model (how the starting point was made). */
  initTraining?: Record<string, unknown> | null;
}

function resolveRecipe(base: Recipe, o: TrainOptions): Recipe {
  const r: Recipe = { ...base };
  if (o.epochs !== undefined) r.epochs = o.epochs;
  if (o.batchSize !== undefined) r.batchSize = o.batchSize;
  if (o.lr !== undefined) r.lr = o.lr;
  if (o.warmupEpochs !== undefined) {
    if (r.schedule.kind !== 'warmup-cosine') throw new Error(`--warmup-epochs needs a warmup-cosine recipe (this one is ${r.schedule.kind})`);
    if (!(o.warmupEpochs >= 0)) throw new Error('--warmup-epochs must be >= 0');
    r.schedule = { ...r.schedule, warmupEpochs: o.warmupEpochs };
  }
  if (o.validationSplit !== undefined) r.validationSplit = o.validationSplit;
  if (o.augment !== undefined && o.augment !== 'recipe') {
    if (!(o.augment in AUGMENTS)) throw new Error(`unknown --augment "${o.augment}": choose recipe, ${Object.keys(AUGMENTS).join(', ')}`);
    r.augment = AUGMENTS[o.augment];
  }
  if (!(r.epochs >= 1) || !(r.batchSize >= 1) || !(r.lr > 0)) throw new Error('epochs and batch size must be >= 1 and lr > 0');
  return r;
}

async function loadOne(data: string, onWarn: (m: string) => void): Promise<DigitDataset> {
  if (data === 'mnist' || data === 'mnist-train') return loadMnist('train');
  if (isIdxSet(data)) return loadIdxSet(data);
  return loadLabeledDigits(data, (p, e) => onWarn(`skipped ${p}: ${e.message}`));
}

/**
 * Loads `--data`: one source, or several joined by commas, each optionally repeated with `*N`
 * (e.g. `mnist,runs/check-crops*4`). A source is `mnist`, a set saved by `saveIdxSet` (labels 0-9
 * and 10 = reject), a folder of class folders, or a TSV.
 */
export async function loadData(data: string, onWarn: (m: string) => void = () => {}): Promise<DigitDataset> {
  const parts = data.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 1 && !/\*\d+$/.test(parts[0])) return loadOne(parts[0], onWarn);
  const sets = [];
  for (const p of parts) {
    const m = /^(.*)\*(\d+)$/.exec(p);
    sets.push({ set: await loadOne(m ? m[1] : p, onWarn), times: m ? Number(m[2]) : 1 });
  }
  return concatDatasets(sets, data);
}

/** Classes of a set: the digits, plus `reject` when any label is 10. */
export function classesOf(d: DigitDataset): string[] {
  return d.labels.some((l) => l === REJECT_LABEL) ? REJECT_CLASSES : REJECT_CLASSES.slice(0, 10);
}

/**
 * Fits initial weights to a model whose output layer has more classes (fine-tuning a digit model
 * into one with a reject class): the new output units start at zero weight and bias.
 */
function fitInitWeights(init: tf.Tensor[], model: { weights: Array<{ shape: Array<number | null> }> }): tf.Tensor[] | null {
  if (init.length !== model.weights.length) return null;
  const out: tf.Tensor[] = [];
  for (let i = 0; i < init.length; i++) {
    const want = model.weights[i].shape as number[];
    const have = init[i].shape;
    if (have.length === want.length && have.every((v, j) => v === want[j])) {
      out.push(init[i]);
      continue;
    }
    // Only the output layer's kernel and bias may differ, and only in their last (class) dimension.
    if (have[have.length - 1] !== 10 || have.length !== want.length || have.slice(0, -1).some((v, j) => v !== want[j]) || have[have.length - 1] > want[want.length - 1]) return null;
    const pad = want[want.length - 1] - have[have.length - 1];
    out.push(tf.concat([init[i], tf.zeros([...want.slice(0, -1), pad])], -1));
  }
  return out;
}

/** Splits row indices into train and validation with a seeded permutation. */
export function splitIndices(count: number, fraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  const perm = new Rng(mixSeed(seed, 0x5eed)).shuffle(Int32Array.from({ length: count }, (_, i) => i));
  const nVal = Math.min(count - 1, Math.round(count * fraction));
  return { train: perm.slice(0, count - nVal).sort(), val: perm.slice(count - nVal).sort() };
}

function shard(indices: Int32Array, parts: number): Int32Array[] {
  const out: Int32Array[] = [];
  const per = Math.ceil(indices.length / parts);
  for (let i = 0; i < parts; i++) {
    const s = indices.subarray(i * per, Math.min(indices.length, (i + 1) * per));
    if (s.length > 0) out.push(s.slice());
  }
  return out;
}

/** Predicts rows of the workers' dataset across the pool; returns probabilities. */
async function predictRows(pool: WorkerPool, rows: Int32Array, k: number, chunk = 1024): Promise<Float32Array> {
  const out = new Float32Array(rows.length * k);
  await pool.forEachChunk(rows.length, chunk, async (w, start, end) => {
    const r = await pool.call<{ probs: Float32Array }>(w, { type: 'predict-rows', indices: rows.slice(start, end) });
    out.set(r.probs, start * k);
  });
  return out;
}

function meanLoss(probs: Float32Array, labels: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s -= Math.log(Math.max(1e-7, probs[i * k + labels[i]]));
  return s / Math.max(1, labels.length);
}

/**
 * Trains a preset. Returns when all epochs are done or `signal.stopped` was set.
 *
 * @example
 * await train({ arch: 'compact', epochs: 1, out: 'runs/compact' });
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const out = resolve(o.out);
  const ckDir = join(out, 'checkpoint');
  const backend = o.backend ?? 'wasm';
  await useBackend(backend);
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);

  let state: CheckpointState;
  let initWeights: tf.Tensor[] | null = null;
  let optimizerState: Float32Array[] | undefined;
  if (o.resume) {
    const sp = join(ckDir, 'state.json');
    if (!existsSync(sp)) throw new Error(`--resume: no checkpoint in ${ckDir}`);
    state = JSON.parse(readFileSync(sp, 'utf8')) as CheckpointState;
    if (o.epochs !== undefined) state.recipe.epochs = o.epochs;
    initWeights = (await loadModel(out)).model.getWeights();
    const ob = readFileSync(join(ckDir, 'optimizer.bin'));
    const shapes = JSON.parse(readFileSync(join(ckDir, 'optimizer.json'), 'utf8')) as number[];
    optimizerState = [];
    let off = 0;
    for (const n of shapes) {
      optimizerState.push(new Float32Array(ob.buffer.slice(ob.byteOffset + off * 4, ob.byteOffset + (off + n) * 4)));
      off += n;
    }
  } else {
    let arch = o.arch;
    let initTraining: Record<string, unknown> | null = null;
    if (o.init) {
      const ensemble = readDigitEnsemble(o.init);
      if (ensemble) throw new Error(`--init ${o.init}: a digit ensemble; start from one of its networks instead (e.g. ${join(o.init, ensemble.members[0])})`);
      const init = await loadModel(o.init);
      arch ??= init.metadata.arch;
      initWeights = init.model.getWeights();
      initTraining = init.metadata.training ?? null;
    }
    arch ??= 'vgg-bn';
    const preset = getPreset(arch);
    state = {
      arch,
      recipe: resolveRecipe(preset.recipe, o),
      seed: o.seed ?? 1,
      data: o.data ?? 'mnist',
      limit: o.limit ?? null,
      epoch: 0,
      step: 0,
      history: [],
      init: o.init ?? null,
      initTraining,
    };
  }
  const preset = getPreset(state.arch);
  const recipe = state.recipe;
  const data = await loadData(state.data, warn);
  const classes = classesOf(data);
  const k = classes.length;
  const model = withSeededRandom(state.seed, () => preset.build(k));
  if (initWeights) {
    const fitted = fitInitWeights(initWeights, model);
    if (!fitted) throw new Error(`initial weights do not fit --arch ${state.arch} with ${k} classes`);
    model.setWeights(fitted);
  }

  const split = splitIndices(data.count, recipe.validationSplit, state.seed);
  let trainIdx = split.train;
  if (state.limit != null) trainIdx = trainIdx.subarray(0, Math.min(trainIdx.length, state.limit));
  const valIdx = split.val;
  const nWorkers = Math.max(1, Math.min(o.workers ?? defaultWorkers(), recipe.batchSize));
  const pool = new WorkerPool(nWorkers, backend);
  const nonTrainable = model.weights.map((w) => !w.trainable);

  const getWeights = () => model.getWeights().map((t) => t.dataSync() as Float32Array);
  const syncFromWorkers = async (): Promise<Float32Array[]> => {
    const states = await pool.all<{ weights: Float32Array[]; optimizer: Float32Array[] }>({ type: 'get-state' });
    const weights = states[0].weights.map((w, i) => {
      if (!nonTrainable[i] || states.length === 1) return w;
      // Batch-norm moving statistics: each worker saw its own shards; average them.
      const avg = new Float32Array(w.length);
      for (const s of states) for (let j = 0; j < w.length; j++) avg[j] += s.weights[i][j] / states.length;
      return avg;
    });
    model.setWeights(weights.map((w, i) => tf.tensor(w, model.weights[i].shape as number[])));
    await pool.all({ type: 'set-weights', weights });
    return states[0].optimizer;
  };

  const save = async (opt: Float32Array[], extra: Partial<ModelMetadata['metrics']> = {}) => {
    mkdirSync(ckDir, { recursive: true });
    const last = state.history[state.history.length - 1];
    const meta: ModelMetadata = {
      format: 'digitscan-model',
      arch: state.arch,
      classes,
      normalization: NORMALIZATION_SPEC,
      training: {
        recipe,
        seed: state.seed,
        workers: nWorkers,
        backend,
        epochsDone: state.epoch,
        init: state.init,
        ...(state.initTraining ? { initTraining: state.initTraining } : {}),
        command: o.command ?? null,
      },
      data: { source: state.data, train: trainIdx.length, validation: valIdx.length },
      metrics: { valAccuracy: last?.valAccuracy ?? null, history: state.history, ...extra },
      date: new Date().toISOString(),
      packageVersion: packageVersion(),
    };
    await saveModel(model, out, meta);
    const sizes = opt.map((a) => a.length);
    const buf = Buffer.alloc(sizes.reduce((a, b) => a + b, 0) * 4);
    let off = 0;
    for (const a of opt) {
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(buf, off * 4);
      off += a.length;
    }
    writeFileSync(join(ckDir, 'optimizer.bin'), buf);
    writeFileSync(join(ckDir, 'optimizer.json'), JSON.stringify(sizes));
    writeFileSync(join(ckDir, 'state.json'), JSON.stringify(state, null, 1));
  };

  let interrupted = false;
  let totalSamples = 0;
  let totalTime = 0;
  try {
    await pool.all({
      type: 'init-train',
      arch: state.arch,
      weights: getWeights(),
      optimizer: optimizerState,
      seed: state.seed,
      augment: recipe.augment,
      images: data.images,
      labels: data.labels,
      numClasses: k,
    });
    const B = recipe.batchSize;
    const steps = Math.ceil(trainIdx.length / B);
    let pending: Float32Array | null = null;
    let pendingLr = 0;
    for (let epoch = state.epoch; epoch < recipe.epochs && !interrupted; epoch++) {
      const perm = new Rng(mixSeed(state.seed, epoch + 1)).shuffle(trainIdx.slice());
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = recipe.lr;
      for (let s = epoch === state.epoch ? state.step : 0; s < steps; s++) {
        if (o.signal?.stopped) {
          interrupted = true;
          state.epoch = epoch;
          state.step = s;
          break;
        }
        lr = learningRateAt(recipe, epoch + s / steps);
        const shards = shard(perm.subarray(s * B, Math.min(trainIdx.length, (s + 1) * B)), nWorkers);
        const n = shards.reduce((a, x) => a + x.length, 0);
        const results = await Promise.all(
          shards.map((idx, w) =>
            pool.call<{ grads: Float32Array; loss: number; correct: number; n: number }>(w, {
              type: 'step',
              apply: pending,
              applyLr: pendingLr,
              indices: idx,
              seed: mixSeed(state.seed, epoch, s, w),
            }),
          ),
        );
        // Workers without a shard this step still need the pending update.
        for (let w = shards.length; w < nWorkers && pending; w++) await pool.call(w, { type: 'apply', grads: pending, lr: pendingLr });
        const avg = new Float32Array(results[0].grads.length);
        for (const r of results) {
          const f = r.n / n;
          for (let j = 0; j < avg.length; j++) avg[j] += r.grads[j] * f;
          lossSum += r.loss * r.n;
          correct += r.correct;
        }
        seen += n;
        pending = avg;
        pendingLr = lr;
        const el = (performance.now() - t0) / 1000;
        o.onProgress?.({ epoch: epoch + 1, epochs: recipe.epochs, step: s + 1, steps, loss: lossSum / seen, accuracy: correct / seen, samplesPerSec: seen / el });
      }
      if (pending) {
        await pool.all({ type: 'apply', grads: pending, lr: pendingLr });
        pending = null;
      }
      const seconds = (performance.now() - t0) / 1000;
      totalSamples += seen;
      totalTime += seconds;
      const opt = await syncFromWorkers();
      if (interrupted) {
        await save(opt, { interruptedAt: { epoch: state.epoch, step: state.step } });
        break;
      }
      let valLoss: number | null = null;
      let valAccuracy: number | null = null;
      if (valIdx.length > 0) {
        const probs = await predictRows(pool, valIdx, k);
        const labs = Array.from(valIdx, (i) => data.labels[i]);
        valLoss = meanLoss(probs, labs, k);
        valAccuracy = computeMetrics(labs, probs, k).accuracy;
      }
      const log: EpochLog = {
        epoch: epoch + 1,
        loss: lossSum / Math.max(1, seen),
        accuracy: correct / Math.max(1, seen),
        valLoss,
        valAccuracy,
        lr,
        seconds,
        samplesPerSec: seen / seconds,
      };
      state.history.push(log);
      state.epoch = epoch + 1;
      state.step = 0;
      await save(opt);
      o.onEpoch?.(log);
    }
    let testAccuracy: number | null = null;
    const testAtEnd = o.testAtEnd ?? state.data.split(',').some((p) => /^mnist(-train)?(\*\d+)?$/.test(p.trim()));
    if (!interrupted && testAtEnd) {
      const test = loadMnist('test');
      const probs = digitsOnly(await predictPixels(pool, test, 1000, k), k);
      testAccuracy = computeMetrics(Array.from(test.labels), probs).accuracy;
      const opt = (await pool.call<{ optimizer: Float32Array[] }>(0, { type: 'get-state' })).optimizer;
      await save(opt, { mnistTestAccuracy: testAccuracy });
    }
    return { out, history: state.history, interrupted, testAccuracy, samplesPerSec: totalTime > 0 ? totalSamples / totalTime : 0 };
  } finally {
    await pool.close();
    tf.dispose(model.weights.map((w) => w.read()));
  }
}

/** Predicts a whole dataset across the pool (workers initialized with a model). */
export async function predictPixels(pool: WorkerPool, d: DigitDataset, chunk = 1000, k = 10): Promise<Float32Array> {
  const out = new Float32Array(d.count * k);
  await pool.forEachChunk(d.count, chunk, async (w, start, end) => {
    const px = Float32Array.from(d.images.subarray(start * 784, end * 784), (v) => v / 255);
    const r = await pool.call<{ probs: Float32Array }>(w, { type: 'predict', pixels: px, count: end - start }, [px.buffer]);
    out.set(r.probs, start * k);
  });
  return out;
}

