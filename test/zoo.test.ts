import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/classify/backend';
import { ARCH_NAMES, countParams, getPreset, learningRateAt, PRESETS } from '../src/classify/zoo';
import { augmentDigit, SCAN_AUGMENT } from '../src/classify/data/augment';
import { Rng } from '../src/classify/data/random';

beforeAll(() => useBackend('cpu'));

describe('model zoo', () => {
  test("the five papers' presets and the project's own exist", () => {
    expect([...ARCH_NAMES].sort()).toEqual(['compact', 'deep-bn', 'edu-cnn', 'lenet5', 'tf-cnn', 'vgg-bn']);
    expect(ARCH_NAMES.filter((n) => PRESETS[n].paper.startsWith('none'))).toEqual(['deep-bn']);
  });
  test('compact has exactly 37,610 parameters and the layer shapes of paper 002', () => {
    const m = getPreset('compact').build();
    expect(countParams(m)).toBe(37610);
    const shapes = m.layers.map((l) => (l.outputShape as number[]).slice(1));
    expect(shapes.slice(0, 5)).toEqual([[24, 24, 8], [12, 12, 8], [8, 8, 16], [4, 4, 16], [256]]);
  });
  test.each(Object.keys(PRESETS))('%s maps [n,28,28,1] to [n,10] probabilities', (name) => {
    const m = getPreset(name).build();
    const y = tf.tidy(() => (m.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).arraySync() as number[][]);
    expect(y.length).toBe(3);
    for (const row of y) {
      expect(row.length).toBe(10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });
  test('parameter counts of the other presets', () => {
    expect(countParams(getPreset('tf-cnn').build())).toBe(3274634);
    expect(countParams(getPreset('vgg-bn').build())).toBe(198442);
    expect(countParams(getPreset('edu-cnn').build())).toBe(225034);
    expect(countParams(getPreset('lenet5').build())).toBe(49102);
    expect(countParams(getPreset('deep-bn').build())).toBe(326826);
  });
  test('deep-bn: strided 5x5 convolutions instead of pooling, every conv without bias and batch-normalized', () => {
    const m = getPreset('deep-bn').build();
    const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((c) => (c.getConfig() as { strides: number[] }).strides[0])).toEqual([1, 1, 2, 1, 1, 2, 1]);
    for (const c of convs) expect(c.getWeights()).toHaveLength(1);
    expect(m.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(7);
    expect(m.layers.filter((l) => l.getClassName() === 'MaxPooling2D')).toHaveLength(0);
    const shapes = m.layers.filter((l) => l.getClassName() === 'Activation').map((l) => (l.outputShape as number[]).slice(1));
    expect(shapes).toEqual([[26, 26, 32], [24, 24, 32], [12, 12, 32], [10, 10, 64], [8, 8, 64], [4, 4, 64], [1, 1, 128]]);
  });
  test('vgg-bn convs have no bias and are followed by batch norm', () => {
    const m = getPreset('vgg-bn').build();
    const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs).toHaveLength(4);
    for (const c of convs) expect(c.getWeights()).toHaveLength(1);
    expect(m.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(5);
  });
  test('unknown arch names the valid ones', () => {
    expect(() => getPreset('resnet')).toThrow(/unknown --arch "resnet": choose one of .*vgg-bn/);
  });
  test('paper 004 schedule: linear warm-up over 5 epochs, then cosine to the floor', () => {
    const r = getPreset('vgg-bn').recipe;
    expect(learningRateAt(r, 0)).toBeCloseTo(1e-5, 10);
    expect(learningRateAt(r, 2.5)).toBeCloseTo((1e-5 + 1e-3) / 2, 8);
    expect(learningRateAt(r, 5)).toBeCloseTo(1e-3, 10);
    expect(learningRateAt(r, 17.5)).toBeCloseTo((1e-3 + 1e-5) / 2, 8);
    expect(learningRateAt(r, 30)).toBeCloseTo(1e-5, 10);
  });
});

describe('augmentation', () => {
  const digit = new Float32Array(784);
  for (let y = 6; y < 22; y++) for (let x = 8; x < 12; x++) digit[y * 28 + x] = 1; // a bar on the left
  test('is deterministic for a seed and stays in [0, 1]', () => {
    const a = new Float32Array(784);
    const b = new Float32Array(784);
    augmentDigit(digit, a, new Rng(5), SCAN_AUGMENT);
    augmentDigit(digit, b, new Rng(5), SCAN_AUGMENT);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
  });
  test('never flips: a stroke on the left stays on the left', () => {
    const out = new Float32Array(784);
    const rng = new Rng(9);
    for (let k = 0; k < 200; k++) {
      augmentDigit(digit, out, rng, { ...SCAN_AUGMENT, noise: 0, contrast: 0 });
      let m = 0, mx = 0;
      for (let i = 0; i < 784; i++) { m += out[i]; mx += out[i] * (i % 28); }
      expect(mx / m).toBeLessThan(14);
    }
  });
  test('an empty spec is the identity', () => {
    const out = new Float32Array(784);
    augmentDigit(digit, out, new Rng(1), {});
    for (let i = 0; i < 784; i++) expect(out[i]).toBeCloseTo(digit[i], 5);
  });
});
