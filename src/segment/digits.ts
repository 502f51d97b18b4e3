/**
 * Within a field: components -> drop specks and non-digit marks (dots, commas, dashes, lines) ->
 * merge broken strokes -> order left to right -> the shared MNIST normalization.
 */
import type { BinaryImage, Box, DigitCrop } from '../types';
import type { CV } from '../preprocess/opencv';
import { Component, components, cropBinary, groupComponents } from './components';
import { normalizeDigit } from './normalize';
import { seamCut } from './strings';


/** Options for {@link extractDigits}. */
export interface DigitOptions {
  /** Smallest component kept, in pixels (default: scaled to the field's ink height). */
  minArea?: number;
}

/**
 * Cuts the digits out of one field of a cleaned binary page. Returns normalized crops with their
 * boxes in page pixels, left to right.
 */
export function extractDigits(cv: CV, page: BinaryImage, field: Box, options: DigitOptions = {}): DigitCrop[] {
  const sub = cropBinary(page, field);
  if (sub.width === 0 || sub.height === 0) return [];
  const cc = components(cv, sub);
  let comps: Component[] = cc.list;
  if (comps.length === 0) return [];
  // Digit height: the tallest components (ignoring tiny noise) set the scale.
  const tall = Math.max(...comps.map((c) => c.box[3]));
  const minArea = options.minArea ?? Math.max(6, Math.round((tall * 0.08) ** 2));
  comps = comps.filter((c) => c.area >= minArea);
  if (comps.length === 0) return [];
  const heights = comps.map((c) => c.box[3]).sort((a, b) => b - a);
  const H = heights[Math.min(heights.length - 1, Math.floor(heights.length / 3))]; // a typical digit height
  // Non-digit marks.
  comps = comps.filter((c) => {
    const [x, y, w, h] = c.box;
    // A thin sliver along the field's edge: what is left of a printed box border.
    const edge = 3;
    const atSide = x <= edge || x + w >= sub.width - edge;
    const atTopBottom = y <= edge || y + h >= sub.height - edge;
    if ((atSide && w < 0.15 * H) || (atTopBottom && h < 0.15 * H)) return false;
    if (h < 0.3 * H && w >= 1.5 * h && w > 0.35 * H) return false; // dash, underline stub
    if (w > 3 * H && h < 0.5 * H) return false; // long rule
    return true;
  });
  // Slivers thinner than half the pen: what is left of printed lines, not handwriting.
  const pen = penWidth(sub, comps, cc.labels);
  comps = comps.filter((c) => c.box[2] >= 0.5 * pen || c.box[3] < 0.5 * H);
  // Merge broken strokes: components overlapping mostly in x belong to one digit.
  const groups = groupComponents(comps, (a, b, overlap) => {
    const narrower = Math.min(a[2], b[2]);
    const small = Math.min(a[3], b[3]) < 0.6 * H;
    return overlap > 0.5 * narrower || (small && overlap > 0.2 * narrower);
  });
  // Dots, commas and specks that did not join a digit's broken strokes; and small marks wholly in
  // the upper half of the band the digits are written in (stray strokes, box corners, a detached
  // flag): no digit sits there.
  const tallOnes = groups.filter((g) => g.box[3] >= 0.6 * H);
  const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1];
  const bandTop = tallOnes.length ? median(tallOnes.map((g) => g.box[1])) : 0;
  const bandMiddle = tallOnes.length ? (bandTop + median(tallOnes.map((g) => g.box[1] + g.box[3]))) / 2 : Infinity;
  const digits = groups.filter((g) => (g.box[3] >= 0.35 * H || g.box[2] >= 0.35 * H) && !(g.box[3] < 0.5 * H && g.box[1] + g.box[3] < bandMiddle));
  digits.sort((a, b) => a.box[0] - b.box[0]);
  const out: DigitCrop[] = [];
  for (const g of digits) {
    const [gx, gy, gw, gh] = g.box;
    const img = new Uint8Array(gw * gh);
    const want = new Set(g.labels);
    for (let y = 0; y < gh; y++) {
      for (let x = 0; x < gw; x++) {
        if (want.has(cc.labels[(gy + y) * sub.width + gx + x])) img[y * gw + x] = 1;
      }
    }
    // A group half again as wide as the field's digits are tall is digits that touch (single
    // digits, even wide ones, stay under that): cut it along least-ink seams.
    const n = gw > 1.5 * H ? Math.max(2, Math.round(gw / (0.85 * H))) : 1;
    for (const piece of splitTouching({ width: gw, height: gh, data: img }, n)) {
      const [px, py, pw, ph] = piece.box;
      const data = Uint8Array.from(piece.image.data, (v) => v * 255);
      const crop = normalizeDigit({ width: pw, height: ph, data }, { polarity: 'light-on-dark' });
      out.push({ pixels: crop.pixels, box: [field[0] + gx + px, field[1] + gy + py, pw, ph] as Box });
    }
  }
  return out;
}

/** The pen's width in a field: the median length of the row runs of ink in its components. */
function penWidth(sub: BinaryImage, comps: Component[], labels: Int32Array): number {
  const keep = new Set(comps.map((c) => c.label));
  const runs: number[] = [];
  for (let y = 0; y < sub.height; y++) {
    let start = -1;
    for (let x = 0; x <= sub.width; x++) {
      const on = x < sub.width && keep.has(labels[y * sub.width + x]);
      if (on && start < 0) start = x;
      else if (!on && start >= 0) {
        runs.push(x - start);
        start = -1;
      }
    }
  }
  if (runs.length === 0) return 0;
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}

/**
 * Cuts a binary image (1 = ink) into `n` pieces left to right along least-ink seams, each sought
 * within a quarter of a piece's width of its even position. Returns each piece cropped to its ink
 * (pieces with no ink are left out).
 */
export function splitTouching(img: BinaryImage, n: number): Array<{ image: BinaryImage; box: Box }> {
  const { width: w, height: h, data } = img;
  if (n <= 1) return [{ image: img, box: [0, 0, w, h] }];
  const step = w / n;
  const seams: Int32Array[] = [new Int32Array(h).fill(0)];
  for (let k = 1; k < n; k++) seams.push(seamCut(img, Math.round(k * step - step / 4), Math.round(k * step + step / 4)));
  seams.push(new Int32Array(h).fill(w));
  const pieces: Array<{ image: BinaryImage; box: Box }> = [];
  for (let k = 0; k < n; k++) {
    const [left, right] = [seams[k], seams[k + 1]];
    let [x0, y0, x1, y1] = [w, h, -1, -1];
    for (let y = 0; y < h; y++) {
      for (let x = left[y]; x < right[y]; x++) {
        if (!data[y * w + x]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    if (x1 < 0) continue;
    const pw = x1 - x0 + 1;
    const ph = y1 - y0 + 1;
    const out = new Uint8Array(pw * ph);
    for (let y = y0; y <= y1; y++) {
      for (let x = Math.max(x0, left[y]); x < Math.min(x1 + 1, right[y]); x++) out[(y - y0) * pw + x - x0] = data[y * w + x];
    }
    pieces.push({ image: { width: pw, height: ph, data: out }, box: [x0, y0, pw, ph] });
  }
  return pieces;
}
