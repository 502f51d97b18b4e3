/**
 * The native image kernels (native/src/image.cc) give the same pixels, runs and levels as the
 * TypeScript loops they stand in for, on a page and on odd sizes. Fails when the addon did not build
 * (as test/kernels.test.ts does), unless DIGITSCAN_NATIVE=0.
 */
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import { loadMnist } from '../src/classify/data/dataset';
import { Rng } from '../src/classify/data/random';
import { decodePage, toGray } from '../src/io/image';
import { nativeAddon } from '../src/native';
import { nativeImage, useNativeImage } from '../src/preprocess/native';
import { components, labelComponents, loadOpenCV } from '../src/preprocess/opencv';
import { cleanPage } from '../src/preprocess/page';
import { columnRuns, paperOf, rowRuns, shadeOf, thresholdOnPaper, thresholdRotatedAt } from '../src/preprocess/steps';
import { benchArtifacts, generateForm, renderForm, SAMPLE_FORMS } from '../src/samples/forms';
import type { BinaryImage, GrayImage } from '../src/types';
import { tmp } from './helpers';

/** Runs `f` with the native kernels and with the TypeScript loops: [native, typescript]. */
function both<T>(f: () => T): [T, T] {
  useNativeImage(true);
  const a = f();
  useNativeImage(false);
  const b = f();
  useNativeImage(true);
  return [a, b];
}

const off = process.env.DIGITSCAN_NATIVE === '0';
test('the native image kernels are in use (set DIGITSCAN_NATIVE=0 to run without them)', () => {
  expect(nativeImage() === null).toBe(off);
});

