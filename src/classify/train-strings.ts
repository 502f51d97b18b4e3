/**
 * Training the string model with CTC on labeled fields (`labels.tsv`, training split only) plus
 * synthetic fields made from their digit strokes and MNIST training digits. One thread (the CTC
 * recursions run in JS between the network's passes); a checkpoint every epoch, `resume` continues.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeImage } from '../io/image';
import { readStringLabels, splitStrings } from '../io/labels';
import { BackendName, useBackend } from './backend';
import { ctcLoss } from './ctc';
import { loadMnist } from './data/dataset';
import { Rng } from './data/random';
import { augmentPrepared, FieldSource, fieldSource, inkPatches, SynthSources, synthSample } from './data/string-synth';
import { loadModel, ModelMetadata, packageVersion, saveModel } from './model-io';
import { mixSeed, withSeededRandom } from './seeded';
import { buildStringModel, decodeField, frameLogits, prepareField, PreparedField, softmaxRows, STRING_CLASSES, STRING_FRAMES, STRING_NORMALIZATION } from './string-model';
import type * as tfl from '@tensorflow/tfjs-layers';

/** How the string model trains (every field overridable). */
export interface StringRecipe {
  epochs: number;
  batchSize: number;
  lr: number;
  /** Cosine decay to this. */
  minLr: number;
  /** Synthetic fields per epoch. */
  synthetic: number;
  /** Passes over the real training fields per epoch (each differently augmented). */
  realRepeats: number;
  seed: number;
}

export const STRING_RECIPE: StringRecipe = { epochs: 30, batchSize: 32, lr: 2e-3, minLr: 2e-5, synthetic: 4000, realRepeats: 3, seed: 1 };

/** Options of {@link trainStrings}. */
export interface TrainStringsOptions extends Partial<StringRecipe> {
  /** A folder with labels.tsv (its training split is used; every 10th of it validates). */
  data: string;
  out: string;
  resume?: boolean;
  /** A string model to start from. */
  init?: string;
  backend?: BackendName;
  /** Add MNIST training digits to the synthetic fields (default true). */
  mnist?: boolean;
  signal?: { stopped: boolean };
  onProgress?: (p: { epoch: number; epochs: number; step: number; steps: number; loss: number; samplesPerSec: number }) => void;
  onEpoch?: (log: StringEpochLog) => void;
  command?: string;
}

