/**
 * Reading digit strings: over-segmentation and the best cut path (#4). Touching pairs and triples
 * and broken digits are made from MNIST test digits; the shipped model (with its reject class)
 * scores the candidates.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryImage, Box } from '../src/types';
import { loadOpenCV, CV } from '../src/preprocess/opencv';
import { components } from '../src/segment/components';
import { bestPath, CandidateScore, onSeparator, seamCut, segmentGraph, SegmentGraph, separatorMarks } from '../src/segment/strings';
import { Classifier } from '../src/classify/classifier';
import { Rng } from '../src/classify/data/random';
import { expectedCalibrationError, fitLogistic, logit, sigmoid } from '../src/classify/calibrate';
import { agreementConfidence } from '../src/classify/string-model';
import { calibrateOnStrings } from '../src/classify/calibrate-strings';
import { editDistance, rejectCurve, acceptedAtError } from '../src/pipeline/strings';
import { mnistTest, ROOT, tmp } from './helpers';
import { buildStringSet } from '../src/classify/data/checks';
import sharp from 'sharp';

const ORAND = join(ROOT, '..', 'shared', 'data', 'orand-car-a');

/** MNIST test digit i, enlarged 2x, as binary ink (1) with its ink columns. */
function digitInk(i: number): { img: BinaryImage; x0: number; x1: number } {
  const d = mnistTest();
  const S = 2;
  const img: BinaryImage = { width: 28 * S, height: 28 * S, data: new Uint8Array(28 * S * 28 * S) };
  let x0 = Infinity;
  let x1 = -1;
  for (let y = 0; y < 28 * S; y++) {
    for (let x = 0; x < 28 * S; x++) {
      if (d.images[i * 784 + Math.floor(y / S) * 28 + Math.floor(x / S)] > 100) {
        img.data[y * 28 * S + x] = 1;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
      }
    }
  }
  return { img, x0, x1 };
}

/** Places digits left to right on a page; `gap` px between ink (negative = overlapping). */
function compose(indices: number[], gaps: number[], extra: Array<{ box: Box }> = []): BinaryImage {
  const W = 40 + indices.length * 70 + extra.length * 30;
  const page: BinaryImage = { width: W, height: 100, data: new Uint8Array(W * 100) };
  let x = 20;
  indices.forEach((idx, k) => {
    const { img, x0, x1 } = digitInk(idx);
    const left = x - x0;
    for (let y = 0; y < img.height; y++) for (let xx = 0; xx < img.width; xx++) if (img.data[y * img.width + xx]) page.data[(y + 20) * W + left + xx] = 1;
    x = left + x1 + 1 + (gaps[k] ?? 10);
  });
  for (const { box } of extra) for (let y = box[1]; y < box[1] + box[3]; y++) for (let xx = box[0]; xx < box[0] + box[2]; xx++) page.data[y * W + xx] = 1;
  return page;
}

let cv: CV;
let clf: Classifier;
beforeAll(async () => {
  cv = await loadOpenCV();
  clf = await Classifier.load(join(ROOT, 'models', 'check'), { workers: 1 });
});
afterAll(async () => clf && (await clf.close()));

async function read(page: BinaryImage, fieldType: 'digits' | 'amount' | 'zip' = 'digits'): Promise<string> {
  const g = segmentGraph(cv, page, [0, 0, page.width, page.height]);
  const scores = g.candidates.length ? await clf.classify(g.candidates.map((c) => c.crop)) : [];
  return bestPath(g, scores, { fieldType }).digits.map((d) => d.score.digit).join('');
}

/** Digit indices of the MNIST test set, seeded. */
function picks(n: number, seed: number, skipOnes = false): number[] {
  const rng = new Rng(seed);
  const d = mnistTest();
  const out: number[] = [];
  while (out.length < n) {
    const i = rng.int(d.count);
    if (!skipOnes || d.labels[i] !== 1) out.push(i);
  }
  return out;
}

