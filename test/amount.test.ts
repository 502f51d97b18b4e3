/**
 * The shipped string model for check amounts (`models/amount`, #4) on the held-out real check
 * amounts (never trained on), its calibration, and the CLI around it.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStringLabels, splitStrings } from '../src/io/labels';
import { calibrateStringModel, evaluateStrings } from '../src/pipeline/strings';
import { StringModel } from '../src/classify/string-model';
import { Classifier } from '../src/classify/classifier';
import { decodeImage } from '../src/io/image';
import { scanPage } from '../src/pipeline/scan';
import { mnistTest, ROOT, runCli, tmp } from './helpers';
import { amountGroups, amountText, inPageStyle, pageThousands, type AmountMark } from '../src/pipeline/amounts';
import type { Box } from '../src/types';

const ORAND = join(ROOT, '..', 'shared', 'data', 'orand-car-a');
const AMOUNT = join(ROOT, 'models', 'amount');

/** Floors a little under what `npm run bench -- orand` measured (README), so a regression fails. */
const STRING_ACCURACY_MIN = 0.89;
const ACCEPTED_AT_1PCT_MIN = 0.6;

test('reads the held-out check amounts: string accuracy and fields accepted at <= 1% error', async () => {
  const ev = await evaluateStrings(ORAND, { split: 'heldout', fieldType: 'amount' });
  expect(ev.count).toBe(216);
  expect(ev.stringAccuracy).toBeGreaterThanOrEqual(STRING_ACCURACY_MIN);
  expect(ev.at1pct.accepted).toBeGreaterThanOrEqual(ACCEPTED_AT_1PCT_MIN);
  // Confidence orders the readings: the most confident half is more often right than the rest.
  const sorted = [...ev.readings].sort((a, b) => b.confidence - a.confidence);
  const acc = (r: typeof sorted) => r.filter((x) => x.correct).length / r.length;
  expect(acc(sorted.slice(0, 108))).toBeGreaterThan(acc(sorted.slice(108)));
});

test('calibration fits a temperature on held-out fields and lowers the calibration error', async () => {
  const dir = tmp();
  cpSync(AMOUNT, dir, { recursive: true });
  // Remove the shipped temperature so that calibration starts from the raw network.
  const spec = JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8'));
  delete spec.temperature;
  delete spec.calibration;
  delete spec.second;
  writeFileSync(join(dir, 'ensemble.json'), JSON.stringify(spec));
  expect((await StringModel.load(dir)).second).toBeUndefined();
  const r = await calibrateStringModel(dir, ORAND, dir, { second: join(ROOT, 'models', 'check') });
  expect(r.fields).toBe(216);
  expect(r.eceAfter).toBeLessThan(r.eceBefore);
  expect(r.nllAfter).toBeLessThan(r.nllBefore);
  // The second reader: agreement raises the confidence, and the log-loss on the other half falls.
  const second = r.second!;
  expect(second.weights[2]).toBeGreaterThan(0);
  expect(second.nllAfter).toBeLessThan(second.nllBefore);
  const sm = await StringModel.load(dir);
  expect(sm.temperature).toBeCloseTo(r.temperature, 6);
  expect(sm.second?.dir).toBe(join(ROOT, 'models', 'check'));
  expect(sm.second?.weights).toEqual(second.weights);
  rmSync(dir, { recursive: true, force: true });
});

test('scan --field-type amount reads cut-out check amounts (no template) as well as the benchmark; digit boxes lie in the field', () => {
  // Each image is a line of handwriting; the string model sees its ink with a margin reaching past
  // the line's own box (a margin clipped to the line's box: 191 of 216 right).
  const held = splitStrings(readStringLabels(ORAND)).heldOut;
  const r = runCli(['scan', ...held.map((s) => s.path), '--field-type', 'amount', '--format', 'jsonl', '--concurrency', '2'], 300000);
  expect(r.status).toBe(0);
  const pages = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(pages).toHaveLength(216);
  let right = 0;
  pages.forEach((p, i) => {
    const value = p.fields.map((f: { value: string }) => f.value).join('');
    if (value === held[i].digits) right++;
    for (const f of p.fields) {
      for (const d of f.digits) {
        expect(d.box[0]).toBeGreaterThanOrEqual(0);
        expect(d.box[0] + d.box[2]).toBeLessThanOrEqual(p.width);
      }
    }
  });
  expect(right / 216).toBeGreaterThanOrEqual(0.9);
});

