/** Connected components of a binary image (labelled with OpenCV, or from runs on sparse pages), and cropping. */
import type { Box } from '../types';
import type { Component } from '../preprocess/opencv';
import { principalAxes } from './shape';

export { components, labelComponents } from '../preprocess/opencv';
export { componentBoxes, cropBinary } from '../preprocess/steps';
export type { Component, Components } from '../preprocess/opencv';

/** Right edge of a box (exclusive). */
export const boxRight = (b: Box): number => b[0] + b[2];
/** Bottom edge of a box (exclusive). */
export const boxBottom = (b: Box): number => b[1] + b[3];

/** The median of `v` (the upper one of an even count); sorts `v` in place. */
export function median(v: number[]): number {
  return v.sort((a, b) => a - b)[v.length >> 1];
}

/** The smallest box holding both. */
export function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a[0], b[0]);
  const y = Math.min(a[1], b[1]);
  return [x, y, Math.max(boxRight(a), boxRight(b)) - x, Math.max(boxBottom(a), boxBottom(b)) - y];
}

/** The area two boxes share. */
export function boxOverlap(a: Box, b: Box): number {
  const w = Math.min(boxRight(a), boxRight(b)) - Math.max(a[0], b[0]);
  const h = Math.min(boxBottom(a), boxBottom(b)) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Components read together: their union box, labels and ink. */
export interface ComponentGroup {
  box: Box;
  labels: number[];
  area: number;
}

/** Adds group `from` to group `into` (box, labels, area), in place. */
export function joinGroup(into: ComponentGroup, from: ComponentGroup): void {
  into.box = unionBox(into.box, from.box);
  into.labels.push(...from.labels);
  into.area += from.area;
}

/**
 * Splits off the ink of `group` (in a `width`-wide label image) where `mask`, over the group's box, is
 * set: those pixels take a new label (one above any in `labels`) and are returned as a group of their
 * own; `group` keeps the rest, its box and area shrunk to it. In place (`labels` and `group`).
 *
 * @example
 * const paren = splitGroup(cc.labels, width, group, stroke); // the ")" of "5)" apart from its 5
 */
export function splitGroup(labels: Int32Array, width: number, group: ComponentGroup, mask: Uint8Array): ComponentGroup {
  let label = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > label) label = labels[i];
  label++;
  const [gx, gy, gw, gh] = group.box;
  const own = new Set(group.labels);
  const rest = { x0: gw, y0: gh, x1: -1, y1: -1, area: 0 };
  const part = { x0: gw, y0: gh, x1: -1, y1: -1, area: 0 };
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const at = (gy + y) * width + gx + x;
      if (!own.has(labels[at])) continue;
      const to = mask[y * gw + x] ? part : rest;
      if (to === part) labels[at] = label;
      [to.x0, to.y0, to.x1, to.y1, to.area] = [Math.min(to.x0, x), Math.min(to.y0, y), Math.max(to.x1, x), Math.max(to.y1, y), to.area + 1];
    }
  }
  const boxOf = (r: typeof rest): Box => [gx + r.x0, gy + r.y0, r.x1 - r.x0 + 1, r.y1 - r.y0 + 1];
  [group.box, group.area] = [boxOf(rest), rest.area];
  return { box: boxOf(part), labels: [label], area: part.area };
}

/**
 * Groups components, ordered by left edge, merging any two whose boxes `join` says belong together
 * (e.g. the broken strokes of one digit, overlapping in x) until no pair joins. `join` gets the two
 * boxes and their overlap in x (negative: a gap).
 */
export function groupComponents(comps: Component[], join: (a: Box, b: Box, overlapX: number) => boolean): ComponentGroup[] {
  const groups: ComponentGroup[] = [...comps].sort((a, b) => a.box[0] - b.box[0]).map((c) => ({ box: c.box, labels: [c.label], area: c.area }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < groups.length && !merged; i++) {
      for (let j = i + 1; j < groups.length && !merged; j++) {
        const a = groups[i].box;
        const b = groups[j].box;
        if (join(a, b, Math.min(boxRight(a), boxRight(b)) - Math.max(a[0], b[0]))) {
          joinGroup(groups[i], groups[j]);
          groups.splice(j, 1);
          merged = true;
        }
      }
    }
  }
  return groups;
}

