/**
 * The segment stage within a field: a field's ink cut into digits, and digits cut again.
 */
import { writeFileSync } from 'node:fs';
import { decodePage } from '../src/io/image';
import sharp from 'sharp';
import { join } from 'node:path';
import { rotateRegion } from '../src/preprocess/steps';
import { cleanPage } from '../src/preprocess/page';
import { loadOpenCV as cvLoad } from '../src/preprocess/opencv';
import { cutDigits, extractDigits, recropFaint, recropGrey, recropThin } from '../src/segment/digits';
import { loadMnist } from '../src/classify/data/dataset';
import { Classifier } from '../src/classify/classifier';
import { templateFields } from '../src/segment/fields';
import { components, cropBinary } from '../src/segment/components';
import { bestPath, onBracket, segmentGraph } from '../src/segment/strings';
import { bracketPairs, parenthesis, peelParenthesis } from '../src/segment/shape';
import { withOverflow } from '../src/segment/overflow';
import { faintInk, withFaintFields } from '../src/segment/faint';
import { defaultCheckModelDir } from '../src/classify/model-io';
import type { BinaryImage, Box, GrayImage } from '../src/types';
import { tmp } from './helpers';
import { benchArtifacts, generateForm, renderForm, SAMPLE_FORMS } from '../src/samples/forms';
import { scanInputs } from '../src/pipeline/scan';
import type { DocumentResult } from '../src/pipeline/document';
import { FORMER, drawDigit, thin1px, fill, autoFields } from './page-helpers';

