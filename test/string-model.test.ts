/**
 * The string model (#4): CTC loss and gradient, decoding, field preparation, synthetic fields, and a
 * short training run that learns.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/classify/backend';
import { ctcForwardBackward, ctcGreedyDecode, ctcLogProbability, ctcLoss } from '../src/classify/ctc';
import { buildStringModel, decodeField, frameLogits, prepareField, STRING_CLASSES, STRING_FRAMES, STRING_NORMALIZATION } from '../src/classify/string-model';
import { augmentPrepared, greyClosing, synthField, synthSample } from '../src/classify/data/string-synth';
import { Rng } from '../src/classify/data/random';
import { withSeededRandom } from '../src/classify/seeded';
import { countParams } from '../src/classify/zoo';
import type { GrayImage } from '../src/types';
import { mnistTest, ROOT } from './helpers';
import { join } from 'node:path';
import { loadModel } from '../src/classify/model-io';
import { foldForInference } from '../src/classify/fold';

/** Log-softmax of rows of k. */
function logSoftmax(x: number[], k: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / k; r++) {
    const row = x.slice(r * k, (r + 1) * k);
    const m = Math.max(...row);
    const z = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) + m;
    row.forEach((v, j) => (out[r * k + j] = v - z));
  }
  return out;
}

/** p(label) by enumerating every path of T frames over K classes (blank last). */
function bruteForce(probs: Float32Array, T: number, K: number, label: number[]): number {
  let total = 0;
  const path = new Array(T).fill(0);
  const rec = (t: number, p: number) => {
    if (t === T) {
      const out: number[] = [];
      path.forEach((c, i) => {
        if (c !== K - 1 && (i === 0 || path[i - 1] !== c)) out.push(c);
      });
      if (out.join(',') === label.join(',')) total += p;
      return;
    }
    for (let k = 0; k < K; k++) {
      path[t] = k;
      rec(t + 1, p * probs[t * K + k]);
    }
  };
  rec(0, 1);
  return total;
}

describe('CTC', () => {
  const T = 5;
  const K = 4;
  const logits = Array.from({ length: T * K }, (_, i) => Math.sin(i * 1.7) * 1.5);
  const logp = logSoftmax(logits, K);
  const probs = Float32Array.from(logp, Math.exp);

  test.each([[[0, 1]], [[1, 1]], [[2]], [[]], [[0, 2, 0]]])('p(label %j) equals the sum over all paths', (label) => {
    expect(Math.exp(ctcLogProbability(probs, 0, T, K, label))).toBeCloseTo(bruteForce(probs, T, K, label), 6);
  });

  test('a label longer than the frames allow has probability 0', () => {
    expect(ctcLogProbability(probs, 0, T, K, [0, 0, 0, 0])).toBe(-Infinity); // 4 labels + 3 blanks between repeats: 7 frames
  });

  test.each([[[0, 1]], [[1, 1]], [[0, 2, 0]]])('the gradient of -log p(label %j) matches finite differences', (label) => {
    const grad = new Float32Array(T * K);
    ctcForwardBackward(logp, 0, T, K, label, K - 1, grad);
    for (let i = 0; i < T * K; i++) {
      const e = 1e-3;
      const up = logits.slice();
      up[i] += e;
      const down = logits.slice();
      down[i] -= e;
      const num = (ctcForwardBackward(logSoftmax(down, K), 0, T, K, label, K - 1) - ctcForwardBackward(logSoftmax(up, K), 0, T, K, label, K - 1)) / (2 * e);
      expect(grad[i]).toBeCloseTo(num, 3);
    }
  });

  test('ctcLoss is the batch mean and its TF.js gradient matches the recursions for every sample', async () => {
    await useBackend('cpu');
    const x = tf.tensor3d([...logits, ...logits.map((v) => -v)], [2, T, K]);
    const labels = [[0, 1], [2, 2]];
    const loss = ctcLoss(x, labels).dataSync()[0];
    const l0 = -ctcLogProbability(probs, 0, T, K, labels[0]);
    const l1 = -ctcForwardBackward(logSoftmax(logits.map((v) => -v), K), 0, T, K, labels[1], K - 1);
    expect(loss).toBeCloseTo((l0 + l1) / 2, 4);
    const g = tf.grad((a: tf.Tensor) => ctcLoss(a as tf.Tensor3D, labels))(x).dataSync();
    const g1 = new Float32Array(T * K);
    ctcForwardBackward(logSoftmax(logits.map((v) => -v), K), 0, T, K, labels[1], K - 1, g1);
    for (let i = 0; i < T * K; i++) expect(g[T * K + i]).toBeCloseTo(g1[i] / 2, 4);
  });

  test('best-path decoding merges repeats, drops blanks and keeps repeats split by a blank', () => {
    // frames: 1 1 blank 1 2 2 blank -> "1 1 2"
    const seq = [1, 1, 3, 1, 2, 2, 3];
    const p = new Float32Array(seq.length * K);
    seq.forEach((c, t) => {
      p.fill(0.1 / (K - 1), t * K, (t + 1) * K);
      p[t * K + c] = 0.9;
    });
    const d = ctcGreedyDecode(p, 0, seq.length, K);
    expect(d.labels).toEqual([1, 1, 2]);
    expect(d.frames).toEqual([[0, 1], [3, 3], [4, 5]]);
    expect(d.peaks.every((v) => Math.abs(v - 0.9) < 1e-6)).toBe(true);
  });
});

