/** Post-processing: digits + field constraints -> a field's value, confidence and review flags. */
import type { CheckDigit, FieldRegion } from '../segment/fields';
import type { DigitResult, FieldAlternative, FieldResult } from './document';
import { bestInLexicon, inLexicon } from './lexicon';

/** A digit as a reader found it: a {@link DigitResult}, with its ten digit probabilities when the reader gives them. */
export interface DigitReading extends DigitResult {
  /** Probability of each digit 0-9 (the digit classifier's; absent for a string model's digits). */
  probabilities?: readonly number[];
  /** How much its ink looks like a handwritten slash, 0-1 (`slashLikeness` in pipeline/dates; set by contour and recognition-based reading). */
  slash?: number;
}

/** A field's confidence: the reader's, else the product of its digits' confidences. */
export function stringConfidence(digits: DigitResult[], given?: number): number {
  return given ?? digits.reduce((p, d) => p * d.confidence, 1);
}

/** Most strings {@link mostProbableAccepted} tries. */
export const PATTERN_SEARCH_LIMIT = 2000;

/** A string of digits and its probability (the product of its digits'). */
export interface RankedString {
  value: string;
  digits: number[];
  probability: number;
}

/**
 * The `k` most probable strings of one digit per position that `accept` takes, most probable first:
 * the strings are tried in order of the product of their digits' probabilities (`probabilities[i][d]`,
 * position i's probability of digit d), at most `limit` of them.
 *
 * @example
 * // A month read "13", its 3 at 0.6 and 2 at 0.35: "12", then "10" or "11".
 * mostProbableStrings([p1, p3], (s) => /^(0[1-9]|1[0-2])$/.test(s), 2);
 */
export function mostProbableStrings(probabilities: ReadonlyArray<ArrayLike<number>>, accept: (s: string) => boolean, k: number, limit = PATTERN_SEARCH_LIMIT): RankedString[] {
  const n = probabilities.length;
  const found: RankedString[] = [];
  if (k <= 0) return found;
  // Each position's digits, most probable first, and their log probabilities.
  const order = probabilities.map((p) => Array.from({ length: p.length }, (_, d) => d).sort((a, b) => p[b] - p[a]));
  const logp = probabilities.map((p, i) => order[i].map((d) => Math.log(Math.max(p[d], 1e-30))));
  // Best-first over rank vectors: a state's children raise the rank at its last raised position
  // or after it, so every vector is reached once.
  interface State { ranks: number[]; score: number; last: number }
  const heap: State[] = [];
  const push = (s: State) => {
    heap.push(s);
    for (let i = heap.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (heap[up].score >= heap[i].score) break;
      [heap[up], heap[i]] = [heap[i], heap[up]];
      i = up;
    }
  };
  const pop = (): State => {
    const top = heap[0];
    const end = heap.pop()!;
    if (heap.length) {
      heap[0] = end;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].score > heap[m].score) m = l;
        if (r < heap.length && heap[r].score > heap[m].score) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  push({ ranks: new Array(n).fill(0), score: logp.reduce((a, l) => a + (l[0] ?? 0), 0), last: 0 });
  for (let tried = 0; heap.length && tried < limit; tried++) {
    const s = pop();
    const digits = s.ranks.map((r, i) => order[i][r]);
    const value = digits.join('');
    if (accept(value)) {
      found.push({ value, digits, probability: digits.reduce((a, d, i) => a * probabilities[i][d], 1) });
      if (found.length >= k) break;
    }
    for (let j = s.last; j < n; j++) {
      const r = s.ranks[j];
      if (r + 1 >= order[j].length) continue;
      const ranks = s.ranks.slice();
      ranks[j] = r + 1;
      push({ ranks, score: s.score - logp[j][r] + logp[j][r + 1], last: j });
    }
  }
  return found;
}

/**
 * The most probable string of one digit per position that `accept` takes, and its digits
 * ({@link mostProbableStrings} with k = 1); null when none is taken within `limit` strings.
 *
 * @example
 * // A month read "13", its 3 at 0.6 and 2 at 0.35: the best month is "12".
 * mostProbableAccepted([p1, p3], (s) => /^(0[1-9]|1[0-2])$/.test(s)); // { value: '12', digits: [1, 2] }
 */
