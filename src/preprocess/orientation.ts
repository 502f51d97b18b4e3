/**
 * Which way up a page's printed text stands, without reading it: in a line of Latin print the letters
 * stand on a common baseline (only g, j, p, q, y hang below it) while their tops split between the
 * x-height and the ascenders and capitals. Upside down, the tops line up and the bottoms split.
 */
import type { Box, GrayImage } from '../types';
import { labelComponents, type CV } from './opencv';
import { threshold } from './steps';

interface Glyph {
  x: number;
  top: number;
  bottom: number;
  h: number;
}

/** Fraction of neighbours in `v` (left to right along a line) within `tol` of each other: a skewed line stays aligned letter to letter. */
function alignedPairs(v: number[], tol: number): number {
  let n = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i] - v[i - 1]) <= tol) n++;
  return n / (v.length - 1);
}

/**
 * Whether a component box is letter-sized on a page whose shorter side is `side`: 0.4 to 2.5 % of it
 * tall, at least 5 px, at most twice as wide as tall.
 */
function letterSized([, , w, h]: Box, side: number): boolean {
  return h >= Math.max(5, 0.004 * side) && h <= 0.025 * side && w <= 2 * h;
}

/**
 * Of values along a line (left to right), the share within `tol` of the median of each one and its two
 * neighbours each side: how many stand on one line, where a line a little skewed still counts as one.
 */
function onOneLine(v: number[], tol: number): number {
  let on = 0;
  for (let i = 0; i < v.length; i++) {
    const near = v.slice(Math.max(0, i - 2), i + 3).sort((a, b) => a - b);
    if (Math.abs(v[i] - near[near.length >> 1]) <= tol) on++;
  }
  return on / v.length;
}

/**
 * Whether components standing in one line (their boxes, page pixels) are a line of print rather than
 * handwriting: three or more letter-sized ones (see {@link letterSized}; `side`: the page's shorter
 * side), nothing taller, the median under 1.6 % of `side` tall (a 12-point capital), at least 0.6 of
 * them on one baseline (within 8 % of the median height, at least a pixel) and of two heights, as
 * lower case is (x-height, ascenders): the upper quartile at least 1.2 times the lower. Handwritten
 * digits are taller, or of one height, or not on one baseline; capitals and printed digits are left
 * as they are.
 */
export function looksPrinted(boxes: Box[], side: number): boolean {
  if (boxes.some(([, , , h]) => h > 0.025 * side)) return false;
  const glyphs = boxes.filter((b) => letterSized(b, side)).sort((a, b) => a[0] - b[0]);
  const n = glyphs.length;
  if (n < 3) return false;
  const hs = glyphs.map(([, , , h]) => h).sort((a, b) => a - b);
  const mh = hs[n >> 1];
  if (mh > 0.016 * side || hs[Math.ceil(0.75 * (n - 1))] < 1.2 * hs[Math.floor(0.25 * (n - 1))]) return false;
  return onOneLine(glyphs.map(([, y, , h]) => y + h), Math.max(1, 0.08 * mh)) >= 0.6;
}

/**
 * Whether marks set in a row (their boxes, page pixels; `side`: the page's shorter side) are a word or
 * a few words of print: three or more letter-sized ones ({@link letterSized}), their median height
 * under 1.6 % of `side` (a 12-point capital), set close (the median gap between neighbours under
 * 0.35 of it; handwritten digits stand farther apart), 0.6 of them on one baseline (within 8 % of the
 * median height, at least a pixel), and either some 1.2 times as tall as the lower quartile (lower
 * case: ascenders or capitals over the x-height) or 0.8 of their tops on one line too (capitals).
 * Where {@link looksPrinted} asks a whole line of lower case for two heights by its quartiles, one
 * word may have a single ascender ("Amount" at 150 dpi: x-height 12 px, its A 15).
 */
export function printedRun(boxes: Box[], side: number): boolean {
  return printedLetterHeight(boxes, side) > 0;
}

