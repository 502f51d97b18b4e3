/**
 * Lexicons: the values a field may hold (zip codes, account or employee numbers, product codes),
 * given as a list or a text file. A field read digit by digit is matched against the values of its
 * length: the reading becomes the value the classifier's digit probabilities make most probable, and
 * its confidence the probability that it is right given that the value is in the lexicon, or, with
 * probability {@link LEXICON_MISS}, any string at all.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Lexicon } from '../segment/fields';

/**
 * The prior probability that a field's value is not in its lexicon (a list out of date, a value
 * written wrong): a reading far from every value in the lexicon then stays unsure, and is flagged.
 */
export const LEXICON_MISS = 0.01;

/**
 * Parses a lexicon file: one value a line; spaces and hyphens are ignored (`90210-1234` is
 * `902101234`); empty lines and lines starting with `#` are skipped. Anything else than digits is an
 * error naming the file and the line.
 *
 * @example
 * parseLexicon('# zip codes\n90210\n10001\n', 'zips.txt'); // ['90210', '10001']
 */
export function parseLexicon(text: string, name = 'lexicon'): string[] {
  const values: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const v = t.replace(/[\s-]/g, '');
    if (!/^[0-9]+$/.test(v)) throw new Error(`${name}, line ${i + 1}: "${t.length > 40 ? `${t.slice(0, 40)}…` : t}" is not a string of digits`);
    values.push(v);
  });
  if (values.length === 0) throw new Error(`${name}: holds no values (one string of digits a line)`);
  return values;
}

/** Lists already checked (each once, not at every field). */
const checked = new WeakSet<readonly string[]>();

const files = new Map<string, { stamp: string; values: string[] }>();

/**
 * Reads a lexicon file ({@link parseLexicon}); a file is read again only when it has changed (its
 * size or time of change). Errors name the file.
 */
export function loadLexiconFile(file: string): string[] {
  const path = resolve(file);
  let stamp: string;
  let text: string;
  try {
    const st = statSync(path);
    stamp = `${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    const known = files.get(path);
    if (known?.stamp === stamp) return known.values;
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read lexicon (${(e as Error).message})`);
  }
  const values = parseLexicon(text, file);
  checked.add(values);
  files.set(path, { stamp, values });
  return values;
}

/** The values of a lexicon given either way, checked: every value a string of digits. */
export function lexiconValues(lexicon: Lexicon, name = 'lexicon'): readonly string[] {
  if (typeof lexicon === 'string') return loadLexiconFile(lexicon);
  if (checked.has(lexicon)) return lexicon;
  const bad = lexicon.findIndex((v) => typeof v !== 'string' || !/^[0-9]+$/.test(v));
  if (bad >= 0) throw new Error(`${name}: value ${bad + 1} (${JSON.stringify(lexicon[bad])}) is not a string of digits`);
  if (lexicon.length === 0) throw new Error(`${name}: holds no values`);
  checked.add(lexicon);
  return lexicon;
}

/**
 * A lexicon indexed for matching: its values as a set, and by length with their digits packed two to
 * a byte (`10·d1 + d2`; an odd last digit as `10·d`), so that scoring a value takes half the lookups.
 */
interface LexiconIndex {
  set: Set<string>;
  byLength: Map<number, Uint8Array>;
}

const indexes = new WeakMap<readonly string[], LexiconIndex>();

function indexOf(values: readonly string[]): LexiconIndex {
  let ix = indexes.get(values);
  if (!ix) {
    const set = new Set(values);
    const groups = new Map<number, string[]>();
    for (const v of set) {
      const g = groups.get(v.length);
      if (g) g.push(v);
      else groups.set(v.length, [v]);
    }
    const byLength = new Map<number, Uint8Array>();
    for (const [n, vs] of groups) {
      const pairs = (n + 1) >> 1;
      const packed = new Uint8Array(pairs * vs.length);
      vs.forEach((v, k) => {
        for (let j = 0; j < pairs; j++) packed[k * pairs + j] = 10 * (v.charCodeAt(2 * j) - 48) + (2 * j + 1 < n ? v.charCodeAt(2 * j + 1) - 48 : 0);
      });
      byLength.set(n, packed);
    }
    ix = { set, byLength };
    indexes.set(values, ix);
  }
  return ix;
}

/** Scores of the values last matched, reused from field to field. */
let scores = new Float64Array(0);

/** Whether `value` is in the lexicon. */
export function inLexicon(lexicon: Lexicon, value: string): boolean {
  return indexOf(lexiconValues(lexicon)).set.has(value);
}

/** The value a lexicon makes of a reading ({@link bestInLexicon}). */
export interface LexiconMatch {
  /** The value, one of the lexicon's. */
  value: string;
  /** Its digits. */
  digits: number[];
  /** The probability that the field holds this value (see {@link bestInLexicon}). */
  confidence: number;
  /** Each digit's probability, the lexicon's values and any string weighed as for `confidence`. */
  digitConfidences: number[];
  /**
   * The next most probable values of the lexicon, most probable first (as many as asked for, of those
   * within e^-20/m of the best: the rest have no probability worth giving), with their posteriors.
   */
  alternatives: Array<{ value: string; confidence: number }>;
}