export function mostProbableAccepted(probabilities: ReadonlyArray<ArrayLike<number>>, accept: (s: string) => boolean, limit = PATTERN_SEARCH_LIMIT): { value: string; digits: number[] } | null {
  const [best] = mostProbableStrings(probabilities, accept, 1, limit);
  return best ? { value: best.value, digits: best.digits } : null;
}

/**
 * Whether `value` (digits) ends in a right check digit: `luhn` (digits from the right, every second
 * doubled, less 9 when over 9, sum a multiple of 10) or `gtin` (weights 3 and 1 from the right, the
 * check digit's own weight 1, sum a multiple of 10). A value under two digits has none.
 *
 * @example
 * checkDigitHolds('4539148803436467', 'luhn'); // true
 * checkDigitHolds('4006381333931', 'gtin');    // true (an EAN-13)
 */
export function checkDigitHolds(value: string, check: CheckDigit): boolean {
  if (value.length < 2 || !/^[0-9]+$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(value.length - 1 - i) - 48;
    if (check === 'luhn') sum += i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
    else sum += i % 2 === 1 ? 3 * d : d;
  }
  return sum % 10 === 0;
}

/** The field's `pattern` as a regular expression of the whole value, if it gives one. */
function patternOf(region: FieldRegion): RegExp | undefined {
  return region.pattern !== undefined ? new RegExp(`^(?:${region.pattern})$`) : undefined;
}

/** Whether a value is one the field can hold: its `pattern`, `check` digit, `lexicon` and `type` (a zip code: 5 or 9 digits). */
function fits(region: FieldRegion, value: string, re?: RegExp): boolean {
  if (re && !re.test(value)) return false;
  if (region.check && !checkDigitHolds(value, region.check)) return false;
  if (region.lexicon !== undefined && !inLexicon(region.lexicon, value)) return false;
  return region.type !== 'zip' || value.length === 5 || value.length === 9;
}

/**
 * How well a value fits the field: 2 for having its `length` (or when it gives none), plus 1 for
 * its `pattern`, `check` digit and `type` (a zip code: 5 or 9 digits); 3 fits it in every way.
 * Where two readers read a field differently, the reading that fits it better is kept: the length
 * first, since digits misread can be mended by the rest and digits missed cannot.
 *
 * @example
 * fieldFit({ name: 'year', box, length: 4, pattern: '(19|20)[0-9]{2}' }, '1427'); // 2
 */
export function fieldFit(region: FieldRegion, value: string): number {
  const length = region.length === undefined || value.length === region.length ? 2 : 0;
  return length + (fits(region, value, patternOf(region)) ? 1 : 0);
}

/**
 * Applies the field's constraints. A field whose confidence (the probability that the whole
 * string is right: given by the reader, else the product of its digits' confidences) is below
 * `minConfidence` needs review; `notes` (what the reader says of the field) join its reasons then.
 *
 * A field with a `lexicon`, read by a reader that gives each digit's probabilities, takes the
 * lexicon's most probable value of as many digits ({@link bestInLexicon}): its digits take their
 * probabilities under the lexicon as confidences, and the field's confidence is the value's
 * probability under it, times what the reader's own field confidence held beyond its digits' (a
 * skipped mark, a doubtful cut). A value of a length the lexicon has none of is kept and flagged.
 *
 * Otherwise, a value that breaks the field's `pattern` or whose `check` digit fails, read by a reader that
 * gives each digit's probabilities (the digit classifier's, not a string model's), is replaced by
 * the most probable string of as many digits that matches it and whose check holds
 * ({@link mostProbableAccepted}); the replaced digits
 * take their probabilities of the new digit as confidences, and the field's confidence is scaled
 * by the same ratio (it is not raised for the constraint's sake: a field so changed is as unsure as
 * its new digits are, and needs review at the default `minConfidence`). The reading as first made
 * is noted. When no string of that length fits, or the value has not the field's `length` (digits
 * missed or split: changing digits cannot mend it), the value is kept and flagged.
 *
 * `text` (a date field's, see `readDate`) is the value with its separators (`FieldResult.text`); a
 * date field without it was not read as a date and is flagged.
 *
 * `alternatives` > 0 gives the field that many next most probable values (`FieldResult.alternatives`):
 * strings of as many digits that fit its pattern, check digit and type ({@link mostProbableStrings}),
 * or its lexicon's next values, each with its probability reckoned as the field's confidence is; none
 * when its digits have no probabilities.
 */
