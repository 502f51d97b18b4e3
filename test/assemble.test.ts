/** Post-processing (src/pipeline/assemble): a field's constraints applied to what the readers found. */
import { join } from 'node:path';
import { Rng } from '../src/classify/data/random';
import { assembleField, checkDigitHolds, fieldFit, mostProbableAccepted, mostProbableStrings } from '../src/pipeline/assemble';
import { parseTemplate } from '../src/segment/fields';
import type { FieldRegion } from '../src/segment/fields';
import { generateForm, CORNER_MARKS } from '../src/samples/forms';
import { mnistTest, ROOT, runCli } from './helpers';
import { digit, probs, randomProbabilities } from './readings';


describe('mostProbableAccepted', () => {
  test('finds the most probable accepted string, as trying every string would (seeded random fields)', () => {
    const rng = new Rng(7);
    const accepts: Array<(s: string) => boolean> = [
      () => true,
      (s) => /^(0[1-9]|1[0-2])/.test(s),
      (s) => [...s].reduce((a, c) => a + Number(c), 0) % 7 === 3,
      (s) => s.endsWith('99'),
    ];
    for (let t = 0; t < 40; t++) {
      const n = 1 + rng.int(3);
      const ps = randomProbabilities(rng, n, 4);
      for (const accept of accepts) {
        let best: string | null = null;
        let bestP = -1;
        for (let v = 0; v < 10 ** n; v++) {
          const s = String(v).padStart(n, '0');
          const p = [...s].reduce((a, c, i) => a * ps[i][Number(c)], 1);
          if (accept(s) && p > bestP) [best, bestP] = [s, p];
        }
        const got = mostProbableAccepted(ps, accept, 10 ** n);
        if (best === null) expect(got).toBeNull();
        else {
          expect(got).not.toBeNull();
          const pGot = [...got!.value].reduce((a, c, i) => a * ps[i][Number(c)], 1);
          expect(pGot).toBeCloseTo(bestP, 12); // ties may pick either string
          expect(accept(got!.value)).toBe(true);
          expect(got!.digits.join('')).toBe(got!.value);
        }
      }
    }
  });

  test('mostProbableStrings gives the k most probable accepted strings in order, as trying every string would', () => {
    const rng = new Rng(19);
    for (let t = 0; t < 20; t++) {
      const n = 1 + rng.int(3);
      const ps = randomProbabilities(rng, n, 3);
      const accept = t % 2 ? () => true : (s: string) => Number(s[0]) % 3 === 1;
      const all = Array.from({ length: 10 ** n }, (_, v) => String(v).padStart(n, '0'))
        .filter(accept)
        .map((s) => [...s].reduce((a, c, i) => a * ps[i][Number(c)], 1))
        .sort((a, b) => b - a);
      const got = mostProbableStrings(ps, accept, 5, 10 ** n);
      expect(got.length).toBe(Math.min(5, all.length));
      got.forEach((g, i) => {
        expect(g.probability).toBeCloseTo(all[i], 12);
        expect(accept(g.value)).toBe(true);
      });
    }
  });

  test('gives up after `limit` strings', () => {
    const ps = [probs(1, 0.9, 2, 0.05), probs(3, 0.9, 4, 0.05)];
    expect(mostProbableAccepted(ps, (s) => s === '99', 5)).toBeNull();
    expect(mostProbableAccepted(ps, (s) => s === '99', 100)?.value).toBe('99');
  });
});

