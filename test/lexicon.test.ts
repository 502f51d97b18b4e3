/** Lexicons (src/pipeline/lexicon): the values a field may hold, and a reading matched against them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/classify/data/random';
import { assembleField, fieldFit } from '../src/pipeline/assemble';
import { bestInLexicon, LEXICON_MISS, parseLexicon } from '../src/pipeline/lexicon';
import { loadTemplate } from '../src/pipeline/scan';
import { parseTemplate, type FieldRegion } from '../src/segment/fields';
import { ROOT, runCli, tmp } from './helpers';
import { digit, probs, randomProbabilities } from './readings';


/** A reading of `value`, each digit at `p`, the next digit up second at `q`. */
const reading = (value: string, p = 0.98, q = 0.01) => [...value].map((c, i) => digit(probs(Number(c), p, (Number(c) + 1) % 10, q), 20 * i));

describe('parseLexicon', () => {
  test('one value a line; spaces and hyphens ignored; blank lines and # comments skipped', () => {
    expect(parseLexicon('# zip codes\n90210\n\n 10001 \r\n90210-1234\n555 0199\n', 'zips.txt')).toEqual(['90210', '10001', '902101234', '5550199']);
  });

  test('anything else than digits is an error naming the file and the line; so is an empty list', () => {
    expect(() => parseLexicon('90210\n9021O\n', 'zips.txt')).toThrow('zips.txt, line 2: "9021O" is not a string of digits');
    expect(() => parseLexicon('# nothing\n\n', 'zips.txt')).toThrow('zips.txt: holds no values');
  });
});

describe('bestInLexicon', () => {
  test("picks the lexicon's most probable value, with the posterior confidence of its stated prior (brute force, seeded random readings)", () => {
    const rng = new Rng(11);
    for (let t = 0; t < 30; t++) {
      const n = 1 + rng.int(4);
      const ps = randomProbabilities(rng, n, 6);
      const lexicon = [...new Set(Array.from({ length: 1 + rng.int(40) }, () => Array.from({ length: n }, () => rng.int(10)).join('')))];
      // Values of other lengths are not candidates.
      const got = bestInLexicon([...lexicon, '1'.repeat(n + 1)], ps)!;
      const P = (s: string) => [...s].reduce((a, c, i) => a * ps[i][Number(c)], 1);
      const best = lexicon.reduce((a, b) => (P(b) > P(a) ? b : a));
      expect(P(got.value)).toBeCloseTo(P(best), 12);
      expect(got.digits.join('')).toBe(got.value);
      const m = lexicon.length;
      const [wIn, wOut] = [(1 - LEXICON_MISS) / m, LEXICON_MISS / 10 ** n];
      const Z = wIn * lexicon.reduce((a, s) => a + P(s), 0) + wOut;
      expect(got.confidence).toBeCloseTo(((wIn + wOut) * P(got.value)) / Z, 9);
      for (let i = 0; i < n; i++) {
        const agree = lexicon.filter((s) => s[i] === got.value[i]).reduce((a, s) => a + P(s), 0);
        expect(got.digitConfidences[i]).toBeCloseTo((wIn * agree + wOut * ps[i][Number(got.value[i])]) / Z, 9);
      }
    }
  });

  test('a value of a sparse lexicon read unsurely becomes surer; a reading close to no value stays unsure; no value of that length: null', () => {
    // 90216 read with its 6 at 0.6 (0 at 0.35): 90210 is the only value near it.
    const ps = [...'9021'].map((c) => probs(Number(c), 0.97, 0, 0.01)).concat([probs(6, 0.6, 0, 0.35)]);
    const zips = ['90210', '10001', '60601', '33101'];
    const sure = bestInLexicon(zips, ps)!;
    expect(sure.value).toBe('90210');
    expect(sure.confidence).toBeGreaterThan(0.99);
    // 12345 read surely: no value of the lexicon is near it.
    const far = bestInLexicon(zips, [1, 2, 3, 4, 5].map((d) => probs(d, 0.98, 0, 0.01)))!;
    expect(far.confidence).toBeLessThan(0.01);
    expect(bestInLexicon(zips, ps.slice(1))).toBeNull();
  });

  test("alternatives: the lexicon's next most probable values, with their posteriors", () => {
    const rng = new Rng(23);
    const ps = randomProbabilities(rng, 3, 2);
    const lexicon = ['123', '456', '789', '111', '999', '505'];
    const got = bestInLexicon(lexicon, ps, { alternatives: 3 })!;
    const P = (s: string) => [...s].reduce((a, c, i) => a * ps[i][Number(c)], 1);
    const ranked = [...lexicon].sort((a, b) => P(b) - P(a));
    expect(got.value).toBe(ranked[0]);
    expect(got.alternatives.map((a) => a.value)).toEqual(ranked.slice(1, 4));
    got.alternatives.forEach((a) => expect(a.confidence).toBeCloseTo((got.confidence * P(a.value)) / P(got.value), 9));
    expect(bestInLexicon(lexicon, ps)!.alternatives).toEqual([]);
  });

  test('long readings do not underflow', () => {
    const ps = Array.from({ length: 40 }, (_, i) => probs(i % 10, 0.5, (i + 5) % 10, 0.1));
    const written = ps.map((_, i) => String(i % 10)).join('');
    const got = bestInLexicon([written, '5'.repeat(40)], ps)!;
    expect(got.value).toBe(written);
    expect(Number.isFinite(got.confidence) && got.confidence > 0.5).toBe(true);
  });
});

