/**
 * The native image kernels (native/src/image.cc) give the same pixels, runs and levels as the
 * TypeScript loops they stand in for, on a page and on odd sizes. Fails when the addon did not build
 * (as test/kernels.test.ts does), unless DIGITSCAN_NATIVE=0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../src/classify/data/dataset';
import { Rng } from '../src/classify/data/random';
import { decodePage } from '../src/io/image';
import { nativeImage, useNativeImage } from '../src/preprocess/native';
import { loadOpenCV } from '../src/preprocess/opencv';
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
});
