/**
 * Dates written by hand: a day, a month and a year, with or without separators. A handwritten slash
 * is one straight stroke that the digit model reads as a 1 (sure of it), so in a field whose type is
 * `date` each stroke shaped like a slash may be a separator or a digit, and the date's structure
 * says which.
 */
import type { Box } from '../types';
import type { SeparatorMark } from '../segment/digits';
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
 * How sure a dash or a dot between a date's digits is a separator (the likeness of a slash-like
 * stroke's, for a mark left out).
 */
const MARK_SEPARATOR = 0.95;

/**
 * With one dash (or dot) found, how likely the other is between two given digits, unseen: a dash
 * written touching a digit is part of its ink (`2-7-1949`, the first dash joined to the 2, which still
 * reads 2), and a dot may be too.
 */
const UNSEEN_MARK = 0.3;

/**
 * A date from the digits a field was read as, each with its `slash` likeness (set when it was cut by
 * contours or by recognition-based segmentation), and the dashes and dots left out between them
 * (`marks`: `FieldCut.marks` in segment/digits). Every way of taking two separators written alike,
 * two slash-like strokes (taken out of the digits), two dashes or two dots (between digits), or none (6
 * or 8 digits written with no separators: `031421`, `03142021`, `20210314`), is weighed: the product
 * of the likenesses of the separators taken and of one less the likeness of those not taken (a mark's
 * is {@link MARK_SEPARATOR}; with one dash or dot found, the other may be at any other place between
 * two digits, joined to a digit's ink or lost: {@link UNSEEN_MARK}, weighing only when taken). Its
 * groups must make a date ({@link isDate}); when the groups between two separators seen do not as
 * read, and the digits have their ten probabilities, the most probable digits that do (as a pattern
 * is mended: a year read 1479 whose 4 may be a 9) stand in, the reading weighed down by their
 * probability against the digits read. The heaviest reading is returned, with its share of them all;
 * null when none makes a date. Its `text` has slashes for separators however they were written.
 *
 * @example
 * // "3/14/2021" read "3114112021": its two slashes (leaning, straight) read as 1s.
 * const date = readDate(field.digits); // text '3/14/2021', its 7 digits 3142021, share 0.97
 * // "4-2-1942" read "421942", its dashes left out as marks at their places.
 * const dashed = readDate(field.digits, field.marks); // text '4/2/1942'
 */