/** The median height of the letters of a {@link printedRun}, or 0 when `boxes` are not one. */
function printedLetterHeight(boxes: Box[], side: number): number {
  const glyphs = boxes.filter((b) => letterSized(b, side)).sort((a, b) => a[0] - b[0]);
  const n = glyphs.length;
  if (n < 3) return 0;
  const hs = glyphs.map((b) => b[3]).sort((a, b) => a - b);
  const mh = hs[n >> 1];
  const low = hs[Math.floor(0.25 * (n - 1))];
  if (mh > 0.016 * side) return 0;
  const gaps = glyphs.slice(1).map(([x], i) => x - (glyphs[i][0] + glyphs[i][2])).sort((a, b) => a - b);
  if (gaps[gaps.length >> 1] > 0.35 * mh) return 0;
  const tol = Math.max(1, 0.08 * mh);
  if (onOneLine(glyphs.map(([, y, , h]) => y + h), tol) < 0.6) return 0;
  return glyphs.some(([, , , h]) => h >= 1.2 * low) || onOneLine(glyphs.map(([, y]) => y), tol) >= 0.8 ? mh : 0;
}

/**
 * Of the components of one line (their boxes, page pixels; `side`: the page's shorter side), those
 * that are printed words beside handwriting: a form's label on the line written on ("Zip code
 * ________"). Components no taller than 2.5 % of `side` set close (each under 0.7 of the tallest
 * letter-sized one so far from the one before it; a taller mark ends the run) make a run; a run is
 * print when it is a {@link printedRun}, and is taken only when the line also holds a mark 1.6 times
 * the run's median letter height or taller that is not in it (the handwriting the label is beside;
 * handwritten digits small enough to pass for letters are of one size with their neighbours). The
 * indices of the runs' boxes in `boxes`.
 */
export function printedWords(boxes: Box[], side: number): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[a][0] - boxes[b][0]);
  const runs: number[][] = [];
  let run: number[] = [];
  let right = -Infinity;
  let tall = 0;
  for (const i of order) {
    const [x, , w, h] = boxes[i];
    if (h > 0.025 * side) {
      if (run.length) runs.push(run);
      run = [];
      continue;
    }
    if (run.length && x - right > 0.7 * Math.max(tall, h)) {
      runs.push(run);
      run = [];
    }
    if (!run.length) {
      right = -Infinity;
      tall = 0;
    }
    run.push(i);
    right = Math.max(right, x + w);
    if (letterSized(boxes[i], side)) tall = Math.max(tall, h);
  }
  if (run.length) runs.push(run);
  const words: number[] = [];
  for (const r of runs) {
    const mh = printedLetterHeight(r.map((i) => boxes[i]), side);
    if (!mh) continue;
    const inRun = new Set(r);
    if (boxes.some((b, i) => !inRun.has(i) && b[3] >= 1.6 * mh)) words.push(...r);
  }
  return words;
}

/**
 * Whether components standing in one line (their boxes, page pixels) are shaped like a line of
 * lower-case print of any size up to 5 % of `side` (the page's shorter side) median height, where
 * {@link looksPrinted} measures only print up to a 12-point capital: a title, a heading. Six or more
 * marks (at least 5 px tall, at most twice as wide as tall), nothing over 2.2 times their median
 * height; set close, as letters are (the median gap under a quarter of their median height); 0.7 of
 * them on one baseline (within 6 % of the median height); of two heights as lower case is: 0.3 of them
 * within 8 % of the lower quartile's height (the x-height), their tops on one line (0.8 of them), and
 * a tenth at least 1.2 times as tall (ascenders, capitals, descenders). Handwritten digits are set
 * farther apart, or are of one height, or not on one baseline; the scan keeps such a line when it
 * reads as digits all the same (see `FieldRegion.printLike`).
 */
