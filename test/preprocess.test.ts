/**
 * The preprocess stage on generated images: deskew, thresholds, lines, and the fast steps against OpenCV's.
 */
import { decodePage } from '../src/io/image';
import { join } from 'node:path';
import { loadOpenCV } from '../src/preprocess/opencv';
import { estimateSkew, findLines, framedByInk, paperOf, removeLines, rotate, rotatePaper, threshold, thresholdOnPaper, thresholdRotated, thresholdRotatedAt, withoutEdgeInk } from '../src/preprocess/steps';
import { cleanPage } from '../src/preprocess/page';
import { loadOpenCV as cvLoad, toMat, fromMat } from '../src/preprocess/opencv';
import { boxFields } from '../src/segment/fields';
import { componentBoxes, components } from '../src/segment/components';
import type { BinaryImage, GrayImage } from '../src/types';
import { ROOT } from './helpers';
import { blank, speckled, fill, frame, autoFields } from './page-helpers';

describe('preprocess', () => {
  test('skew is measured and corrected', async () => {
    const cv = await loadOpenCV();
    const page = blank(800, 600);
    for (let r = 0; r < 8; r++) fill(page, 100, 80 + r * 60, 600, 12, 0); // text-like lines
    const tilted = rotate(cv, page, -3); // rotate() undoes a skew: -3 makes one of +3
    const skew = estimateSkew(cv, threshold(cv, tilted));
    expect(Math.abs(skew - 3)).toBeLessThan(0.3);
    const fixed = threshold(cv, rotate(cv, tilted, skew));
    expect(Math.abs(estimateSkew(cv, fixed))).toBeLessThan(0.3);
  });
  test("a sheet photographed on a grained desk is deskewed by its print, not by the desk's grain", async () => {
    // A desk bench page (test/fixtures/photos): its print skewed by about -6.5 degrees, the desk's
    // grain all around it. The grain set the angle at 0, and the box was not found (its walls, too
    // slanted for lines, read as a line of handwriting "0").
    const file = join(ROOT, 'test', 'fixtures', 'photos', 'desk-zip-code.jpg');
    const cv = await loadOpenCV();
    const { image } = await decodePage(file, { maxShortSide: 1275 });
    const ink = thresholdOnPaper(image, paperOf(cv, image)).binary;
    expect(framedByInk(ink)).toBe(true);
    expect(Math.abs(cleanPage(cv, image).skew + 6.5)).toBeLessThan(0.5);
    expect((await autoFields(file)).map((f) => [f.name, f.value])).toEqual([['box-1', '19715']]);
    // Ink touching the picture's edges is left out; a scan (paper to its edges) is not framed.
    const edged = withoutEdgeInk(cv, ink);
    const { width: w, height: h } = edged;
    expect([edged.data[0], edged.data[w - 1], edged.data[(h - 1) * w]]).toEqual([0, 0, 0]);
    const scan = await decodePage(join(ROOT, 'samples', 'forms', 'zip-code.png'), { maxShortSide: 1275 });
    expect(framedByInk(threshold(cv, scan.image))).toBe(false);
  });
  test("a hairline a box's wall left beside the line removed (a desk photograph) is not read as a 1", async () => {
    const file = join(ROOT, 'test', 'fixtures', 'photos', 'desk-bank-check.jpg');
    expect((await autoFields(file)).map((f) => f.value)).toEqual(['9721', '517728']);
  });
  test('a line through a digit is removed without eating the digit', async () => {
    const cv = await loadOpenCV();
    const bin: BinaryImage = { width: 400, height: 200, data: new Uint8Array(400 * 200) };
    fill(bin, 20, 100, 360, 3, 1); // printed line
    fill(bin, 200, 40, 10, 120, 1); // a "1" crossing it
    const lines = findLines(bin, 150);
    const clean = removeLines(bin, lines, 6);
    expect(clean.data[101 * 400 + 50]).toBe(0); // line gone
    expect(clean.data[101 * 400 + 205]).toBe(1); // stroke bridged across it
    const cc = components(cv, clean).list;
    expect(cc).toHaveLength(1);
    expect(cc[0].box).toEqual([200, 40, 10, 120]);
  });
});

