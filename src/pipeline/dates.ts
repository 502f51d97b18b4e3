/**
 * Dates written by hand: a day, a month and a year, with or without separators. A handwritten slash
 * is one straight stroke that the digit model reads as a 1 (sure of it), so in a field whose type is
 * `date` each stroke shaped like a slash may be a separator or a digit, and the date's structure
 * says which.
 */
import type { StrokeShape } from '../segment/shape';
import { mostProbableStrings, type DigitReading } from './assemble';

/**
 * How much a digit's ink looks like a handwritten slash, 0-1: one straight stroke (elongation) whose
 * top leans right. Many 1s look as much like one (MNIST test's 1s lean 11 degrees at the median, a
 * tenth of them over 31): this only weighs the readings a date's structure allows ({@link readDate}).
 */
export function slashLikeness({ lean, elongation }: StrokeShape): number {
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  if (elongation < 3 || lean < 0) return 0;
  return Math.min(0.98, sigmoid((lean - 12) / 5) * sigmoid((elongation - 6) / 1.5));
}

/** Strokes that may be slashes below this likeness are digits. */
const MAY_BE_SLASH = 0.05;

/** At most this many strokes are weighed as slashes (the most slash-like). */
const MOST_CANDIDATES = 8;

/** A date read from a field's digits (see {@link readDate}). */
export interface DateReading {
  /** The digits, the strokes taken for separators left out. */
  digits: DigitReading[];
  /** The date as written, its separators as slashes: `3/14/2021`, `03/14/21`, `2021/03/14`. */
  text: string;
  /** The reading's share of all the readings that make a date (1 when it is the only one). */
  share: number;
}

/** Whether three groups of digits make a date: day and month (either order), then the year; or the year first. */
export function isDate(groups: string[]): boolean {
  if (groups.length !== 3 || groups.some((g) => g.length === 0)) return false;
  const [a, b, c] = groups;
  const n = groups.map(Number);
  const year = (y: string, v: number) => y.length === 2 || (y.length === 4 && v >= 1800 && v <= 2199);
  const dayMonth = (x: number, y: number) => x >= 1 && y >= 1 && x <= 31 && y <= 31 && Math.min(x, y) <= 12;
  if (a.length <= 2 && b.length <= 2 && (c.length === 2 || c.length === 4)) return dayMonth(n[0], n[1]) && year(c, n[2]);
  if (a.length === 4 && b.length <= 2 && c.length <= 2) return year(a, n[0]) && n[1] >= 1 && n[1] <= 12 && n[2] >= 1 && n[2] <= 31;
  return false;
}

/** The ways `n` digits written with no separators split into a date: 6 digits 2/2/2, 8 digits 2/2/4 or 4/2/2. */
function fixedSplits(n: number): number[][] {
  if (n === 6) return [[2, 4]];
  if (n === 8) return [[2, 4], [4, 6]];
  return [];
}

/**
 * A date from the digits a field was read as, each with its `slash` likeness (set when it was cut by
 * contours or by recognition-based segmentation). Every way of taking two slash-like strokes as the
 * separators, or none (6 or 8 digits written with no separators, or with dashes, which are left out as
 * marks: `031421`, `03142021`, `20210314`), is weighed: the product of the likenesses of the strokes taken
 * for slashes and of one less the likeness of those kept as digits. Its groups must make a date
 * ({@link isDate}); when the groups between two slashes do not as read, and the digits have their ten
 * probabilities, the most probable digits that do (as a pattern is mended: a year read 1479 whose 4
 * may be a 9) stand in, the reading weighed down by their probability against the digits read. The
 * heaviest reading is returned, with its share of them all; null when none makes a date.
 *
 * @example
 * // "3/14/2021" read "3114112021": its two slashes (leaning, straight) read as 1s.
 * const date = readDate(field.digits); // text '3/14/2021', its 7 digits 3142021, share 0.97
 */
export function readDate(digits: DigitReading[]): DateReading | null {
  const candidates = digits
    .map((d, i) => ({ i, s: d.slash ?? 0 }))
    .filter((c) => c.s >= MAY_BE_SLASH && c.i > 0 && c.i < digits.length - 1)
    .sort((a, b) => b.s - a.s)
    .slice(0, MOST_CANDIDATES)
    .sort((a, b) => a.i - b.i);
  const readings: Array<{ kept: DigitReading[]; cuts: number[]; weight: number }> = [];
  const likeness = (seps: number[]) => candidates.reduce((w, c) => w * (seps.includes(c.i) ? c.s : 1 - c.s), 1);
  const groupsAt = (v: string, [p, q]: number[]) => [v.slice(0, p), v.slice(p, q), v.slice(q)];
  // The digits kept, split at `cuts`, as read or mended into a date.
  const weigh = (seps: number[], cutsOf: (n: number) => number[][]) => {
    const kept = digits.filter((_, i) => !seps.includes(i));
    const value = kept.map((d) => d.value).join('');
    const splits = cutsOf(kept.length);
    const asRead = splits.find((c) => isDate(groupsAt(value, c)));
    if (asRead) {
      readings.push({ kept, cuts: asRead, weight: likeness(seps) });
      return;
    }
    // Mended only between slashes: with none, the groups' widths are a guess (a date written 4-2-1942
    // with dashes, which are left out, is 421942, not 42/19/42 to be mended into 12/19/42).
    if (seps.length === 0 || !kept.every((d) => d.probabilities?.length === 10)) return;
    const [best] = mostProbableStrings(kept.map((d) => d.probabilities!), (v) => splits.some((c) => isDate(groupsAt(v, c))), 1);
    if (!best) return;
    const read = kept.reduce((p, d) => p * d.probabilities![Number(d.value)], 1);
    const mended = kept.map((d, i) => (String(best.digits[i]) === d.value ? d : { ...d, value: String(best.digits[i]), confidence: d.probabilities![best.digits[i]] }));
    readings.push({ kept: mended, cuts: splits.find((c) => isDate(groupsAt(best.value, c)))!, weight: likeness(seps) * Math.min(1, best.probability / Math.max(read, 1e-30)) });
  };
  // No separators written (or dashes): a date of fixed width.
  weigh([], fixedSplits);
  // Two slashes among the strokes shaped like them: the groups between them.
  for (let a = 0; a < candidates.length; a++) {
    for (let b = a + 1; b < candidates.length; b++) {
      const [i, j] = [candidates[a].i, candidates[b].i];
      if (j === i + 1) continue;
      weigh([i, j], () => [[i, j - 1]]);
    }
  }
  if (readings.length === 0) return null;
  const total = readings.reduce((s, r) => s + r.weight, 0);
  const best = readings.reduce((a, r) => (r.weight > a.weight ? r : a));
  const value = best.kept.map((d) => d.value).join('');
  const [p, q] = best.cuts;
  return { digits: best.kept, text: `${value.slice(0, p)}/${value.slice(p, q)}/${value.slice(q)}`, share: total > 0 ? best.weight / total : 1 / readings.length };
}