describe('assembleField', () => {
  const month: FieldRegion = { name: 'month', box: [0, 0, 40, 20], pattern: '0[1-9]|1[0-2]', length: 2 };

  test('a value that breaks its pattern becomes the most probable one that matches, flagged, the first reading noted', () => {
    // "13": the 3 at 0.6, a 2 at 0.35.
    const f = assembleField(month, [digit(probs(1, 0.99, 7, 0.005)), digit(probs(3, 0.6, 2, 0.35), 20)], 0.9);
    expect(f.value).toBe('12');
    expect(f.digits.map((d) => d.value)).toEqual(['1', '2']);
    expect(f.digits[1].confidence).toBeCloseTo(0.35, 6);
    expect(f.confidence).toBeCloseTo(0.99 * 0.35, 6);
    expect(f.needsReview).toBe(true);
    expect(f.reasons.join('; ')).toMatch(/read "13", which does not match pattern 0\[1-9\]\|1\[0-2\]/);
    expect(f.reasons).not.toContain('does not match pattern 0[1-9]|1[0-2]'); // the new value matches
    // The output's digits are the document model's: no probabilities.
    expect(Object.keys(f.digits[0]).sort()).toEqual(['box', 'confidence', 'value']);
  });

  test("a reader's own field confidence is scaled by the digits changed; a value that matches is left alone", () => {
    const f = assembleField(month, [digit(probs(1, 0.99, 7, 0.005)), digit(probs(3, 0.6, 2, 0.35), 20)], 0.9, 0.5);
    expect(f.value).toBe('12');
    expect(f.confidence).toBeCloseTo(0.5 * (0.35 / 0.6), 6);
    const ok = assembleField(month, [digit(probs(1, 0.99, 7, 0.005)), digit(probs(1, 0.97, 2, 0.02), 20)], 0.9);
    expect(ok.value).toBe('11');
    expect(ok.needsReview).toBe(false);
    expect(ok.reasons).toEqual([]);
  });

  test('alternatives: the next most probable values that fit, with their probabilities, only when asked for', () => {
    const ds = [digit(probs(1, 0.99, 7, 0.005)), digit(probs(3, 0.6, 2, 0.35), 20)];
    expect(assembleField(month, ds, 0.9).alternatives).toBeUndefined();
    const f = assembleField(month, ds, 0.9, undefined, [], 2);
    expect(f.value).toBe('12');
    // Months only: "10" and "11" (0.99 x 0.05 / 8 each), not "13" or "72".
    expect(f.alternatives!.map((a) => a.value).sort()).toEqual(['10', '11']);
    f.alternatives!.forEach((a) => expect(a.confidence).toBeCloseTo(0.99 * (0.05 / 8), 9));
    // Without a pattern: "12" (0.99 x 0.35), then a 1 and any digit of 0.05 / 8.
    const free = assembleField({ name: 'n', box: [0, 0, 40, 20] }, ds, 0.9, undefined, [], 2);
    expect(free.value).toBe('13');
    expect(free.alternatives![0]).toEqual({ value: '12', confidence: expect.closeTo(0.99 * 0.35, 9) });
    expect(free.alternatives![1].value).toMatch(/^1[0145-9]$/);
    expect(free.alternatives![1].confidence).toBeCloseTo(0.99 * (0.05 / 8), 9);
    // Digits without probabilities (read whole): none to give.
    expect(assembleField(month, ds.map(({ probabilities, ...d }) => d), 0.9, undefined, [], 2).alternatives).toEqual([]);
  });

  test("digits without probabilities (a string model's) are not changed: the field is flagged", () => {
    const f = assembleField(month, [{ value: '1', confidence: 0.99, box: [0, 0, 10, 20] }, { value: '3', confidence: 0.99, box: [20, 0, 10, 20] }], 0.9);
    expect(f.value).toBe('13');
    expect(f.needsReview).toBe(true);
    expect(f.reasons).toContain('does not match pattern 0[1-9]|1[0-2]');
  });

  test('a zip code of 4 digits is flagged; with a pattern, a zip code is also held to 5 or 9 digits', () => {
    const zip: FieldRegion = { name: 'zip', box: [0, 0, 100, 20], type: 'zip' };
    const four = [1, 2, 3, 4].map((d, i) => digit(probs(d, 0.99, 0, 0.005), 20 * i));
    expect(assembleField(zip, four, 0.9).reasons).toContain('a zip code has 5 or 9 digits, read 4');
    const five = [9, 2, 3, 4, 5].map((d, i) => digit(probs(d, 0.99, 0, 0.005), 20 * i));
    const f = assembleField({ ...zip, pattern: '[0-8][0-9]*' }, five, 0.9);
    expect(f.value).toBe('02345');
  });
});

test('fieldFit: a field\'s length first, then its pattern, check digit and type (where two readings differ, the better fit is kept)', () => {
  const year: FieldRegion = { name: 'year', box: [0, 0, 80, 20], pattern: '(19|20)[0-9]{2}', length: 4 };
  expect(fieldFit(year, '1927')).toBe(3);
  expect(fieldFit(year, '1427')).toBe(2);
  expect(fieldFit(year, '19270')).toBe(0);
  expect(fieldFit(year, '192')).toBe(0);
  expect(fieldFit({ ...year, length: undefined }, '19270')).toBe(2);
  expect(fieldFit({ ...year, pattern: undefined }, '1427')).toBe(3);
  expect(fieldFit({ ...year, pattern: undefined }, '16727')).toBe(1);
  const card: FieldRegion = { name: 'card', box: [0, 0, 320, 20], check: 'luhn', length: 16 };
  // A card number with a digit misread (its check fails) fits better than one with a digit missed.
  expect(fieldFit(card, '9360733218272802')).toBeGreaterThan(fieldFit(card, '934933214222402'));
  expect(fieldFit({ name: 'zip', box: [0, 0, 80, 20], type: 'zip' }, '123456789')).toBe(3);
  expect(fieldFit({ name: 'zip', box: [0, 0, 80, 20], type: 'zip' }, '1234')).toBe(2);
  expect(fieldFit({ name: 'any', box: [0, 0, 80, 20] }, '')).toBe(3);
});