describe('assembleField with a lexicon', () => {
  const employee: FieldRegion = { name: 'employee', box: [0, 0, 120, 20], length: 6, lexicon: ['104729', '204731', '555555'] };

  test('a reading becomes the most probable value in the lexicon, noted, each digit with its confidence under the lexicon', () => {
    // 104729 read 104129: its 7 read 1 at 0.55, 7 second at 0.4.
    const ds = reading('104729');
    ds[3] = digit(probs(1, 0.55, 7, 0.4), 60);
    const f = assembleField(employee, ds, 0.9);
    expect(f.value).toBe('104729');
    expect(f.confidence).toBeGreaterThan(0.99);
    expect(f.needsReview).toBe(false);
    expect(f.digits[3]).toMatchObject({ value: '7' });
    expect(f.digits[3].confidence).toBeGreaterThan(0.99);
    // The first reading is noted, where a field needs review.
    const unsure = assembleField(employee, ds, 0.9999999);
    expect(unsure.reasons.join('; ')).toMatch(/read "104129", which is not in the lexicon/);
  });

  test("the reader's own confidence beyond its digits' is kept; a length the lexicon has none of is flagged", () => {
    const ds = reading('104729');
    const product = ds.reduce((a, d) => a * d.confidence, 1);
    const alone = assembleField(employee, ds, 0.9).confidence;
    expect(assembleField(employee, ds, 0.9, product * 0.5).confidence).toBeCloseTo(alone * 0.5, 9);
    const f = assembleField({ ...employee, length: undefined }, reading('10472'), 0.9);
    expect(f.value).toBe('10472');
    expect(f.needsReview).toBe(true);
    expect(f.reasons).toContain('"10472" is not in the lexicon');
    // Digits without probabilities (a string model's) are checked, not changed.
    const whole = assembleField(employee, reading('104129').map(({ probabilities, ...d }) => d), 0.9);
    expect(whole.value).toBe('104129');
    expect(whole.reasons).toContain('"104129" is not in the lexicon');
  });

  test('fieldFit counts a value in the lexicon as fitting', () => {
    expect(fieldFit(employee, '104729')).toBe(3);
    expect(fieldFit(employee, '104129')).toBe(2);
  });
});

