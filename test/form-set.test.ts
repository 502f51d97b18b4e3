/**
 * make-form-set: training digits cut by the scan pipeline from generated forms. Run through the
 * command (the compiled code): drawing and scanning a letter page is many times slower in jest's
 * sandbox than in plain Node.
 */
import { Classifier } from '../src/classify/classifier';
import { isIdxSet, loadIdxSet } from '../src/classify/data/dataset';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmp } from './helpers';

describe('make-form-set', () => {
  test('every crop is labeled with the digit written where it was cut; the same set for a seed; a bad page count is a usage error', async () => {
    const dir = tmp();
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    let r = runCli(['make-form-set', '--pages', '1', '--seed', '100000', '--out', a]);
    expect(r.status).toBe(0);
    expect(isIdxSet(a)).toBe(true);
    const set = loadIdxSet(a);
    // 20 fields of 2 to 6 digits: most cut as written, a crop or more per digit (unsure ones are read
    // again from other binarizations).
    const m = /(\d+) crops from (\d+) of (\d+) fields cut into as many digits as written/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(set.count);
    expect(Number(m![3])).toBe(20);
    expect(Number(m![2])).toBeGreaterThanOrEqual(18);
    expect(set.count).toBeGreaterThanOrEqual(50);
    expect(new Set(set.labels).size).toBeGreaterThanOrEqual(8);
    // Labels that did not belong to their crops would agree with the model about one time in ten.
    const clf = await Classifier.load(undefined, { workers: 1 });
    const crops = Array.from({ length: set.count }, (_, i) => ({ pixels: Float32Array.from(set.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255) }));
    const preds = await clf.classify(crops);
    await clf.close();
    expect(preds.filter((p, i) => p.digit === set.labels[i]).length / set.count).toBeGreaterThan(0.95);
    r = runCli(['make-form-set', '--pages', '1', '--seed', '100000', '--out', b]);
    expect(r.status).toBe(0);
    for (const f of ['images-idx3-ubyte', 'labels-idx1-ubyte']) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    // Another set's handwriting: the crops carry its labels (here the MNIST test digits, read by the
    // same pipeline; labels above 9, a string set's rejects, are never written).
    const c = join(dir, 'c');
    r = runCli(['make-form-set', '--pages', '1', '--seed', '100000', '--digits', 'mnist-test', '--out', c]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(c, 'labels-idx1-ubyte')).equals(readFileSync(join(a, 'labels-idx1-ubyte')))).toBe(false);
    expect(Math.max(...loadIdxSet(c).labels)).toBeLessThanOrEqual(9);
    r = runCli(['make-form-set', '--pages', '0', '--out', b]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--pages must be a whole number >= 1/);
  }, 120000);
});