/** Options of {@link bestInLexicon}. */
export interface LexiconMatchOptions {
  /** The prior probability that the value is not in the lexicon (default {@link LEXICON_MISS}). */
  miss?: number;
  /** How many next most probable values to give (default 0). */
  alternatives?: number;
}

const logAddExp = (a: number, b: number): number => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/**
 * The lexicon's most probable value of as many digits as `probabilities` has positions
 * (`probabilities[i][d]`: position i's probability of digit d), or null when it has none of that
 * length. A value's probability is the product of its digits'; the field is taken to hold one of the
 * lexicon's m values of that length, each as likely, or, with probability `miss`, any of the 10^n
 * strings of n digits. `confidence` is then the value's posterior probability:
 * (w + ε·10^-n)·P(v) / (w·ΣP(lexicon) + ε·10^-n), with w = (1 - ε) / m: a reading that is a value
 * of a sparse lexicon becomes surer, a reading close to none stays unsure.
 *
 * @example
 * // A zip code read 90216 with its last digit at 0.6 (0: 0.35): 90210 is in the lexicon, 90216 not.
 * bestInLexicon(['90210', '10001'], probs).value; // '90210'
 */
export function bestInLexicon(lexicon: Lexicon, probabilities: ReadonlyArray<ArrayLike<number>>, options: LexiconMatchOptions = {}): LexiconMatch | null {
  const miss = options.miss ?? LEXICON_MISS;
  const wanted = Math.max(0, Math.floor(options.alternatives ?? 0));
  const n = probabilities.length;
  const packed = indexOf(lexiconValues(lexicon)).byLength.get(n);
  if (!packed || n === 0) return null;
  const pairs = (n + 1) >> 1;
  const m = packed.length / pairs;
  const lp = (i: number, d: number) => Math.log(Math.max(probabilities[i][d] ?? 0, 1e-30));
  // Log probabilities of each pair of positions' digits, by packed code.
  const table = new Float64Array(pairs * 100);
  for (let j = 0; j < pairs; j++) {
    for (let c = 0; c < 100; c++) {
      const [a, b] = [Math.floor(c / 10), c % 10];
      table[j * 100 + c] = 2 * j + 1 < n ? lp(2 * j, a) + lp(2 * j + 1, b) : b === 0 ? lp(2 * j, a) : -Infinity;
    }
  }
  // First pass: every value's log probability, the best value and the largest.
  if (scores.length < m) scores = new Float64Array(m);
  let best = 0;
  let top = -Infinity;
  for (let k = 0, o = 0; k < m; k++) {
    let s = 0;
    for (let j = 0; j < pairs; j++, o++) s += table[j * 100 + packed[o]];
    scores[k] = s;
    if (s > top) {
      top = s;
      best = k;
    }
  }
  const digitsOf = (k: number): number[] => {
    const ds: number[] = [];
    for (let j = 0; j < pairs; j++) {
      const c = packed[k * pairs + j];
      ds.push(Math.floor(c / 10));
      if (2 * j + 1 < n) ds.push(c % 10);
    }
    return ds;
  };
  // Second pass: the lexicon's total relative to the best, and each position's share of it for the
  // best value's digit. Values under e^-20/m of the best, together, change neither by 1e-8.
  const digits = digitsOf(best);
  const floor = -(20 + Math.log(m));
  let total = 0;
  const agree = new Float64Array(n);
  const runners: number[] = [];
  for (let k = 0; k < m; k++) {
    const d = scores[k] - top;
    if (d < floor) continue;
    const w = Math.exp(d);
    total += w;
    if (wanted > 0 && k !== best && (runners.length < wanted || scores[k] > scores[runners[runners.length - 1]])) {
      // The next best values so far, best first.
      let at = runners.length;
      while (at > 0 && scores[runners[at - 1]] < scores[k]) at--;
      runners.splice(at, 0, k);
      if (runners.length > wanted) runners.pop();
    }
    for (let j = 0, o = k * pairs; j < pairs; j++, o++) {
      const a = (packed[o] / 10) | 0;
      if (a === digits[2 * j]) agree[2 * j] += w;
      if (2 * j + 1 < n && packed[o] - 10 * a === digits[2 * j + 1]) agree[2 * j + 1] += w;
    }
  }
  const logIn = Math.log1p(-miss) - Math.log(m);
  const logOut = Math.log(miss) - n * Math.LN10;
  const logZ = logAddExp(logIn + top + Math.log(total), logOut);
  const posterior = (score: number) => Math.min(1, Math.exp(logAddExp(logIn, logOut) + score - logZ));
  const confidence = posterior(top);
  const digitConfidences = digits.map((d, i) => Math.min(1, Math.exp(logAddExp(logIn + top + Math.log(agree[i]), logOut + lp(i, d)) - logZ)));
  const alternatives = runners.map((k) => ({ value: digitsOf(k).join(''), confidence: posterior(scores[k]) }));
  return { value: digits.join(''), digits, confidence, digitConfidences, alternatives };
}