describe('segment: digits in a field', () => {
  // The same OpenCV, MNIST test set and shipped model for every case; each draws on a blank field.
  let cv: Awaited<ReturnType<typeof cvLoad>>;
  let clf: Classifier;
  const mnist = loadMnist('test');
  const blank = (width: number, height: number): BinaryImage => ({ width, height, data: new Uint8Array(width * height) });
  beforeAll(async () => {
    cv = await cvLoad();
    clf = await Classifier.load();
  });
  test('digits crossing the top and bottom edges of their field are read whole; a label above the box belongs to no field', async () => {
    // MNIST test 0 (a 7) and 1 (a 2) at 4x: ink about 80 px tall, in a field 60 px tall that their
    // tops and tails cross; a field just above it; a printed label's block beside the digits' tops.
    const W = 600;
    const bin = blank(W, 400);
    drawDigit(bin, mnist.images, 0, 110, 176, 4);
    drawDigit(bin, mnist.images, 1, 220, 176, 4);
    fill(bin, 400, 190, 60, 8, 1);
    const field: Box = [100, 205, 360, 60];
    const above: Box = [100, 100, 360, 60];
    const regions = [{ name: 'a', box: field }, { name: 'b', box: above }];
    const reach = withOverflow(cv, bin, regions);
    expect(reach.regions[1]).toBe(regions[1]);
    const [, gy, , gh] = reach.regions[0].box;
    expect(gy).toBeLessThan(200);
    expect(gy).toBeGreaterThanOrEqual(160);
    expect(gy + gh).toBeGreaterThan(268);
    // The label's ink in the rows the field grew into is gone from the page read (a copy); the digits' stays.
    expect(reach.page).not.toBe(bin);
    expect(bin.data[194 * W + 420]).toBe(1);
    expect(reach.page.data[194 * W + 420]).toBe(0);
    const inkOf = (img: BinaryImage) => img.data.reduce((a, v) => a + v, 0);
    expect(inkOf(reach.page)).toBeGreaterThanOrEqual(inkOf(bin) - 60 * 8);
    // Cut at the field's edges, the digits are their middles; from the grown box, whole.
    const cut = extractDigits(cv, bin, field);
    const whole = extractDigits(cv, reach.page, reach.regions[0].box);
    expect(cut.every((c) => c.box[3] <= 60)).toBe(true);
    expect(whole).toHaveLength(2);
    expect(whole.every((c) => c.box[3] >= 75)).toBe(true);
    expect((await clf.classify(whole)).map((p) => p.digit).join('')).toBe('72');
    // Two fields 30 px apart whose strokes reach towards each other, in the same columns: neither
    // grows over the other's stroke.
    const two = blank(W, 400);
    fill(two, 150, 110, 6, 75, 1); // the upper field's, down to 185
    fill(two, 160, 175, 6, 75, 1); // the lower field's, up from 175
    const [up, down] = withOverflow(cv, two, [{ name: 'up', box: [100, 100, 360, 60] }, { name: 'down', box: [100, 190, 360, 60] }]).regions.map((r) => r.box);
    expect(up[1] + up[3]).toBe(175);
    expect(down[1]).toBe(185);
    // Ink that keeps to its field: nothing changes.
    const calm = blank(W, 400);
    drawDigit(calm, mnist.images, 0, 110, 206, 2);
    const still = withOverflow(cv, calm, [{ name: 'a', box: field }]);
    expect(still.page).toBe(calm);
    expect(still.regions[0].box).toEqual(field);
  });
  test("a last digit written across its field's right side is read whole; a field never grows into its neighbour", async () => {
    // MNIST test 1 (a 2) inside a field 80 px tall, and MNIST test 0 (a 7) at 3x with its middle on
    // the field's right side; a printed mark past the side, over the 7.
    const W = 700;
    const bin = blank(W, 300);
    drawDigit(bin, mnist.images, 1, 240, 98, 3);
    drawDigit(bin, mnist.images, 0, 358, 98, 3);
    fill(bin, 418, 100, 8, 4, 1);
    const field: Box = [100, 100, 300, 80];
    const reach = withOverflow(cv, bin, [{ name: 'a', box: field }]);
    const [gx, gy, gw, gh] = reach.regions[0].box;
    expect([gx, gy, gh]).toEqual([100, 100, 80]);
    expect(gx + gw).toBeGreaterThan(420);
    expect(gx + gw).toBeLessThanOrEqual(448);
    // The mark is no field's: gone from the page read (a copy).
    expect(bin.data[102 * W + 420]).toBe(1);
    expect(reach.page.data[102 * W + 420]).toBe(0);
    // Cut at the side, the 7 is its left half; from the grown box, whole and read.
    const cut = extractDigits(cv, bin, field);
    const whole = extractDigits(cv, reach.page, reach.regions[0].box);
    expect(Math.max(...cut.map((c) => c.box[0] + c.box[2]))).toBeLessThanOrEqual(400);
    expect(whole).toHaveLength(2);
    expect(whole[1].box[0] + whole[1].box[2]).toBeGreaterThan(420);
    expect((await clf.classify(whole)).map((p) => p.digit).join('')).toBe('27');
    // A field beside it, 10 px off (a table's next cell): no growth that way. 60 px off: up to it.
    const tight = withOverflow(cv, bin, [{ name: 'a', box: field }, { name: 'b', box: [410, 100, 200, 80] }]);
    expect(tight.regions[0].box).toEqual(field);
    const spaced = withOverflow(cv, bin, [{ name: 'a', box: field }, { name: 'b', box: [430, 100, 200, 80] }]);
    expect(spaced.regions[0].box[0] + spaced.regions[0].box[2]).toBeLessThanOrEqual(430);
    expect(spaced.regions[0].box[0] + spaced.regions[0].box[2]).toBeGreaterThan(410);
  });
  test("a form filled in with a light pencil is read from the fainter binarization's strokes; a dark pen's page is left as it is", async () => {
    // The multi-field sample layout at 150 dpi (the scan's working size) with the scan bench's
    // artifacts (bleed-through included), written in grey 150-190 (print: 30), and the same page in
    // a dark pen (10-60).
    const spec = SAMPLE_FORMS['multi-field'];
    const dir = tmp();
    const read = async (ink: [number, number]) => {
      const form = generateForm(spec.fields, mnist, 90002, { dpi: 150, marks: spec.marks, ink });
      const file = join(dir, `${ink[0]}.png`);
      writeFileSync(file, await renderForm(form, spec.fields, spec.title, benchArtifacts(90002), 90002));
      const docs: DocumentResult[] = [];
      await scanInputs([file], { template: form.template, concurrency: 1 }, (d) => docs.push(d));
      const pre = cleanPage(cv, (await decodePage(file)).image);
      const boxes = templateFields(form.template, pre.clean.width, pre.clean.height);
      return { file, form, fields: docs[0].pages[0].fields, pre, boxes, lost: faintInk(cv, pre.clean, (b) => pre.faintRegion(b), boxes.map((r) => r.box)) };
    };
    const pencil = await read([150, 190]);
    // Digits of the pencil's are lost to the page's own threshold: cut from it, fields come out short.
    // Every field is read right.
    expect(pencil.lost.lost).toBeGreaterThanOrEqual(0.5 * pencil.lost.marks);
    const cutFromOwn = pencil.boxes.reduce((a, r) => a + extractDigits(cv, pencil.pre.clean, r.box).length, 0);
    const digits = Object.values(pencil.form.expected).join('').length;
    expect(cutFromOwn).toBeLessThan(digits);
    for (const f of pencil.fields) expect(f.value).toBe(pencil.form.expected[f.name]);
    // Read by lines (neither template nor --auto-fields), a pencil's lines are found again on the
    // page with the fainter strokes along the lines first found, followed as far as they go (grey
    // 120-190, as the pencil bench writes; where the page's threshold loses every stroke of a line,
    // it is not found).
    const dark = await read([120, 190]);
    const byLines: DocumentResult[] = [];
    await scanInputs([dark.file], { concurrency: 1 }, (d) => byLines.push(d));
    // (On the page's own binarization: 13 of the 23 digits, the id and the phone cut short. With the
    // fainter strokes only within 0.6 of a line's height of the lines first found, until session 58:
    // the id 717765 read 11776 and the phone 8024133740 read 7024133746.)
    const lines = byLines[0].pages[0].fields.map((f) => f.value);
    expect(lines).toEqual(Object.values(dark.form.expected));
    const pen = await read([10, 60]);
    expect(pen.lost.marks).toBeGreaterThanOrEqual(20);
    expect(pen.lost.lost).toBe(0);
    expect(withFaintFields(cv, pen.pre.clean, (b) => pen.pre.faintRegion(b), pen.boxes)).toBe(pen.pre.clean);
    // A region of the fainter binarization made alone is the same as the part of the whole one.
    const box: Box = [100, 200, 300, 120];
    const alone = pen.pre.faintRegion(box)!;
    expect(Buffer.from(alone.data).equals(Buffer.from(cropBinary(pen.pre.faintClean!, box).data))).toBe(true);
  });
  test('two touching MNIST test digits are cut apart and read; a printed-line sliver is not a digit', async () => {
    const pairs = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 11]];
    let right = 0;
    for (const [a, b] of pairs) {
      // Each digit at 4x, overlapping by 20 px so that the strokes touch; a 1-px vertical line remnant after them.
      const S = 4;
      const W = 360;
      const H = 160;
      const bin = blank(W, H);
      [a, b].forEach((k, j) => {
        drawDigit(bin, mnist.images, k, 40 + j * (28 * S - 44), 20, S);
      });
      fill(bin, 330, 30, 1, 100, 1);
      const crops = extractDigits(cv, bin, [0, 0, W, H]);
      expect(crops).toHaveLength(2);
      const read = (await clf.classify(crops)).map((p) => p.digit).join('');
      if (read === `${mnist.labels[a]}${mnist.labels[b]}`) right++;
    }
    expect(right).toBeGreaterThanOrEqual(4);
    console.log(`touching pairs read right: ${right}/${pairs.length}`);
  });
  test('a detached 5 flag joins its digit; a box-border remnant at the field edge is not a digit', async () => {
    // MNIST test 9702 is a 5 whose flag is a separate stroke; 3 is a 0. At 4x, 30 px apart.
    const S = 4;
    const W = 330;
    const H = 160;
    const bin = blank(W, H);
    [3, 9702].forEach((k, j) => drawDigit(bin, mnist.images, k, 20 + j * (28 * S + 30), 24, S));
    // What line removal left of the box's right border: a 2-px stroke down the edge and a corner tick.
    fill(bin, W - 2, 60, 2, 98, 1);
    fill(bin, W - 30, 156, 30, 2, 1);
    const crops = extractDigits(cv, bin, [0, 0, W, H]);
    expect(crops).toHaveLength(2);
    expect((await clf.classify(crops)).map((p) => p.digit).join('')).toBe('05');
  });
  test("a thin-penned digit whose tail crosses the field's edge is kept (not taken for a border remnant)", async () => {
    // A 1 and an 8 (MNIST test 2 and 61), then a 7 (test 0) drawn with only its darker pixels, a
    // thinner pen than theirs; the field's bottom edge cuts through the 7's tail (the case of a
    // bench form read with --auto-fields, where the 7 was dropped and 7187 read as 718).
    const S = 4;
    const W = 420;
    const H = 130;
    const bin = blank(W, H);
    [
      [2, 100, 8],
      [61, 100, 8],
      [0, 200, H - 28 * S + 28],
    ].forEach(([k, level, y0], j) => drawDigit(bin, mnist.images, k, 10 + j * (28 * S + 20), y0, S, level));
    const crops = extractDigits(cv, bin, [0, 0, W, H]);
    expect((await clf.classify(crops)).map((p) => p.digit).join('')).toBe('187');
  });
  test("an unsure digit is cut again: its faint strokes back from the fainter binarization (not its neighbour's), or its thickened strokes thinned", async () => {
    // MNIST test 6569, a 3 with pale strokes: its darker pixels alone read as another digit, unsure;
    // from the fainter binarization (all its pixels) it is a 3 again, sure. A neighbour to its right
    // whose faint ink touches it stays out.
    const S = 4;
    const W = 300;
    const H = 130;
    const strong = blank(W, H);
    const faint = blank(W, H);
    drawDigit(strong, mnist.images, 6569, 10, 5, S, 140);
    drawDigit(faint, mnist.images, 6569, 10, 5, S, 30);
    drawDigit(strong, mnist.images, 2, 100, 5, S, 140);
    drawDigit(faint, mnist.images, 2, 100, 5, S, 30);
    fill(faint, 80, 60, 60, 3, 1);
    const crops = extractDigits(cv, strong, [0, 0, W, H]);
    expect(crops).toHaveLength(2);
    const former = await Classifier.load(FORMER, { workers: 1 });
    const [first] = await former.classify([crops[0]]);
    expect(first.confidence).toBeLessThan(0.99);
    const again = recropFaint(cv, strong, faint, crops[0].box!, [crops[1].box!])!;
    expect(again).not.toBeNull();
    const [second] = await former.classify([again]);
    expect(second.digit).toBe(3);
    expect(second.confidence).toBeGreaterThan(Math.max(0.95, first.confidence));
    expect(again.box![0] + again.box![2]).toBeLessThanOrEqual(crops[1].box![0]);
    // MNIST test 8094, a 2 drawn with every pixel it has (a thick pen that fills its loop): read as an 8;
    // thinned by a pixel, a 2.
    const thick = blank(W, H);
    drawDigit(thick, mnist.images, 8094, 10, 5, 3, 30);
    const [crop] = extractDigits(cv, thick, [0, 0, W, H]);
    const [t0, t1] = await former.classify([crop, recropThin(thick, crop.box!)!]);
    expect(t0.digit).toBe(8);
    expect(t1.digit).toBe(2);
    expect(recropThin(thin1px(), [0, 0, 20, 60])).toBeNull();
  });
  test('an unsure digit is cut again in grey: a 9 whose small loop blur filled in at the threshold (read as 7) reads 9', async () => {
    // MNIST test 2582, a 9 with a small loop, drawn 3 times its size in grey and blurred twice
    // (3 x 3 box); thresholded, its loop is solid ink and it reads as a 7. In grey the loop is
    // lighter than its strokes.
    const S = 3;
    const W = 120;
    const H = 120;
    const at = (x: number, y: number) => mnist.images[2582 * 784 + Math.min(27, y) * 28 + Math.min(27, x)];
    let g = new Uint8Array(W * H).fill(235);
    for (let y = 0; y < 28 * S; y++) {
      for (let x = 0; x < 28 * S; x++) {
        const sx = Math.max(0, Math.min(27, (x + 0.5) / S - 0.5));
        const sy = Math.max(0, Math.min(27, (y + 0.5) / S - 0.5));
        const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
        const [fx, fy] = [sx - x0, sy - y0];
        const v = at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
        g[(10 + y) * W + 10 + x] = Math.round(235 - (v * 215) / 255);
      }
    }
    for (let r = 0; r < 2; r++) {
      const o = new Uint8Array(W * H);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          let [sum, n] = [0, 0];
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && y + dy >= 0 && x + dx < W && y + dy < H) [sum, n] = [sum + g[(y + dy) * W + x + dx], n + 1];
          o[y * W + x] = Math.round(sum / n);
        }
      }
      g = o;
    }
    const bin: BinaryImage = { width: W, height: H, data: g.map((v) => (v < 235 - (100 * 215) / 255 ? 1 : 0)) };
    const faint: BinaryImage = { width: W, height: H, data: g.map((v) => (v < 235 - (50 * 215) / 255 ? 1 : 0)) };
    const crops = extractDigits(cv, bin, [0, 0, W, H]);
    expect(crops).toHaveLength(1);
    const page: GrayImage = { width: W, height: H, data: g };
    const grayAt = (b: Box) => rotateRegion(page, 0, b);
    const again = recropGrey(grayAt, faint, crops[0].box!)!;
    expect(again.box).toEqual(crops[0].box);
    const [first, second] = await clf.classify([crops[0], again]);
    expect(first.digit).toBe(7);
    expect(first.confidence).toBeLessThan(0.99);
    expect(second.digit).toBe(9);
    expect(second.confidence).toBeGreaterThan(first.confidence);
    // Another digit's box beside it is left out; a flat area (no contrast) gives no crop.
    const beside = recropGrey(grayAt, faint, crops[0].box!, [[crops[0].box![0] + crops[0].box![2] - 10, 0, 30, H]])!;
    expect(Array.from(beside.pixels)).not.toEqual(Array.from(again.pixels));
    expect(recropGrey(() => ({ width: 20, height: 20, data: new Uint8Array(400).fill(200) }), faint, [0, 0, 16, 16])).toBeNull();
  });
  test("a digit with a long stroke is not cut in two (a 2's tail, a bar after an 8); a thin 1 beside a bold digit is not a sliver", async () => {
    const S = 3;
    const W = 300;
    const H = 110;
    // MNIST test 1 (a 2) with its base drawn on to the right, twice its width.
    const tail = blank(W, H);
    drawDigit(tail, mnist.images, 1, 10, 10, S);
    const [x, y, w, h] = extractDigits(cv, tail, [0, 0, W, H])[0].box!;
    fill(tail, x + w - 8, y + h - 6, 2 * w, 5, 1);
    const crops = extractDigits(cv, tail, [0, 0, W, H]);
    expect(crops).toHaveLength(1);
    expect((await clf.classify(crops))[0].digit).toBe(2);
    // A bold 8 (two filled rings, its loops closed: the pen seems as wide as they are) and a
    // straight 1 under half the bold pen wide (a sixth of the digits' height).
    const bold = blank(W, H);
    for (const [cx, cy, r] of [[50, 35, 22], [50, 77, 25]]) {
      for (let v = cy - r; v <= cy + r; v++) for (let u = cx - r; u <= cx + r; u++) if ((u - cx) ** 2 + (v - cy) ** 2 <= r * r) bold.data[v * W + u] = 1;
    }
    fill(bold, 140, 40, 16, 55, 1);
    const two = extractDigits(cv, bold, [0, 0, W, H]);
    expect(two).toHaveLength(2);
    expect(two[1].box![0]).toBe(140);
  });
  /** A parenthesis of a 7-px pen from (x, top), `tall` high, bowing `bulge` px left (negative: right). */
  const bow = (img: BinaryImage, x: number, top: number, tall: number, bulge: number) => {
    for (let k = 0; k <= 200; k++) {
      const [cx, cy] = [x - bulge * Math.sin((Math.PI * k) / 200), top + (tall * k) / 200];
      for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) if (dx * dx + dy * dy <= 10) img.data[Math.round(cy + dy) * img.width + Math.round(cx + dx)] = 1;
    }
  };
  test('parentheses around digits, "(204) 956", are no digits, by contours and by recognition; a lone one, or a 0 broken into its two sides, is not taken for them', async () => {
    // MNIST test 1, 3, 4 (2, 0, 4) and 7, 8, 11 (9, 5, 6) at 3x; a ( and a ) drawn as bows of a 7-px
    // pen, 1.1 times the digits' height, bowing an eighth of it (each read as a sure 1 before session 62).
    const [W, H] = [760, 130];
    const bin = blank(W, H);
    [[1, 40], [3, 110], [4, 180], [7, 340], [8, 410], [11, 480]].forEach(([k, x]) => drawDigit(bin, mnist.images, k, x, 15, 3));
    const plain = extractDigits(cv, bin, [0, 0, W, H]);
    expect((await clf.classify(plain)).map((p) => p.digit).join('')).toBe('204956');
    const tall = Math.max(...plain.map((c) => c.box![3]));
    const top = Math.min(...plain.map((c) => c.box![1])) - 0.05 * tall;
    const withParens = { ...bin, data: Uint8Array.from(bin.data) };
    bow(withParens, 45, top, 1.1 * tall, 0.13 * tall);
    bow(withParens, 270, top, 1.1 * tall, -0.13 * tall);
    const read = extractDigits(cv, withParens, [0, 0, W, H]);
    expect((await clf.classify(read)).map((p) => p.digit).join('')).toBe('204956');
    const graph = segmentGraph(cv, withParens, [0, 0, W, H]);
    const marks = graph.primitives.filter((p) => p.kind === 'mark' && p.box[3] > 0.9 * tall);
    expect(marks.map((p) => p.box[0] < 100)).toEqual([true, false]);
    expect(marks.every((p) => p.bracket)).toBe(true);
    // A whole-field reader's digit over either is left out (onBracket); one over a digit is not.
    expect(marks.map((p) => onBracket(graph, p.box[0] + p.box[2] / 2))).toEqual([true, true]);
    expect(onBracket(graph, read[0].box![0] + read[0].box![2] / 2)).toBe(false);
    // The shape alone: a bow is a parenthesis, a straight stroke (a 1) none.
    const one = blank(20, 60);
    fill(one, 8, 0, 5, 60, 1);
    expect(parenthesis(one.data, 20, 60)).toBeNull();
    const paren = blank(20, 60);
    bow(paren, 14, 3, 54, 8);
    expect(parenthesis(paren.data, 20, 60)).toBe('(');
    // A ( with no ) after it is read as before (a 1); so is a pair with nothing between (a 0's sides).
    expect(bracketPairs([[0, 0, 9, 50], [20, 0, 30, 40]], ['(', null], () => true).size).toBe(0);
    expect(bracketPairs([[0, 0, 9, 50], [12, 0, 9, 50], [30, 0, 30, 40]], ['(', ')', null], () => true).size).toBe(0);
    expect([...bracketPairs([[0, 0, 9, 50], [12, 0, 30, 40], [50, 0, 9, 50]], ['(', null, ')'], () => true)]).toEqual([0, 2]);
  });
  test('a parenthesis written touching a digit, "(204)956" with the ")" run into the 4, is split off it when its partner stands alone; a lone one is not', async () => {
    // The digits of the test above, the ( alone and the ) drawn into the 4's right side (one
    // component with it): read 1204956 or 12041956 before session 63.
    const [W, H] = [760, 130];
    const bin = blank(W, H);
    [[1, 40], [3, 110], [4, 180], [7, 300], [8, 370], [11, 440]].forEach(([k, x]) => drawDigit(bin, mnist.images, k, x, 15, 3));
    const plain = extractDigits(cv, bin, [0, 0, W, H]);
    const tall = Math.max(...plain.map((c) => c.box![3]));
    const top = Math.min(...plain.map((c) => c.box![1])) - 0.08 * tall;
    const four = plain[2].box!;
    const read = async (img: BinaryImage) => (await clf.classify(extractDigits(cv, img, [0, 0, W, H]))).map((p) => p.digit).join('');
    const open = { ...bin, data: Uint8Array.from(bin.data) };
    bow(open, 45, top, 1.16 * tall, 0.13 * tall);
    const touching = { ...open, data: Uint8Array.from(open.data) };
    bow(touching, four[0] + four[2] - 4, top, 1.16 * tall, -0.13 * tall);
    expect(components(cv, touching).list.length).toBe(components(cv, open).list.length);
    expect(await read(touching)).toBe('204956');
    const graph = segmentGraph(cv, touching, [0, 0, W, H]);
    const marks = graph.primitives.filter((p) => p.bracket);
    expect(marks).toHaveLength(2);
    expect(marks[1].box[0]).toBeGreaterThan(four[0] + four[2] / 2);
    // The mirror: the ( run into the 2, the ) alone.
    const mirrored = { ...bin, data: Uint8Array.from(bin.data) };
    const two = plain[0].box!;
    bow(mirrored, two[0] - 2, top, 1.16 * tall, 0.13 * tall);
    bow(mirrored, four[0] + four[2] + 25, top, 1.16 * tall, -0.13 * tall);
    expect(components(cv, mirrored).list.length).toBe(components(cv, bin).list.length + 1);
    expect(await read(mirrored)).toBe('204956');
    // A ( with no ) anywhere: nothing is split off the digits after it (it is read as a 1, as before).
    expect((await read(open)).slice(1)).toBe('204956');
    // The unit, on the 4 and its ) as one component: the ) comes off, the 4 stays; a 0's right side,
    // a bow too, ends where the 0 does.
    const cc = components(cv, touching);
    const joined = cc.list.find((c) => c.box[0] <= four[0] && c.box[0] + c.box[2] > four[0] + four[2])!;
    const [gx, gy, gw, gh] = joined.box;
    const group = new Uint8Array(gw * gh).map((_, i) => (cc.labels[(gy + Math.floor(i / gw)) * W + gx + (i % gw)] === joined.label ? 1 : 0));
    const stroke = peelParenthesis(group, gw, gh, tall, ')');
    expect(stroke).not.toBeNull();
    const peeled = stroke!.reduce((a, v) => a + v, 0);
    expect(peeled).toBeGreaterThan(0.2 * joined.area);
    expect(peeled).toBeLessThan(0.6 * joined.area);
    const zero = plain[1].box!;
    const ring = blank(zero[2], zero[3]);
    for (let y = 0; y < zero[3]; y++) for (let x = 0; x < zero[2]; x++) ring.data[y * zero[2] + x] = bin.data[(zero[1] + y) * W + zero[0] + x];
    expect(peelParenthesis(ring.data, zero[2], zero[3], tall, ')')).toBeNull();
  });
  test('a short narrow stroke among the digits, under half their height (a stray tick), is not a 1; nor is a comma or a point', async () => {
    // MNIST test 1313, 9041, 5331 and 9226 (4616) at 3x, and a tick 10 px wide (a sixth of their height) and two fifths of their
    // height standing on their baseline between the 1 and the last 6 (46116 at 1.000 before).
    const S = 3;
    const W = 420;
    const H = 110;
    const bin = blank(W, H);
    const xs = [10, 100, 190, 300];
    [1313, 9041, 5331, 9226].forEach((k, j) => drawDigit(bin, mnist.images, k, xs[j], 10, S));
    const crops = extractDigits(cv, bin, [0, 0, W, H]);
    expect(crops).toHaveLength(4);
    const tall = Math.max(...crops.map((c) => c.box![3]));
    const foot = Math.max(...crops.map((c) => c.box![1] + c.box![3]));
    const ticked = { ...bin, data: Uint8Array.from(bin.data) };
    fill(ticked, 272, foot - Math.round(0.4 * tall), 10, Math.round(0.4 * tall), 1);
    const read = extractDigits(cv, ticked, [0, 0, W, H]);
    expect(read).toHaveLength(4);
    expect((await clf.classify(read)).map((p) => p.digit).join('')).toBe('4616');
    // A 1 as tall as the digits in the same place is read.
    const one = { ...bin, data: Uint8Array.from(bin.data) };
    fill(one, 272, foot - tall, 10, tall, 1);
    expect(extractDigits(cv, one, [0, 0, W, H])).toHaveLength(5);
    // A comma there (a dot on the digits' foot, its tail down past it: 0.45 of their height, a quarter
    // wide; read as a fifth digit before) and a point are no digits either.
    const comma = { ...bin, data: Uint8Array.from(bin.data) };
    fill(comma, 268, foot - 10, 14, 12, 1);
    for (let t = 0; t < Math.round(0.3 * tall); t++) fill(comma, 270 - Math.round(t * 0.3), foot + 2 + t, 6, 1, 1);
    fill(comma, 170, foot - 12, 12, 12, 1);
    const read2 = extractDigits(cv, comma, [0, 0, W, H]);
    expect(read2).toHaveLength(4);
    expect((await clf.classify(read2)).map((p) => p.digit).join('')).toBe('4616');
    // A comma in a broad pen: a third of the digits' height wide, 0.45 tall (read as an 8 or a 1 before
    // session 62: 38,393 read 388393).
    const broad = { ...bin, data: Uint8Array.from(bin.data) };
    const dot = Math.round(0.28 * tall);
    fill(broad, 266, foot - dot + 4, dot, dot, 1);
    for (let t = 0; t < Math.round(0.2 * tall); t++) fill(broad, 268 - Math.round(t * 0.35), foot + 4 + t, Math.round(0.12 * tall), 1, 1);
    const cols = new Set<number>();
    for (let y = foot - dot + 4; y < H; y++) for (let x = 250; x < 300; x++) if (broad.data[y * W + x] && !bin.data[y * W + x]) cols.add(x);
    expect(cols.size / tall).toBeGreaterThan(0.3);
    const read3 = extractDigits(cv, broad, [0, 0, W, H]);
    expect(read3).toHaveLength(4);
    expect((await clf.classify(read3)).map((p) => p.digit).join('')).toBe('4616');
  });
  test("what is left of a box's wall slanted in a photograph, from the field's top to its bottom beside its side, is no digit, by contours and by recognition; a 1 there is one", async () => {
    // A 7, a 2, a 0 and a 4 (MNIST test 0, 1, 3, 4) at 2x in a field 76 px tall; the walls' remains
    // strokes from its top to its bottom: at the right a 2-px line slanting 5 px, 5 px from the side
    // (thinner than the pen), at the left a 4-px one slanting 1 px, 5 px from the side (narrow). A
    // desk bench page read 70185 as 701851 so.
    const [W, H] = [400, 76];
    const field: Box = [0, 0, W, H];
    const bin = blank(W, H);
    [0, 1, 3, 4].forEach((k, i) => drawDigit(bin, mnist.images, k, 20 + 80 * i, 10, 2));
    for (let y = 0; y < H; y++) {
      fill(bin, 388 + Math.round((5 * y) / (H - 1)), y, 2, 1, 1);
      fill(bin, 5 + Math.round(y / (H - 1)), y, 4, 1, 1);
    }
    const check = await Classifier.load(defaultCheckModelDir(), { workers: 1 });
    try {
      const crops = extractDigits(cv, bin, field);
      expect((await clf.classify(crops)).map((p) => p.digit).join('')).toBe('7204');
      const graph = segmentGraph(cv, bin, field);
      const path = bestPath(graph, await check.classify(graph.candidates.map((c) => c.crop)));
      expect(path.digits.map((d) => d.score.digit).join('')).toBe('7204');
      // A handwritten 1 (MNIST test 2) written there, in the pen of the other digits and not from the
      // field's top to its bottom, is read.
      const one = blank(W, H);
      [0, 1, 3, 4].forEach((k, i) => drawDigit(one, mnist.images, k, 20 + 80 * i, 10, 2));
      drawDigit(one, mnist.images, 2, 350, 10, 2);
      expect((await clf.classify(extractDigits(cv, one, field))).map((p) => p.digit).join('')).toBe('72041');
    } finally {
      await check.close();
    }
  });
  test("a 2 broken across its middle (its hook over a dash-like base) is one digit, by contours and by recognition", async () => {
    // A 7 (MNIST test 0), a 2 and a 0 (test 3) at 3x; the 2 loses a band of rows above its base, as a
    // faint middle does in a scan (a bench page read 3050630727 as 305063077: the base was taken for
    // a dash, the hook for a stray mark). Five 2s of MNIST test.
    const S = 3;
    const W = 330;
    const H = 110;
    const check = await Classifier.load(defaultCheckModelDir(), { workers: 1 });
    let [byContours, byRecognition] = [0, 0];
    try {
      for (const two of [1, 35, 38, 47, 72]) {
        const bin = blank(W, H);
        [0, two, 3].forEach((k, j) => drawDigit(bin, mnist.images, k, 10 + j * (28 * S + 15), 10, S));
        const [x, y, w, h] = extractDigits(cv, bin, [0, 0, W, H])[1].box!;
        fill(bin, x, y + Math.round(0.5 * h), w, Math.round(0.22 * h), 0);
        let pieces = components(cv, cropBinary(bin, [x, y, w, h])).list.filter((c) => c.area > 50);
        expect(pieces).toHaveLength(2);
        // The base drawn further left, so that the hook overlaps it by under half its width (as on
        // the bench page).
        const hook = pieces.find((c) => c.box[1] === 0)!;
        const lo = y + Math.round(0.72 * h);
        const shift = Math.round(0.5 * hook.box[2]);
        for (let r = lo; r < y + h; r++) {
          const row = bin.data.subarray(r * W, (r + 1) * W);
          row.copyWithin(x - shift, x, x + w);
          row.fill(0, x + w - shift, x + w);
        }
        pieces = components(cv, cropBinary(bin, [x - shift, y, w + shift, h])).list.filter((c) => c.area > 50);
        const base = pieces.find((c) => c.box[1] > 0.5 * h)!;
        expect(base.box[3]).toBeLessThan(0.3 * h);
        expect(base.box[2]).toBeGreaterThan(1.5 * base.box[3]);
        const crops = extractDigits(cv, bin, [0, 0, W, H]);
        // One crop from the hook's top to the base's bottom.
        expect(crops).toHaveLength(3);
        expect([crops[1].box![1], crops[1].box![1] + crops[1].box![3]]).toEqual([y, y + h]);
        if ((await clf.classify(crops)).map((p) => p.digit).join('') === '720') byContours++;
        const graph = segmentGraph(cv, bin, [0, 0, W, H]);
        const path = bestPath(graph, await check.classify(graph.candidates.map((c) => c.crop)));
        expect(path.digits).toHaveLength(3);
        if (path.digits.map((d) => d.score.digit).join('') === '720') byRecognition++;
      }
    } finally {
      await check.close();
    }
    // Measured: 4 and 4 of 5 (MNIST test 1, its diagonal gone, reads 3 both ways).
    expect(byContours).toBeGreaterThanOrEqual(4);
    expect(byRecognition).toBeGreaterThanOrEqual(4);
  });

  test("a date box's printed slashes (MM/DD/YYYY) are not read as 1s, by contours or by recognition, nor in an empty box; handwritten 1s are", async () => {
    // 11/21/1917 in MNIST test digits at 3x (84 px cells, digits ~60 px tall, strokes ~7 px), a
    // printed slash after the month and the day: a straight slanted stroke 0.45-0.65 of the digits'
    // height, 3 px thick (a 10-point slash at 300 dpi, where the digits are 5 mm tall). As thick as
    // the pen, the same stroke could be a short handwritten 1: it is read.
    const S = 3;
    const W = 1000;
    const H = 110;
    const first = (label: number) => mnist.labels.indexOf(label);
    const check = await Classifier.load(defaultCheckModelDir(), { workers: 1 });
    // `near`: the first slash drawn that many pixels closer to the digit after it.
    const draw = (rise: number, thick: number, text = '11/21/1917', near = 0) => {
      const bin = blank(W, H);
      let x = 10;
      let slashes = 0;
      const slash = () => {
        const h = Math.round(rise * 20 * S);
        const top = Math.round(H / 2 - h / 2);
        const shift = slashes++ === 0 ? near : 0;
        for (let t = 0; t < h; t++) fill(bin, x + 10 + shift + Math.round((h - t) * 0.35), top + t, thick, 1, 1);
        x += 45;
      };
      for (const [k, c] of [...text].entries()) {
        if (c === '/') slash();
        else {
          drawDigit(bin, mnist.images, first(Number(c)), x - 4 * S, 10, S);
          x += 20 * S + 6 + (k % 2) * 4;
        }
      }
      return bin;
    };
    expect(extractDigits(cv, draw(0.55, 7), [0, 0, W, H])).toHaveLength(10);
    try {
      for (const rise of [0.45, 0.55, 0.65]) {
        const bin = draw(rise, 3);
        const crops = extractDigits(cv, bin, [0, 0, W, H]);
        expect(crops).toHaveLength(8);
        expect((await clf.classify(crops)).map((p) => p.digit).join('')).toBe('11211917');
        // Two slashes alike are a date's: not said to be left out (a lone one is: it may be a 1).
        expect(cutDigits(cv, bin, [0, 0, W, H]).skipped).toEqual([]);
        if (rise === 0.65) expect(cutDigits(cv, draw(rise, 3, '1121/1917'), [0, 0, W, H]).skipped.map((k) => k.as)).toEqual(['separator']);
        const graph = segmentGraph(cv, bin, [0, 0, W, H]);
        const path = bestPath(graph, await check.classify(graph.candidates.map((c) => c.crop)));
        expect(path.digits.map((d) => d.score.digit).join('')).toBe('11211917');
      }
      // One slash written close to: 28 px nearer the 2 after it, 4 px from its ink, under a tenth
      // of the digits' height (60 px). Its twin, printed alike and clear of its digits, tells it for print:
      // both are left out, by contours and by recognition. With no twin (no slash after the day) it
      // may be a short 1 written close: read.
      const close = draw(0.55, 3, '11/21/1917', 28);
      expect((await clf.classify(extractDigits(cv, close, [0, 0, W, H]))).map((p) => p.digit).join('')).toBe('11211917');
      const closeGraph = segmentGraph(cv, close, [0, 0, W, H]);
      expect(bestPath(closeGraph, await check.classify(closeGraph.candidates.map((c) => c.crop))).digits.map((d) => d.score.digit).join('')).toBe('11211917');
      expect(extractDigits(cv, draw(0.55, 3, '11/211917', 28), [0, 0, W, H])).toHaveLength(9);
      // The box left empty: its two printed slashes, alike, are all it holds; with no handwriting to
      // measure them against they were read 11. Two handwritten 1s alone (not drawn alike) are read.
      const empty = blank(W, H);
      for (const x0 of [300, 600]) for (let t = 0; t < 33; t++) fill(empty, x0 + Math.round((33 - t) * 0.35), 38 + t, 3, 1, 1);
      expect(extractDigits(cv, empty, [0, 0, W, H])).toHaveLength(0);
      const emptyGraph = segmentGraph(cv, empty, [0, 0, W, H]);
      expect(bestPath(emptyGraph, await check.classify(emptyGraph.candidates.map((c) => c.crop))).digits).toHaveLength(0);
      const ones = blank(W, H);
      const onesOf = mnist.labels.reduce((a: number[], l, i) => (l === 1 && a.length < 2 ? [...a, i] : a), []);
      onesOf.forEach((k, j) => drawDigit(ones, mnist.images, k, 200 + 300 * j, 10, S));
      expect((await clf.classify(extractDigits(cv, ones, [0, 0, W, H]))).map((p) => p.digit).join('')).toBe('11');
    } finally {
      await check.close();
    }
  });
  test("a comb's walls left on the page (a comb open above: its walls are no form lines) are taken out of its cells' ink: a digit touching one and a small digit beside them are read", async () => {
    // Five cells 50 px wide and 70 tall between walls 3 px wide as tall as the cells; MNIST test
    // digits at 2x (ink ~40 px tall). The 3 (test 18) is drawn against its left wall; the 5 (test 8)
    // at 1x, half as tall as the others, as a small hand writes in a big cell.
    const W = 5 * 53 + 3;
    const H = 70;
    const bin = blank(W, H);
    const cells: Box[] = [];
    for (let k = 0; k <= 5; k++) fill(bin, k * 53, 0, 3, H, 1);
    for (let k = 0; k < 5; k++) cells.push([k * 53 + 3, 0, 50, H]);
    const at = (k: number, shift = 0) => k * 53 + 3 + shift;
    drawDigit(bin, mnist.images, 3, at(0, -3), 5, 2); // a 0
    drawDigit(bin, mnist.images, 18, at(1, -10), 5, 2); // a 3, touching its left wall
    drawDigit(bin, mnist.images, 8, at(2, 10), 30, 1); // a small 5
    drawDigit(bin, mnist.images, 61, at(3, -3), 5, 2); // an 8
    drawDigit(bin, mnist.images, 2, at(4, -3), 5, 2); // a 1
    expect([3, 18, 8, 61, 2].map((k) => mnist.labels[k]).join('')).toBe('03581');
    const touching = components(cv, bin).list.filter((c) => c.box[3] === H);
    expect(touching.some((c) => c.box[2] > 10)).toBe(true); // the 3 and its wall are one component
    const crops = extractDigits(cv, bin, [0, 0, W, H], { cells });
    expect(crops).toHaveLength(5);
    expect((await clf.classify(crops)).map((p) => p.digit).join('')).toBe('03581');
    // The page itself is not changed.
    expect(bin.data[10 * W + 53]).toBe(1);
  });
  test('dashes and dots left out between the digits are kept with their places (a date written 4-2-1942 or 14.3.2021); an underline\'s stub is not', () => {
    // MNIST test 61 (an 8) and 3 (a 0) at 3x, their ink about rows 52-112 of the page, and marks between them.
    const W = 400;
    const H = 110;
    const page = (marks: (bin: BinaryImage) => void) => {
      const bin = blank(W + 50, H + 30);
      drawDigit(bin, mnist.images, 61, 70, 40, 3, 20);
      drawDigit(bin, mnist.images, 3, 270, 40, 3, 20);
      marks(bin);
      return bin;
    };
    const marksOf = (draw: (bin: BinaryImage) => void) => cutDigits(cv, page(draw), [50, 30, W, H]).marks;
    // A dash about the middle (left out as a dash), and a little higher (left out as a small mark in the
    // band's upper half): both kept, in page pixels; the digits are cut as without them.
    const cut = cutDigits(cv, page((b) => fill(b, 190, 78, 40, 8, 1)), [50, 30, W, H]);
    expect(cut.crops).toHaveLength(2);
    expect(cut.marks).toEqual([{ box: [190, 78, 40, 8], as: 'dash' }]);
    expect(marksOf((b) => fill(b, 190, 68, 40, 8, 1))).toEqual([{ box: [190, 68, 40, 8], as: 'dash' }]);
    // A dot on the digits' foot, then a dot and a dash: left to right.
    expect(marksOf((b) => fill(b, 200, 100, 9, 9, 1))).toEqual([{ box: [200, 100, 9, 9], as: 'dot' }]);
    expect(marksOf((b) => (fill(b, 160, 100, 9, 9, 1), fill(b, 190, 78, 40, 8, 1)))).toEqual([{ box: [160, 100, 9, 9], as: 'dot' }, { box: [190, 78, 40, 8], as: 'dash' }]);
    // Along the digits' foot (an underline's stub), a dot at their middle, or a mark before the first
    // digit: no separator's place.
    expect(marksOf((b) => fill(b, 190, 110, 40, 6, 1))).toEqual([]);
    expect(marksOf((b) => fill(b, 200, 78, 9, 9, 1))).toEqual([]);
    expect(marksOf((b) => fill(b, 52, 78, 30, 8, 1))).toEqual([]);
  });

  test('a digit-tall stroke left out as print (a sliver thinner than the pen, a lone slash) is said, so that the field is flagged; slivers at the sides, short ones and a date\'s two slashes are not', async () => {
    // MNIST test 61 (an 8) and 3 (a 0) at 3x drawn bold (every pixel over 20), and between them a
    // straight stroke 2 px wide as tall as they are: a thin 1 beside bold digits, or a printed line's
    // remains. It is left out (a sliver thinner than half the pen), and said.
    const S = 3;
    const W = 400;
    const H = 110;
    const page = (stroke: (bin: BinaryImage) => void) => {
      const bin = blank(W, H);
      drawDigit(bin, mnist.images, 61, 20, 10, S, 20);
      drawDigit(bin, mnist.images, 3, 220, 10, S, 20);
      stroke(bin);
      return bin;
    };
    const thinOne = cutDigits(cv, page((b) => fill(b, 160, 22, 2, 60, 1)), [0, 0, W, H]);
    expect(thinOne.crops).toHaveLength(2);
    expect(thinOne.skipped).toEqual([{ box: [160, 22, 2, 60], as: 'sliver' }]);
    // In page pixels, with the field's offset.
    const big = blank(W + 50, H + 30);
    drawDigit(big, mnist.images, 61, 70, 40, S, 20);
    drawDigit(big, mnist.images, 3, 270, 40, S, 20);
    fill(big, 210, 52, 2, 60, 1);
    expect(cutDigits(cv, big, [50, 30, W, H]).skipped).toEqual([{ box: [210, 52, 2, 60], as: 'sliver' }]);
    // The same stroke at the field's side (a box's wall), or a third as tall (a speck of a line): not said.
    expect(cutDigits(cv, page((b) => fill(b, W - 2, 22, 2, 60, 1)), [0, 0, W, H]).skipped).toEqual([]);
    expect(cutDigits(cv, page((b) => fill(b, 160, 50, 2, 20, 1)), [0, 0, W, H])).toEqual({ crops: expect.any(Array), skipped: [], marks: [] });
    // extractDigits gives the same crops.
    expect(extractDigits(cv, page((b) => fill(b, 160, 22, 2, 60, 1)), [0, 0, W, H]).map((c) => c.box)).toEqual(thinOne.crops.map((c) => c.box));
    // Scanned: a box holding a bold 8, a thin grey 1 and a bold 0 reads "80", flagged for review
    // with the reason (before, at 1.000 and not flagged).
    const PW = 1275;
    const PH = 600;
    const ink = blank(PW, PH);
    drawDigit(ink, mnist.images, 61, 420, 250, 4, 20);
    drawDigit(ink, mnist.images, 3, 700, 250, 4, 20);
    const grey = new Uint8Array(PW * PH).fill(245);
    ink.data.forEach((v, i) => v && (grey[i] = 30));
    for (let y = 262; y < 342; y++) for (let x = 610; x < 613; x++) grey[y * PW + x] = 60;
    for (let x = 300; x < 1000; x++) for (const y of [200, 201, 202, 400, 401, 402]) grey[y * PW + x] = 20;
    for (let y = 200; y < 403; y++) for (const x of [300, 301, 302, 997, 998, 999]) grey[y * PW + x] = 20;
    const file = join(tmp(), 'thin-one.png');
    await sharp(Buffer.from(grey), { raw: { width: PW, height: PH, channels: 1 } }).png().toFile(file);
    const [field] = await autoFields(file);
    expect(field.value).toBe('80');
    expect(field.needsReview).toBe(true);
    expect(field.confidence).toBeLessThan(0.6);
    expect(field.reasons.some((r) => r.includes("left out as a printed line's remains"))).toBe(true);
  });
});