describe('over-segmentation and cut paths', () => {
  it('the seam between two touching blobs follows the gap', () => {
    const img: BinaryImage = { width: 20, height: 10, data: new Uint8Array(200) };
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) if (x < 8 || x > 10 || y === 5) img.data[y * 20 + x] = 1;
    const path = seamCut(img, 5, 14);
    for (let y = 0; y < 10; y++) expect(path[y]).toBeGreaterThanOrEqual(8);
    for (let y = 0; y < 10; y++) expect(path[y]).toBeLessThanOrEqual(10);
  });

  it('dynamic programming picks the best-scoring path and honours length constraints', () => {
    const prim = (x: number): SegmentGraph['primitives'][number] => ({ box: [x, 0, 10, 20], kind: 'piece', separator: false, area: 100 });
    const cand = (first: number, last: number) => ({ first, last, box: [first * 10, 0, (last - first + 1) * 10, 20] as Box, crop: { pixels: new Float32Array(784) } });
    const g: SegmentGraph = { field: [0, 0, 30, 20], digitHeight: 20, primitives: [prim(0), prim(10), prim(20)], candidates: [cand(0, 0), cand(1, 1), cand(2, 2), cand(0, 1), cand(1, 2)] };
    const s = (digit: number, confidence: number): CandidateScore => ({ digit, confidence, reject: 1 - confidence });
    // [0..1] as a 0 (0.9) + [2] as 7 (0.9) beats three single pieces (0.5 each).
    const scores = [s(1, 0.5), s(1, 0.5), s(7, 0.9), s(0, 0.9), s(4, 0.2)];
    expect(bestPath(g, scores).digits.map((d) => d.score.digit).join('')).toBe('07');
    // With exactly three digits required, the three pieces win.
    const three = bestPath(g, scores, { lengths: [3] });
    expect(three.digits.map((d) => d.score.digit).join('')).toBe('117');
    expect(three.fits).toBe(true);
    // An impossible length falls back to the best path and says so.
    const five = bestPath(g, scores, { fieldType: 'zip' });
    expect(five.fits).toBe(false);
    expect(five.digits).toHaveLength(2);
  });

  it('the width prior cuts a candidate wider than the digits are tall', () => {
    const prim = (x: number): SegmentGraph['primitives'][number] => ({ box: [x, 0, 12, 20], kind: 'piece', separator: false, area: 100 });
    const cand = (first: number, last: number) => ({ first, last, box: [first * 12, 0, (last - first + 1) * 12, 20] as Box, crop: { pixels: new Float32Array(784) } });
    // Two pieces 12 px wide in a 20 px high field: read together as a 4 (0.95), or as 1 and 4 (0.8 each).
    const g: SegmentGraph = { field: [0, 0, 24, 20], digitHeight: 20, primitives: [prim(0), prim(12)], candidates: [cand(0, 0), cand(1, 1), cand(0, 1)] };
    const s = (digit: number, confidence: number): CandidateScore => ({ digit, confidence, reject: 1 - confidence });
    const scores = [s(1, 0.8), s(4, 0.8), s(4, 0.95)];
    const read = (widthPrior: boolean) => bestPath(g, scores, { widthPrior }).digits.map((d) => d.score.digit).join('');
    expect(read(false)).toBe('4');
    // 24 px is 1.2 digit heights: e^-2 on the pair's probability.
    expect(read(true)).toBe('14');
  });

  it('says how likely two neighbouring digits are one, when one candidate as narrow as a digit spans them', () => {
    // Two narrow strokes read as sure 1s; together (one candidate) they read as a 4 almost as surely.
    const prim = (x: number, w: number): SegmentGraph['primitives'][number] => ({ box: [x, 0, w, 20], kind: 'group', separator: false, area: 60 });
    const cand = (first: number, last: number, x: number, w: number) => ({ first, last, box: [x, 0, w, 20] as Box, crop: { pixels: new Float32Array(784) } });
    const s = (digit: number, confidence: number): CandidateScore => ({ digit, confidence, reject: 0.01 });
    const g: SegmentGraph = { field: [0, 0, 40, 20], digitHeight: 20, primitives: [prim(0, 5), prim(8, 5)], candidates: [cand(0, 0, 0, 5), cand(1, 1, 8, 5), cand(0, 1, 0, 13)] };
    const r = bestPath(g, [s(1, 0.99), s(1, 0.99), s(4, 0.9)]);
    expect(r.digits.map((d) => d.score.digit).join('')).toBe('11');
    expect(r.joined).not.toBeNull();
    expect(r.joined!.digit).toBe(4);
    expect(r.joined!.at).toBe(0);
    expect(r.joined!.share).toBeCloseTo(0.9 / (0.9 + 0.99 * 0.99), 6);
    // Wider than 0.8 digit heights: two digits side by side, whatever the one candidate reads.
    g.candidates[2] = cand(0, 1, 0, 17);
    expect(bestPath(g, [s(1, 0.99), s(1, 0.99), s(4, 0.9)]).joined).toBeNull();
  });

  it('an uncut group the classifier rejects is skipped; a piece never is', () => {
    const g: SegmentGraph = {
      field: [0, 0, 20, 20],
      digitHeight: 20,
      primitives: [
        { box: [0, 0, 10, 20], kind: 'group', separator: false, area: 100 },
        { box: [10, 0, 10, 20], kind: 'group', separator: false, area: 100 },
      ],
      candidates: [
        { first: 0, last: 0, box: [0, 0, 10, 20], crop: { pixels: new Float32Array(784) } },
        { first: 1, last: 1, box: [10, 0, 10, 20], crop: { pixels: new Float32Array(784) } },
      ],
    };
    const r = bestPath(g, [{ digit: 5, confidence: 0.05, reject: 0.95 }, { digit: 3, confidence: 0.97, reject: 0.01 }]);
    expect(r.digits.map((d) => d.score.digit)).toEqual([3]);
    expect(r.skipped).toEqual([0]);
    g.primitives[0].kind = 'piece';
    expect(bestPath(g, [{ digit: 5, confidence: 0.05, reject: 0.95 }, { digit: 3, confidence: 0.97, reject: 0.01 }]).skipped).toEqual([]);
  });
});

