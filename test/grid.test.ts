/**
 * The grid filters of src/preprocess/grid.ts give the same bytes as the OpenCV.js calls they stand
 * in for, on random grids of many sizes (smooth like a page's paper, and noise), and the page steps
 * built on them no longer load OpenCV.js.
 */
import { Rng } from '../src/classify/data/random';
import { boxMean, maxFilter, rotateGrid, type Grid } from '../src/preprocess/grid';
import { loadOpenCV, type CV } from '../src/preprocess/opencv';
import { inkCount, threshold } from '../src/preprocess/steps';

/** Random grids: odd and tiny sizes, smooth (paper-like, with dark specks) or noise. */
function grids(seed: number, count: number): Grid[] {
  const rng = new Rng(seed);
  const out: Grid[] = [];
  for (let t = 0; t < count; t++) {
    const width = t < 3 ? t + 1 : 1 + Math.floor(rng.next() * 330);
    const height = t < 3 ? 3 - t : 1 + Math.floor(rng.next() * 330);
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) {
      const smooth = 170 + 50 * Math.sin((i % width) / 23) * Math.cos(i / width / 31) + rng.next() * 12;
      data[i] = t % 2 ? Math.floor(rng.next() * 256) : rng.next() < 0.03 ? Math.floor(rng.next() * 90) : Math.round(smooth);
    }
    out.push({ width, height, data });
  }
  return out;
}

/** Runs `f` on an OpenCV Mat holding `g` and returns the Mat's bytes. */
function withMat(cv: CV, g: Grid, f: (m: CV) => void): Uint8Array {
  const m = new cv.Mat(g.height, g.width, cv.CV_8UC1);
  try {
    m.data.set(g.data);
    f(m);
    return new Uint8Array(m.data);
  } finally {
    m.delete();
  }
}

/** How many bytes differ. */
const differ = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v === b[i] ? 0 : 1), 0) + Math.abs(a.length - b.length);

test('a skewed page with a shaded field is cleaned, and binarized by Otsu, without loading OpenCV.js', async () => {
  await jest.isolateModulesAsync(async () => {
    const { loadOpenCV: load, openCVLoaded } = await import('../src/preprocess/opencv');
    const { cleanPage } = await import('../src/preprocess/page');
    const { rotate, threshold: binarize } = await import('../src/preprocess/steps');
    const cv = await load();
    // A page of paper under uneven light, a grey shaded field, a box and strokes of ink, tilted 2 degrees.
    const width = 900;
    const height = 700;
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = 235 - Math.round((25 * x) / width);
        if (x > 100 && x < 500 && y > 300 && y < 380) v = Math.round(v * 0.85);
        if ((y === 200 || y === 260) && x > 100 && x < 800) v = 30;
        if ((x === 100 || x === 800) && y > 200 && y < 260) v = 30;
        if (x > 150 + ((y * 7) % 600) && x < 156 + ((y * 7) % 600) && y > 210 && y < 250) v = 40;
        data[y * width + x] = v;
      }
    }
    // rotate() undoes a skew of its angle: the page comes out skewed by -2 degrees.
    const page = rotate(cv, { width, height, data }, 2);
    const clean = cleanPage(cv, page, { shades: true });
    expect(Math.abs(clean.skew + 2)).toBeLessThan(0.3);
    expect(clean.shade?.data.includes(1)).toBe(true);
    expect(binarize(cv, page).data.includes(1)).toBe(true);
    expect(openCVLoaded()).toBe(false);
    // The first use of a member loads it.
    expect(typeof cv.Mat).toBe('function');
    expect(openCVLoaded()).toBe(true);
  });
});

describe('grid filters match OpenCV', () => {
  let cv: CV;
  beforeAll(async () => {
    cv = await loadOpenCV();
  });

  test('maxFilter is dilate by a square, borders replicated', () => {
    for (const g of grids(11, 24)) {
      for (const k of [3, 4, 7, 41]) {
        const kernel = cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(k, k));
        const want = withMat(cv, g, (m) => cv.dilate(m, m, kernel, new cv.Point(-1, -1), 1, cv.BORDER_REPLICATE));
        kernel.delete();
        expect([g.width, g.height, k, differ(maxFilter(g, k).data, want)]).toEqual([g.width, g.height, k, 0]);
      }
    }
  });

  test('boxMean is blur, borders replicated', () => {
    for (const g of grids(12, 24)) {
      for (const k of [3, 7]) {
        const want = withMat(cv, g, (m) => cv.blur(m, m, new cv.Size(k, k), new cv.Point(-1, -1), cv.BORDER_REPLICATE));
        expect([g.width, g.height, k, differ(boxMean(g, k).data, want)]).toEqual([g.width, g.height, k, 0]);
      }
    }
  });

  test('rotateGrid is warpAffine by getRotationMatrix2D, bilinear (edges extended) and nearest (outside constant)', () => {
    const rng = new Rng(13);
    for (const g of grids(14, 30)) {
      const angle = (rng.next() - 0.5) * (rng.next() < 0.5 ? 8 : 60);
      for (const mode of ['linear', 'nearest'] as const) {
        const M = cv.getRotationMatrix2D(new cv.Point(g.width / 2, g.height / 2), -angle, 1);
        const src = new cv.Mat(g.height, g.width, cv.CV_8UC1);
        const dst = new cv.Mat();
        src.data.set(g.data);
        const linear = mode === 'linear';
        cv.warpAffine(src, dst, M, new cv.Size(g.width, g.height), linear ? cv.INTER_LINEAR : cv.INTER_NEAREST, linear ? cv.BORDER_REPLICATE : cv.BORDER_CONSTANT, new cv.Scalar(3));
        const got = new Uint8Array(dst.data);
        for (const m of [M, src, dst]) m.delete();
        expect([g.width, g.height, angle, mode, differ(rotateGrid(g, angle, mode, 3).data, got)]).toEqual([g.width, g.height, angle, mode, 0]);
      }
    }
  });

  test("threshold 'otsu' is THRESH_BINARY_INV + THRESH_OTSU (to 0 and 1)", () => {
    const flat = { width: 9, height: 4, data: new Uint8Array(36).fill(200) };
    for (const g of [...grids(15, 16), flat]) {
      const want = withMat(cv, g, (m) => cv.threshold(m, m, 0, 1, cv.THRESH_BINARY_INV + cv.THRESH_OTSU));
      expect([g.width, g.height, differ(threshold(cv, g, 'otsu').data, want)]).toEqual([g.width, g.height, 0]);
    }
  });
});

describe('inkCount', () => {
  test('counts the nonzero bytes of aligned and unaligned images of any length', () => {
    const rng = new Rng(21);
    const buffer = new Uint8Array(4096 + 8);
    for (let i = 0; i < buffer.length; i++) buffer[i] = rng.next() < 0.1 ? (rng.next() < 0.5 ? 1 : 255) : 0;
    for (const [offset, length] of [[0, 4096], [1, 4095], [2, 7], [3, 4101], [4, 0], [5, 3]]) {
      const data = buffer.subarray(offset, offset + length);
      let want = 0;
      for (const v of data) if (v) want++;
      expect([offset, length, inkCount({ width: length, height: 1, data })]).toEqual([offset, length, want]);
    }
  });
});