/** A light page with dark bars as "ink" at the given columns. */
function barsImage(width: number, height: number, bars: Array<[number, number]>): GrayImage {
  const data = new Uint8Array(width * height).fill(220);
  for (const [x0, x1] of bars) for (let y = Math.floor(height * 0.2); y < height * 0.8; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 30;
  return { width, height, data };
}

describe('field preparation', () => {
  const H = STRING_NORMALIZATION.height;
  const W = STRING_NORMALIZATION.width;

  test('scales to 32 px high, left-aligned, ink bright, background 0', () => {
    const f = prepareField(barsImage(128, 64, [[10, 20], [40, 50]]));
    expect(f.input.length).toBe(H * W);
    expect(f.scale).toBeCloseTo(2);
    expect(f.used).toBe(64);
    expect(f.input[(H / 2) * W + 7]).toBeCloseTo(1, 1); // bar at x 10-20 -> 5-10
    expect(f.input[(H / 2) * W + 15]).toBe(0); // paper
    expect(f.input[(H / 2) * W + 100]).toBe(0); // padding
  });

  test('a field wider than 4:1 is scaled to the width and centred vertically', () => {
    const f = prepareField(barsImage(400, 50, [[390, 398]]));
    expect(f.scale).toBeCloseTo(400 / W);
    expect(f.used).toBe(W);
    const rowsWithInk = Array.from({ length: H }, (_, y) => f.input[y * W + W - 2] > 0.5).filter(Boolean).length;
    expect(rowsWithInk).toBeGreaterThan(4);
    expect(f.input[0 * W + W - 2]).toBe(0);
  });

  test('a box selects part of the page, and decoded digit boxes land on the page', () => {
    const page = barsImage(300, 100, [[150, 160]]);
    const f = prepareField(page, [100, 20, 100, 60]);
    expect(f.box).toEqual([100, 20, 100, 60]);
    // Scale 60/32: the bar (page x 150-160, field x 50-60) is input x 26.7-32, frames 6-7 (4 px each).
    const K = STRING_CLASSES.length;
    const p = new Float32Array(STRING_FRAMES * K);
    for (let t = 0; t < STRING_FRAMES; t++) p[t * K + (t >= 6 && t <= 7 ? 7 : K - 1)] = 1;
    const r = decodeField(p, 0, f);
    expect(r.value).toBe('7');
    expect(r.confidence).toBeCloseTo(1, 5);
    const [x, y, w, h] = r.digits[0].box;
    expect(x).toBeLessThanOrEqual(150);
    expect(x + w).toBeGreaterThanOrEqual(160);
    expect(w).toBeLessThan(60);
    expect([y, h]).toEqual([20, 60]);
  });
});

describe('synthetic fields', () => {
  test('grey closing removes thin dark strokes and keeps the paper', () => {
    const img = barsImage(40, 30, [[10, 12]]);
    const paper = greyClosing(img, 3);
    expect(paper[15 * 40 + 11]).toBe(220);
    expect(paper[15 * 40 + 30]).toBe(220);
  });

  test('are seeded, hold their digits as ink, and come out prepared for the model', () => {
    const m = mnistTest();
    const src = { fields: [], patches: [], mnist: { images: m.images, labels: m.labels } };
    const a = synthField(src, new Rng(7));
    const b = synthField(src, new Rng(7));
    expect(a.digits).toBe(b.digits);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(a.digits).toMatch(/^\d{1,8}$/);
    const dark = a.image.data.filter((v) => v < 100).length;
    expect(dark).toBeGreaterThan(20 * a.digits.length);
    const s = synthSample(src, new Rng(8));
    expect(s.input.length).toBe(STRING_NORMALIZATION.height * STRING_NORMALIZATION.width);
    expect(Math.max(...s.input)).toBeGreaterThan(0.5);
    expect(Math.min(...s.input)).toBeGreaterThanOrEqual(0);
  });

  test('augmentation keeps the field inside the input', () => {
    const f = prepareField(barsImage(256, 64, [[230, 250]]));
    for (let i = 0; i < 20; i++) {
      const out = augmentPrepared(f, new Rng(i));
      const W = STRING_NORMALIZATION.width;
      const colInk = (x: number) => Array.from({ length: STRING_NORMALIZATION.height }, (_, y) => out[y * W + x]).reduce((a, v) => a + v, 0);
      let total = 0;
      for (let x = 0; x < W; x++) total += colInk(x);
      expect(total).toBeGreaterThan(30);
    }
  });
});

describe('string model', () => {
  test('reads with batch norms folded into its convolutions: the same logits as the trained network', async () => {
    await useBackend('wasm');
    const { model } = await loadModel(join(ROOT, 'models', 'amount', 'a'));
    const folded = foldForInference(model);
    expect(folded.layers.length).toBeLessThan(model.layers.length);
    const rng = new Rng(3);
    const fields = [0, 1, 2].map(() => {
      const g: GrayImage = { width: 200, height: 50, data: new Uint8Array(200 * 50).map(() => 180 + rng.int(60)) };
      for (let y = 15; y < 35; y++) for (let x = 20 + rng.int(20); x < 180; x += 7) g.data[y * 200 + x] = 30;
      return prepareField(g);
    });
    const a = frameLogits(model, fields);
    const b = frameLogits(folded, fields, 2);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-3);
  });
  test('maps a field to 32 frames of 11 classes', async () => {
    await useBackend('cpu');
    const m = withSeededRandom(1, () => buildStringModel());
    const y = m.predict(tf.zeros([2, STRING_NORMALIZATION.height, STRING_NORMALIZATION.width, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, STRING_FRAMES, STRING_CLASSES.length]);
    expect(countParams(m)).toBe(STRING_PARAMS);
  });

  test('a short seeded CTC training run on synthetic MNIST strings learns (loss falls by half)', async () => {
    await useBackend('wasm');
    const m = withSeededRandom(3, () => buildStringModel());
    const mn = mnistTest();
    const src = { fields: [], patches: [], mnist: { images: mn.images, labels: mn.labels } };
    const rng = new Rng(11);
    const H = STRING_NORMALIZATION.height;
    const W = STRING_NORMALIZATION.width;
    const B = 16;
    const batch = Array.from({ length: B }, () => synthSample(src, rng));
    const x = tf.tensor4d(Float32Array.from(batch.flatMap((b) => Array.from(b.input))), [B, H, W, 1]);
    const labels = batch.map((b) => Array.from(b.digits, Number));
    const opt = tf.train.adam(3e-3);
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const l = tf.tidy(() => opt.minimize(() => ctcLoss(m.apply(x, { training: true }) as tf.Tensor3D, labels), true)!.dataSync()[0]);
      losses.push(l);
    }
    expect(Math.min(...losses.slice(-5))).toBeLessThan(losses[0] / 2);
  });
});

/** Parameters of buildStringModel() (stated in its TSDoc). */
const STRING_PARAMS = 116_667;