describe('reading strings with the shipped check model (reject class)', () => {
  it('has a reject class', () => {
    expect(clf.numClasses).toBe(11);
  });

  it('splits touching pairs and triples of MNIST test digits', async () => {
    const d = mnistTest();
    let pairs = 0;
    let pairsRight = 0;
    const idx = picks(160, 41);
    for (let k = 0; k + 1 < idx.length && pairs < 60; k += 2) {
      const page = compose([idx[k], idx[k + 1]], [-2]);
      if (components(cv, page).list.length !== 1) continue; // only pairs that really touch
      pairs++;
      if ((await read(page)) === `${d.labels[idx[k]]}${d.labels[idx[k + 1]]}`) pairsRight++;
    }
    let triples = 0;
    let triplesRight = 0;
    const t = picks(150, 43);
    for (let k = 0; k + 2 < t.length && triples < 30; k += 3) {
      const page = compose([t[k], t[k + 1], t[k + 2]], [-2, -2]);
      if (components(cv, page).list.length !== 1) continue;
      triples++;
      if ((await read(page)) === `${d.labels[t[k]]}${d.labels[t[k + 1]]}${d.labels[t[k + 2]]}`) triplesRight++;
    }
    console.log(`touching pairs ${pairsRight}/${pairs}, triples ${triplesRight}/${triples}`);
    expect(pairs).toBeGreaterThanOrEqual(40);
    expect(triples).toBeGreaterThanOrEqual(15);
    // Measured: see the closing note of #4; thresholds leave a margin below it.
    expect(pairsRight / pairs).toBeGreaterThanOrEqual(PAIR_MIN);
    expect(triplesRight / triples).toBeGreaterThanOrEqual(TRIPLE_MIN);
  });

  it('merges a digit broken in two', async () => {
    const d = mnistTest();
    let broken = 0;
    let right = 0;
    for (const i of picks(80, 47, true)) {
      const page = compose([i], []);
      // Erase a band of rows through the middle of the ink.
      let top = 100;
      let bot = 0;
      for (let y = 0; y < page.height; y++) for (let x = 0; x < page.width; x++) if (page.data[y * page.width + x]) {
        top = Math.min(top, y);
        bot = Math.max(bot, y);
      }
      const mid = Math.round((top + bot) / 2);
      for (let y = mid - 1; y <= mid; y++) page.data.fill(0, y * page.width, (y + 1) * page.width);
      if (components(cv, page).list.filter((c) => c.area > 15).length < 2) continue;
      broken++;
      if ((await read(page)) === String(d.labels[i])) right++;
    }
    console.log(`broken digits ${right}/${broken}`);
    expect(broken).toBeGreaterThanOrEqual(30);
    expect(right / broken).toBeGreaterThanOrEqual(BROKEN_MIN);
  });

  it('ignores separators, dashes and underlines', async () => {
    const d = mnistTest();
    let right = 0;
    const n = 20;
    const idx = picks(n * 5, 53);
    for (let k = 0; k < n; k++) {
      const ds = idx.slice(k * 5, k * 5 + 5);
      // "dd.ddd.-" with an underline: digits with 14 px gaps; a dot after the 2nd and the 5th, a dash last.
      const page = compose(ds, [14, 14, 14, 14, 40]);
      const W = page.width;
      const put = (x: number, y: number, w: number, h: number) => {
        for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) page.data[yy * W + xx] = 1;
      };
      // Find the gaps between digit ink to put the marks in.
      const cols = Array.from({ length: W }, (_, x) => {
        let s = 0;
        for (let y = 0; y < page.height; y++) s += page.data[y * W + x];
        return s;
      });
      const inkEnds: number[] = [];
      for (let x = 1; x < W; x++) if (cols[x - 1] > 0 && cols[x] === 0) inkEnds.push(x);
      put(inkEnds[1] + 4, 66, 5, 5);
      put(inkEnds[inkEnds.length - 1] + 4, 66, 5, 5);
      put(inkEnds[inkEnds.length - 1] + 14, 50, 16, 4);
      put(10, 84, W - 20, 3);
      if ((await read(page, 'amount')) === ds.map((i) => d.labels[i]).join('')) right++;
    }
    console.log(`with separators ${right}/${n}`);
    expect(right / n).toBeGreaterThanOrEqual(SEPARATOR_MIN);
  });
});

