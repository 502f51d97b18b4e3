import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../src/classify/backend';
import { Rng } from '../src/classify/data/random';
import { Classifier } from '../src/classify/classifier';
import { gateWeight, meanDistance } from '../src/classify/infer';
import { DIGIT_ENSEMBLE_FORMAT, NORMALIZATION_SPEC, saveModel } from '../src/classify/model-io';
import { isStringModel } from '../src/classify/string-model';
import { withSeededRandom } from '../src/classify/seeded';
import { getPreset } from '../src/classify/zoo';
import { makeEnsemble } from '../src/classify/ensemble';
import { train } from '../src/classify/train';
import { tmp } from './helpers';

const meta = (arch: string) => ({ format: 'digitscan-model' as const, arch, classes: '0123456789'.split(''), normalization: NORMALIZATION_SPEC, date: '', packageVersion: '' });

/** Two small networks with different random weights, saved as an ensemble folder with members a and b. */
async function randomEnsemble(spec: object = {}): Promise<string> {
  await useBackend('wasm');
  const dir = tmp('ensemble-');
  for (const [name, seed] of [['a', 1], ['b', 2]] as const) {
    const m = withSeededRandom(seed, () => getPreset('compact').build());
    await saveModel(m, join(dir, name), meta('compact'));
  }
  writeFileSync(join(dir, 'ensemble.json'), JSON.stringify({ format: DIGIT_ENSEMBLE_FORMAT, members: ['a', 'b'], ...spec }));
  return dir;
}

