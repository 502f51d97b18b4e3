/**
 * A classify worker thread: its own TF.js backend and copy of the model. Serves data-parallel
 * training steps (gradients of a shard; applying averaged gradients) and batch inference.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { BackendName, useBackend } from './backend';
import { fillBatch } from './batch';
import type { AugmentSpec } from './data/augment';
import { loadDigitModel } from './model-io';
import { foldAllForInference } from './fold';
import { DigitReaders, forward, readDigits } from './infer';
import { seedThreadRandom } from './seeded';
import { getPreset } from './zoo';
import { FlatAdam } from './adam';

/** Messages the worker understands. */
export type WorkerRequest =
  | { type: 'init-train'; arch: string; weights: Float32Array[]; optimizer?: Float32Array[]; seed: number; augment: AugmentSpec | null; images: Uint8Array; labels: Uint8Array; numClasses: number }
  | { type: 'init-model'; modelPath: string }
  | { type: 'step'; apply: Float32Array | null; applyLr: number; indices: Int32Array; seed: number }
  | { type: 'apply'; grads: Float32Array; lr: number }
  | { type: 'get-state' }
  | { type: 'set-weights'; weights: Float32Array[] }
  | { type: 'predict'; pixels: Float32Array; count: number }
  | { type: 'predict-rows'; indices: Int32Array };

let model: tfl.LayersModel | null = null;
/** The networks that read crops after `init-model` (several for a digit ensemble). */
let readers: DigitReaders | null = null;
let optimizer: FlatAdam | null = null;
/** The trainable weights, concatenated: what the optimizer updates. */
let flatWeights: Float32Array | null = null;
let images: Uint8Array | null = null;
let labels: Uint8Array | null = null;
let augment: AugmentSpec | null = null;
let numClasses = 10;

const port = parentPort!;
const { backend } = workerData as { backend: BackendName };

function requireModel(): tfl.LayersModel {
  if (!model) throw new Error('worker: model not initialized');
  return model;
}

function trainableVars(): tf.Variable[] {
  return requireModel().trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
}

function variableSizes(): number[] {
  return trainableVars().map((v) => v.size);
}

/** Reads the model's trainable weights into {@link flatWeights}. */
function readFlatWeights(): void {
  const vars = trainableVars();
  const flat = new Float32Array(vars.reduce((n, v) => n + v.size, 0));
  let off = 0;
  for (const v of vars) {
    flat.set(v.dataSync() as Float32Array, off);
    off += v.size;
  }
  flatWeights = flat;
}

/** One Adam step with the (averaged) flat gradient, written back into the model's variables. */
function applyFlat(flat: Float32Array, lr: number): void {
  const w = flatWeights!;
  optimizer!.step(w, flat, lr);
  let off = 0;
  tf.tidy(() => {
    for (const v of trainableVars()) {
      v.assign(tf.tensor(w.subarray(off, off + v.size), v.shape));
      off += v.size;
    }
  });
}

/** Cross-entropy on softmax outputs, as Keras computes it (clipped). */
function crossEntropy(probs: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1))) as tf.Scalar;
}

function step(indices: Int32Array, seed: number): { grads: Float32Array; loss: number; correct: number; n: number } {
  const m = requireModel();
  const n = indices.length;
  const buf = new Float32Array(n * 784);
  fillBatch(images!, indices, buf, augment, seed);
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) lab[i] = labels![indices[i]];
  // tidy returns tensors only: it walks what it returns, and a 200k-element typed array costs ~70 ms.
  const out = tf.tidy(() => {
    const x = tf.tensor4d(buf, [n, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(lab, 'int32'), numClasses);
    let correct: tf.Tensor | null = null;
    const vars = m.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const { value, grads } = tf.variableGrads(() => {
      const probs = m.apply(x, { training: true }) as tf.Tensor;
      // Kept past variableGrads' own scope; not on the loss path, so not differentiated.
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.tensor1d(lab, 'int32')), 'int32')));
      return crossEntropy(probs, y);
    }, vars);
    const flat = tf.concat(vars.map((v) => tf.reshape(grads[v.name], [-1])));
    return { flat, value, correct: correct as unknown as tf.Tensor };
  });
  const result = { grads: out.flat.dataSync() as Float32Array, loss: out.value.dataSync()[0], correct: out.correct.dataSync()[0], n };
  tf.dispose([out.flat, out.value, out.correct]);
  return result;
}

function predict(pixels: Float32Array, count: number): Float32Array {
  return readers ? readDigits(readers, pixels, count) : forward(requireModel(), pixels, count);
}

async function handle(msg: WorkerRequest): Promise<unknown> {
  switch (msg.type) {
    case 'init-train': {
      await useBackend(backend);
      seedThreadRandom(msg.seed);
      model = getPreset(msg.arch).build(msg.numClasses);
      model.setWeights(msg.weights.map((w, i) => tf.tensor(w, model!.weights[i].shape as number[])));
      readFlatWeights();
      const sizes = variableSizes();
      optimizer = msg.optimizer && msg.optimizer.length > 0 ? FlatAdam.fromTfWeights(msg.optimizer, sizes) : new FlatAdam(flatWeights!.length);
      images = msg.images;
      labels = msg.labels;
      augment = msg.augment;
      numClasses = msg.numClasses;
      return { ok: true };
    }
    case 'init-model': {
      await useBackend(backend);
      const loaded = await loadDigitModel(msg.modelPath);
      readers = {
        networks: foldAllForInference(loaded.networks),
        ...(loaded.unsure ? { unsure: { below: loaded.unsure.below, networks: foldAllForInference(loaded.unsure.networks) } } : {}),
      };
      return { ok: true };
    }
    case 'step': {
      if (msg.apply) applyFlat(msg.apply, msg.applyLr);
      const r = step(msg.indices, msg.seed);
      return r;
    }
    case 'apply':
      applyFlat(msg.grads, msg.lr);
      return { ok: true };
    case 'get-state': {
      const weights = requireModel().getWeights().map((t) => t.dataSync() as Float32Array);
      const opt = optimizer ? optimizer.toTfWeights(variableSizes()) : [];
      return { weights, optimizer: opt };
    }
    case 'set-weights': {
      const m = requireModel();
      m.setWeights(msg.weights.map((w, i) => tf.tensor(w, m.weights[i].shape as number[])));
      if (optimizer) readFlatWeights();
      return { ok: true };
    }
    case 'predict':
      return { probs: predict(msg.pixels, msg.count) };
    case 'predict-rows': {
      const n = msg.indices.length;
      const buf = new Float32Array(n * 784);
      fillBatch(images!, msg.indices, buf, null, 0);
      return { probs: predict(buf, n) };
    }
  }
}

port.on('message', (msg: WorkerRequest & { id: number }) => {
  handle(msg).then(
    (result) => {
      const transfer: ArrayBuffer[] = [];
      const r = result as { grads?: Float32Array; probs?: Float32Array };
      if (r && r.grads) transfer.push(r.grads.buffer as ArrayBuffer);
      if (r && r.probs) transfer.push(r.probs.buffer as ArrayBuffer);
      port.postMessage({ id: msg.id, result }, transfer);
    },
    (err: Error) => port.postMessage({ id: msg.id, error: err.stack ?? err.message }),
  );
});