export function readDate(digits: DigitReading[], marks: SeparatorMark[] = []): DateReading | null {
  const n = digits.length;
  // A separator: a slash-like stroke read as digit `i` (taken out), or a mark (dash or dot) before
  // digit `i` (found, or with one of its kind found, the other's place guessed).
  type Separator = { i: number; s: number; as: 'slash' | SeparatorMark['as']; unseen?: boolean };
  const slashes: Separator[] = digits
    .map((d, i) => ({ i, s: d.slash ?? 0, as: 'slash' as const }))
    .filter((c) => c.s >= MAY_BE_SLASH && c.i > 0 && c.i < n - 1)
    .sort((a, b) => b.s - a.s)
    .slice(0, MOST_CANDIDATES);
  const centre = (b: Box) => b[0] + b[2] / 2;
  const found: Separator[] = [];
  for (const as of ['dash', 'dot'] as const) {
    const gaps = new Set(marks.filter((m) => m.as === as).map((m) => digits.filter((d) => centre(d.box) < centre(m.box)).length).filter((g) => g > 0 && g < n));
    for (const i of gaps) found.push({ i, s: MARK_SEPARATOR, as });
    if (gaps.size === 1) for (let i = 1; i < n; i++) if (!gaps.has(i)) found.push({ i, s: UNSEEN_MARK, as, unseen: true });
  }
  // By place; a mark before digit i before the slash read as digit i.
  const candidates = [...slashes, ...found].sort((a, b) => a.i - b.i || Number(a.as === 'slash') - Number(b.as === 'slash'));
  const readings: Array<{ kept: DigitReading[]; cuts: number[]; weight: number }> = [];
  // A guessed mark's place weighs only when taken.
  const likeness = (seps: Separator[]) => candidates.reduce((w, c) => w * (seps.includes(c) ? c.s : c.unseen ? 1 : 1 - c.s), 1);
  const groupsAt = (v: string, [p, q]: number[]) => [v.slice(0, p), v.slice(p, q), v.slice(q)];
  // The digits kept, split at `cutsOf` their count, as read or mended into a date.
  const weigh = (seps: Separator[], cutsOf: (kept: number) => number[][]) => {
    const out = new Set(seps.filter((c) => c.as === 'slash').map((c) => c.i));
    const kept = digits.filter((_, i) => !out.has(i));
    const value = kept.map((d) => d.value).join('');
    const splits = cutsOf(kept.length);
    const asRead = splits.find((c) => isDate(groupsAt(value, c)));
    if (asRead) {
      readings.push({ kept, cuts: asRead, weight: likeness(seps) });
      return;
    }
    // Mended only between separators seen: with none, the groups' widths are a guess (a date written
    // 4-2-1942 whose dashes were not found is 421942, not 42/19/42 to be mended into 12/19/42).
    if (seps.length === 0 || seps.some((c) => c.unseen) || !kept.every((d) => d.probabilities?.length === 10)) return;
    const [best] = mostProbableStrings(kept.map((d) => d.probabilities!), (v) => splits.some((c) => isDate(groupsAt(v, c))), 1);
    if (!best) return;
    const read = kept.reduce((p, d) => p * d.probabilities![Number(d.value)], 1);
    const mended = kept.map((d, i) => (String(best.digits[i]) === d.value ? d : { ...d, value: String(best.digits[i]), confidence: d.probabilities![best.digits[i]] }));
    readings.push({ kept: mended, cuts: splits.find((c) => isDate(groupsAt(best.value, c)))!, weight: likeness(seps) * Math.min(1, best.probability / Math.max(read, 1e-30)) });
  };
  // No separators written (or none found): a date of fixed width.
  weigh([], fixedSplits);
  // Two separators among the strokes shaped like slashes and the marks: the groups between them.
  for (let a = 0; a < candidates.length; a++) {
    for (let b = a + 1; b < candidates.length; b++) {
      const [x, y] = [candidates[a], candidates[b]];
      // A date's two separators are written alike: two slashes, two dashes or two dots (one of them found).
      if (x.as !== y.as || (x.unseen && y.unseen)) continue;
      // Where each group ends among the digits kept: a slash taken out is no group's digit.
      const at = (c: Separator) => c.i - (x !== c && x.as === 'slash' && x.i < c.i ? 1 : 0);
      const [p, q] = [at(x), at(y)];
      if (q <= p || p === 0) continue;
      weigh([x, y], (kept) => (q < kept ? [[p, q]] : []));
    }
  }
  if (readings.length === 0) return null;
  const total = readings.reduce((s, r) => s + r.weight, 0);
  const best = readings.reduce((a, r) => (r.weight > a.weight ? r : a));
  const value = best.kept.map((d) => d.value).join('');
  const [p, q] = best.cuts;
  return { digits: best.kept, text: `${value.slice(0, p)}/${value.slice(p, q)}/${value.slice(q)}`, share: total > 0 ? best.weight / total : 1 / readings.length };
}

/**
 * The digits of a field read whole (`whole`: the string model's, which say nothing of their ink's
 * shape) with the slash likeness of the digit-by-digit reading's (`cut`): each 1 takes that of the 1
 * cut whose columns overlap its own most, so that a date read whole still tells its slashes from its
 * 1s ({@link readDate}).
 *
 * @example
 * // "09/23/39" read whole as 09123139; contours cut 0 7 / 2 3 / 3 9 (a slash read as a 1 either way).
 * const date = readDate(slashesFrom(whole.digits, byContours.digits)); // text '09/23/39'
 */
export function slashesFrom(whole: DigitReading[], cut: DigitReading[]): DigitReading[] {
  const overlap = (a: Box, b: Box) => Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  return whole.map((d) => {
    if (d.value !== '1' || d.slash !== undefined) return d;
    const ones = cut.filter((c) => c.value === '1' && c.slash !== undefined && overlap(c.box, d.box) > 0);
    if (ones.length === 0) return d;
    const best = ones.reduce((x, y) => (overlap(y.box, d.box) > overlap(x.box, d.box) ? y : x));
    return { ...d, slash: best.slash };
  });
}
