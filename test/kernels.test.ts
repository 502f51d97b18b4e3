/**
 * The project's training kernels on wasm against the cpu backend's own implementation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/classify/backend';
import { Rng } from '../src/classify/data/random';
import { batchNormTrain } from '../src/classify/kernels/batchnorm-train';
import { nativeStatus } from '../src/classify/kernels/native';

function rand(shape: number[], seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal());
}

/** Runs `f` on a backend with fresh tensors from `inputs`; returns plain arrays. */
async function on(backend: 'cpu' | 'wasm', inputs: Array<[Float32Array, number[]]>, f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  return tf.tidy(() => {
    const ts = inputs.map(([d, s]) => tf.tensor(d, s));
    const r = f(...ts);
    return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
  });
}

function expectClose(a: Float32Array[], b: Float32Array[], rtol = 1e-4): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    expect(x.length).toBe(b[i].length);
    let scale = 1e-6;
    let worst = 0;
    for (let j = 0; j < x.length; j++) {
      scale = Math.max(scale, Math.abs(b[i][j]));
      worst = Math.max(worst, Math.abs(x[j] - b[i][j]));
    }
    expect(worst / scale).toBeLessThan(rtol);
  });
}

async function compare(inputs: Array<[Float32Array, number[]]>, f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[], rtol = 1e-4) {
  const ref = await on('cpu', inputs, f);
  const got = await on('wasm', inputs, f);
  expectClose(got, ref, rtol);
}

describe('conv2d gradients (Conv2DBackpropInput, Conv2DBackpropFilter) on wasm vs cpu', () => {
  const cases: Array<{ n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'valid' | 'same' }> = [
    { n: 2, h: 9, w: 9, ci: 1, co: 4, k: 3, s: 1, pad: 'valid' },
    { n: 3, h: 8, w: 7, ci: 3, co: 5, k: 3, s: 1, pad: 'same' },
    { n: 2, h: 10, w: 10, ci: 4, co: 6, k: 5, s: 2, pad: 'valid' },
    { n: 2, h: 9, w: 11, ci: 2, co: 8, k: 3, s: 2, pad: 'same' },
    { n: 4, h: 12, w: 12, ci: 8, co: 16, k: 5, s: 1, pad: 'same' },
    { n: 2, h: 8, w: 8, ci: 6, co: 3, k: 1, s: 2, pad: 'valid' },
    // Shapes for the native kernels' paths: several 32-wide panels with a masked tail, 17..32 and
    // 5..16 output channels, a few outputs (dot products), more than one 256-pixel block.
    { n: 3, h: 11, w: 9, ci: 5, co: 70, k: 3, s: 1, pad: 'same' },
    { n: 2, h: 12, w: 12, ci: 33, co: 20, k: 3, s: 1, pad: 'valid' },
    { n: 4, h: 20, w: 19, ci: 3, co: 12, k: 5, s: 1, pad: 'same' },
    { n: 2, h: 10, w: 10, ci: 40, co: 2, k: 3, s: 1, pad: 'same' },
    { n: 3, h: 13, w: 13, ci: 7, co: 36, k: 3, s: 2, pad: 'same' },
  ];
  test.each(cases)('n=$n h=$h w=$w ci=$ci co=$co k=$k stride=$s $pad', async ({ n, h, w, ci, co, k, s, pad }) => {
    const x: [Float32Array, number[]] = [rand([n, h, w, ci], 1), [n, h, w, ci]];
    const f: [Float32Array, number[]] = [rand([k, k, ci, co], 2), [k, k, ci, co]];
    const oh = pad === 'same' ? Math.ceil(h / s) : Math.floor((h - k) / s) + 1;
    const ow = pad === 'same' ? Math.ceil(w / s) : Math.floor((w - k) / s) + 1;
    const r: [Float32Array, number[]] = [rand([n, oh, ow, co], 3), [n, oh, ow, co]];
    await compare([x, f, r], (xx, ff, rr) => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), rr)));
      return g([xx, ff]);
    });
  });
  test('conv2dTranspose (forward use of Conv2DBackpropInput)', async () => {
    const dy: [Float32Array, number[]] = [rand([2, 5, 5, 6], 4), [2, 5, 5, 6]];
    const f: [Float32Array, number[]] = [rand([3, 3, 4, 6], 5), [3, 3, 4, 6]];
    await compare([dy, f], (a, b) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 10, 10, 4], 2, 'same'));
  });
});