describe('digit ensembles (a model folder with ensemble.json)', () => {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 6 * 784 }, () => rng.next());

  test('read a crop as the mean of the members\' probabilities', async () => {
    const dir = await randomEnsemble();
    const [ens, a, b] = await Promise.all([dir, join(dir, 'a'), join(dir, 'b')].map((d) => Classifier.load(d, { workers: 1 })));
    expect(ens.networks).toHaveLength(2);
    expect(ens.metadata.arch).toBe('compact + compact');
    const [pe, pa, pb] = await Promise.all([ens, a, b].map((c) => c.predict(x, 6)));
    let diffMembers = 0;
    for (let i = 0; i < pe.length; i++) {
      expect(pe[i]).toBeCloseTo((pa[i] + pb[i]) / 2, 5);
      diffMembers = Math.max(diffMembers, Math.abs(pa[i] - pb[i]));
    }
    expect(diffMembers).toBeGreaterThan(1e-3); // the members really differ
    expect(isStringModel(dir)).toBe(false);
  });

  test('worker threads read as the in-process ensemble does', async () => {
    const dir = await randomEnsemble();
    const local = await Classifier.load(dir, { workers: 1 });
    const pooled = await Classifier.load(dir, { workers: 2, parallelThreshold: 1 });
    try {
      const [pl, pp] = [await local.predict(x, 6), await pooled.predict(x, 6)];
      for (let i = 0; i < pl.length; i++) expect(pp[i]).toBeCloseTo(pl[i], 5);
    } finally {
      await pooled.close();
    }
  });

  test('the ensemble\'s temperature applies to the averaged probabilities', async () => {
    const plain = await Classifier.load(await randomEnsemble(), { workers: 1 });
    const warm = await Classifier.load(await randomEnsemble({ temperature: 2 }), { workers: 1 });
    const [pp, pw] = [await plain.predict(x, 6), await warm.predict(x, 6)];
    const maxRow = (p: Float32Array, i: number) => Math.max(...p.subarray(i * 10, i * 10 + 10));
    for (let i = 0; i < 6; i++) expect(maxRow(pw, i)).toBeLessThan(maxRow(pp, i));
  });

  test('unsure readers read only the crops the members are unsure of, and there count in the mean (a folder may be listed twice)', async () => {
    const src = await randomEnsemble();
    const c = withSeededRandom(3, () => getPreset('compact').build());
    await saveModel(c, join(src, 'c'), meta('compact'));
    const [base, pc, pb] = await Promise.all([src, join(src, 'c'), join(src, 'b')].map((d) => Classifier.load(d, { workers: 1 }).then((m) => m.predict(x, 6))));
    const top = (p: Float32Array, i: number) => Math.max(...p.subarray(i * 10, i * 10 + 10));
    const tops = [0, 1, 2, 3, 4, 5].map((i) => top(base, i)).sort((u, v) => u - v);
    const below = (tops[2] + tops[3]) / 2; // half the crops under it
    writeFileSync(join(src, 'ensemble.json'), JSON.stringify({ format: DIGIT_ENSEMBLE_FORMAT, members: ['a', 'b'], unsure: { below, members: ['c', 'b'] } }));
    const ens = await Classifier.load(src, { workers: 1 });
    const pooled = await Classifier.load(src, { workers: 2, parallelThreshold: 1 });
    try {
      const [pe, pp] = [await ens.predict(x, 6), await pooled.predict(x, 6)];
      let reread = 0;
      for (let i = 0; i < 6; i++) {
        const unsure = top(base, i) < below;
        if (unsure) reread++;
        for (let k = i * 10; k < i * 10 + 10; k++) {
          expect(pe[k]).toBeCloseTo(unsure ? (2 * base[k] + pc[k] + pb[k]) / 4 : base[k], 5);
          expect(pp[k]).toBeCloseTo(pe[k], 5);
        }
      }
      expect(reread).toBe(3);
    } finally {
      await pooled.close();
    }
    // A member listed twice counts twice and is one network, read once (in workers too).
    const topsB = [0, 1, 2, 3, 4, 5].map((i) => top(pb, i)).sort((u, v) => u - v);
    const belowB = (topsB[2] + topsB[3]) / 2;
    writeFileSync(join(src, 'ensemble.json'), JSON.stringify({ format: DIGIT_ENSEMBLE_FORMAT, members: ['b', 'b'], unsure: { below: belowB, members: ['c'] } }));
    const twice = await Classifier.load(src, { workers: 1 });
    const twicePooled = await Classifier.load(src, { workers: 2, parallelThreshold: 1 });
    try {
      expect(twice.networks[0]).toBe(twice.networks[1]);
      const [pt, ptp] = [await twice.predict(x, 6), await twicePooled.predict(x, 6)];
      let rereadB = 0;
      for (let i = 0; i < 6; i++) {
        const unsure = top(pb, i) < belowB;
        if (unsure) rereadB++;
        for (let k = i * 10; k < i * 10 + 10; k++) {
          expect(pt[k]).toBeCloseTo(unsure ? (2 * pb[k] + pc[k]) / 3 : pb[k], 5);
          expect(ptp[k]).toBeCloseTo(pt[k], 5);
        }
      }
      expect(rereadB).toBe(3);
    } finally {
      await twicePooled.close();
    }
    writeFileSync(join(src, 'ensemble.json'), JSON.stringify({ format: DIGIT_ENSEMBLE_FORMAT, members: ['a', 'b'], unsure: { below: 2, members: ['c'] } }));
    await expect(Classifier.load(src, { workers: 1 })).rejects.toThrow(/corrupt digit ensemble: "unsure\.below" must be a probability/);
  });

  test('a gated ensemble weighs its members page by page: a page reader\'s first batch sets the weight, kept for its later batches; the classifier itself takes the plain mean', async () => {
    const plain = await randomEnsemble();
    const [pa, pb] = await Promise.all([join(plain, 'a'), join(plain, 'b')].map((d) => Classifier.load(d, { workers: 1 }).then((m) => m.predict(x, 6))));
    const d = meanDistance(pa, pb, 10);
    expect(d).toBeGreaterThan(1e-3);
    // The first batch lies a third of the way from `from` to `to`: a's weight a third of the way from 0.5 to 0.2.
    const gate = { member: 'a', from: d / 2, to: d * 2, weight: 0.2 };
    const w = 0.5 + ((d - gate.from) / (gate.to - gate.from)) * (0.2 - 0.5);
    expect(w).toBeCloseTo(0.4, 5);
    const dir = await randomEnsemble({ gate });
    const ens = await Classifier.load(dir, { workers: 1 });
    expect(ens.metadata.gate).toEqual(gate);
    const mean = await ens.predict(x, 6);
    for (let i = 0; i < mean.length; i++) expect(mean[i]).toBeCloseTo((pa[i] + pb[i]) / 2, 5);
    const page = ens.forPage();
    expect(page).not.toBe(ens);
    expect(page.forPage()).toBe(page);
    expect(page.pageWeighing).toBeNull();
    const crops = (v: Float32Array, n: number) => Array.from({ length: n }, (_, i) => ({ pixels: v.subarray(i * 784, (i + 1) * 784) }));
    const first = await page.classify(crops(x, 6));
    expect(page.pageWeighing!.distance).toBeCloseTo(d, 5);
    expect(page.pageWeighing!.weight).toBeCloseTo(w, 5);
    first.forEach((p, i) => p.probabilities.forEach((v, c) => expect(v).toBeCloseTo(w * pa[i * 10 + c] + (1 - w) * pb[i * 10 + c], 5)));
    // A later batch (other crops, that alone would weigh otherwise) is read with the page's weight.
    const y = Float32Array.from(x, (v, i) => (i % 3 === 0 ? 1 - v : v * v));
    const [qa, qb] = await Promise.all([join(plain, 'a'), join(plain, 'b')].map((dd) => Classifier.load(dd, { workers: 1 }).then((m) => m.predict(y, 6))));
    expect(Math.abs(meanDistance(qa, qb, 10) - d)).toBeGreaterThan(1e-4);
    const later = await page.classify(crops(y, 6));
    later.forEach((p, i) => p.probabilities.forEach((v, c) => expect(v).toBeCloseTo(w * qa[i * 10 + c] + (1 - w) * qb[i * 10 + c], 5)));
    expect(page.pageWeighing!.weight).toBeCloseTo(w, 5);
    // Another reading of the page (turned upright) is weighed afresh by its own first batch.
    const turned = page.freshPage();
    expect(turned).not.toBe(page);
    expect(turned.pageWeighing).toBeNull();
    expect(turned.forPage()).toBe(turned);
    await turned.classify(crops(y, 6));
    expect(turned.pageWeighing!.distance).toBeCloseTo(meanDistance(qa, qb, 10), 5);
    expect(page.pageWeighing!.weight).toBeCloseTo(w, 5);
    // Another page starts afresh; beyond `to` the member weighs `weight`; a model with no gate reads as itself.
    const other = ens.forPage();
    await other.classify(crops(y, 6));
    expect(other.pageWeighing!.distance).toBeCloseTo(meanDistance(qa, qb, 10), 5);
    expect(gateWeight({ network: 0, ...gate }, d * 3, 0.5)).toBe(0.2);
    expect(gateWeight({ network: 0, ...gate }, d / 3, 0.5)).toBe(0.5);
    const noGate = await Classifier.load(plain, { workers: 1 });
    expect(noGate.forPage()).toBe(noGate);
    expect(noGate.freshPage()).toBe(noGate);
    // A gate that names no member once, runs backwards or weighs outside [0, 1], or comes with unsure readers, is refused.
    for (const [bad, why] of [
      [{ gate: { ...gate, member: 'c' } }, /"gate\.member" must name one of the members/],
      [{ gate: { ...gate, from: 0.1, to: 0.05 } }, /"gate\.from" and "gate\.to"/],
      [{ gate: { ...gate, weight: 1.5 } }, /"gate\.weight"/],
      [{ gate, unsure: { below: 0.9, members: ['b'] } }, /cannot be combined with "unsure"/],
    ] as const) {
      await expect(Classifier.load(await randomEnsemble(bad), { workers: 1 })).rejects.toThrow(why);
    }
  });

  test('a broken ensemble.json names the file and the problem', async () => {
    const dir = tmp('ensemble-bad-');
    writeFileSync(join(dir, 'ensemble.json'), JSON.stringify({ format: DIGIT_ENSEMBLE_FORMAT, members: [] }));
    await expect(Classifier.load(dir, { workers: 1 })).rejects.toThrow(/ensemble\.json: corrupt digit ensemble: "members"/);
    const missing = tmp('ensemble-missing-');
    mkdirSync(join(missing, 'a'));
    writeFileSync(join(missing, 'ensemble.json'), JSON.stringify({ format: DIGIT_ENSEMBLE_FORMAT, members: ['a'] }));
    await expect(Classifier.load(missing, { workers: 1 })).rejects.toThrow(/a[/\\]model\.json: model not found/);
  });

  test('makeEnsemble copies the members into one folder with ensemble.json, measured on MNIST test; train --init names a member instead', async () => {
    const src = await randomEnsemble();
    const out = join(tmp('ensemble-made-'), 'mine');
    const r = await makeEnsemble([join(src, 'a'), join(src, 'b')], out);
    expect(r.spec.members).toEqual(['a', 'b']);
    for (const m of ['a', 'b']) expect(existsSync(join(out, m, 'weights.bin'))).toBe(true);
    const spec = JSON.parse(readFileSync(join(out, 'ensemble.json'), 'utf8'));
    expect(spec.format).toBe(DIGIT_ENSEMBLE_FORMAT);
    // Untrained networks: about chance, each measured and the ensemble too.
    expect(spec.metrics.memberMnistTestAccuracy).toHaveLength(2);
    expect(spec.metrics.mnistTestAccuracy).toBeLessThan(0.3);
    const clf = await Classifier.load(out, { workers: 1 });
    expect(clf.networks).toHaveLength(2);
    // Unsure readers: copied on after the members; a member listed again is the same folder.
    const withUnsure = join(tmp('ensemble-made-'), 'unsure');
    const u = await makeEnsemble([join(src, 'a'), join(src, 'b')], withUnsure, { measure: false, unsure: { members: [join(src, 'a'), join(src, 'b')], below: 0.9 } });
    expect(u.spec.unsure).toEqual({ below: 0.9, members: ['a', 'b'] });
    expect(existsSync(join(withUnsure, 'c'))).toBe(false);
    await expect(Classifier.load(withUnsure, { workers: 1 })).resolves.toBeDefined();
    await expect(makeEnsemble([join(src, 'a'), join(src, 'b')], join(out, 'w'), { unsure: { members: [join(src, 'a')], below: 1.5 } })).rejects.toThrow(/"below" must be a probability/);
    // A gate names its member by the folder given; the ensemble by the member's name.
    const gated = await makeEnsemble([join(src, 'b'), join(src, 'a')], join(tmp('ensemble-made-'), 'gated'), { measure: false, gate: { member: join(src, 'a'), from: 0.02, to: 0.08, weight: 0.1 } });
    expect(gated.spec.gate).toEqual({ member: 'b', from: 0.02, to: 0.08, weight: 0.1 });
    expect(gated.folders.find((f) => f.name === 'b')!.from).toBe(join(src, 'a'));
    await expect(makeEnsemble([join(src, 'a'), join(src, 'b')], join(out, 'g'), { gate: { member: out, from: 0.02, to: 0.08, weight: 0.1 } })).rejects.toThrow(/gate member .* is not one of the members/);
    expect(existsSync(join(out, 'g'))).toBe(false);
    await expect(makeEnsemble([join(src, 'a')], join(out, 'x'))).rejects.toThrow(/two or more/);
    await expect(makeEnsemble([out, join(src, 'a')], join(out, 'y'))).rejects.toThrow(/an ensemble itself/);
    await expect(train({ init: out, out: join(out, 'z'), epochs: 1, limit: 10 })).rejects.toThrow(/a digit ensemble; start from one of its networks instead \(e\.g\. .*[/\\]a\)/);
  });
});