(off ? describe.skip : describe)('native image kernels', () => {
  afterAll(() => useNativeImage(true));

  test('a page is preprocessed to the same pixels (binarizations, lines, clean ink), skew and level', async () => {
    const cv = await loadOpenCV();
    // The multi-field sample at 150 dpi with the scan bench's artifacts (uneven light, noise, rotation).
    const spec = SAMPLE_FORMS['multi-field'];
    const seed = 1007;
    const form = generateForm(spec.fields, loadMnist('test'), seed, { dpi: 150, marks: spec.marks });
    const file = join(tmp(), 'page.png');
    writeFileSync(file, await renderForm(form, spec.fields, spec.title, benchArtifacts(seed), seed));
    const image = (await decodePage(file)).image;
    const [n, t] = both(() => cleanPage(cv, image));
    expect(n.skew).toBe(t.skew);
    expect(n.skew).not.toBe(0);
    const masks = (p: typeof n): BinaryImage[] => [p.binary, p.clean, p.lineInk, p.lines.horizontal, p.lines.vertical, ...(p.faint ? [p.faint] : [])];
    const [mn, mt] = [masks(n), masks(t)];
    expect(mn).toHaveLength(6);
    mn.forEach((m, i) => expect(Buffer.compare(Buffer.from(m.data), Buffer.from(mt[i].data))).toBe(0));
    expect(n.binary.data.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });

  test.each([
    [1, 1],
    [7, 3],
    [13, 9],
    [64, 5],
    [203, 117],
  ])('on a %i x %i image: the same runs, thresholds (also of the image turned), paper and shade', async (w, h) => {
    const cv = await loadOpenCV();
    const rng = new Rng(w * 1000 + h);
    const gray: GrayImage = { width: w, height: h, data: new Uint8Array(w * h).map(() => Math.floor(rng.uniform(0, 256))) };
    // Ink in strokes and specks, and whole rows and columns of it.
    const bin: BinaryImage = { width: w, height: h, data: gray.data.map((v) => (v < 90 ? 1 : 0)) };
    for (let x = 0; x < w; x++) bin.data[x] = 1;
    for (let y = 0; y < h; y++) bin.data[y * w + w - 1] = 1;
    const [rn, rt] = both(() => rowRuns(bin.data, w, h));
    expect(Array.from(rn)).toEqual(Array.from(rt));
    const [cn, ct] = both(() => columnRuns(bin.data, w, h));
    expect(Array.from(cn)).toEqual(Array.from(ct));
    expect(rn.length).toBeGreaterThan(0);
    const [pn, pt] = both(() => paperOf(cv, gray, 4, 3));
    expect(Array.from(pn.data)).toEqual(Array.from(pt.data));
    // A paper with dark cells too (a gain past 32 bits in the histogram's fixed point).
    const paper = { ...pt, data: pt.data.map((v, i) => (i % 5 === 0 ? 1 : v)) };
    const [tn, tt] = both(() => thresholdOnPaper(gray, paper, undefined, (l) => (1 + l) / 2));
    expect(tn.level).toBe(tt.level);
    expect(tn.faintLevel).toBe(tt.faintLevel);
    expect(Array.from(tn.binary.data)).toEqual(Array.from(tt.binary.data));
    expect(Array.from(tn.faint.data)).toEqual(Array.from(tt.faint.data));
    const [sn, st] = both(() => shadeOf(cv, gray, bin, 4, 3));
    expect(Array.from(sn.data)).toEqual(Array.from(st.data));
    // The page as deskewing turns it, thresholded at two levels (sampled where the faint ink is).
    for (const angle of [1.3, -2.7]) {
      const [rn2, rt2] = both(() => thresholdRotatedAt(gray, tt.faint, angle, paper, [tt.level, tt.faintLevel]));
      rn2.forEach((b, i) => expect(Array.from(b.data)).toEqual(Array.from(rt2[i].data)));
      if (w > 100) expect(rn2[1].data.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    }
  });
  test('a page twice the working size is halved natively to the bytes sharp makes of it (gray and colour)', async () => {
    type Halve = (src: Uint8Array, w: number, h: number, ch: number, out: Uint8Array) => void;
    const addon = nativeAddon().addon as { halveCubic: Halve };
    const halve = addon.halveCubic;
    const bySharp = async (input: Buffer | Uint8Array, w: number, h: number, ch: number, raw: boolean) => {
      const p = raw ? sharp(input, { raw: { width: w, height: h, channels: ch as 1 | 3 } }) : sharp(input);
      const { data, info } = await (ch === 1 ? p.toColourspace('b-w') : p).resize(w / 2, h / 2, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      return toGray(data, info.width * info.height, info.channels);
    };
    // Noise of every level (clipped sums) at small and odd-shaped even sizes, gray and colour.
    for (const [w, h, ch] of [[2, 2, 1], [40, 30, 1], [202, 118, 1], [64, 18, 3], [2, 6, 3]]) {
      const rng = new Rng(w * 31 + h * 7 + ch);
      const src = new Uint8Array(w * h * ch).map(() => Math.floor(rng.uniform(0, 256)));
      const out = new Uint8Array((w / 2) * (h / 2) * ch);
      halve(src, w, h, ch, out);
      const ref = await bySharp(src, w, h, ch, true);
      expect(Buffer.compare(Buffer.from(toGray(out, (w / 2) * (h / 2), ch)), Buffer.from(ref))).toBe(0);
    }
    expect(() => halve(new Uint8Array(12), 3, 4, 1, new Uint8Array(6))).toThrow(/even size/);
    // A page (print, lines, a stroke, some noise) read at half its size: decodePage's fast path, counted; gray and in colour.
    const [W, H] = [1000, 1400];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#f4f1ea"/>` +
      `<text x="80" y="120" font-size="48" fill="#223">ZIP code 70251</text><rect x="80" y="300" width="700" height="160" fill="none" stroke="#000" stroke-width="3"/>` +
      `<path d="M120 420 C 200 300, 260 470, 330 330" stroke="#15c" stroke-width="9" fill="none"/></svg>`;
    const rng = new Rng(5);
    const { data: base } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const noisy = base.map((v) => Math.max(0, Math.min(255, v + Math.round(rng.uniform(-12, 12)))));
    const rgb = await sharp(noisy, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
    const png = await sharp(rgb).toColourspace('b-w').png().toBuffer();
    let calls = 0;
    addon.halveCubic = (...a) => { calls++; halve(...a); };
    try {
      const gray = await decodePage(png, { maxShortSide: 500 });
      const colour = await decodePage(rgb, { maxShortSide: 500 });
      expect(calls).toBe(2);
      expect([gray.image.width, gray.image.height]).toEqual([500, 700]);
      expect(Buffer.compare(Buffer.from(gray.image.data), Buffer.from(await bySharp(png, W, H, 1, false)))).toBe(0);
      expect(Buffer.compare(Buffer.from(colour.image.data), Buffer.from(await bySharp(rgb, W, H, 3, false)))).toBe(0);
      // 16 bits (brought to 8 first) and transparency (flattened first): within a grey level of sharp's.
      const d16 = new Uint16Array(200 * 300).map((_, i) => (i * 37) % 65536);
      const grey16 = await sharp(Buffer.from(d16.buffer), { raw: { width: 200, height: 300, channels: 1 } }).toColourspace('grey16').png().toBuffer();
      const rgba = await sharp({ create: { width: 200, height: 300, channels: 4, background: { r: 200, g: 10, b: 30, alpha: 0.5 } } }).png().toBuffer();
      for (const [input, sharpOf] of [
        [grey16, () => sharp(grey16).toColourspace('b-w')],
        [rgba, () => sharp(rgba)],
      ] as const) {
        const mine = (await decodePage(input, { maxShortSide: 100 })).image;
        const { data, info } = await sharpOf().resize(100, 150, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
        const ref = toGray(data, 100 * 150, info.channels);
        expect(Math.max(...mine.data.map((v, i) => Math.abs(v - ref[i])))).toBeLessThanOrEqual(1);
      }
      expect(calls).toBe(4);
      // Not twice the size asked for: sharp reduces it.
      await decodePage(png, { maxShortSide: 480 });
      expect(calls).toBe(4);
    } finally {
      addon.halveCubic = halve;
    }
  });
  test("connected components get OpenCV's labels, boxes and areas, in its order", async () => {
    const cv = await loadOpenCV();
    const rng = new Rng(77);
    const seen = { components: 0, several: 0 };
    for (let k = 0; k < 120; k++) {
      const [w, h] = [1 + Math.floor(rng.uniform(0, 70)), 1 + Math.floor(rng.uniform(0, 45))];
      const p = rng.uniform(0, 0.7);
      const bin: BinaryImage = { width: w, height: h, data: new Uint8Array(w * h).map(() => (rng.uniform(0, 1) < p ? 1 : 0)) };
      const [n, t] = both(() => components(cv, bin));
      expect(n.list).toEqual(t.list);
      expect(Buffer.compare(Buffer.from(n.labels.buffer), Buffer.from(t.labels.buffer))).toBe(0);
      seen.components += n.list.length;
      seen.several += n.list.filter((c) => c.area > 3).length;
    }
    expect(seen.components).toBeGreaterThan(1000);
    expect(seen.several).toBeGreaterThan(100);
    // labelComponents hands the same to its callback, natively or from OpenCV's memory.
    const bin: BinaryImage = { width: 9, height: 4, data: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]) };
    const [a, b] = both(() => labelComponents(cv, bin, (list, labels) => ({ list, labels: Array.from(labels) })));
    expect(a).toEqual(b);
    // OpenCV numbers them by their first 2 x 2 block, in rows of blocks: the pair at (3, 1) comes before
    // the one whose first pixel is (8, 0), and (8, 3) last; in the order of their first pixels it would not.
    expect(a.list.map((c) => c.box.slice(0, 2))).toEqual([[0, 0], [3, 1], [7, 0], [0, 2], [8, 3]]);
    // An empty image (a box clipped away at the page's edge) has none.
    expect(components(cv, { width: 0, height: 5, data: new Uint8Array(0) }).list).toEqual([]);
  });
});
