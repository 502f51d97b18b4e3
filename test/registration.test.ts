/**
 * Registration marks: a template with marks lines up with a shifted and scaled scan.
 */
import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../src/classify/data/dataset';
import { CORNER_MARKS, generateForm, renderForm, SAMPLE_FORMS } from '../src/samples/forms';
import { loadOpenCV } from '../src/preprocess/opencv';
import type { BinaryImage } from '../src/types';
import { applyAffine, fitHomography, fitTransform, Homography, mapBox, Point, register } from '../src/segment/registration';
import { runCli, tmp } from './helpers';

describe('registration', () => {
  test('fitTransform recovers a shift, a similarity and an affine map from their points', () => {
    const from: Point[] = [[100, 80], [2400, 90], [120, 3200], [2450, 3150]];
    const maps: Array<(p: Point) => Point> = [
      ([x, y]) => [x + 30, y - 12],
      ([x, y]) => [0.97 * (x * Math.cos(0.01) - y * Math.sin(0.01)) + 40, 0.97 * (x * Math.sin(0.01) + y * Math.cos(0.01)) - 25],
      ([x, y]) => [1.02 * x + 0.01 * y + 5, -0.005 * x + 0.96 * y + 60],
    ];
    const counts = [1, 2, 4];
    maps.forEach((f, i) => {
      const pts = from.slice(0, counts[i]);
      const t = fitTransform(pts, pts.map(f));
      for (const p of from) {
        const [gx, gy] = applyAffine(t, p);
        const [ex, ey] = f(p);
        expect(Math.abs(gx - ex)).toBeLessThan(1e-6 * 3000);
        expect(Math.abs(gy - ey)).toBeLessThan(1e-6 * 3000);
      }
    });
    expect(mapBox([2, 0, 10, 0, 2, 20], [5, 5, 10, 10])).toEqual([20, 30, 20, 20]);
  });

  test('fitHomography recovers a perspective view from four points, and from more by least squares', () => {
    const truth: Homography = [0.95, 0.03, 40, -0.02, 0.97, 25, 2e-5, -1.5e-5];
    const from: Point[] = [[100, 80], [2400, 90], [2450, 3150], [120, 3200], [1300, 1700], [600, 2500]];
    for (const n of [4, 6]) {
      const h = fitHomography(from.slice(0, n), from.slice(0, n).map((p) => applyAffine(truth, p)))!;
      for (const p of from) {
        const [gx, gy] = applyAffine(h, p);
        const [ex, ey] = applyAffine(truth, p);
        expect(Math.abs(gx - ex)).toBeLessThan(1e-3);
        expect(Math.abs(gy - ey)).toBeLessThan(1e-3);
      }
    }
    expect(fitHomography(from.slice(0, 3), from.slice(0, 3))).toBeNull();
    expect(fitHomography([[0, 0], [1, 1], [2, 2], [3, 3]], [[0, 0], [1, 1], [2, 2], [3, 3]])).toBeNull();
  });

  test('marks that no affine map fits: a page photographed at an angle is registered by a homography', async () => {
    const cv = await loadOpenCV();
    const [W, H, side] = [1275, 1650, 24];
    const expected: Point[] = [[64, 82], [1211, 82], [1211, 1568], [64, 1568]];
    // The page with its top-right corner 9 % of the page in each way: each mark drawn where the
    // view puts it; the top-right one 170 px from its place, beyond the 130 px looked at first.
    const corners: Point[] = [[0, 0], [W, 0], [W, H], [0, H]];
    const seen: Point[] = [[0, 0], [W - 0.09 * W, 0.09 * H], [W, H], [0, H]];
    const view = fitHomography(corners, seen)!;
    expect(Math.hypot(...applyAffine(view, expected[1]).map((v, i) => v - expected[1][i]))).toBeGreaterThan(160);
    const page = (centres: Point[]): BinaryImage => {
      const data = new Uint8Array(W * H);
      for (const [cx, cy] of centres) for (let y = Math.round(cy - side / 2); y < Math.round(cy + side / 2); y++) data.fill(1, y * W + Math.round(cx - side / 2), y * W + Math.round(cx + side / 2));
      return { width: W, height: H, data };
    };
    const photo = register(cv, page(expected.map((p) => applyAffine(view, p))), expected, { side, radius: 130 });
    expect(photo.found).toBe(4);
    expect(photo.transform).toHaveLength(8);
    // Fields land where the view puts them: an affine fit of the four marks is off by 38 px in the
    // middle of the page, and of the three that agree best, by 102 px near the fourth.
    for (const p of [[640, 800], [1100, 300], [150, 1500]] as Point[]) {
      const [gx, gy] = applyAffine(photo.transform, p);
      const [ex, ey] = applyAffine(view, p);
      expect(Math.hypot(gx - ex, gy - ey)).toBeLessThan(2);
    }
    // A flat scan, shifted: an affine map (six numbers), all four marks.
    const flat = register(cv, page(expected.map(([x, y]) => [x + 20, y - 10])), expected, { side, radius: 130 });
    expect(flat.found).toBe(4);
    expect(flat.transform).toHaveLength(6);
    expect(applyAffine(flat.transform, [640, 800]).map(Math.round)).toEqual([660, 790]);
  });

  test('a page smaller than the picture and elsewhere in it (a form photographed on a desk): its marks are found among the solid squares of the whole picture', async () => {
    const cv = await loadOpenCV();
    const [W, H, side] = [1275, 1650, 24];
    const expected: Point[] = [[64, 82], [1211, 82], [1211, 1568], [64, 1568]];
    const square = (data: Uint8Array, [cx, cy]: Point, s: number) => {
      for (let y = Math.round(cy - s / 2); y < Math.round(cy + s / 2); y++) data.fill(1, y * W + Math.round(cx - s / 2), y * W + Math.round(cx + s / 2));
    };
    // The page at `k` of its size, turned by 3 degrees, its top left corner at (300, 180); with solid
    // squares that are not marks: a filled checkbox of a mark's size inside the page, one twice a
    // mark's size, and specks.
    const shot = (k: number) => {
      const a = (3 * Math.PI) / 180;
      const view: [number, number, number, number, number, number] = [k * Math.cos(a), -k * Math.sin(a), 300, k * Math.sin(a), k * Math.cos(a), 180];
      const data = new Uint8Array(W * H);
      for (const p of expected) square(data, applyAffine(view, p), side * k);
      square(data, applyAffine(view, [600, 700]), side * k);
      square(data, [150, 1400], 2 * side * k);
      for (let i = 0; i < 40; i++) square(data, [40 + ((i * 263) % 1200), 60 + ((i * 611) % 1500)], 4);
      return { bin: { width: W, height: H, data } as BinaryImage, view };
    };
    for (const k of [0.65, 0.45]) {
      const { bin, view } = shot(k);
      const r = register(cv, bin, expected, { side, radius: 130 });
      expect([k, r.found]).toEqual([k, 4]);
      for (const p of [[640, 800], [100, 1500], [1200, 100]] as Point[]) {
        const [gx, gy] = applyAffine(r.transform, p);
        const [ex, ey] = applyAffine(view, p);
        expect(Math.hypot(gx - ex, gy - ey)).toBeLessThan(2);
      }
    }
    // A page a fifth of the picture's size is not taken for the form (nor is anything else there).
    expect(register(cv, shot(0.2).bin, expected, { side, radius: 130 }).found).toBe(0);
    // In perspective (the top-right corner 6 % of the page in), with a bold letter of a heading near
    // the top-left mark, a mark's size but a quarter of it open (a letter is 75-83 % inked), just where
    // an affine map of it and the top-right and bottom-left marks puts the bottom-right one: it is not
    // taken for the top-left mark.
    const corners: Point[] = [[0, 0], [W, 0], [W, H], [0, H]];
    const view = fitHomography(corners, [[300, 180], [300 + 0.6 * W * 0.94, 180 + 0.06 * 0.6 * H], [300 + 0.6 * W, 180 + 0.6 * H], [300, 180 + 0.6 * H]])!;
    const data = new Uint8Array(W * H);
    const seen = expected.map((p) => applyAffine(view, p));
    for (const p of seen) square(data, p, side * 0.6);
    const letter: Point = [seen[1][0] + seen[3][0] - seen[2][0], seen[1][1] + seen[3][1] - seen[2][1]];
    const s = Math.round(side * 0.6);
    square(data, letter, s);
    const [lx, ly] = [Math.round(letter[0] - s / 2), Math.round(letter[1] - s / 2)];
    for (let y = ly + 2; y < ly + Math.round(s / 2) + 2; y++) data.fill(0, y * W + lx + 3, y * W + lx + Math.round(s / 2) + 3);
    const letters = register(cv, { width: W, height: H, data }, expected, { side, radius: 130 });
    expect(letters.found).toBe(4);
    for (const p of [[640, 800], [64, 82], [1200, 100]] as Point[]) {
      const [gx, gy] = applyAffine(letters.transform, p);
      const [ex, ey] = applyAffine(view, p);
      expect(Math.hypot(gx - ex, gy - ey)).toBeLessThan(2);
    }
  });

  test('a form photographed on a dark desk, the page two thirds of the picture, is read through its marks', async () => {
    const spec = SAMPLE_FORMS['zip-code'];
    const form = generateForm(spec.fields, loadMnist('test'), 78, { marks: CORNER_MARKS });
    const png = await renderForm(form, spec.fields, spec.title, { blur: 0.5 }, 78);
    const [W, H, k] = [form.width, form.height, 0.66];
    const small = await sharp(png).resize(Math.round(W * k), Math.round(H * k)).rotate(2, { background: '#505050' }).toBuffer({ resolveWithObject: true });
    const photo = await sharp({ create: { width: W, height: H, channels: 3, background: '#505050' } })
      .composite([{ input: small.data, left: 520, top: 700 }])
      .jpeg({ quality: 88 })
      .toBuffer();
    const dir = tmp();
    writeFileSync(join(dir, 'photo.jpg'), photo);
    writeFileSync(join(dir, 'template.json'), JSON.stringify(form.template));
    const r = runCli(['scan', join(dir, 'photo.jpg'), '--template', join(dir, 'template.json'), '--format', 'jsonl']);
    const res = JSON.parse(r.stdout.trim());
    expect(res.registration.found).toBe(4);
    expect(Math.abs(res.registration.scale - k)).toBeLessThan(0.02);
    expect(res.fields[0].value).toBe(form.expected.zip);
  });

  test('a shifted, shrunk scan is read through its marks; a page without them is flagged', async () => {
    const spec = SAMPLE_FORMS['zip-code'];
    const form = generateForm(spec.fields, loadMnist('test'), 77, { marks: CORNER_MARKS });
    const png = await renderForm(form, spec.fields, spec.title, { blur: 0.5 }, 77);
    const k = 0.96;
    const [dx, dy] = [120, 150];
    const W = form.width;
    const H = form.height;
    // The page as a scanner that shrank it by 4% and fed it 120 px right, 150 px down.
    const small = await sharp(png).resize(Math.round(W * k), Math.round(H * k)).toBuffer();
    const padded = await sharp(small).extend({ left: dx, top: dy, right: W, bottom: H, background: '#ffffff' }).png().toBuffer();
    const moved = await sharp(padded).extract({ left: 0, top: 0, width: W, height: H }).png().toBuffer();
    const dir = tmp();
    const page = join(dir, 'moved.png');
    writeFileSync(page, moved);
    const template = join(dir, 'template.json');
    writeFileSync(template, JSON.stringify(form.template));
    const r = runCli(['scan', page, '--template', template, '--format', 'jsonl']);
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout.trim());
    expect(res.registration.found).toBe(4);
    expect(Math.abs(res.registration.scale - k)).toBeLessThan(0.01);
    const [fx, fy, fw, fh] = form.template.fields[0].box;
    const truth = [fx * W * k + dx, fy * H * k + dy, fw * W * k, fh * H * k];
    res.fields[0].box.forEach((v: number, i: number) => expect(Math.abs(v - truth[i])).toBeLessThanOrEqual(8));
    expect(res.fields[0].value).toBe(form.expected.zip);
    // Two of its four marks painted over: the other two place the fields (read right), but nothing
    // checks them, so the fields are flagged.
    const side = (form.template.markSize ?? 0.02) * W * k;
    const covers = form.template.marks!.slice(0, 2).map(([mx, my]) => ({
      input: { create: { width: Math.round(2 * side), height: Math.round(2 * side), channels: 3 as const, background: '#ffffff' } },
      left: Math.round(mx * W * k + dx - side),
      top: Math.round(my * H * k + dy - side),
    }));
    writeFileSync(join(dir, 'two-marks.png'), await sharp(moved).composite(covers).png().toBuffer());
    const two = JSON.parse(runCli(['scan', join(dir, 'two-marks.png'), '--template', template, '--format', 'jsonl']).stdout.trim());
    expect(two.registration.found).toBe(2);
    expect([two.fields[0].value, two.fields[0].needsReview]).toEqual([form.expected.zip, true]);
    expect(two.fields[0].reasons.join(' ')).toMatch(/only 2 of 4 registration marks found/);
    // Without its marks, the same template reads the moved page at the wrong place: the field's box
    // is where the template puts it, 150 px above the digits, and holds the printed label and the tops
    // of the digits under it, which cross its bottom edge; whatever it reads is flagged. (Until session
    // 49 the label was read too, the two segmentations disagreed on the number of digits, and the
    // string model read the field whole, the digits with it: each digit's box reached below the
    // field's. The label is now taken out as print, and the field reads the digits' tops.)
    const noMarks = join(dir, 'no-marks.json');
    writeFileSync(noMarks, JSON.stringify({ fields: form.template.fields }));
    const u = JSON.parse(runCli(['scan', page, '--template', noMarks, '--format', 'jsonl']).stdout.trim());
    expect(u.registration).toBeUndefined();
    expect(Math.abs(u.fields[0].box[1] - fy * H)).toBeLessThanOrEqual(2);
    expect(truth[1] - u.fields[0].box[1]).toBeGreaterThan(100);
    expect(u.fields[0].needsReview).toBe(true);

    // The same template on a page that has no marks: read where the template says, flagged.
    const bare = generateForm(spec.fields, loadMnist('test'), 77);
    const barePage = join(dir, 'bare.png');
    writeFileSync(barePage, await renderForm(bare, spec.fields, spec.title, { blur: 0.5 }, 77));
    const b = JSON.parse(runCli(['scan', barePage, '--template', template, '--format', 'jsonl']).stdout.trim());
    expect(b.registration.found).toBe(0);
    expect(b.fields[0].value).toBe(form.expected.zip);
    expect(b.fields[0].needsReview).toBe(true);
    expect(b.fields[0].reasons.join(' ')).toMatch(/registration marks not found/);
  });
});