describe('native convolution kernels (native/, built by npm install)', () => {
  test('are in use on wasm (set DIGITSCAN_NATIVE=0 to run without them)', async () => {
    await useBackend('wasm');
    if (process.env.DIGITSCAN_NATIVE === '0') {
      expect(nativeStatus().addon).toBeNull();
      return;
    }
    expect(nativeStatus().why).toBe('native kernels (AVX-512)');
  });
  const cases: Array<{ n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'valid' | 'same'; act: 'linear' | 'relu' | 'elu' }> = [
    { n: 3, h: 13, w: 11, ci: 5, co: 40, k: 3, s: 1, pad: 'same', act: 'relu' },
    { n: 2, h: 28, w: 28, ci: 1, co: 3, k: 5, s: 1, pad: 'valid', act: 'linear' },
    { n: 2, h: 15, w: 14, ci: 7, co: 17, k: 3, s: 2, pad: 'same', act: 'relu' },
    { n: 5, h: 10, w: 10, ci: 32, co: 64, k: 3, s: 1, pad: 'valid', act: 'linear' },
    { n: 2, h: 9, w: 9, ci: 4, co: 8, k: 3, s: 1, pad: 'same', act: 'elu' },
  ];
  test('MaxPoolGrad gives a tied window\'s gradient to its first maximum, as cpu does', async () => {
    if (process.env.DIGITSCAN_NATIVE === '0') return; // the wasm fast path splits ties (see fast paths)
    // Rounded values (and ReLU zeros) make ties common.
    const x: [Float32Array, number[]] = [rand([3, 10, 9, 20], 14).map((v) => Math.max(0, Math.round(v))), [3, 10, 9, 20]];
    const r: [Float32Array, number[]] = [rand([3, 5, 4, 20], 15), [3, 5, 4, 20]];
    await compare([x, r], (xx, rr) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), rr)))(xx));
  });
  test.each(cases)('fused conv2d + bias ($act) n=$n h=$h w=$w ci=$ci co=$co k=$k stride=$s $pad', async ({ n, h, w, ci, co, k, s, pad, act }) => {
    const x: [Float32Array, number[]] = [rand([n, h, w, ci], 11), [n, h, w, ci]];
    const f: [Float32Array, number[]] = [rand([k, k, ci, co], 12), [k, k, ci, co]];
    const b: [Float32Array, number[]] = [rand([co], 13), [co]];
    await compare([x, f, b], (xx, ff, bb) => [
      tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ff as tf.Tensor4D, strides: s, pad, bias: bb, activation: act }),
      tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, s, pad),
    ]);
  });
});