describe('commas', () => {
  it("a comma cut by the field's bottom edge (an --auto-fields box inside its border) is a comma", () => {
    // "dd" and a comma 7 px wide from 6 px above the digits' foot to 14 below; the field ends 2 px
    // below their foot, so that 7 x 9 px of it is seen (a point by its shape alone).
    const page = compose(picks(2, 74, true), [30, 10]);
    const W = page.width;
    let [foot, end] = [0, 0];
    for (let i = 0; i < page.data.length; i++) if (page.data[i]) [foot, end] = [Math.max(foot, Math.floor(i / W)), Math.max(end, (i % W) + 1)];
    // A gap between the two digits, 12 px of empty columns.
    let free = -1;
    for (let x = 20; x < end && free < 0; x++) {
      let ink = 0;
      for (let xx = x; xx < x + 12; xx++) for (let y = 0; y < page.height; y++) ink += page.data[y * W + xx];
      if (ink === 0) free = x + 2;
    }
    expect(free).toBeGreaterThan(0);
    for (let y = foot - 6; y < foot + 14; y++) for (let x = free; x < free + 7; x++) page.data[y * W + x] = 1;
    const cut = separatorMarks(segmentGraph(cv, page, [0, 0, W, foot + 3]));
    expect(cut.map((m) => [m.box[0], m.box[3], m.as])).toEqual([[free, 9, ',']]);
    expect(cut[0].comma).toBeGreaterThanOrEqual(0.2);
  });
  it("a point written under a digit's overhang (a bar run on over it) is a separator mark, no piece of the digit", async () => {
    const ds = picks(3, 73, true);
    // "d d.d" with the second digit's top stroke run on 12 px to the right, over the point.
    const page = compose(ds, [12, 34, 12]);
    const W = page.width;
    const inkOf = (x0: number, x1: number) => {
      let [top, bottom, right, topX] = [Infinity, -1, -1, 0];
      for (let y = 0; y < page.height; y++) {
        for (let x = x0; x < x1; x++) {
          if (!page.data[y * W + x]) continue;
          if (y < top) [top, topX] = [y, x];
          [bottom, right] = [Math.max(bottom, y), Math.max(right, x)];
        }
      }
      return { top, bottom, right, topX };
    };
    const cols = Array.from({ length: W }, (_, x) => page.data.filter((_, i) => i % W === x && page.data[i]).length);
    const starts = cols.map((c, x) => (c > 0 && (x === 0 || cols[x - 1] === 0) ? x : -1)).filter((x) => x >= 0);
    const second = inkOf(starts[1], starts[2]);
    for (let y = second.top; y < second.top + 4; y++) for (let x = second.topX; x < second.right + 13; x++) page.data[y * W + x] = 1;
    const px = second.right + 5;
    for (let y = second.bottom - 5; y <= second.bottom; y++) for (let x = px; x < px + 6; x++) page.data[y * W + x] = 1;
    const marks = separatorMarks(segmentGraph(cv, page, [0, 0, W, page.height]));
    expect(marks).toHaveLength(1);
    expect(marks[0].as).toBe('.');
    expect(marks[0].box[0]).toBe(px);
  });
  it("a comma written under a digit's overhang is a separator mark; a piece hanging from a digit that stops above the line is not", async () => {
    // "d d,d" with the second digit's top stroke run on 12 px to the right, over a comma 6 px wide
    // from 6 px above the digits' foot to 12 px below it.
    const make = (broken: boolean) => {
      const page = compose(picks(3, 73, true), [12, 34, 12]);
      const W = page.width;
      const cols = Array.from({ length: W }, (_, x) => page.data.filter((_, i) => i % W === x && page.data[i]).length);
      const starts = cols.map((c, x) => (c > 0 && (x === 0 || cols[x - 1] === 0) ? x : -1)).filter((x) => x >= 0);
      let [top, foot, right, topX] = [Infinity, -1, -1, 0];
      for (let y = 0; y < page.height; y++) {
        for (let x = starts[1]; x < starts[2]; x++) {
          if (!page.data[y * W + x]) continue;
          if (y < top) [top, topX] = [y, x];
          [foot, right] = [Math.max(foot, y), Math.max(right, x)];
        }
      }
      for (let y = top; y < top + 4; y++) for (let x = topX; x < right + 13; x++) page.data[y * W + x] = 1;
      // Broken: the digit's lowest 12 rows lost, so that what hangs below is a piece of a digit that
      // stops a third of its height above the line.
      if (broken) for (let y = foot - 11; y <= foot; y++) for (let x = starts[1]; x <= right; x++) page.data[y * W + x] = 0;
      const px = right + 5;
      for (let y = foot - 6; y <= foot + 12; y++) for (let x = px; x < px + 6; x++) page.data[y * W + x] = 1;
      return { marks: separatorMarks(segmentGraph(cv, page, [0, 0, W, page.height])), px };
    };
    const whole = make(false);
    expect(whole.marks.map((m) => [m.box[0], m.as])).toEqual([[whole.px, ',']]);
    expect(make(true).marks).toEqual([]);
  });
  it('a comma with a tail is a separator mark, a small round zero is not, and neither reads as a digit', async () => {
    const d = mnistTest();
    const ds = picks(3, 71, true);
    // "ddd," and a small 0 after it: digits fill rows ~28-68 (their body's middle ~48); two empty
    // extras make room on the right.
    const page = compose(ds, [14, 14, 14], [{ box: [0, 0, 0, 0] }, { box: [0, 0, 0, 0] }]);
    const W = page.width;
    let end = 0;
    for (let i = 0; i < page.data.length; i++) if (page.data[i]) end = Math.max(end, (i % W) + 1);
    const put = (x: number, y: number, w: number, h: number) => {
      for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) page.data[yy * W + xx] = 1;
    };
    // The comma: 4 px wide, 18 tall, from row 52 (below the body's middle) down past its bottom.
    put(end + 6, 52, 4, 18);
    const commaX = end + 8;
    // A small 0 (a ring 14 px across) on the baseline after it.
    const ring = end + 20;
    for (let y = 0; y < 14; y++) for (let x = 0; x < 14; x++) {
      const r = Math.hypot(x - 6.5, y - 6.5);
      if (r <= 6.5 && r >= 4) page.data[(54 + y) * W + ring + x] = 1;
    }
    const g = segmentGraph(cv, page, [0, 0, W, page.height]);
    const comma = g.primitives.find((p) => p.box[0] <= commaX && commaX < p.box[0] + p.box[2])!;
    expect(comma.kind).toBe('mark');
    expect(comma.separator).toBe(true);
    expect(onSeparator(g, commaX)).toBe(true);
    expect(onSeparator(g, ring + 7)).toBe(false);
    // As an amount's separator it is a comma (it reaches below the digits' foot); the small 0 is none.
    expect(separatorMarks(g)).toEqual([{ box: comma.box, as: ',', comma: expect.any(Number) }]);
    expect(separatorMarks(g)[0].comma).toBeGreaterThan(0);
    const first = g.primitives[0];
    expect(onSeparator(g, first.box[0] + first.box[2] / 2)).toBe(false);
    // Read as an amount, the comma is skipped (the small 0 is read or skipped, never the comma).
    const got = await read(page, 'amount');
    const want = ds.map((i) => d.labels[i]).join('');
    expect([want, `${want}0`]).toContain(got);
  });
});

