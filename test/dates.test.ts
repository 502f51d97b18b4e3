/**
 * Date fields: a handwritten slash (which the digit model reads as a sure 1) told from the digits by
 * the date's structure (pipeline/dates), its shape from its crop (segment/shape), end to end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { isDate, readDate, slashesFrom, slashLikeness } from '../src/pipeline/dates';
import type { Box } from '../src/types';
import type { DigitReading } from '../src/pipeline/assemble';
import { strokeShape } from '../src/segment/shape';
import { normalizeDigit, resampleArea } from '../src/segment/normalize';
import { loadMnist } from '../src/classify/data/dataset';
import { scanInputs } from '../src/pipeline/scan';
import type { DocumentResult } from '../src/pipeline/document';
import { parseTemplate } from '../src/segment/fields';
import { runCli, tmp } from './helpers';

/** Digits as a reader gives them: each a value and its slash likeness. */
const read = (values: string, slash: number[] = []): DigitReading[] =>
  [...values].map((value, i) => ({ value, confidence: 0.99, box: [i * 10, 0, 8, 20], slash: slash[i] ?? 0 }));

/** A straight stroke `tilt` degrees from upright (top to the right), `pen` px wide, as a binary image. */
function strokeImage(tilt: number, pen: number, h = 80): { width: number; height: number; data: Uint8Array } {
  const t = Math.tan((tilt * Math.PI) / 180);
  const width = Math.ceil(Math.abs(h * t)) + 2 * pen + 2;
  const height = h + 2 * pen;
  const data = new Uint8Array(width * height);
  const [x0, y0, x1, y1] = t >= 0 ? [pen, h + pen, pen + h * t, pen] : [pen - h * t, h + pen, pen, pen];
  const len = Math.hypot(x1 - x0, y1 - y0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / (len * len)));
      if (Math.hypot(x - (x0 + s * (x1 - x0)), y - (y0 + s * (y1 - y0))) <= pen / 2) data[y * width + x] = 255;
    }
  }
  return { width, height, data };
}