export interface StringEpochLog {
  epoch: number;
  loss: number;
  valStringAccuracy: number;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

interface StringState {
  recipe: StringRecipe;
  data: string;
  init: string | null;
  epoch: number;
  history: StringEpochLog[];
}

/** Decodes the labeled fields of `items`. */
async function loadFields(items: ReturnType<typeof readStringLabels>): Promise<FieldSource[]> {
  const out: FieldSource[] = [];
  for (const s of items) out.push(fieldSource(await decodeImage(s.path), s.digits, s.boxes));
  return out;
}

/** String accuracy of a model on prepared fields (best-path readings). */
export function stringAccuracy(model: tfl.LayersModel, fields: PreparedField[], truths: string[]): number {
  const n = STRING_FRAMES * STRING_CLASSES.length;
  const logits = frameLogits(model, fields);
  const right = fields.filter((f, i) => decodeField(softmaxRows(logits, i * n, STRING_FRAMES, STRING_CLASSES.length, 1), 0, f).value === truths[i]).length;
  return right / Math.max(1, fields.length);
}

/**
 * Trains (or resumes) a string model into `out`.
 *
 * @example
 * await trainStrings({ data: '../shared/data/orand-car-a', out: 'models/amount', epochs: 30 });
 */
export async function trainStrings(o: TrainStringsOptions): Promise<{ out: string; history: StringEpochLog[]; interrupted: boolean }> {
  const out = resolve(o.out);
  const ckDir = join(out, 'checkpoint');
  const backend = o.backend ?? 'wasm';
  await useBackend(backend);
  let state: StringState;
  if (o.resume) {
    const sp = join(ckDir, 'state.json');
    if (!existsSync(sp)) throw new Error(`--resume: no checkpoint in ${ckDir}`);
    state = JSON.parse(readFileSync(sp, 'utf8')) as StringState;
    if (o.epochs !== undefined) state.recipe.epochs = o.epochs;
  } else {
    const recipe: StringRecipe = { ...STRING_RECIPE };
    for (const k of Object.keys(STRING_RECIPE) as Array<keyof StringRecipe>) if (o[k] !== undefined) recipe[k] = o[k] as number;
    state = { recipe, data: o.data, init: o.init ?? null, epoch: 0, history: [] };
  }
  const recipe = state.recipe;
  const all = readStringLabels(state.data);
  const train = splitStrings(all).train;
  // Every 10th training field validates (the held-out split stays untouched for measurements).
  const valItems = train.filter((_, i) => i % 10 === 9);
  const fitItems = train.filter((_, i) => i % 10 !== 9);
  const fields = await loadFields(fitItems);
  const valFields: PreparedField[] = [];
  for (const s of valItems) valFields.push(prepareField(await decodeImage(s.path)));
  const valTruth = valItems.map((s) => s.digits);
  const mnist = o.mnist === false ? undefined : loadMnist('train');
  const sources: SynthSources = { fields, patches: fields.flatMap(inkPatches), mnist: mnist && { images: mnist.images, labels: mnist.labels } };
  const realPrepared = fields.map((f) => prepareField(f.image));

  const model = withSeededRandom(recipe.seed, () => buildStringModel());
  if (o.resume) model.setWeights((await loadModel(out)).model.getWeights());
  else if (state.init) model.setWeights((await loadModel(state.init)).model.getWeights());
  const optimizer = tf.train.adam(recipe.lr);
  const vars = () => model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  if (o.resume && existsSync(join(ckDir, 'optimizer.bin'))) {
    const shapes = JSON.parse(readFileSync(join(ckDir, 'optimizer.json'), 'utf8')) as number[][];
    const buf = readFileSync(join(ckDir, 'optimizer.bin'));
    // One zero-gradient step creates the optimizer's variables; then they are overwritten.
    const vs = vars();
    const saved = model.getWeights().map((t) => t.clone());
    optimizer.applyGradients(Object.fromEntries(vs.map((v) => [v.name, tf.zerosLike(v)])));
    model.setWeights(saved);
    const specs = await optimizer.getWeights();
    let off = buf.byteOffset;
    await optimizer.setWeights(
      specs.map((s, i) => {
        const n = shapes[i].reduce((a, b) => a * b, 1);
        const t = tf.tensor(new Float32Array(buf.buffer.slice(off, off + n * 4)), shapes[i]);
        off += n * 4;
        return { name: s.name, tensor: t };
      }),
    );
  }

  const save = async () => {
    mkdirSync(ckDir, { recursive: true });
    const last = state.history[state.history.length - 1];
    const meta: ModelMetadata = {
      format: 'digitscan-model',
      kind: 'string',
      arch: 'string-cnn',
      classes: STRING_CLASSES,
      normalization: STRING_NORMALIZATION,
      training: { recipe, backend, epochsDone: state.epoch, init: state.init, command: o.command ?? null, loss: 'ctc' },
      data: { source: state.data, split: 'train (every 5th field held out); every 10th training field validates', train: fitItems.length, validation: valItems.length, synthetic: recipe.synthetic, mnist: !!mnist },
      metrics: { valStringAccuracy: last?.valStringAccuracy ?? null, history: state.history },
      date: new Date().toISOString(),
      packageVersion: packageVersion(),
    };
    await saveModel(model, out, meta);
    const ws = await optimizer.getWeights();
    writeFileSync(join(ckDir, 'optimizer.bin'), Buffer.concat(ws.map((w) => Buffer.from((w.tensor.dataSync() as Float32Array).buffer))));
    writeFileSync(join(ckDir, 'optimizer.json'), JSON.stringify(ws.map((w) => w.tensor.shape)));
    writeFileSync(join(ckDir, 'state.json'), JSON.stringify(state, null, 1));
  };

  const H = STRING_NORMALIZATION.height;
  const W = STRING_NORMALIZATION.width;
  const B = recipe.batchSize;
  let interrupted = false;
  for (let epoch = state.epoch; epoch < recipe.epochs; epoch++) {
    const rng = new Rng(mixSeed(recipe.seed, epoch + 1));
    // The epoch's samples: the real fields `realRepeats` times, then synthetic ones, shuffled.
    const order: number[] = [];
    for (let r = 0; r < recipe.realRepeats; r++) for (let i = 0; i < realPrepared.length; i++) order.push(i);
    for (let i = 0; i < recipe.synthetic; i++) order.push(-1);
    const perm = rng.shuffle(Int32Array.from(order));
    const steps = Math.floor(perm.length / B);
    const t = epoch / recipe.epochs;
    const lr = recipe.minLr + 0.5 * (recipe.lr - recipe.minLr) * (1 + Math.cos(Math.PI * t));
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const t0 = performance.now();
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      if (o.signal?.stopped) {
        interrupted = true;
        break;
      }
      const x = new Float32Array(B * H * W);
      const labels: number[][] = [];
      for (let j = 0; j < B; j++) {
        const i = perm[s * B + j];
        const sample = i >= 0 ? { input: augmentPrepared(realPrepared[i], rng), digits: fields[i].digits } : synthSample(sources, rng);
        x.set(sample.input, j * H * W);
        labels.push(Array.from(sample.digits, Number));
      }
      const loss = tf.tidy(() => {
        const xs = tf.tensor4d(x, [B, H, W, 1]);
        const cost = optimizer.minimize(() => ctcLoss(model.apply(xs, { training: true }) as tf.Tensor3D, labels), true, vars());
        return cost!.dataSync()[0];
      });
      lossSum += loss;
      const el = (performance.now() - t0) / 1000;
      o.onProgress?.({ epoch: epoch + 1, epochs: recipe.epochs, step: s + 1, steps, loss: lossSum / (s + 1), samplesPerSec: ((s + 1) * B) / el });
    }
    if (interrupted) break;
    const seconds = (performance.now() - t0) / 1000;
    const log: StringEpochLog = { epoch: epoch + 1, loss: lossSum / Math.max(1, steps), valStringAccuracy: stringAccuracy(model, valFields, valTruth), lr, seconds, samplesPerSec: (steps * B) / seconds };
    state.history.push(log);
    state.epoch = epoch + 1;
    await save();
    o.onEpoch?.(log);
  }
  return { out, history: state.history, interrupted };
}
