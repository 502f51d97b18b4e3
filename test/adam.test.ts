/**
 * The flat Adam the training workers use, against tf.train.adam (cpu backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/classify/backend';
import { FlatAdam } from '../src/classify/adam';
import { Rng } from '../src/classify/data/random';

const sizes = [6, 12, 3];
const total = sizes.reduce((a, b) => a + b, 0);

function randoms(n: number, rng: Rng, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** tf.train.adam on variables of `sizes`: weights after each of the `grads` steps, and its state. */
async function tfAdam(w0: Float32Array, grads: Float32Array[], lrs: number[]) {
  const vars: tf.Variable[] = [];
  let off = 0;
  for (const n of sizes) {
    vars.push(tf.variable(tf.tensor1d(w0.slice(off, off + n))));
    off += n;
  }
  const opt = tf.train.adam(1e-3);
  const after: Float32Array[] = [];
  grads.forEach((g, k) => {
    (opt as unknown as { learningRate: number }).learningRate = lrs[k];
    let o = 0;
    opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: tf.tensor1d(g.slice(o, (o += v.size))) })));
    after.push(Float32Array.from(vars.flatMap((v) => Array.from(v.dataSync()))));
  });
  const state = (await opt.getWeights()).map((s) => s.tensor.dataSync() as Float32Array);
  return { after, state };
}

function expectClose(a: Float32Array, b: Float32Array, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(tol);
}

describe('FlatAdam', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('takes the same steps as tf.train.adam, learning rate changing between steps', async () => {
    const rng = new Rng(3);
    const w0 = randoms(total, rng);
    const grads = [0, 1, 2, 3, 4].map(() => randoms(total, rng, 0.5));
    const lrs = [1e-3, 5e-3, 5e-3, 2e-2, 1e-4];
    const ref = await tfAdam(w0, grads, lrs);
    const w = w0.slice();
    const adam = new FlatAdam(total);
    grads.forEach((g, k) => {
      adam.step(w, g, lrs[k]);
      expectClose(w, ref.after[k]);
    });
    // The moved distance is real: a broken update would not match above, nor leave w where it was.
    expect(Math.max(...w.map((v, i) => Math.abs(v - w0[i])))).toBeGreaterThan(1e-3);
  });

  test('its state converts to and from tf.train.adam weights (checkpoints), and resumes the same', async () => {
    const rng = new Rng(4);
    const w0 = randoms(total, rng);
    const grads = [0, 1, 2, 3].map(() => randoms(total, rng, 0.5));
    const lrs = [1e-3, 1e-3, 1e-3, 1e-3];
    const ref = await tfAdam(w0, grads, lrs);
    // tf's state after 4 steps, restored, then one more step from the same weights: as tf's 5th step.
    const resumed = FlatAdam.fromTfWeights(ref.state, sizes);
    expect(resumed.iterations).toBe(4);
    const g5 = randoms(total, rng, 0.5);
    const ref5 = await tfAdam(w0, [...grads, g5], [...lrs, 1e-3]);
    const w = ref.after[3].slice();
    resumed.step(w, g5, 1e-3);
    expectClose(w, ref5.after[4]);
    // And back: the same arrays tf.train.adam would save.
    const mine = new FlatAdam(total);
    const w2 = w0.slice();
    grads.forEach((g, k) => mine.step(w2, g, lrs[k]));
    mine.toTfWeights(sizes).forEach((a, i) => expectClose(a, ref.state[i], 1e-6));
  });

  test('refuses a state of the wrong shape', () => {
    expect(() => FlatAdam.fromTfWeights([Float32Array.of(1)], sizes)).toThrow(/expected 7/);
  });
});