/**
 * How thin a stroke of ink is for its length: the spread of its pixels (indices in a `width`-wide
 * image) across their main axis over the spread along it (the square root of the ratio of their
 * covariance's eigenvalues). A straight stroke of width w and length L: about w / L; a round mark: 1.
 */
export function inkElongation(pixels: ArrayLike<number>, width: number): number {
  const n = pixels.length;
  if (n < 3) return 1;
  let [sx, sy] = [0, 0];
  for (let i = 0; i < n; i++) [sx, sy] = [sx + (pixels[i] % width), sy + Math.floor(pixels[i] / width)];
  const [mx, my] = [sx / n, sy / n];
  let [cxx, cyy, cxy] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const dx = (pixels[i] % width) - mx;
    const dy = Math.floor(pixels[i] / width) - my;
    cxx += dx * dx;
    cyy += dy * dy;
    cxy += dx * dy;
  }
  const { major, minor } = principalAxes(cxx, cyy, cxy);
  return Math.sqrt(minor / Math.max(1e-9, major));
}

/** The median length of the runs of ink along the rows of `pixels` (indices in a `width`-wide image, in row order). */
export function medianRowRun(pixels: ArrayLike<number>, width: number): number {
  const runs: number[] = [];
  let start = -2;
  let last = -2;
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i];
    if (p === last + 1 && Math.floor(p / width) === Math.floor(last / width)) last = p;
    else {
      if (last >= 0) runs.push(last - start + 1);
      start = last = p;
    }
  }
  if (last >= 0) runs.push(last - start + 1);
  return runs.length ? median(runs) : 0;
}

/**
 * Whether a stroke's ink is a printed separator's: straight ({@link inkElongation} under 0.15) and
 * drawn thinner than the handwriting beside it (its median row run under 0.7 of `pen`, the digits').
 * `pixels` are in row order.
 */
function thinStraightStroke(pixels: ArrayLike<number>, width: number, pen: number): boolean {
  return medianRowRun(pixels, width) < 0.7 * pen && inkElongation(pixels, width) < 0.15;
}

/**
 * The box tests of a printed separator standing alone ({@link printedSeparators}): one component
 * under 0.85 of the digits' height `H`, narrower than 0.6 of its own height, ending above the
 * digits' baseline (`band`: the top and bottom of the band they are written in) by 0.05 `H`, clear
 * of its neighbours either side by 0.1 `H` (`gap`: the least horizontal distance to another mark).
 */
function separatorShaped([, y, w, h]: Box, components: number, H: number, band: [number, number], gap: number): boolean {
  return components === 1 && h < 0.85 * H && w < 0.6 * h && gap >= 0.1 * H && y + h <= band[1] - 0.05 * H;
}

/** A mark of a field, for {@link printedSeparatorsAlone}: its box, its number of components, and its ink (indices in a `width`-wide image, in row order; measured only when the boxes pass). */
export interface FieldMark {
  box: Box;
  components: number;
  pixels: () => ArrayLike<number>;
  width: number;
}

/**
 * Whether a field's marks are its printed separators alone (an empty date box's slashes,
 * __/__/____): two or more, each one straight thin stroke ({@link inkElongation} under 0.15)
 * narrower than 0.6 of its height, and all alike as print is: heights within a pixel (or 4 % of
 * their median), widths within a pixel (or 10 %), ink within 10 % of their median (or half a pixel a
 * row). With no
 * handwriting beside them, {@link printedSeparators} has nothing to measure them against, and each
 * would read as a 1; a writer's 1s are not drawn that alike.
 */