test('scan --field-type amount --alternatives 3: each amount read whole gets its 3 next most confident values; the readings stay the same', async () => {
  const held = splitStrings(readStringLabels(ORAND)).heldOut.slice(0, 12);
  const clf = await Classifier.load(undefined, { workers: 1 });
  try {
    for (const s of held) {
      const image = await decodeImage(s.path);
      const [plain] = (await scanPage(image, 1, clf, { fieldType: 'amount' })).fields;
      const [f] = (await scanPage(image, 1, clf, { fieldType: 'amount', alternatives: 3 })).fields;
      expect(f.value).toBe(plain.value);
      expect(f.confidence).toBe(plain.confidence);
      expect(plain.alternatives).toBeUndefined();
      expect(f.alternatives).toHaveLength(3);
      const values = f.alternatives!.map((a) => a.value);
      expect(new Set([f.value, ...values]).size).toBe(4);
      for (const v of values) expect(v).toMatch(/^[0-9]+$/);
      const confidences = f.alternatives!.map((a) => a.confidence);
      expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    }
  } finally {
    await clf.close();
  }
});

test('in the default mode (no --field-type), a cut-out amount read digit by digit with little confidence is read whole, and the more confident reading kept', () => {
  // Before this, the default mode read 75.93 % of these (only fields whose segmentations disagreed
  // were read whole); npm run bench -- orand measures 89.81 %.
  const held = splitStrings(readStringLabels(ORAND)).heldOut;
  const r = runCli(['scan', ...held.map((s) => s.path), '--format', 'jsonl', '--concurrency', '2'], 300000);
  expect(r.status).toBe(0);
  const pages = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(pages).toHaveLength(216);
  type F = { value: string; confidence: number; reasons: string[] };
  const value = (p: { fields: F[] }) => p.fields.map((f) => f.value).join('');
  const right = pages.filter((p, i) => value(p) === held[i].digits).length;
  // npm run bench -- orand: 198 of 216. Where the segmentations fail on patterned paper (23104 read 008
  // at 0.09), the sure whole reading is kept: 195 when session 57 threw such readings away.
  expect(right).toBeGreaterThanOrEqual(197);
  // Fields read whole note what digit by digit read.
  const whole = pages.flatMap((p) => p.fields as F[]).filter((f) => f.reasons.some((x) => x.startsWith('read digit by digit: ')));
  expect(whole.length).toBeGreaterThan(20);
});

test('rereadWhole: template fields read digit by digit under 0.98 are read whole too (the more confident kept); sure fields stay as they were', async () => {
  // 80 held-out amounts as digit fields of a template (a template field is no cut-out: by default
  // only fields whose two segmentations disagree are read whole).
  const held = splitStrings(readStringLabels(ORAND)).heldOut.slice(0, 80);
  const clf = await Classifier.load(undefined, { workers: 1 });
  const template = { fields: [{ name: 'amount', box: [0, 0, 1, 1] as [number, number, number, number] }] };
  let rightBefore = 0;
  let rightAfter = 0;
  let readWhole = 0;
  for (const s of held) {
    const image = await decodeImage(s.path);
    const [a] = (await scanPage(image, 1, clf, { template })).fields;
    const [b] = (await scanPage(image, 1, clf, { template, rereadWhole: true })).fields;
    rightBefore += Number(a.value === s.digits);
    rightAfter += Number(b.value === s.digits);
    if (b.value !== a.value) {
      // A changed field was unsure digit by digit, and its reading is the whole one, more confident.
      expect(a.confidence).toBeLessThan(0.98);
      expect(b.confidence).toBeGreaterThan(a.confidence);
      readWhole++;
    }
    if (a.confidence >= 0.98 && !a.reasons.some((x) => x.startsWith('read by '))) expect(b).toEqual(a);
  }
  await clf.close();
  // The string model learned these writers' other strings: read whole, more of them are right.
  console.log(`rereadWhole: ${readWhole} of ${held.length} changed; right ${rightBefore} -> ${rightAfter}`);
  expect(readWhole).toBeGreaterThanOrEqual(4);
  expect(rightAfter).toBeGreaterThan(rightBefore);
});

test('an amount read digit by digit more confidently than by the string model is kept, the other noted', async () => {
  // Held-out a_car_000543 (2763): the string model reads 9763; the digit-by-digit reading, with both
  // readers' agreement, is the more confident.
  const s = splitStrings(readStringLabels(ORAND)).heldOut.find((x) => x.file.startsWith('a_car_000543_'))!;
  const clf = await Classifier.load(undefined, { workers: 1 });
  const page = await scanPage(await decodeImage(s.path), 1, clf, { template: { fields: [{ name: 'amount', box: [0, 0, 1, 1], type: 'amount' }] } });
  await clf.close();
  const f = page.fields[0];
  expect(f.value).toBe('2763');
  expect(f.reasons).toContain('read whole: "9763"');
});