describe('preprocess: fast steps match their references', () => {
  test('rotate() matches OpenCV warpAffine (bilinear) to within a grey level or two', async () => {
    const cv = await cvLoad();
    const page = blank(640, 480);
    for (let i = 0; i < page.data.length; i++) page.data[i] = (i * 7919) % 251; // texture
    for (const angle of [1.3, -2.7, 7]) {
      const src = toMat(cv, page);
      const dst = new cv.Mat();
      const M = cv.getRotationMatrix2D(new cv.Point(page.width / 2, page.height / 2), -angle, 1);
      cv.warpAffine(src, dst, M, new cv.Size(page.width, page.height), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(255));
      const ref = fromMat(dst).data;
      src.delete();
      dst.delete();
      M.delete();
      const mine = rotate(cv, page, angle).data;
      // Compare away from the borders (the two treat the last pixel of the image differently).
      let sum = 0;
      let n = 0;
      for (let y = 60; y < 420; y++) for (let x = 60; x < 580; x++, n++) sum += Math.abs(ref[y * 640 + x] - mine[y * 640 + x]);
      expect(sum / n).toBeLessThan(2);
    }
  });
  test.each([9, 150])('findLines finds vertical lines exactly as it finds horizontal ones in the transposed image (1 pixel in %i inked)', (sparsity) => {
    const w = 301;
    const h = 203;
    const bin = speckled(w, h, sparsity, 7);
    fill(bin, 10, 20, 3, 150, 1);
    fill(bin, 100, 5, 12, 190, 1); // thick: a stroke, not a printed line
    fill(bin, 20, 100, 250, 2, 1);
    const t: BinaryImage = { width: h, height: w, data: new Uint8Array(w * h) };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t.data[x * h + y] = bin.data[y * w + x];
    const a = findLines(bin, 60, 6);
    const b = findLines(t, 60, 6);
    let differ = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (a.vertical.data[y * w + x] !== b.horizontal.data[x * h + y]) differ++;
        if (a.horizontal.data[y * w + x] !== b.vertical.data[x * h + y]) differ++;
      }
    }
    expect(differ).toBe(0);
    expect(a.vertical.data[100 * w + 11]).toBe(1);
    expect(a.vertical.data[100 * w + 105]).toBe(0);
    expect(a.horizontal.data[100 * w + 200]).toBe(1);
  });
  test.each([
    [301, 203, 9],
    [300, 200, 40],
    [257, 131, 400],
  ])('componentBoxes (from runs) finds the components OpenCV labels: %i x %i, 1 pixel in %i inked, plus strokes', async (w, h, sparsity) => {
    const cv = await cvLoad();
    const bin = speckled(w, h, sparsity, 11);
    fill(bin, 10, 20, 3, 150, 1);
    fill(bin, 20, 100, 250, 2, 1);
    // Diagonal steps: touching only at corners (8-connected), and a U whose arms join at the bottom.
    for (let k = 0; k < 30; k++) bin.data[(40 + k) * w + 150 + k] = 1;
    fill(bin, 200, 30, 2, 40, 1);
    fill(bin, 230, 30, 2, 40, 1);
    fill(bin, 200, 70, 32, 2, 1);
    const key = (c: { box: number[]; area: number }) => `${c.box.join(',')}:${c.area}`;
    const ours = componentBoxes(bin);
    const theirs = components(cv, bin).list;
    expect(ours.map(key).sort()).toEqual(theirs.map(key).sort());
    expect(ours.length).toBeGreaterThan(3);
  });
  test.each([1.7, -2.35, 0.4])('thresholdRotated (only near ink) gives the pixels of rotating the page and thresholding it: %f degrees', async (angle) => {
    const cv = await cvLoad();
    const w = 901;
    const h = 703;
    // Paper darkening towards one corner, noise, strokes, a thin line and isolated dots.
    const page = blank(w, h);
    let s = 5;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) page.data[y * w + x] = Math.round(235 - 60 * (x / w) * (y / h) + ((s = (s * 1103515245 + 12345) % 2147483648) % 9) - 4);
    }
    fill(page, 100, 100, 600, 2, 60);
    fill(page, 300, 200, 8, 300, 40);
    for (let k = 0; k < 40; k++) fill(page, 50 + k * 20, 600 - k * 5, 3, 3, 90);
    const paper = paperOf(cv, page);
    const first = thresholdOnPaper(page, paper);
    const rp = rotatePaper(cv, paper, angle);
    const want = thresholdOnPaper(rotate(cv, page, angle), rp, first.level).binary;
    const got = thresholdRotated(page, first.binary, angle, rp, first.level);
    let differ = 0;
    let ink = 0;
    for (let i = 0; i < want.data.length; i++) {
      if (want.data[i] !== got.data[i]) differ++;
      ink += want.data[i];
    }
    expect(ink).toBeGreaterThan(3000);
    expect(differ).toBe(0);
    // Two levels in one pass (the ink and a fainter one, near the faint ink) give the same pixels.
    const both = thresholdOnPaper(page, paper, undefined, (l) => (1 + l) / 2);
    expect(both.binary.data).toEqual(first.binary.data);
    const pair = thresholdRotatedAt(page, both.faint, angle, rp, [both.level, both.faintLevel]);
    expect(pair[0].data).toEqual(got.data);
    expect(pair[1].data).toEqual(thresholdOnPaper(rotate(cv, page, angle), rp, both.faintLevel).binary.data);
    // A lone dark pixel at every offset against the parts sampled (32 px) and the ink grid (8 px).
    const small = blank(257, 61, 220);
    const sp = paperOf(cv, small);
    const srp = rotatePaper(cv, sp, angle);
    let lone = 0;
    for (let dx = 0; dx < 32; dx++) {
      for (let dy = 0; dy < 8; dy++) {
        const img = blank(257, 61, 220);
        img.data[(26 + dy) * 257 + 90 + dx] = 20;
        const b = thresholdOnPaper(img, sp, 0.6);
        const a = thresholdOnPaper(rotate(cv, img, angle), srp, b.level).binary;
        const r = thresholdRotated(img, b.binary, angle, srp, b.level);
        for (let i = 0; i < a.data.length; i++) {
          if (a.data[i] !== r.data[i]) differ++;
          lone += a.data[i];
        }
      }
    }
    expect(lone).toBeGreaterThanOrEqual(32 * 8);
    expect(differ).toBe(0);
  });
  test('cleanPage makes the deskewed gray page when it is first used, the same as rotating it', async () => {
    const cv = await cvLoad();
    const page = blank(1000, 800);
    for (let r = 0; r < 8; r++) fill(page, 100, 80 + r * 80, 700, 10, 20);
    const tilted = rotate(cv, page, -2);
    const pre = cleanPage(cv, tilted);
    expect(pre.skew).toBeCloseTo(2, 0);
    expect(Array.from(pre.gray.data)).toEqual(Array.from(rotate(cv, tilted, pre.skew).data));
    expect(pre.gray).toBe(pre.gray);
  });
  test('cleanPage gives a box of the deskewed gray page alone, the same pixels as cropping the whole rotated page, before and after it is made', async () => {
    const cv = await cvLoad();
    const page = blank(1000, 800);
    for (let r = 0; r < 8; r++) fill(page, 100, 80 + r * 80, 700, 10, 20);
    fill(page, 300, 100, 40, 500, 90);
    const tilted = rotate(cv, page, -2);
    const crop = (img: GrayImage, [x, y, w, h]: number[]) => {
      const [x0, y0] = [Math.max(0, x), Math.max(0, y)];
      const [x1, y1] = [Math.min(img.width, x + w), Math.min(img.height, y + h)];
      const out: number[] = [];
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) out.push(img.data[yy * img.width + xx]);
      return out;
    };
    const boxes = [[310, 95, 57, 83], [0, 0, 30, 20], [980, 770, 40, 40], [-5, 400, 60, 10]];
    const pre = cleanPage(cv, tilted);
    expect(pre.skew).toBeCloseTo(2, 0);
    const want = rotate(cv, tilted, pre.skew);
    const before = boxes.map((b) => pre.grayRegion(b));
    void pre.gray;
    const after = boxes.map((b) => pre.grayRegion(b));
    boxes.forEach((b, i) => {
      expect(Array.from(before[i].data)).toEqual(crop(want, b));
      expect(Array.from(after[i].data)).toEqual(crop(want, b));
      expect(before[i].width * before[i].height).toBe(crop(want, b).length);
    });
    expect(before[0].width).toBe(57);
  });
  test('a cut-out field is deskewed only when a printed frame crosses it; its tilted frame is then removed as lines', async () => {
    const cv = await cvLoad();
    // A box cut out of a form (900 x 220) with two digit-like strokes inside, tilted 1.5 degrees.
    const field = blank(900, 220);
    frame(field, 40, 30, 820, 160, 4, 30);
    fill(field, 300, 70, 14, 90, 20);
    fill(field, 500, 70, 60, 14, 20);
    const tilted = rotate(cv, field, -1.5);
    const pre = cleanPage(cv, tilted);
    expect(pre.cutOut).toBe(true);
    expect(pre.skew).toBeCloseTo(1.5, 0);
    // The frame's rows are gone from the cleaned image; the strokes stay.
    const rowInk = (y: number) => pre.clean.data.subarray(y * 900, (y + 1) * 900).reduce((a, v) => a + v, 0);
    expect(Math.max(rowInk(31), rowInk(32), rowInk(187), rowInk(188))).toBeLessThan(50);
    expect(rowInk(115)).toBeGreaterThanOrEqual(10);
    // Without a frame, the same strokes are not deskewed (too little to measure a slope on).
    const bare = blank(900, 220);
    fill(bare, 300, 70, 14, 90, 20);
    fill(bare, 500, 70, 60, 14, 20);
    expect(cleanPage(cv, rotate(cv, bare, -1.5)).skew).toBe(0);
  });
  test('under uneven light, thresholding against the paper finds the ink where plain Otsu blackens half the page', async () => {
    const cv = await cvLoad();
    const w = 1200;
    const h = 900;
    const page = blank(w, h);
    // Paper from 120 (dim left) to 245 (bright right); a few dark strokes, 1% of the page.
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) page.data[y * w + x] = Math.round(120 + (125 * x) / w);
    const strokes: Array<[number, number, number, number]> = [[100, 200, 12, 120], [500, 400, 12, 120], [1000, 600, 12, 120], [300, 700, 400, 4]];
    for (const [x, y, sw, sh] of strokes) for (let yy = y; yy < y + sh; yy++) for (let xx = x; xx < x + sw; xx++) page.data[yy * w + xx] = Math.round(page.data[yy * w + xx] * 0.3);
    const ink = strokes.reduce((a, [, , sw, sh]) => a + sw * sh, 0);
    const count = (b: BinaryImage) => b.data.reduce((a, v) => a + v, 0);
    expect(count(threshold(cv, page))).toBeGreaterThan(20 * ink);
    const flat = thresholdOnPaper(page, paperOf(cv, page)).binary;
    expect(Math.abs(count(flat) - ink)).toBeLessThan(0.05 * ink);
    for (const [x, y] of strokes) expect(flat.data[(y + 2) * w + x + 2]).toBe(1);
  });
  test('pale printed box lines (lighter than the ink threshold) are still found as lines and boxes, and the strokes in the box stay ink', async () => {
    const cv = await cvLoad();
    const w = 1275;
    const h = 1650;
    for (const angle of [0, 1.3]) {
      const page = blank(w, h, 245);
      // Two boxes drawn in pale grey (165, as light red or blue print comes out in luma), 2 px;
      // dark handwriting strokes (40) inside them.
      for (const [x, y, bw, bh] of [[150, 300, 500, 90], [150, 600, 300, 90]]) {
        fill(page, x, y, bw, 2, 165);
        fill(page, x, y + bh - 2, bw, 2, 165);
        fill(page, x, y, 2, bh, 165);
        fill(page, x + bw - 2, y, 2, bh, 165);
        for (let k = 0; k < 4; k++) fill(page, x + 40 + k * 60, y + 20, 8, 50, 40);
      }
      const img = angle ? rotate(cv, page, angle) : page;
      const pre = cleanPage(cv, img);
      // Plain thresholding sees no line at all.
      let onLine = 0;
      for (let y = 290; y < 312; y++) for (let x = 200; x < 600; x++) onLine += pre.binary.data[y * w + x];
      expect(onLine).toBe(0);
      const boxes = boxFields({ width: w, height: h, data: pre.lines.horizontal.data.map((v, i) => v | pre.lines.vertical.data[i]) }, 40);
      expect(boxes).toHaveLength(2);
      expect(boxes[0].box[1]).toBeGreaterThan(295);
      expect(boxes[0].box[1]).toBeLessThan(330);
      // The strokes are not taken for lines: 8 strokes of ink remain in the clean page.
      expect(componentBoxes(pre.clean).filter((c) => c.box[3] > 40)).toHaveLength(8);
    }
  });
});