describe('confidence', () => {
  it('expected calibration error: 0 when confidence matches accuracy, large when it does not', () => {
    const conf = Array.from({ length: 100 }, () => 0.75);
    const ok = Array.from({ length: 100 }, (_, i) => i % 4 !== 0);
    expect(expectedCalibrationError(conf, ok)).toBeCloseTo(0, 6);
    expect(expectedCalibrationError(conf.map(() => 0.99), ok)).toBeCloseTo(0.24, 6);
  });

  it('logistic regression recovers the weights that made seeded data', () => {
    const rng = new Rng(5);
    const truth = [0.5, 2, -1];
    const x: number[][] = [];
    const y: boolean[] = [];
    for (let i = 0; i < 4000; i++) {
      const row = [1, rng.uniform(-2, 2), rng.uniform(0, 1) < 0.5 ? 1 : 0];
      x.push(row);
      y.push(rng.uniform(0, 1) < sigmoid(row.reduce((a, v, j) => a + v * truth[j], 0)));
    }
    const w = fitLogistic(x, y, 0);
    w.forEach((v, j) => expect(Math.abs(v - truth[j])).toBeLessThan(0.25));
    // Agreement with a second reader can only raise a field's confidence with positive weights.
    const weights = [0.5, 0.7, 0.8, 0.4];
    expect(agreementConfidence(0.9, true, 0.6, weights)).toBeGreaterThan(agreementConfidence(0.9, false, 0.6, weights));
    expect(agreementConfidence(0.9, false, 0.6, weights)).toBeCloseTo(sigmoid(0.5 + 0.7 * logit(0.9)), 9);
  });

  it('accuracy-reject curve and edit distance', () => {
    const r = [
      { confidence: 0.99, correct: true },
      { confidence: 0.9, correct: true },
      { confidence: 0.8, correct: false },
      { confidence: 0.5, correct: true },
    ];
    const curve = rejectCurve(r);
    expect(curve[0]).toEqual({ threshold: 0.5, accepted: 1, error: 0.25 });
    expect(acceptedAtError(curve, 0.01)).toEqual({ threshold: 0.9, accepted: 0.5, error: 0 });
    expect(editDistance('12345', '1245')).toBe(1);
    expect(editDistance('100', '700')).toBe(1);
  });

  (existsSync(ORAND) ? it : it.skip)('temperature scaling lowers the calibration error on held-out real check digits', async () => {
    // Start from the shipped weights without their temperature (as training leaves a model).
    const raw = tmp();
    const json = JSON.parse(readFileSync(join(ROOT, 'models', 'check', 'model.json'), 'utf8'));
    delete json.userDefinedMetadata.temperature;
    writeFileSync(join(raw, 'model.json'), JSON.stringify(json));
    copyFileSync(join(ROOT, 'models', 'check', 'weights.bin'), join(raw, 'weights.bin'));
    const r = await calibrateOnStrings(raw, ORAND, tmp());
    expect(r.nllAfter).toBeLessThanOrEqual(r.nllBefore + 1e-9);
    console.log(`ECE ${r.eceBefore} -> ${r.eceAfter}`);
    expect(r.eceAfter).toBeLessThan(r.eceBefore);
  });
});

