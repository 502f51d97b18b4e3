/**
 * Currency signs at the ends of a field: a `$` printed before an amount (inside its box on many
 * checks and forms), a `€` after it. A digit model reads a `$` as a 5, so the first and last marks of
 * each field are offered to a model that tells signs from digits (`models/signs`), and those it
 * calls signs are taken out of the ink before the field is read ({@link eraseMarks}) and painted
 * over in the grey page ({@link paintOver}).
 */
import type { BinaryImage, Box, DigitCrop, GrayImage } from '../types';
import type { CV } from '../preprocess/opencv';
import { boxRight, components, cropBinary, groupComponents, median, type Component } from './components';
import { groupMask } from './digits';
import { normalizeDigit } from './normalize';

/** A mark at one end of a field that may be a currency sign: its box on the page, its pixels and its crop. */
export interface SignCandidate {
  /** Index of the field in the list given. */
  field: number;
  /** Its box on the page. */
  box: Box;
  /** Its ink, `box[2]` x `box[3]`, 1 = ink. */
  mask: Uint8Array;
  /** Normalized as the pipeline normalizes a digit. */
  crop: DigitCrop;
}

/**
 * The first and last marks of each field in `ink` (components overlapping in x taken together, as
 * a `$`'s bar may stand apart from its S), of those at least 0.4 of the field's tallest mark tall
 * (not dashes, dots, commas or specks): the two ends of a field of two or more, the one mark of a
 * field of one; each no wider than tall (a wider mark is digits touching).
 *
 * @example
 * const cands = signCandidates(cv, page.clean, fields.map((f) => f.box));
 */
export function signCandidates(cv: CV, ink: BinaryImage, fields: Box[]): SignCandidate[] {
  const out: SignCandidate[] = [];
  fields.forEach((field, f) => {
    const sub = cropBinary(ink, field);
    if (sub.width === 0 || sub.height === 0) return;
    const { list, labels } = components(cv, sub);
    if (!list.length) return;
    const tall = Math.max(...list.map((c) => c.box[3]));
    const minArea = Math.max(6, Math.round((tall * 0.08) ** 2));
    const comps: Component[] = list.filter((c) => c.area >= minArea);
    const all = groupComponents(comps, (a, b, overlap) => overlap > 0.5 * Math.min(a[2], b[2]));
    if (!all.length) return;
    // Marks at least 0.4 of the tallest one tall (not dashes, dots or commas), and 8 px.
    const top = Math.max(...all.map((g) => g.box[3]));
    const groups = all.filter((g) => g.box[3] >= 0.4 * top && g.box[3] >= 8);
    if (!groups.length) return;
    // The crop's origin on the page (cropBinary clips the field to whole pixels on the page).
    const [fx, fy] = [Math.max(0, Math.floor(field[0])), Math.max(0, Math.floor(field[1]))];
    const ends = groups.length === 1 ? [groups[0]] : [groups[0], groups.reduce((a, b) => (boxRight(b.box) > boxRight(a.box) ? b : a))];
    for (const g of ends) {
      const [gx, gy, gw, gh] = g.box;
      // A sign is taller than wide ($ about 0.6, € and ¥ 0.8); wider is two digits touching.
      if (gw > 1.05 * gh) continue;
      const mask = groupMask(labels, sub.width, g.box, g.labels);
      const data = Uint8Array.from(mask, (v) => v * 255);
      const box: Box = [fx + gx, fy + gy, gw, gh];
      out.push({ field: f, box, mask, crop: { ...normalizeDigit({ width: gw, height: gh, data }, { polarity: 'light-on-dark' }), box } });
    }
  });
  return out;
}

/**
 * `ink` with the marks taken out (a copy; `ink` itself is not changed).
 *
 * @example
 * const ink = eraseMarks(page.clean, signs);
 */
export function eraseMarks(ink: BinaryImage, marks: Array<{ box: Box; mask: Uint8Array }>): BinaryImage {
  const data = new Uint8Array(ink.data);
  for (const { box: [x0, y0, w, h], mask } of marks) {
    for (let y = 0; y < h; y++) {
      const row = (y0 + y) * ink.width + x0;
      for (let x = 0; x < w; x++) if (mask[y * w + x] && y0 + y >= 0 && y0 + y < ink.height && x0 + x >= 0 && x0 + x < ink.width) data[row + x] = 0;
    }
  }
  return { width: ink.width, height: ink.height, data };
}

/**
 * A copy of `gray` with the marks painted over in the paper around them (the median grey of the
 * paper in each mark's box), their ink grown by two pixels (its blurred rim): what a reader of the
 * grey page (the string model) sees once they are taken out.
 *
 * @example
 * const gray = paintOver(page.gray, signs);
 */
export function paintOver(gray: GrayImage, marks: Array<{ box: Box; mask: Uint8Array }>): GrayImage {
  const data = new Uint8Array(gray.data);
  const R = 2;
  for (const { box: [x0, y0, w, h], mask } of marks) {
    // The mark grown by R pixels, in a frame R wider each way.
    const [W, H] = [w + 2 * R, h + 2 * R];
    const grown = new Uint8Array(W * H);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) for (let dy = 0; dy <= 2 * R; dy++) grown.fill(1, (y + dy) * W + x, (y + dy) * W + x + 2 * R + 1);
    const at = (x: number, y: number) => (x0 - R + x >= 0 && y0 - R + y >= 0 && x0 - R + x < gray.width && y0 - R + y < gray.height ? (y0 - R + y) * gray.width + x0 - R + x : -1);
    const paper: number[] = [];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (!grown[y * W + x] && at(x, y) >= 0) paper.push(gray.data[at(x, y)]);
    const level = paper.length ? median(paper) : 255;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (grown[y * W + x] && at(x, y) >= 0) data[at(x, y)] = level;
  }
  return { width: gray.width, height: gray.height, data };
}