describe('batch norm on wasm vs cpu', () => {
  test.each([[[4, 6, 6, 8]], [[16, 12]]])('training op and its gradient, shape %j', async (shape) => {
    const c = shape[shape.length - 1];
    const axes = shape.slice(0, -1).map((_, i) => i);
    const x: [Float32Array, number[]] = [rand(shape, 6).map((v) => 3 * v + 1), shape];
    const g: [Float32Array, number[]] = [rand([c], 7).map((v) => 1 + 0.2 * v), [c]];
    const b: [Float32Array, number[]] = [rand([c], 8), [c]];
    const r: [Float32Array, number[]] = [rand(shape, 9), shape];
    // Reference: the library's moments + batchNorm on cpu, differentiated op by op.
    const ref = await on('cpu', [x, g, b, r], (xx, gg, bb, rr) => {
      const f = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const m = tf.moments(a, axes);
        return tf.sum(tf.mul(tf.batchNorm(a, m.mean, m.variance, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), rr));
      };
      return [f(xx, gg, bb), ...tf.grads(f)([xx, gg, bb])];
    });
    const got = await on('wasm', [x, g, b, r], (xx, gg, bb, rr) => {
      const f = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a, s as tf.Tensor1D, o as tf.Tensor1D, 1e-3).y, rr));
      return [f(xx, gg, bb), ...tf.grads(f)([xx, gg, bb])];
    });
    expectClose(got, ref, 2e-4);
  });

  test('FusedBatchNorm gradient (broadcasting) matches elementary ops', async () => {
    const shape = [3, 5, 5, 4];
    const x: [Float32Array, number[]] = [rand(shape, 10), shape];
    const mv: [Float32Array, number[]] = [rand([4], 11), [4]];
    const vv: [Float32Array, number[]] = [rand([4], 12).map((v) => 1 + Math.abs(v)), [4]];
    const sc: [Float32Array, number[]] = [rand([4], 13), [4]];
    const of: [Float32Array, number[]] = [rand([4], 14), [4]];
    const r: [Float32Array, number[]] = [rand(shape, 15), shape];
    const elementary = await on('cpu', [x, mv, vv, sc, of, r], (a, m, v, s, o, rr) =>
      tf.grads((a1: tf.Tensor, m1: tf.Tensor, v1: tf.Tensor, s1: tf.Tensor, o1: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.mul(tf.mul(tf.sub(a1, m1), tf.rsqrt(tf.add(v1, 1e-3))), s1), o1), rr)),
      )([a, m, v, s, o]),
    );
    for (const be of ['cpu', 'wasm'] as const) {
      const fused = await on(be, [x, mv, vv, sc, of, r], (a, m, v, s, o, rr) =>
        tf.grads((a1: tf.Tensor, m1: tf.Tensor, v1: tf.Tensor, s1: tf.Tensor, o1: tf.Tensor) =>
          tf.sum(tf.mul(tf.batchNorm(a1, m1 as tf.Tensor1D, v1 as tf.Tensor1D, o1 as tf.Tensor1D, s1 as tf.Tensor1D, 1e-3), rr)),
        )([a, m, v, s, o]),
      );
      expectClose(fused, elementary, 2e-4);
    }
  });
});

describe('fast paths on wasm vs cpu', () => {
  test.each([
    [[2, 8, 8, 3], 2, 2],
    [[2, 7, 9, 3], 2, 2], // odd sizes: generic kernel
    [[1, 6, 6, 2], 3, 1],
  ])('MaxPoolGrad %j pool %i stride %i', async (shape, pool, stride) => {
    const x: [Float32Array, number[]] = [rand(shape, 16), shape];
    await compare([x], (a) => tf.grads((b: tf.Tensor) => tf.sum(tf.square(tf.maxPool(b as tf.Tensor4D, pool, stride, 'valid'))))([a]));
  });
  test.each([
    [false, true],
    [true, false],
    [true, true],
  ])('BatchMatMul transposeA=%s transposeB=%s, with a batch dimension', async (ta, tb) => {
    const a: [Float32Array, number[]] = [rand([3, 5, 7], 17), ta ? [3, 7, 5] : [3, 5, 7]];
    const b: [Float32Array, number[]] = [rand([3, 7, 4], 18), tb ? [3, 4, 7] : [3, 7, 4]];
    await compare([a, b], (x, y) => tf.matMul(x, y, ta, tb));
  });
  test.each([
    [[4, 5, 6, 7], 'sum', false], // images: pooled per image, then combined
    [[5, 26, 26, 8], 'mean', false],
    [[3, 12, 10, 5], 'sum', true],
    [[2, 3, 4, 6], 'sum', false], // small images: one matrix product
    [[40, 30], 'mean', true],
    [[9, 9, 9], 'sum', true],
  ])('per-channel %s of %j (keepDims %s)', async (shape, op, keepDims) => {
    const x: [Float32Array, number[]] = [rand(shape as number[], 19), shape as number[]];
    const axes = (shape as number[]).slice(0, -1).map((_, i) => i);
    await compare([x], (a) => (op === 'sum' ? tf.sum(a, axes, keepDims as boolean) : tf.mean(a, axes, keepDims as boolean)));
  });
  test('Identity shares data: a clone and its source outlive each other', async () => {
    await useBackend('wasm');
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    const c = tf.clone(b);
    const d = tf.clone(c);
    c.dispose();
    b.dispose();
    expect(Array.from(d.dataSync())).toEqual([1, 2, 3]);
    const v = tf.variable(tf.tensor([4, 5]));
    const w = tf.clone(v);
    v.assign(tf.tensor([6, 7]));
    expect(Array.from(w.dataSync())).toEqual([4, 5]);
    expect(Array.from(v.dataSync())).toEqual([6, 7]);
    tf.dispose([d, v, w]);
  });
});