describe('date fields', () => {
  test('a crop\'s lean and elongation: a slash leans right and is long and thin; an upright stroke does not lean; a 0 is round', () => {
    const slash = strokeShape(normalizeDigit(strokeImage(25, 6), { polarity: 'light-on-dark' }).pixels);
    expect(slash.lean).toBeGreaterThan(20);
    expect(slash.lean).toBeLessThan(30);
    expect(slash.elongation).toBeGreaterThan(8);
    const back = strokeShape(normalizeDigit(strokeImage(-25, 6), { polarity: 'light-on-dark' }).pixels);
    expect(back.lean).toBeLessThan(-20);
    const test = loadMnist('test');
    const zero = test.labels.indexOf(0);
    const round = strokeShape(Float32Array.from(test.images.subarray(zero * 784, zero * 784 + 784), (v) => v / 255));
    expect(round.elongation).toBeLessThan(3);
    expect(slashLikeness(slash)).toBeGreaterThan(0.5);
    expect(slashLikeness(back)).toBe(0);
    expect(slashLikeness(round)).toBe(0);
  });

  test('what makes a date: day and month either way round, then a year of 2 or 4 digits; or the year first', () => {
    expect(isDate(['3', '14', '2021'])).toBe(true);
    expect(isDate(['14', '3', '2021'])).toBe(true);
    expect(isDate(['03', '14', '21'])).toBe(true);
    expect(isDate(['2021', '03', '14'])).toBe(true);
    expect(isDate(['13', '14', '2021'])).toBe(false);
    expect(isDate(['3', '32', '2021'])).toBe(false);
    expect(isDate(['3', '14', '202'])).toBe(false);
    expect(isDate(['3', '14', '0092'])).toBe(false);
    expect(isDate(['2021', '13', '01'])).toBe(false);
    expect(isDate(['0', '14', '2021'])).toBe(false);
  });

  test('a template field may be of type date; a type it does not know is refused, the types named', () => {
    const field = (type: string) => JSON.stringify({ fields: [{ name: 'born', box: [0.1, 0.1, 0.5, 0.05], type }] });
    expect(parseTemplate(field('date')).fields[0].type).toBe('date');
    expect(() => parseTemplate(field('time'))).toThrow(/"type" must be digits, amount, zip, date/);
  });

  test('readDate takes the two strokes most like slashes that leave a date; fixed-width dates split without them; no date is null', () => {
    // "3/14/2021" read 3 1 1 4 1 2 0 2 1: the slashes lean (0.9, 0.8); the 1 of 14 leans a little (0.3).
    const slashed = readDate(read('311412021', [0, 0.9, 0.3, 0, 0.8]));
    expect(slashed?.text).toBe('3/14/2021');
    expect(slashed?.digits.map((d) => d.value).join('')).toBe('3142021');
    // Taking the 1 of 14 and the second slash instead makes 31/4/2021, a date too, but less likely.
    expect(slashed!.share).toBeGreaterThan(0.9);
    expect(slashed!.share).toBeLessThan(1);
    // "11/1/2021": four strokes may be slashes; the two that lean most leave a date (1/11/2021 is one too).
    const ones = readDate(read('111112021', [0, 0.2, 0.9, 0.1, 0.85]));
    expect(ones?.text).toBe('11/1/2021');
    expect(ones!.share).toBeGreaterThan(0.5);
    expect(ones!.share).toBeLessThan(1);
    // Written with no separators (or dashes, left out): 8 digits split as a date.
    expect(readDate(read('03142021'))?.text).toBe('03/14/2021');
    expect(readDate(read('20210314'))?.text).toBe('2021/03/14');
    expect(readDate(read('140321'))?.text).toBe('14/03/21');
    expect(readDate(read('123456789'))).toBeNull();
    // A slash at either end of the field is no separator.
    expect(readDate(read('1314021', [0.9]))).toBeNull();
  });

  test("a date read whole by the string model takes its slashes' likeness from the 1s contours cut at their places", () => {
    // "09/23/39": the string model reads 0 9 1 2 3 1 3 9 in frames 10 px apart, 12 wide, with no
    // likeness; contours cut 0 7 1 2 3 1 3 9 (the 9 misread), the 1s slash-like, in their own places.
    const whole: DigitReading[] = [...'09123139'].map((value, i) => ({ value, confidence: 0.99, box: [i * 10 - 2, 0, 12, 20] }));
    const cut: DigitReading[] = [...'07123139'].map((value, i) => ({ value, confidence: 0.99, box: [i * 10 + 3, 0, 5, 20], slash: value === '1' ? 0.9 : 0 }));
    expect(readDate(whole)).toBeNull();
    const given = slashesFrom(whole, cut);
    expect(given.map((d) => d.slash)).toEqual([undefined, undefined, 0.9, undefined, undefined, 0.9, undefined, undefined]);
    expect(readDate(given)?.text).toBe('09/23/39');
    // A 1 with no 1 cut under it, or a digit not a 1, takes nothing.
    expect(slashesFrom(whole, cut.map((c) => ({ ...c, box: [c.box[0] + 200, 0, 5, 20] as Box }))).every((d) => d.slash === undefined)).toBe(true);
  });

  test('readDate mends a misread digit that leaves no date, as a pattern is mended: a year read 1479 whose 4 may be a 9', () => {
    // "04/02/1979" read 0 4 1 0 2 1 1 4 7 9, the year's 9 read 4 at 0.6 (9 at 0.35).
    const sure = (v: string) => Array.from({ length: 10 }, (_, d) => (String(d) === v ? 0.99 : 0.01 / 9));
    const digits = read('0410211479', [0, 0, 0.9, 0, 0, 0.85]).map((d) => ({ ...d, probabilities: sure(d.value) }));
    digits[7] = { ...digits[7], confidence: 0.6, probabilities: digits[7].probabilities!.map((_, d) => (d === 4 ? 0.6 : d === 9 ? 0.35 : 0.05 / 8)) };
    const date = readDate(digits);
    expect(date?.text).toBe('04/02/1979');
    expect(date?.digits[5].confidence).toBeCloseTo(0.35, 6);
    // Without the digits' probabilities there is nothing to mend it with.
    expect(readDate(read('0410211479', [0, 0, 0.9, 0, 0, 0.85]))).toBeNull();
    // With no slashes the groups' widths are a guess: 4-2-1942 written with dashes (left out) is 421942,
    // not 42/19/42 to be mended into 12/19/42; it is no date, and kept as read.
    const dashed = read('421942').map((d) => ({ ...d, probabilities: sure(d.value).map((p, k) => (k === 1 && d.value === '4' ? 0.2 : p)) }));
    expect(readDate(dashed)).toBeNull();
  });

  test('readDate takes the dashes or dots left out between the digits as separators: 4-2-1942 is 4/2/1942; marks and slashes do not mix', () => {
    // Digits at x = 0, 10, 20, ... (8 px wide): a mark between the first and second digits, and between the second and third.
    const mark = (after: number, as: 'dash' | 'dot' = 'dash') => ({ box: [after * 10 + 8, 8, 2, 2] as [number, number, number, number], as });
    const dashed = readDate(read('421942'), [mark(0), mark(1)]);
    expect(dashed?.text).toBe('4/2/1942');
    expect(dashed?.digits.map((d) => d.value).join('')).toBe('421942');
    // Fixed width read as 42/19/42 weighs little against the dashes: one dash not taken is 0.05.
    expect(dashed!.share).toBeGreaterThan(0.95);
    // 12-3-21, or 12.3.21: no date of fixed width, but the marks make one.
    expect(readDate(read('12321'), [mark(1), mark(2)])?.text).toBe('12/3/21');
    expect(readDate(read('12321'), [mark(1, 'dot'), mark(2, 'dot')])?.text).toBe('12/3/21');
    // The two separators are written alike: with one dash of 09-11-2044 found, a 1 that leans is no
    // slash beside it (09/1/2044); the 8 digits split as a date of fixed width. A dot and a dash are
    // no pair either: each is paired with a guessed place of its own kind, and the readings share.
    expect(readDate(read('09112044', [0, 0, 0, 0.6]), [mark(1)])?.text).toBe('09/11/2044');
    expect(readDate(read('12321'), [mark(1, 'dot'), mark(2)])!.share).toBeLessThan(0.5);
    // One dash found, the other joined to a digit's ink (2-7-1949): its place is guessed where it makes a date.
    const one = readDate(read('271949'), [mark(1)]);
    expect(one?.text).toBe('2/7/1949');
    expect(one!.share).toBeGreaterThan(0.9);
    // ... and the guess is shared where two places make dates (1-12-2021 or 11-2-2021).
    const two = readDate(read('1122021'), [mark(2)]);
    expect(['1/12/2021', '11/2/2021']).toContain(two?.text);
    expect(two!.share).toBeLessThan(0.6);
    // A mark outside the digits is no separator; a field of digits that is no date stays null.
    expect(readDate(read('421942'), [{ box: [-20, 8, 6, 2], as: 'dash' }])).toBeNull();
    expect(readDate(read('123456789'), [mark(2), mark(5)])).toBeNull();
  });

  test('a date written by hand with slashes, dashes or dots is read as a date field: its digits, its text; as plain digits its slashes are 1s', async () => {
    // "3/14/2021", "3-14-2021" and "14.3.2021" in MNIST test digits (the first of each label) on a
    // letter page at 300 dpi, each in a box 0.6 in tall; the slashes 1.15 of the digits' height, 25
    // degrees from upright; the dashes 0.45 of it long, at its middle; the dots 14 px across, on its foot.
    const test = loadMnist('test');
    const W = 2550;
    const H = 3300;
    const page = new Uint8Array(W * H).fill(250);
    const [fx, fw, fh] = [200, 2000, 180];
    const dh = 110;
    const side = Math.round((dh * 28) / 20);
    const write = (fy: number, written: string) => {
      for (let t = 0; t < 4; t++) {
        page.fill(30, (fy + t) * W + fx, (fy + t) * W + fx + fw);
        page.fill(30, (fy + fh - 1 - t) * W + fx, (fy + fh - 1 - t) * W + fx + fw);
        for (let y = fy; y < fy + fh; y++) page[y * W + fx + t] = page[y * W + fx + fw - 1 - t] = 30;
      }
      const cy = fy + fh / 2;
      let x = fx + 60;
      for (const c of written) {
        if (c === '/') {
          const hh = 1.15 * dh;
          const sl = strokeImage(25, 12, hh);
          for (let y = 0; y < sl.height; y++) for (let xx = 0; xx < sl.width; xx++) if (sl.data[y * sl.width + xx]) page[Math.round(cy - sl.height / 2 + y) * W + x + xx] = 30;
          x += sl.width + 30;
          continue;
        }
        if (c === '-') {
          for (let y = cy - 6; y < cy + 6; y++) page.fill(30, y * W + x + 10, y * W + x + 10 + Math.round(0.45 * dh));
          x += Math.round(0.45 * dh) + 40;
          continue;
        }
        if (c === '.') {
          const [dx, dy] = [x + 7, Math.round(cy + dh / 2 - 8)];
          for (let y = -7; y <= 7; y++) for (let xx = -7; xx <= 7; xx++) if (xx * xx + y * y <= 49) page[(dy + y) * W + dx + xx] = 30;
          x += 40;
          continue;
        }
        const k = test.labels.indexOf(Number(c));
        const big = resampleArea(Float32Array.from(test.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255), 28, 28, side, side);
        for (let y = 0; y < side; y++) {
          for (let xx = 0; xx < side; xx++) {
            const a = big[y * side + xx];
            const p = Math.round(cy - side / 2 + y) * W + x - Math.round(side * 0.15) + xx;
            if (a > 0.02) page[p] = Math.min(page[p], Math.round(250 - a * 220));
          }
        }
        x += dh + 10;
      }
    };
    write(600, '3/14/2021');
    write(1200, '3-14-2021');
    write(1800, '14.3.2021');
    const file = join(tmp(), 'date.png');
    writeFileSync(file, await sharp(Buffer.from(page), { raw: { width: W, height: H, channels: 1 } }).png().toBuffer());
    const boxAt = (fy: number): [number, number, number, number] => [fx / W, fy / H, fw / W, fh / H];
    const fieldsOf = async (type?: 'date') => {
      const docs: DocumentResult[] = [];
      const fields = [{ name: 'slashes', box: boxAt(600) }, { name: 'dashes', box: boxAt(1200) }, { name: 'dots', box: boxAt(1800) }].map((f) => ({ ...f, ...(type ? { type } : {}) }));
      await scanInputs([file], { template: { fields }, concurrency: 1 }, (d) => docs.push(d));
      return docs[0].pages[0].fields;
    };
    const plain = await fieldsOf();
    expect(plain.map((f) => f.value)).toEqual(['311412021', '3142021', '1432021']);
    expect(plain.map((f) => f.text)).toEqual([undefined, undefined, undefined]);
    const [slashes, dashes, dots] = await fieldsOf('date');
    expect(slashes.value).toBe('3142021');
    expect(slashes.text).toBe('3/14/2021');
    expect(slashes.digits).toHaveLength(7);
    // The dashes are left out as marks, at their places: 7 digits are no date of fixed width.
    expect(dashes.value).toBe('3142021');
    expect(dashes.text).toBe('3/14/2021');
    expect(dots.value).toBe('1432021');
    expect(dots.text).toBe('14/3/2021');
    // --auto-fields with --field-type date finds the boxes and reads them the same way.
    const docs: DocumentResult[] = [];
    await scanInputs([file], { autoFields: true, fieldType: 'date', concurrency: 1 }, (d) => docs.push(d));
    expect(docs[0].pages[0].fields.map((f) => f.text)).toEqual(['3/14/2021', '3/14/2021', '14/3/2021']);
    // The three boxes cut out as field images and labeled (labels.tsv): evaluate-strings --field-type
    // date reads them as dates; as plain digits, the slashes are 1s.
    const dir = tmp();
    mkdirSync(join(dir, 'images'));
    const rows = ['file\twidth\theight\tdigits'];
    for (const [i, fy] of [600, 1200, 1800].entries()) {
      await sharp(file).extract({ left: fx - 20, top: fy - 20, width: fw + 40, height: fh + 40 }).toFile(join(dir, 'images', `d${i}.png`));
      rows.push(`d${i}.png\t${fw + 40}\t${fh + 40}\t${['3142021', '3142021', '1432021'][i]}`);
    }
    writeFileSync(join(dir, 'labels.tsv'), rows.join('\n') + '\n');
    const r = runCli(['evaluate-strings', '--data', dir, '--field-type', 'date', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).readings.map((x: { value: string }) => x.value)).toEqual(['3142021', '3142021', '1432021']);
    const asDigits = JSON.parse(runCli(['evaluate-strings', '--data', dir, '--format', 'json']).stdout);
    expect(asDigits.readings[0].value).toBe('311412021');
  });
});