describe('templates and the command line', () => {
  test("a template's lexicon file is read relative to the template; errors name the template, the field, the file and the line", () => {
    const dir = tmp('lexicon-template');
    writeFileSync(join(dir, 'zips.txt'), '90210\n10001\n');
    const fields = [{ name: 'zip', box: [0.1, 0.1, 0.3, 0.05], lexicon: 'zips.txt' }];
    writeFileSync(join(dir, 'form.json'), JSON.stringify({ fields }));
    expect(loadTemplate(join(dir, 'form.json'))!.fields[0].lexicon).toEqual(['90210', '10001']);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ fields: [{ ...fields[0], lexicon: 'nowhere.txt' }] }));
    expect(() => loadTemplate(join(dir, 'bad.json'))).toThrow(/bad\.json: field "zip": .*nowhere\.txt: cannot read lexicon/);
    writeFileSync(join(dir, 'zips.txt'), '90210\nunknown\n');
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ fields }));
    expect(() => loadTemplate(join(dir, 'other.json'))).toThrow(/other\.json: field "zip": .*zips\.txt, line 2: "unknown" is not a string of digits/);
    expect(() => parseTemplate(JSON.stringify({ fields: [{ ...fields[0], lexicon: [90210] }] }), 'form.json')).toThrow('form.json: field 1 ("zip"): "lexicon" must be a file of values');
  });

  test("a template field's own minConfidence flags it instead of --min-confidence; a bad one is an error naming the field", () => {
    const dir = tmp('min-confidence');
    const zip = join(ROOT, 'samples', 'forms', 'zip-code.png');
    const sample = JSON.parse(readFileSync(join(ROOT, 'samples', 'forms', 'zip-code.template.json'), 'utf8'));
    const read = (minConfidence: unknown, extra: string[] = []) => {
      const file = join(dir, `t-${String(minConfidence)}.json`);
      writeFileSync(file, JSON.stringify({ ...sample, fields: sample.fields.map((f: object) => ({ ...f, minConfidence })) }));
      return runCli(['scan', zip, '--template', file, '--concurrency', '1', '--format', 'jsonl', ...extra]);
    };
    // The zip code is read at 0.9968: flagged under its own 0.9999, not under 0.5 even with --min-confidence 0.9999.
    const strict = JSON.parse(read(0.9999).stdout).fields[0];
    expect(strict.value).toBe('70251');
    expect(strict.needsReview).toBe(true);
    expect(strict.reasons[0]).toMatch(/below 0\.9999/);
    expect(JSON.parse(read(0.5, ['--min-confidence', '0.9999']).stdout).fields[0].needsReview).toBe(false);
    const bad = read(2);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/field 1 \("zip"\): "minConfidence" must be a probability from 0 to 1/);
  }, 60000);

  test('scan --lexicon: the sample zip code (70251) is read surer with it; with values far from it, flagged; with a near one, that value; a bad file is a usage error', () => {
    const dir = tmp('lexicon-cli');
    const zip = join(ROOT, 'samples', 'forms', 'zip-code.png');
    const tpl = join(ROOT, 'samples', 'forms', 'zip-code.template.json');
    const read = (lexicon: string) => {
      const file = join(dir, `${lexicon.split('\n')[0]}.txt`);
      writeFileSync(file, lexicon);
      const r = runCli(['scan', zip, '--template', tpl, '--lexicon', file, '--concurrency', '1', '--format', 'jsonl']);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout).fields[0];
    };
    const plain = JSON.parse(runCli(['scan', zip, '--template', tpl, '--concurrency', '1', '--format', 'jsonl']).stdout).fields[0];
    expect(plain.value).toBe('70251');
    const inside = read('10251\n70251\n70257\n');
    expect(inside.value).toBe('70251');
    expect(inside.confidence).toBeGreaterThan(plain.confidence);
    // Every value two digits or more from the reading: the best of them is unsure.
    const far = read('12345\n98760\n70000\n');
    expect(far.needsReview).toBe(true);
    expect(far.confidence).toBeLessThan(0.5);
    expect(far.reasons.join('; ')).toMatch(/read "70251", which is not in the lexicon/);
    // A value one digit from it, in a list of two that the field is taken to be in (but for a 1 % chance):
    // a misread of one digit is the likelier story, and the field reads that value.
    const near = read('10251\n70257\n');
    expect(['10251', '70257']).toContain(near.value);
    // --alternatives: the next values, most probable first, each less probable than the reading.
    const r3 = runCli(['scan', zip, '--template', tpl, '--alternatives', '3', '--concurrency', '1', '--format', 'jsonl']);
    const f3 = JSON.parse(r3.stdout).fields[0];
    expect(f3.value).toBe('70251');
    expect(f3.alternatives).toHaveLength(3);
    const confidences = f3.alternatives.map((a: { confidence: number }) => a.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    expect(confidences[0]).toBeLessThan(f3.confidence);
    for (const a of f3.alternatives) expect(a.value).toMatch(/^[0-9]{5}$/);
    expect(new Set([f3.value, ...f3.alternatives.map((a: { value: string }) => a.value)]).size).toBe(4);
    writeFileSync(join(dir, 'bad.txt'), '70251\n7025l\n');
    const r = runCli(['scan', zip, '--lexicon', join(dir, 'bad.txt'), '--concurrency', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.txt, line 2: "7025l" is not a string of digits/);
    expect(r.stdout).toBe('');
  }, 90000);
});
