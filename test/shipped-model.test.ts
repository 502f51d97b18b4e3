import { Classifier } from '../src/classify/classifier';
import { evaluate, loadEvalData } from '../src/classify/evaluate';

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