export function shapedLikePrint(boxes: Box[], side: number): boolean {
  const glyphs = boxes.filter(([, , w, h]) => h >= 5 && w <= 2 * h).sort((a, b) => a[0] - b[0]);
  const n = glyphs.length;
  if (n < 6) return false;
  const hs = glyphs.map(([, , , h]) => h).sort((a, b) => a - b);
  const mh = hs[n >> 1];
  const low = hs[Math.floor(0.25 * (n - 1))];
  if (mh > 0.05 * side || boxes.some(([, , , h]) => h > 2.2 * mh)) return false;
  const gaps = glyphs.slice(1).map(([x], i) => x - (glyphs[i][0] + glyphs[i][2])).sort((a, b) => a - b);
  if (gaps[gaps.length >> 1] > 0.25 * mh) return false;
  if (onOneLine(glyphs.map(([, y, , h]) => y + h), Math.max(1, 0.06 * mh)) < 0.7) return false;
  const xHigh = glyphs.filter(([, , , h]) => Math.abs(h - low) <= Math.max(1, 0.08 * low));
  const taller = glyphs.filter(([, , , h]) => h >= 1.2 * low).length;
  if (xHigh.length < Math.max(3, 0.3 * n) || taller < 0.1 * n) return false;
  return onOneLine(xHigh.map(([, y]) => y), Math.max(1, 0.06 * low)) >= 0.8;
}

/** How a page's print stands: the score (see {@link textUpright}) and the letters it was taken over. */
export interface PrintScore {
  score: number;
  letters: number;
}

/**
 * The score of print over component boxes: of the letter-sized ones ({@link letterSized}; `side`: the
 * page's shorter side), in lines of five or more letters in a row, the share of neighbouring letters
 * whose bottoms align minus the share whose tops align, weighed by letters.
 */
function scoreLetters(boxes: Box[], side: number): PrintScore {
  const glyphs: Glyph[] = boxes
    .filter((b) => letterSized(b, side))
    .map(([x, y, , h]) => ({ x, top: y, bottom: y + h, h }))
    .sort((a, b) => a.x - b.x);
  const lines: Glyph[][] = [];
  for (const g of glyphs) {
    const line = lines.find((l) => {
      const last = l[l.length - 1];
      const overlap = Math.min(last.bottom, g.bottom) - Math.max(last.top, g.top);
      return g.x - last.x <= 3 * Math.max(last.h, g.h) && overlap >= 0.5 * Math.min(last.h, g.h);
    });
    if (line) line.push(g);
    else lines.push([g]);
  }
  let score = 0;
  let letters = 0;
  for (const l of lines) {
    if (l.length < 5) continue;
    const hs = l.map((g) => g.h).sort((a, b) => a - b);
    const tol = Math.max(1, 0.08 * hs[hs.length >> 1]);
    score += (alignedPairs(l.map((g) => g.bottom), tol) - alignedPairs(l.map((g) => g.top), tol)) * l.length;
    letters += l.length;
  }
  return { score: letters ? score / letters : 0, letters };
}

/**
 * Which way up the page's print stands, as it lies (`upright`) and turned a quarter clockwise
 * (`quarter`), from one binarization: the components of the turned page are those of the page, their
 * boxes turned. Each score is above 0 for upright print, below 0 for upside-down print, near 0 when
 * there is no print to tell by (or capitals only). `side`: the page's shorter side letters are
 * measured against (default the image's; a letter page's at the image's resolution when known).
 */
export function printOrientation(cv: CV, gray: GrayImage, side = Math.min(gray.width, gray.height)): { upright: PrintScore; quarter: PrintScore } {
  const bin = threshold(cv, gray, 'otsu');
  const boxes: Box[] = labelComponents(cv, bin, (list) => list.filter((c) => c.area >= 8).map((c) => c.box));
  const H = gray.height;
  return { upright: scoreLetters(boxes, side), quarter: scoreLetters(boxes.map(([x, y, w, h]) => [H - y - h, x, h, w]), side) };
}

/**
 * A score of the page's print standing upright: over its lines of print (five or more letter-sized
 * components in a row), the share of neighbouring letters whose bottoms align minus the share whose
 * tops align, weighed by letters. Above 0: upright; below 0: upside down; near 0 (no print, or
 * capitals only): no telling.
 */
export function textUpright(cv: CV, gray: GrayImage): PrintScore {
  return printOrientation(cv, gray).upright;
}
