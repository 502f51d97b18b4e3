import { normalizeDigit, MNIST_SIZE } from '../src/segment/normalize';
import type { GrayImage } from '../src/types';
import { mnistTest, page } from './helpers';


function stats(px: Float32Array) {
  let m = 0, mx = 0, my = 0, x0 = 99, x1 = -1, y0 = 99, y1 = -1;
  for (let y = 0; y < MNIST_SIZE; y++) for (let x = 0; x < MNIST_SIZE; x++) {
    const v = px[y * MNIST_SIZE + x];
    m += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    if (v > 0.05) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  return { cx: mx / m, cy: my / m, w: x1 - x0 + 1, h: y1 - y0 + 1, max: Math.max(...px) };
}

describe('normalizeDigit (MNIST normalization)', () => {
  test('fits the longer side to 20 px and keeps the aspect ratio', () => {
    const s = stats(normalizeDigit(page(200, 300, [[80, 50, 30, 120]])).pixels); // 30x120 bar: 1:4
    expect(s.h).toBe(20);
    expect(s.w).toBeGreaterThanOrEqual(5);
    expect(s.w).toBeLessThanOrEqual(6);
    const wide = stats(normalizeDigit(page(300, 100, [[20, 30, 200, 40]])).pixels); // 5:1
    expect(wide.w).toBe(20);
    expect(wide.h).toBeGreaterThanOrEqual(4);
    expect(wide.h).toBeLessThanOrEqual(5);
  });
  test('puts the centre of mass at the centre of the 28x28 field', () => {
    // An L shape: its centre of mass is off its box centre.
    const s = stats(normalizeDigit(page(120, 120, [[10, 10, 15, 90], [10, 85, 70, 15]])).pixels);
    // MNIST's convention: the centre of mass on pixel (14, 14), i.e. 14.5 with pixel centres at i + 0.5.
    expect(Math.abs(s.cx - 14.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s.cy - 14.5)).toBeLessThanOrEqual(0.5);
  });
  test('ink is bright on dark in [0, 1] whatever the input polarity', () => {
    const dark = page(60, 60, [[20, 10, 12, 40]], 10, 250);
    const light = { ...dark, data: dark.data.map((v) => 255 - v) };
    const a = normalizeDigit(dark).pixels;
    const b = normalizeDigit(light).pixels;
    expect(stats(a).max).toBeCloseTo(1, 1);
    expect(a[0]).toBe(0);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    expect(diff).toBeLessThan(1e-6);
    // Forcing the polarity gives the same on the matching input.
    const forced = normalizeDigit(dark, { polarity: 'dark-on-light' }).pixels;
    expect(Array.from(forced)).toEqual(Array.from(a));
  });
  test('an image with no ink is blank, not an error', () => {
    expect(Math.max(...normalizeDigit(page(40, 40, [])).pixels)).toBe(0);
  });
  test('re-normalizing MNIST digits reproduces them (centre of mass and shape)', () => {
    const d = mnistTest();
    const n = 300;
    let sx = 0, sy = 0, tx = 0, ty = 0, worst = 1;
    for (let i = 0; i < n; i++) {
      const img = { width: 28, height: 28, data: d.images.slice(i * 784, (i + 1) * 784) };
      const out = normalizeDigit(img).pixels;
      const src = Float32Array.from(img.data, (v) => v / 255);
      const a = stats(src);
      const b = stats(out);
      sx += a.cx; sy += a.cy; tx += b.cx; ty += b.cy;
      // Best cosine similarity over shifts of at most one pixel (rounding of the centre of mass).
      let best = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        let dot = 0, na = 0, nb = 0;
        for (let y = 1; y < 27; y++) for (let x = 1; x < 27; x++) {
          const u = src[y * 28 + x];
          const v = out[(y + dy) * 28 + x + dx];
          dot += u * v; na += u * u; nb += v * v;
        }
        best = Math.max(best, dot / Math.sqrt(na * nb));
      }
      worst = Math.min(worst, best);
    }
    expect(Math.abs(tx / n - sx / n)).toBeLessThan(0.1);
    expect(Math.abs(ty / n - sy / n)).toBeLessThan(0.1);
    expect(worst).toBeGreaterThan(0.8);
  });
  test('rejects an inconsistent image', () => {
    expect(() => normalizeDigit({ width: 3, height: 3, data: new Uint8Array(5) })).toThrow(/bad image/);
  });
});
