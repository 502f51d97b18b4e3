/**
 * Within a field: components -> drop specks and non-digit marks (dots, commas, dashes, lines) ->
 * merge broken strokes -> order left to right -> the shared MNIST normalization.
 */
import type { BinaryImage, Box, DigitCrop } from '../types';
import type { CV } from '../preprocess/opencv';
import { Component, components, cropBinary, groupComponents } from './components';
import { normalizeDigit } from './normalize';


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
  // Merge broken strokes: components overlapping mostly in x belong to one digit.
  const groups = groupComponents(comps, (a, b, overlap) => {
    const narrower = Math.min(a[2], b[2]);
    const small = Math.min(a[3], b[3]) < 0.6 * H;
    return overlap > 0.5 * narrower || (small && overlap > 0.2 * narrower);
  });
  // Dots, commas and specks that did not join a digit's broken strokes.
  const digits = groups.filter((g) => g.box[3] >= 0.35 * H || g.box[2] >= 0.35 * H);
  digits.sort((a, b) => a.box[0] - b.box[0]);
  return digits.map((g) => {
    const [gx, gy, gw, gh] = g.box;
    const img = new Uint8Array(gw * gh);
    const want = new Set(g.labels);
    for (let y = 0; y < gh; y++) {
      for (let x = 0; x < gw; x++) {
        if (want.has(cc.labels[(gy + y) * sub.width + gx + x])) img[y * gw + x] = 255;
      }
    }
    const crop = normalizeDigit({ width: gw, height: gh, data: img }, { polarity: 'light-on-dark' });
    return { pixels: crop.pixels, box: [field[0] + gx, field[1] + gy, gw, gh] as Box };
  });
}