describe('digit samples from labeled strings', () => {
  it('boxesOnly: one sample per labeled box, with its label, and nothing else', async () => {
    // Three MNIST test digits side by side on white paper, each with its labeled box.
    const d = mnistTest();
    const ids = [3, 2, 1];
    const [S, W, H] = [3, 28 * 3 * 3 + 40, 28 * 3 + 20];
    const data = new Uint8Array(W * H).fill(245);
    const boxes: Box[] = ids.map((id, k) => {
      const [ox, oy] = [20 + k * 28 * S, 10];
      for (let y = 0; y < 28 * S; y++) for (let x = 0; x < 28 * S; x++) data[(oy + y) * W + ox + x] = Math.min(245, 255 - d.images[id * 784 + Math.floor(y / S) * 28 + Math.floor(x / S)]);
      return [ox, oy, 28 * S, 28 * S];
    });
    const dir = tmp();
    const path = join(dir, 'three.png');
    await sharp(Buffer.from(data), { raw: { width: W, height: H, channels: 1 } }).png().toFile(path);
    const strings = [{ file: 'three.png', path, digits: ids.map((i) => d.labels[i]).join(''), boxes }];
    const only = await buildStringSet(strings, { boxesOnly: true });
    expect(only.set.count).toBe(3);
    expect(Array.from(only.set.labels)).toEqual(ids.map((i) => d.labels[i]));
    expect(only.counts).toEqual({ stringDigits: 3, stringRejects: 0, mnistRejects: 0 });
    // Without it, the segmentation graph's candidates add samples (and MNIST rejects when asked).
    const all = await buildStringSet(strings, { mnistRejects: 5 });
    expect(all.set.count).toBeGreaterThan(3 + 5);
  });
});

// Floors from measurements with the shipped model (see #4's closing note); about 5 points below.
const PAIR_MIN = 0.6;
const TRIPLE_MIN = 0.5;
const BROKEN_MIN = 0.75;
const SEPARATOR_MIN = 0.8;