export function printedSeparatorsAlone(marks: FieldMark[]): boolean {
  if (marks.length < 2 || !marks.every((k) => k.components === 1 && k.box[2] < 0.6 * k.box[3])) return false;
  if (!boxesAlike(marks.map((k) => k.box))) return false;
  const pixels = marks.map((k) => k.pixels());
  return inkAlike(pixels, marks.map((k) => k.box[3])) && pixels.every((p, i) => inkElongation(p, marks[i].width) < 0.15);
}

/**
 * Marks drawn with as much ink as print is (`pixels`: each mark's ink, `heights` their boxes'):
 * within 10 % of the median, or half a pixel a row (a small slash's rim is a few pixels more or less).
 */
function inkAlike(pixels: ArrayLike<number>[], heights: number[]): boolean {
  const m = median(pixels.map((p) => p.length));
  const slack = Math.max(0.1 * m, 0.5 * median(heights));
  return pixels.every((p) => Math.abs(p.length - m) <= slack);
}

/** Boxes of one size as print is: heights within a pixel (or 4 % of their median), widths within a pixel (or 10 %). */
function boxesAlike(boxes: Box[]): boolean {
  const within = (v: number[], share: number) => {
    const m = median(v);
    return Math.max(...v) - Math.min(...v) <= Math.max(1, share * m);
  };
  return within(boxes.map((b) => b[3]), 0.04) && within(boxes.map((b) => b[2]), 0.1);
}

/**
 * Which of a field's marks are printed separators between its digit groups (a date box's slashes,
 * MM/DD/YYYY), the digits `H` tall in `band` (its top and bottom) and written with `pen` (the median
 * row run of the tall ones' ink; asked for only when a mark is shaped like a separator). Normalized
 * to MNIST's 20 px, a slash would read as a 1. A mark is a separator when it is one straight thin
 * stroke ({@link thinStraightStroke}) and either
 * - stands alone as print does ({@link separatorShaped}): short, ending above the baseline, clear of
 *   its neighbours; a handwritten 1, even a short one, stands on the baseline and is written with the
 *   pen of the digits beside it, and a digit's own stroke (a 4's stem) stands close to the rest of it;
 * - or is the twin of another separator or of another such stroke: under 0.9 `H`, not ending below
 *   the baseline, and alike as print is ({@link printedSeparatorsAlone}), however near a digit it
 *   stands. A date's two slashes are printed alike, and a digit may be written close to one of them;
 *   a writer's strokes are not alike to the pixel.
 *
 * `eligible`: the marks that may be separators at all.
 */
export function printedSeparators(marks: FieldMark[], eligible: boolean[], H: number, band: [number, number], pen: () => number): boolean[] {
  const boxes = marks.map((k) => k.box);
  const inks: Array<ArrayLike<number> | undefined> = [];
  const ink = (i: number) => (inks[i] ??= marks[i].pixels());
  const thin = (i: number) => thinStraightStroke(ink(i), marks[i].width, pen());
  const sure = marks.map((k, i) => eligible[i] && separatorShaped(k.box, k.components, H, band, horizontalGap(k.box, boxes)) && thin(i));
  const loose = marks.map((k, i) => eligible[i] && !sure[i] && k.components === 1 && k.box[3] < 0.9 * H && k.box[2] < 0.6 * k.box[3] && boxBottom(k.box) <= band[1]);
  const out = sure.slice();
  for (let i = 0; i < marks.length; i++) {
    if (!loose[i]) continue;
    const twin = (j: number) => j !== i && (sure[j] || loose[j]) && boxesAlike([boxes[i], boxes[j]]) && thin(i) && (sure[j] || thin(j)) && inkAlike([ink(i), ink(j)], [boxes[i][3], boxes[j][3]]);
    if (marks.some((_, j) => twin(j))) out[i] = true;
  }
  return out;
}

/** The least horizontal distance from `box` to any of `others` (negative when they overlap in x; Infinity for none). */
export function horizontalGap(box: Box, others: Box[]): number {
  let gap = Infinity;
  for (const o of others) if (o !== box) gap = Math.min(gap, Math.max(o[0] - (box[0] + box[2]), box[0] - (o[0] + o[2])));
  return gap;
}
