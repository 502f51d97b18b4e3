import { isolateDigit } from '../src/segment/isolate';
import { components } from '../src/segment/components';
import { normalizeDigit } from '../src/segment/normalize';
import { loadOpenCV, type CV } from '../src/preprocess/opencv';
import { Classifier } from '../src/classify/classifier';
import type { GrayImage } from '../src/types';
import { mnistTest, page as lightPage } from './helpers';
import { boxedDigit, digitOnPaper, shadedDigit, soiledDigit } from '../src/samples/digits';

/** A white page with dark filled rectangles (x, y, w, h). */
const page = (width: number, height: number, rects: Array<[number, number, number, number]>): GrayImage => lightPage(width, height, rects, 15, 240);

const inked = (img: GrayImage, x: number, y: number) => img.data[y * img.width + x] < 128;

describe('isolateDigit', () => {
  let cv: CV;
  beforeAll(async () => {
    cv = await loadOpenCV();
  });

  test('labels 8-connected components', () => {
    // Two blocks touching at a corner are one component; a third apart is another.
    const img = page(20, 10, [[1, 1, 3, 3], [4, 4, 3, 3], [12, 2, 3, 5]]);
    const mask = img.data.map((v) => (v < 128 ? 1 : 0));
    const { list: blobs } = components(cv, { width: 20, height: 10, data: mask });
    expect(blobs.map((b) => b.area).sort((a, b) => a - b)).toEqual([15, 18]);
  });

  test('one component of ink comes back unchanged', () => {
    const img = page(40, 40, [[10, 5, 6, 30]]);
    expect(isolateDigit(cv, img)).toBe(img);
  });

  test('paints over specks, a far mark and a neighbour cut by the edge; keeps the strokes of a broken digit', () => {
    // A "5": body, and its top bar apart by a pixel reaching the right edge; a speck in a corner;
    // a neighbour's sliver at the left edge; a blot far below.
    const img = page(60, 60, [
      [22, 20, 6, 28], // body
      [29, 12, 31, 5], // top bar, to the right edge
      [2, 2, 2, 2], // speck
      [0, 18, 3, 30], // neighbour's edge
      [40, 56, 6, 3], // mark far away
    ]);
    const out = isolateDigit(cv, img);
    expect(inked(out, 24, 30)).toBe(true);
    expect(inked(out, 45, 14)).toBe(true);
    expect(inked(out, 2, 2)).toBe(false);
    expect(inked(out, 1, 30)).toBe(false);
    expect(inked(out, 42, 57)).toBe(false);
    // A box printed around the digit, and a rule under it, are not the digit.
    const boxed = page(40, 40, [[16, 8, 5, 24], [1, 1, 38, 2], [1, 37, 38, 2], [1, 1, 2, 38], [37, 1, 2, 38]]);
    const inBox = isolateDigit(cv, boxed);
    expect(inked(inBox, 18, 20)).toBe(true);
    expect(inked(inBox, 20, 1)).toBe(false);
    expect(inked(inBox, 1, 20)).toBe(false);
    const ruled = isolateDigit(cv, page(40, 40, [[16, 4, 5, 24], [0, 33, 40, 2]]));
    expect(inked(ruled, 18, 20)).toBe(true);
    expect(inked(ruled, 10, 33)).toBe(false);
    // A tight digit whose strokes run the image's length (a 4 filling 16x16) is not a rule, and a
    // centred upright stroke is a 1: a speck beside either does not make them go.
    const four = isolateDigit(cv, page(16, 16, [[8, 0, 2, 16], [1, 8, 15, 2], [1, 2, 2, 7], [13, 1, 1, 1]]));
    expect(inked(four, 8, 3)).toBe(true);
    expect(inked(four, 4, 8)).toBe(true);
    const tightOne = isolateDigit(cv, page(16, 16, [[7, 0, 3, 16], [1, 2, 2, 2]]));
    expect(inked(tightOne, 8, 8)).toBe(true);
    expect(inked(tightOne, 1, 2)).toBe(false);
    // A thin 1 beside a bigger piece of its neighbour is still the digit.
    const one = page(40, 30, [[0, 4, 8, 22], [24, 3, 2, 22]]);
    const kept = isolateDigit(cv, one);
    expect(inked(kept, 25, 10)).toBe(true);
    expect(inked(kept, 3, 10)).toBe(false);
  });

  test('MNIST test digits with specks and a neighbour sliver, in a printed box or under uneven light, are read as without them (shipped model)', async () => {
    const clf = await Classifier.load(undefined, { workers: 1 });
    try {
      const d = mnistTest();
      const n = 300;
      const ids = Array.from({ length: n }, (_, k) => (k * 7919 + 13) % 10000);
      const read = async (imgs: GrayImage[]) => (await clf.classify(imgs.map((g) => normalizeDigit(g)))).map((p) => p.digit);
      const clean = await read(ids.map((i) => digitOnPaper(d, i)));
      const raw = await read(ids.map((i) => soiledDigit(d, i)));
      const isolated = await read(ids.map((i) => isolateDigit(cv, soiledDigit(d, i))));
      const boxed = await read(ids.map((i) => isolateDigit(cv, boxedDigit(d, i))));
      const shaded = await read(ids.map((i) => isolateDigit(cv, shadedDigit(d, i))));
      const right = (r: number[]) => r.filter((v, k) => v === d.labels[ids[k]]).length;
      console.log(`isolateDigit: ${n} MNIST test digits read right: clean ${right(clean)}, soiled ${right(raw)}, soiled and isolated ${right(isolated)}, boxed and isolated ${right(boxed)}, shaded and isolated ${right(shaded)}`);
      // Without isolation the specks and the sliver stretch the crop and many are misread.
      expect(right(raw)).toBeLessThan(0.95 * n);
      expect(right(isolated)).toBeGreaterThanOrEqual(right(clean) - 3);
      expect(right(boxed)).toBeGreaterThanOrEqual(right(clean) - 3);
      expect(right(shaded)).toBeGreaterThanOrEqual(right(clean) - 3);
      // Clean digits (one component, or broken strokes close together) are left as they are.
      let same = 0;
      for (const i of ids) {
        const g = digitOnPaper(d, i);
        const a = normalizeDigit(isolateDigit(cv, g)).pixels;
        const b = normalizeDigit(g).pixels;
        if (a.every((v, k) => v === b[k])) same++;
      }
      expect(same).toBeGreaterThanOrEqual(n - 3);
    } finally {
      await clf.close();
    }
  }, 120000);
});
