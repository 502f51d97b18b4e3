/**
 * Dates written by hand: a day, a month and a year, with or without separators. A handwritten slash
 * is one straight stroke that the digit model reads as a 1 (sure of it), so in a field whose type is
 * `date` each stroke shaped like a slash may be a separator or a digit, and the date's structure
 * says which.
 */
import type { StrokeShape } from '../segment/shape';
import type { DigitReading } from './assemble';

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

/** The ways a string of digits written with no separators splits into a date: 6 digits 2/2/2, 8 digits 2/2/4 or 4/2/2. */
function fixedSplits(value: string): number[][] {
  if (value.length === 6) return [[2, 4]];
  if (value.length === 8) return [[2, 4], [4, 6]];
  return [];
}

/**
 * A date from the digits a field was read as, each with its `slash` likeness (set when it was cut by
 * contours). Every way of taking two slash-like strokes as the separators, or none when the digits
 * alone make a date of fixed width (6 or 8 digits: `031421`, `03142021`, `20210314`), is weighed: the
 * product of the likenesses of the strokes taken for slashes and of one less the likeness of those
 * kept as digits. Of those that make a date ({@link isDate}), the most probable is returned, with its
 * share of them all; null when none does.
 *
 * @example
 * // "3/14/2021" read "3114112021": its two slashes (leaning, straight) read as 1s.
 * const date = readDate(field.digits); // { text: '3/14/2021', digits: [3,1,4,2,0,2,1], share: 0.97 }
 */
export function readDate(digits: DigitReading[]): DateReading | null {
  const candidates = digits
    .map((d, i) => ({ i, s: d.slash ?? 0 }))
    .filter((c) => c.s >= MAY_BE_SLASH && c.i > 0 && c.i < digits.length - 1)
    .sort((a, b) => b.s - a.s)
    .slice(0, MOST_CANDIDATES)
    .sort((a, b) => a.i - b.i);
  const readings: Array<{ seps: number[]; cuts: number[]; weight: number }> = [];
  const weigh = (seps: number[]) => candidates.reduce((w, c) => w * (seps.includes(c.i) ? c.s : 1 - c.s), 1);
  // No separators written (or dashes, left out as marks): a date of fixed width.
  const all = digits.map((d) => d.value).join('');
  for (const cuts of fixedSplits(all)) if (isDate([all.slice(0, cuts[0]), all.slice(cuts[0], cuts[1]), all.slice(cuts[1])])) readings.push({ seps: [], cuts, weight: weigh([]) });
  // Two slashes among the strokes shaped like them.
  for (let a = 0; a < candidates.length; a++) {
    for (let b = a + 1; b < candidates.length; b++) {
      const [i, j] = [candidates[a].i, candidates[b].i];
      const groups = [digits.slice(0, i), digits.slice(i + 1, j), digits.slice(j + 1)].map((g) => g.map((d) => d.value).join(''));
      if (isDate(groups)) readings.push({ seps: [i, j], cuts: [groups[0].length, groups[0].length + groups[1].length], weight: weigh([i, j]) });
    }
  }
  if (readings.length === 0) return null;
  const total = readings.reduce((s, r) => s + r.weight, 0);
  const best = readings.reduce((a, r) => (r.weight > a.weight ? r : a));
  const kept = digits.filter((_, i) => !best.seps.includes(i));
  const value = kept.map((d) => d.value).join('');
  const [p, q] = best.cuts;
  return { digits: kept, text: `${value.slice(0, p)}/${value.slice(p, q)}/${value.slice(q)}`, share: total > 0 ? best.weight / total : 1 / readings.length };
}
