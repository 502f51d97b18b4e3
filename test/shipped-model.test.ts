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
