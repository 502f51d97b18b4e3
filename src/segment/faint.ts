/**
 * Handwriting fainter than the print: a page filled in with a light pencil, whose strokes are paler
 * than the level the page's threshold sets between its print and its paper. The page's threshold
 * keeps the print and loses the pencil, in part or whole (a digit left out, a 7 read 1); the fainter
 * binarization that printed lines are looked for in (preprocess) keeps it. Here a page's fields are
 * looked at in both.
 */
import type { BinaryImage, Box } from '../types';
import type { CV } from '../preprocess/opencv';
import { components, cropBinary } from './components';

/** What {@link faintInk} finds in a page's fields. */
export interface FaintInk {
  /** Marks the size of a digit in the fainter binarization, in all the fields. */
  marks: number;
  /** Those of them that the page's own binarization mostly loses (under {@link KEPT} of their ink). */
  lost: number;
}

/** A mark of the fainter binarization is lost when the page's own keeps less than this share of its pixels. */
const KEPT = 0.35;

/** The part of a page's fainter binarization (printed lines removed) in a box, clipped to the page. */
export type FaintRegion = (box: Box) => BinaryImage | undefined;

/**
 * Counts the digit-sized marks in the fields' boxes of the fainter binarization (`faintAt`;
 * components at least 0.35 of the box's height and a tenth of it wide, not the box's whole height,
 * with ink at least 3 % of the box's height a row, not at its left or right side),
 * and those of them whose pixels are mostly not ink in `clean`, the page's own binarization (both
 * with printed lines removed). With `lines`, each box is a line of handwriting's ink, whose digits
 * are as tall as it: the marks are looked for around it (0.3 of its height above and below, 1.8 of
 * it left and right, where a digit or two of the line that the threshold lost may be), at its sides too.
 *
 * @example
 * const { marks, lost } = faintInk(cv, pre.clean, (b) => pre.faintRegion(b), regions.map((r) => r.box));
 */
export function faintInk(cv: CV, clean: BinaryImage, faintAt: FaintRegion, boxes: Box[], lines = false): FaintInk {
  let marks = 0;
  let lost = 0;
  for (const box of boxes) {
    const area = lines ? around(box, clean.width, clean.height, ALONG) : box;
    const sub = faintAt(area);
    if (!sub || sub.width === 0 || sub.height === 0) continue;
    const own = cropBinary(clean, area);
    const cc = components(cv, sub);
    const h = box[3];
    // Digit-sized, not the box's whole height, and strokes, not a hairline outline (the faint edge of
    // the back of the sheet showing through): ink at least 3 % of the box's height a row on average.
    // Not at the box's left or right side either: a shaded field's edge, a little darker than the
    // paper around it, comes out there.
    const big = cc.list.filter((c) => c.box[3] >= 0.35 * h && c.box[2] >= 0.1 * h && c.box[3] < 0.98 * sub.height && c.area >= 0.03 * h * c.box[3] && (lines || (c.box[0] > 1 && c.box[0] + c.box[2] < sub.width - 1)));
    if (big.length === 0) continue;
    // Per label of a digit-sized mark, its pixels that the page's own binarization keeps.
    const kept = countKept(cc.labels, cc.list.length, big, own.data);
    for (let k = 0; k < big.length; k++) {
      marks++;
      if (kept[k] < KEPT * big[k].area) lost++;
    }
  }
  return { marks, lost };
}

/** For each of `marks` (components labelled in `labels`, `count` in all), how many of its pixels are set in `own`. */
function countKept(labels: Int32Array, count: number, marks: Array<{ label: number }>, own: Uint8Array): Int32Array {
  const index = new Int32Array(count + 1).fill(-1);
  for (let k = 0; k < marks.length; k++) index[marks[k].label] = k;
  const kept = new Int32Array(marks.length);
  for (let i = 0; i < labels.length; i++) {
    const k = index[labels[i]];
    if (k >= 0 && own[i]) kept[k]++;
  }
  return kept;
}

/**
 * The page to read fields from: `clean` itself, or, when some fields hold digit-sized marks of the
 * fainter binarization that `clean` mostly loses ({@link faintInk}), a copy of it with those fields'
 * strokes in the fainter one added: in each one's box and around it (0.3 of its height above and
 * below, 0.6 left and right, where its handwriting may reach: segment/overflow), but for the other
 * fields' boxes.
 *
 * With `along` (the regions are lines of handwriting found in `clean`, whose threshold may have lost
 * whole digits of a pencilled line, not only strokes), a line is pale when such a mark is in it or
 * beside it (up to 1.8 of its height left or right), and its strokes are followed along it: those
 * reaching within 0.6 of its height of it are taken whole (up to 1.8 of its height out), the area is
 * moved out to them, and again while they reach further, at the line's height; a stroke `clean`
 * already has (nine tenths of it) is left as it is there.
 *
 * @example
 * const page = withFaintFields(cv, pre.clean, (b) => pre.faintRegion(b), regions);
 */