describe('check digits', () => {
  test('luhn and gtin hold on published numbers, and fail when a digit or two neighbours change', () => {
    const luhn = ['4539148803436467', '79927398713', '490154203237518', '378282246310005'];
    const gtin = ['4006381333931', '036000291452', '96385074', '10614141000415'];
    for (const [check, good] of [['luhn', luhn], ['gtin', gtin]] as const) {
      for (const v of good) {
        expect(checkDigitHolds(v, check)).toBe(true);
        for (let i = 0; i < v.length; i++) {
          const wrong = v.slice(0, i) + String((Number(v[i]) + 3) % 10) + v.slice(i + 1);
          expect(checkDigitHolds(wrong, check)).toBe(false); // any one digit changed by 3
        }
      }
    }
    expect(checkDigitHolds('79927398731', 'luhn')).toBe(false); // the last two swapped
    expect(checkDigitHolds('7', 'luhn')).toBe(false);
  });

  test('a card number whose Luhn check fails becomes the most probable one whose check holds; a wrong length is left alone', () => {
    const card: FieldRegion = { name: 'card', box: [0, 0, 320, 20], check: 'luhn', length: 16 };
    const written = '4539148803436467';
    // The 8 read as 3 (0.55), the 8 second (0.4).
    const ds = [...written].map((c, i) => digit(i === 6 ? probs(3, 0.55, 8, 0.4) : probs(Number(c), 0.98, (Number(c) + 1) % 10, 0.01), 20 * i));
    const f = assembleField(card, ds, 0.9);
    expect(f.value).toBe(written);
    expect(f.needsReview).toBe(true);
    expect(f.reasons.join('; ')).toMatch(/read "4539143803436467", which fails its luhn check digit/);
    const short = assembleField(card, ds.slice(1), 0.9);
    expect(short.value).toBe('539143803436467');
    expect(short.reasons).toContain('expected 16 digits, read 15');
    expect(short.reasons).toContain('luhn check digit fails');
  });

  test('templates name a check digit, and a bad one is an error naming the field', () => {
    const t = parseTemplate(JSON.stringify({ fields: [{ name: 'card', box: [0.1, 0.1, 0.5, 0.05], check: 'luhn' }] }), 'form.json');
    expect(t.fields[0].check).toBe('luhn');
    expect(() => parseTemplate(JSON.stringify({ fields: [{ name: 'card', box: [0.1, 0.1, 0.5, 0.05], check: 'mod97' }] }), 'form.json')).toThrow('form.json: field 1 ("card"): "check" must be luhn or gtin');
  });
});

describe('patterns end to end', () => {
  test('generated forms write the values asked for, and put field patterns in their templates', () => {
    const fields = [{ name: 'month', label: 'Month', digits: 2, box: [0.1, 0.2, 0.2, 0.06] as [number, number, number, number], pattern: '0[1-9]|1[0-2]' }];
    const form = generateForm(fields, mnistTest(), 3, { marks: CORNER_MARKS, values: { month: '07' } });
    expect(form.expected.month).toBe('07');
    const d = mnistTest();
    expect(form.sources.month.map((i) => d.labels[i])).toEqual([0, 7]);
    expect(form.template.fields[0].pattern).toBe('0[1-9]|1[0-2]');
    expect(() => generateForm(fields, mnistTest(), 3, { values: { month: '7' } })).toThrow(/values\.month: "7" is not 2 digits/);
  });

  test('scan --pattern: the sample zip code (70251) held to start with 8 reads 8xxxx, flagged, with its first reading; a bad pattern is a usage error', () => {
    const zip = join(ROOT, 'samples', 'forms', 'zip-code.png');
    const tpl = join(ROOT, 'samples', 'forms', 'zip-code.template.json');
    let r = runCli(['scan', zip, '--template', tpl, '--pattern', '8[0-9]{4}', '--concurrency', '1', '--format', 'jsonl']);
    expect(r.status).toBe(0);
    const [field] = JSON.parse(r.stdout).fields;
    expect(field.value).toMatch(/^8[0-9]{4}$/);
    expect(field.value.slice(1)).toBe('0251');
    expect(field.needsReview).toBe(true);
    expect(field.reasons.join('; ')).toMatch(/read "70251", which does not match pattern 8\[0-9\]\{4\}/);
    r = runCli(['scan', zip, '--pattern', '([0-9]', '--concurrency', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pattern "\(\[0-9\]" is not a valid regular expression/);
    expect(r.stdout).toBe('');
  }, 60000);
});