export function assembleField(region: FieldRegion, digits: DigitReading[], minConfidence: number, fieldConfidence?: number, notes: string[] = [], alternatives = 0, text?: string): FieldResult {
  const re = patternOf(region);
  let value = digits.map((d) => d.value).join('');
  let given = fieldConfidence;
  const broken = (v: string) => (re !== undefined && !re.test(v)) || (region.check !== undefined && !checkDigitHolds(v, region.check));
  const lengthRight = region.length === undefined || value.length === region.length;
  const withProbabilities = digits.length > 0 && digits.every((d) => d.probabilities?.length === 10);
  // What the reader's confidence held beyond its digits' (a skipped mark's reject probability, ...).
  const beyond = given === undefined ? 1 : Math.min(1, given / Math.max(stringConfidence(digits), 1e-30));
  let others: FieldAlternative[] | undefined = alternatives > 0 ? [] : undefined;
  if (region.lexicon !== undefined && lengthRight && withProbabilities) {
    const match = bestInLexicon(region.lexicon, digits.map((d) => d.probabilities!), { alternatives });
    if (match) {
      if (others) others = match.alternatives.map((a) => ({ value: a.value, confidence: a.confidence * beyond }));
      if (match.value !== value) notes = [`read "${value}", which is not in the lexicon`, ...notes];
      digits = digits.map((d, i) => ({ ...d, value: String(match.digits[i]), confidence: match.digitConfidences[i] }));
      given = match.confidence * beyond;
      value = match.value;
    }
  } else if (broken(value) && lengthRight && withProbabilities) {
    const best = mostProbableAccepted(digits.map((d) => d.probabilities!), (s) => fits(region, s, re));
    if (best) {
      const first = value;
      let ratio = 1;
      digits = digits.map((d, i) => {
        const p = d.probabilities![best.digits[i]];
        if (String(best.digits[i]) === d.value) return d;
        ratio *= p / Math.max(d.confidence, 1e-30);
        return { ...d, value: String(best.digits[i]), confidence: p };
      });
      if (given !== undefined) given *= ratio;
      value = best.value;
      const why = re && !re.test(first) ? `does not match pattern ${region.pattern}` : `fails its ${region.check} check digit`;
      notes = [`read "${first}", which ${why}`, ...notes];
    }
  }
  if (others && region.lexicon === undefined && withProbabilities) {
    // The next most probable strings of as many digits that fit the field's pattern and check digit.
    const ranked = mostProbableStrings(digits.map((d) => d.probabilities!), (s) => fits(region, s, re), alternatives + 1);
    others = ranked.filter((r) => r.value !== value).slice(0, alternatives).map((r) => ({ value: r.value, confidence: r.probability * beyond }));
  }
  const confidence = stringConfidence(digits, given);
  const reasons: string[] = [];
  if (confidence < minConfidence) {
    const low = digits.filter((d) => d.confidence < minConfidence).length;
    reasons.push(`confidence ${confidence.toFixed(3)} below ${minConfidence}${low ? ` (${low} digit(s) below it)` : ''}`);
  }
  if (region.length !== undefined && value.length !== region.length) reasons.push(`expected ${region.length} digits, read ${value.length}`);
  if (re && !re.test(value)) reasons.push(`does not match pattern ${region.pattern}`);
  if (region.check && !checkDigitHolds(value, region.check)) reasons.push(`${region.check} check digit fails`);
  if (region.lexicon !== undefined && !inLexicon(region.lexicon, value)) reasons.push(`"${value}" is not in the lexicon`);
  if (region.type === 'zip' && value.length !== 5 && value.length !== 9) reasons.push(`a zip code has 5 or 9 digits, read ${value.length}`);
  if (region.type === 'date' && text === undefined && value !== '') reasons.push(`"${value}" is not read as a date (day, month and year, with or without separators)`);
  const needsReview = reasons.length > 0;
  if (needsReview) reasons.push(...notes);
  return {
    name: region.name,
    value,
    confidence,
    needsReview,
    reasons,
    box: region.box,
    digits: digits.map((d) => ({ value: d.value, confidence: d.confidence, box: d.box })),
    ...(text !== undefined ? { text } : {}),
    ...(others ? { alternatives: others } : {}),
  };
}