export function withFaintFields(cv: CV, clean: BinaryImage, faintAt: FaintRegion, regions: Array<{ box: Box }>, along = false): BinaryImage {
  const { width: W, height: H } = clean;
  const pale = regions.filter((r) => faintInk(cv, clean, faintAt, [r.box], along).lost > 0);
  if (pale.length === 0) return clean;
  const page: BinaryImage = { width: W, height: H, data: new Uint8Array(clean.data) };
  const others = regions.filter((r) => !pale.includes(r)).map((r) => r.box);
  for (const { box } of pale) {
    const [x, y, w, h] = box;
    let [left, right] = [x, x + w];
    for (let round = 0; round < (along ? MAX_ROUNDS : 1); round++) {
      const reach = addFaintStrokes(cv, page, faintAt, [left, y, right - left, h], others, along);
      if (!reach || (reach[0] >= left && reach[1] <= right)) break;
      [left, right] = [Math.min(left, reach[0]), Math.max(right, reach[1])];
    }
  }
  return page;
}

/** How far left and right of a line (times its height) its lost digits are looked for, and strokes near it taken whole ({@link withFaintFields} `along`). */
const ALONG = 1.8;

/** How many times a line's area is moved out along its strokes ({@link withFaintFields} `along`). */
const MAX_ROUNDS = 12;

/**
 * Sets in `page` the strokes of the fainter binarization in and around `box` (0.3 of its height
 * above and below, 0.6 left and right), but in `others`; with `whole`, each such stroke whole, as far
 * as 1.8 of the box's height left and right. Returns how far left and right (x, page pixels, end
 * exclusive) the strokes taken reach, or null when none is.
 */
function addFaintStrokes(cv: CV, page: BinaryImage, faintAt: FaintRegion, box: Box, others: Box[], whole: boolean): [number, number] | null {
  const W = page.width;
  const h = box[3];
  const core = around(box, W, page.height);
  const [x0, y0, aw, ah] = whole ? around(box, W, page.height, ALONG) : core;
  const [x1, y1] = [x0 + aw, y0 + ah];
  const part = faintAt([x0, y0, aw, ah]);
  if (!part || part.width !== aw || part.height !== ah) return null;
  // Its strokes, not hairlines (the faint edges of print showing through from the back of the
  // sheet, which the page's own binarization leaves out): on average 3 % of the box's height wide.
  const cc = components(cv, part);
  const keep = new Uint8Array(cc.list.length + 1);
  // Along a line, a stroke the page's own binarization already has (nine tenths of it) stays as it
  // is there: its fainter twin is only thicker, and may join what the reader left apart.
  const had = whole ? countKept(cc.labels, cc.list.length, cc.list, cropBinary(page, [x0, y0, aw, ah]).data) : undefined;
  let [left, right] = [Infinity, -Infinity];
  cc.list.forEach((c, k) => {
    if (c.area < 0.03 * h * Math.max(c.box[2], c.box[3])) return;
    const [cx0, cx1] = [x0 + c.box[0], x0 + c.box[0] + c.box[2]];
    if (cx1 <= core[0] || cx0 >= core[0] + core[2]) return;
    if (!had || had[k] < 0.9 * c.area) keep[c.label] = 1;
    left = Math.min(left, cx0);
    right = Math.max(right, cx1);
  });
  for (let py = y0; py < y1; py++) {
    const skip = others.filter((o) => py >= o[1] && py < o[1] + o[3]);
    for (let px = x0; px < x1; px++) {
      if (skip.length && skip.some((o) => px >= o[0] && px < o[0] + o[2])) continue;
      if (keep[cc.labels[(py - y0) * part.width + (px - x0)]]) page.data[py * W + px] = 1;
    }
  }
  return left <= right ? [left, right] : null;
}

/** Where a field's handwriting may reach around its box: 0.3 of its height above and below, `side` of it (0.6) left and right (clipped to the page). */
function around([x, y, w, h]: Box, W: number, H: number, side = 0.6): Box {
  const [x0, x1] = [Math.max(0, Math.floor(x - side * h)), Math.min(W, Math.ceil(x + w + side * h))];
  const [y0, y1] = [Math.max(0, Math.floor(y - 0.3 * h)), Math.min(H, Math.ceil(y + h + 0.3 * h))];
  return [x0, y0, x1 - x0, y1 - y0];
}