test('a string model given as --model, or a digit model as --string-model, is a clear error', () => {
  const a = runCli(['scan', join(ROOT, 'samples', 'forms', 'bank-check.png'), '--model', AMOUNT]);
  expect(a.status).toBe(2);
  expect(a.stderr).toMatch(/string model.*--string-model/);
  const b = runCli(['scan', join(ROOT, 'samples', 'forms', 'bank-check.png'), '--field-type', 'amount', '--string-model', join(ROOT, 'models', 'default')]);
  expect(b.status).toBe(2);
  expect(b.stderr).toMatch(/not a string model/);
});

test("an amount's text has its commas and points where they were written; separators that make no amount give none", () => {
  const at = (x: number): Box => [x, 0, 20, 40];
  const digits = '123456'.split('').map((value, i) => ({ value, confidence: 1, box: at(100 * i) }));
  const mark = (x: number, as: ',' | '.'): AmountMark => ({ box: [x, 35, 6, 6], as });
  expect(amountText(digits, [mark(60, ','), mark(360, '.')])).toBe('1,234.56');
  expect(amountText(digits, [])).toBe('123456');
  // European style, and a dash after the amount (1.000.-): outside the digits, left out.
  expect(amountText(digits.slice(0, 4), [mark(60, '.'), mark(400, '.')])).toBe('1.234');
  expect(amountText(digits, [mark(60, '.'), mark(360, ',')])).toBe('1.234,56');
  expect(amountText(digits, [mark(160, '.'), mark(360, ',')])).toBeUndefined();
  // Groups that make no amount (a speck taken for a point), or two marks between two digits: no text.
  expect(amountText(digits, [mark(60, '.'), mark(160, '.')])).toBeUndefined();
  expect(amountText(digits, [mark(55, ','), mark(70, '.')])).toBeUndefined();
  // Unless one is twice the size of the other: a comma with a speck beside it (4:,595.70).
  expect(amountText(digits, [{ box: [52, 30, 3, 3], as: '.' }, { box: [60, 35, 6, 12], as: ',' }, mark(360, '.')])).toBe('1,234.56');
  // A speck under a quarter of the largest mark's size, alone between two digits, is left out when
  // the marks make no amount with it (1,23.4.56 is 1,234.56); not when they do.
  expect(amountText(digits, [{ box: [60, 35, 6, 12], as: ',' }, { box: [255, 38, 2, 3], as: '.' }, mark(360, '.')])).toBe('1,234.56');
  expect(amountText(digits, [{ box: [255, 38, 2, 3], as: '.' }])).toBe('123.456');
  // One style to an amount: a comma with a short tail read as a point (56.673.20) is a comma when the
  // marks' shapes favour it; thousands separators alike (1.234.567, its first mark nearly a point).
  const shaped = (x: number, comma: number): AmountMark => ({ box: [x, 35, 6, 6], as: comma > 0 ? ',' : '.', comma });
  expect(amountText(digits, [shaped(60, -0.1), shaped(360, -0.8)])).toBe('1,234.56');
  expect(amountText(digits, [shaped(60, 0.9), shaped(360, 0.2)])).toBe('1,234.56');
  expect(amountText(digits, [shaped(60, -0.9), shaped(360, -0.2)])).toBe('1.234,56');
  const seven = '1234567'.split('').map((value, i) => ({ value, confidence: 1, box: at(100 * i) }));
  expect(amountText(seven, [shaped(60, 0.2), shaped(360, -0.6)])).toBe('1.234.567');
  expect(amountText(seven, [shaped(60, 0.6), shaped(360, -0.2)])).toBe('1,234,567');
  expect(amountGroups(['1234', '56'])).toBe(true);
  expect(amountGroups(['1', '234', '567'])).toBe(true);
  expect(amountGroups(['1234', '567'])).toBe(false);
  expect(amountGroups(['12', '3'])).toBe(false);
});

