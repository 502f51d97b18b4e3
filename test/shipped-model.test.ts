import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Classifier } from '../src/classify/classifier';
import { evaluate, loadEvalData } from '../src/classify/evaluate';
import { buildStringSet } from '../src/classify/data/checks';
import { readStringLabels, splitStrings } from '../src/io/labels';
import { ROOT } from './helpers';

// The model in models/default, as every command uses it, on the 10,000 MNIST test digits.
test('the shipped model reads >= 99.6% of the MNIST test set', async () => {
  const clf = await Classifier.load(undefined, { workers: 1 });
  try {
    const ev = await evaluate(clf, await loadEvalData('mnist-test'), 'mnist-test');
    expect(ev.metrics.count).toBe(10000);
    expect(ev.metrics.accuracy).toBeGreaterThanOrEqual(0.996);
  } finally {
    await clf.close();
  }
}, 120_000);

// Real handwriting it was never trained on: the digits of the held-out real check amounts (every 5th
// string), cut at their labeled boxes (what `npm run bench -- accuracy` reports).
const orand = join(ROOT, '..', 'shared', 'data', 'orand-car-a');
(existsSync(join(orand, 'labels.tsv')) ? test : test.skip)('the shipped model reads >= 90% of the held-out real check digits', async () => {
  const { set } = await buildStringSet(splitStrings(readStringLabels(orand)).heldOut, { mnistRejects: 0, rejectRatio: 0 });
  expect(set.count).toBeGreaterThan(2000);
  const clf = await Classifier.load(undefined, { workers: 1 });
  try {
    expect((await evaluate(clf, set)).metrics.accuracy).toBeGreaterThanOrEqual(0.9);
  } finally {
    await clf.close();
  }
}, 180_000);

// The shipped model's gate (ensemble.json): a page of real check writers' digits is read mostly by
// `b` (which learned them), a page of MNIST's handwriting by the plain mean of `a` and `b`.
(existsSync(join(orand, 'labels.tsv')) ? test : test.skip)('the shipped model reads a page of real check digits mostly by b, and more of them right; a page of MNIST digits by the plain mean', async () => {
  const { set } = await buildStringSet(splitStrings(readStringLabels(orand)).heldOut, { mnistRejects: 0, rejectRatio: 0 });
  const mnist = await loadEvalData('mnist-test');
  const crops = (images: Uint8Array, n: number) => Array.from({ length: n }, (_, i) => ({ pixels: Float32Array.from(images.subarray(i * 784, i * 784 + 784), (v) => v / 255) }));
  const clf = await Classifier.load(undefined, { workers: 1 });
  const wrong = (ps: Array<{ digit: number }>, labels: ArrayLike<number>) => ps.filter((p, i) => p.digit !== labels[i]).length;
  try {
    expect(clf.metadata.gate).toEqual({ member: 'a', from: 0.02, to: 0.08, weight: 0.1 });
    const real = crops(set.images, 200);
    const page = clf.forPage();
    const gated = await page.classify(real);
    expect(page.pageWeighing!.weight).toBe(0.1);
    expect(wrong(gated, set.labels)).toBeLessThan(wrong(await clf.classify(real), set.labels));
    const written = crops(mnist.images, 200);
    const mnistPage = clf.forPage();
    const read = await mnistPage.classify(written);
    expect(mnistPage.pageWeighing!.weight).toBe(0.5);
    expect(read.map((p) => p.digit)).toEqual((await clf.classify(written)).map((p) => p.digit));
  } finally {
    await clf.close();
  }
}, 120_000);

// The sign model (models/signs): a currency sign is taken out of a field when it says "not a digit"
// at SIGN_PROBABILITY or more. Digits it must not take: none of MNIST test's 10,000 (nor, in the
// pipeline, of the held-out real check digits: scratch figures in the README). Signs it must: drawn
// with another seed than its training set's, in Liberation Sans (which pdfjs-dist ships: every
// machine has it; the system's fonts differ from machine to machine).
test('the sign model calls no MNIST test digit a currency sign, and nearly every drawn sign one', async () => {
  const { SIGN_PROBABILITY } = await import('../src/pipeline/scan');
  const { defaultSignModelDir } = await import('../src/classify/model-io');
  const { makeSignSet } = await import('../src/samples/signs');
  const { loadMnist } = await import('../src/classify/data/dataset');
  const clf = await Classifier.load(defaultSignModelDir(), { workers: 1 });
  const crops = (images: Uint8Array, n: number) => Array.from({ length: n }, (_, i) => ({ pixels: Float32Array.from(images.subarray(i * 784, i * 784 + 784), (v) => v / 255) }));
  try {
    const mnist = loadMnist('test');
    const digits = await clf.classify(crops(mnist.images, mnist.count));
    expect(digits.filter((p) => p.reject >= SIGN_PROBABILITY).length).toBe(0);
    const { signFonts } = await import('../src/samples/signs');
    expect(signFonts()).toContain('Liberation Sans');
    const signs = makeSignSet({ count: 500, seed: 12345, fonts: ['Liberation Sans'] });
    const said = await clf.classify(crops(signs.images, signs.count));
    expect(said.filter((p) => p.reject >= SIGN_PROBABILITY).length).toBeGreaterThanOrEqual(0.97 * signs.count);
  } finally {
    await clf.close();
  }
}, 120_000);