test("an amount with one separator is written in its page's style, when the page's other amounts show one", () => {
  // Amounts with two separators or more show the thousands separator; one or none show nothing.
  expect(pageThousands(['1,234.56', '7.875', '12.50', '300'])).toBe(',');
  expect(pageThousands(['12,345,678', '1.234'])).toBe(',');
  expect(pageThousands(['1.234,56', '12,50'])).toBe('.');
  expect(pageThousands(['7.875', '12.50', '1234'])).toBeUndefined();
  expect(pageThousands(['1,234.56', '1.234,56'])).toBeUndefined();
  // Three digits after the one separator: thousands; two: the decimal point.
  expect(inPageStyle('7.875', ',')).toBe('7,875');
  expect(inPageStyle('12,50', ',')).toBe('12.50');
  expect(inPageStyle('7,875', '.')).toBe('7.875');
  expect(inPageStyle('1234.56', '.')).toBe('1234,56');
  // None, or two (their own style): as they are.
  expect(inPageStyle('7875', ',')).toBe('7875');
  expect(inPageStyle('1.234,56', ',')).toBe('1.234,56');
});

test("an amount in a template box is read from its ink, not the whole box (a speck by its far end), and its text has its comma and point; one with a single separator takes the page's style", async () => {
  // 4,250.97 written in MNIST test digits (4x) in a long box on a letter page, a comma (a dot with a
  // tail) and a point on the digits' foot; a speck of dust inside the box's far end. The string model
  // once read the whole box for it, borders and empty paper included.
  const mnist = mnistTest();
  const [W, H] = [2550, 3300];
  const gray = new Uint8Array(W * H).fill(245);
  const dark = (x: number, y: number, v: number) => {
    if (x >= 0 && y >= 0 && x < W && y < H) gray[y * W + x] = Math.min(gray[y * W + x], v);
  };
  const [bx, by, bw, bh] = [150, 600, 2000, 200];
  for (let t = 0; t < 4; t++) {
    for (let x = bx; x < bx + bw; x++) [dark(x, by + t, 30), dark(x, by + bh - 1 - t, 30)];
    for (let y = by; y < by + bh; y++) [dark(bx + t, y, 30), dark(bx + bw - 1 - t, y, 30)];
  }
  const firstOf = (label: number) => mnist.labels.indexOf(label);
  const S = 4;
  const disc = (cx: number, cy: number, r: number) => {
    for (let y = Math.floor(cy - r); y <= cy + r; y++) for (let x = Math.floor(cx - r); x <= cx + r; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) dark(x, y, 30);
  };
  const write = (text: string, top: number) => {
    const foot = top + 40 + 24 * S; // MNIST's 20 px box ends 4 px above the image's bottom
    let x = bx + 40;
    for (const c of text) {
      if (c === ',' || c === '.') {
        disc(x + 12, foot - 8, 8);
        if (c === ',') for (let t = 0; t < 26; t++) for (let w = -3; w <= 3; w++) dark(Math.round(x + 12 - t * 0.4 + w), foot - 4 + t, 30);
        x += 36;
        continue;
      }
      const k = firstOf(Number(c));
      for (let y = 0; y < 28 * S; y++) for (let u = 0; u < 28 * S; u++) {
        const v = mnist.images[k * 784 + Math.floor(y / S) * 28 + Math.floor(u / S)];
        if (v > 0) dark(x - 4 * S + u, top + 40 + y, Math.round(255 - (v * 225) / 255));
      }
      x += 21 * S;
    }
  };
  write('4,250.97', by);
  for (let y = 0; y < 3; y++) for (let u = 0; u < 3; u++) dark(bx + bw - 30 + u, by + 20 + y, 40);
  // A second amount below, 7,875 written with a point for its comma (a comma whose tail is lost): on
  // this page of commas for thousands, its text is 7,875.
  const by2 = by + 400;
  for (let t = 0; t < 4; t++) {
    for (let x = bx; x < bx + bw; x++) [dark(x, by2 + t, 30), dark(x, by2 + bh - 1 - t, 30)];
    for (let y = by2; y < by2 + bh; y++) [dark(bx + t, y, 30), dark(bx + bw - 1 - t, y, 30)];
  }
  write('7.875', by2);
  const clf = await Classifier.load(undefined, { workers: 1 });
  const box = (top: number): Box => [bx / W, top / H, bw / W, bh / H];
  const template = { fields: [{ name: 'amount', box: box(by), type: 'amount' as const }, { name: 'second', box: box(by2), type: 'amount' as const }] };
  const [f, g] = (await scanPage({ width: W, height: H, data: gray }, 1, clf, { template })).fields;
  await clf.close();
  expect(f.value).toBe('425097');
  expect(f.text).toBe('4,250.97');
  expect(g.value).toBe('7875');
  expect(g.text).toBe('7,875');
});
