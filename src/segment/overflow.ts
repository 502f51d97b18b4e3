/**
 * Handwriting that does not keep to its box: digits written taller than the box, or low or high in
 * it, cross its top or bottom border, and a field cut at the border loses their tops and tails (a 7
 * read as 1, a 9 as 0); a writer who runs out of room writes the last digit across the box's right
 * side, and a field cut there drops it, or reads its part inside as another digit. The printed line
 * is removed and the strokes across it bridged (preprocess), so such a digit is one component
 * reaching out of the box (or, where bridging failed, a few); here each field takes in the whole of
 * its own.
 */
import type { BinaryImage, Box } from '../types';
import type { CV } from '../preprocess/opencv';
import { components, cropBinary } from './components';
import type { FieldRegion } from './fields';

/** What {@link withOverflow} returns. */
export interface OverflowFields {
  /** The page to read the fields from: `clean` itself when no field took in anything. */
  page: BinaryImage;
  /** The fields to read, one per field given, in the same order: boxes grown to take in their ink. */
  regions: FieldRegion[];
}

/**
 * Grows each field's box up and down to take in the handwriting that crosses its top or bottom
 * edge, then left and right for what crosses its sides. Up and down: a component of `clean` (ink,
 * printed lines removed) is the field's when at least 0.4 of its height lies within the field's rows
 * and its middle within the field's columns; the field takes it in whole when it is at least half
 * the field's height and reaches 6 % of the field's height (and 2 px) past the edge, looking as far
 * as 0.6 of the field's height. Sideways: the same across, for components 0.4 of the field's height
 * (see `sideReachOf`). A box never grows into another field's box, nor towards one within 0.15 of its
 * height (a table's rows or cells, sharing a printed line), nor over another field's handwriting
 * reaching out towards it. In the rows (columns) a field grew into, the ink that is no field's (a
 * printed label) is erased from the page returned, a copy. Fields whose ink keeps to them, and
 * `loose` ones (lines of handwriting, their boxes their ink's), come back as they are.
 *
 * @example
 * const { page, regions: reading } = withOverflow(cv, clean, regions);
 * const digits = reading.map((r) => extractDigits(cv, page, r.box));
 */
export function withOverflow(cv: CV, clean: BinaryImage, regions: FieldRegion[], loose: ReadonlySet<FieldRegion> = new Set()): OverflowFields {
  let page = clean;
  // Erases from the page (a copy, made when first needed) what a grown field took in that is not its own.
  const erase = (grown: Reach, keepRows: [number, number], keepCols: [number, number]) => {
    if (page === clean) page = { width: clean.width, height: clean.height, data: new Uint8Array(clean.data) };
    const { labels, own, origin } = grown;
    const [b0x, b0y, bw, bh] = grown.box;
    for (let y = Math.max(origin[1], Math.floor(b0y)); y < Math.min(origin[1] + grown.height, Math.ceil(b0y + bh)); y++) {
      const inRows = y >= keepRows[0] && y < keepRows[1];
      for (let px = Math.max(origin[0], Math.floor(b0x)); px < Math.min(origin[0] + grown.width, Math.ceil(b0x + bw)); px++) {
        if (inRows && px >= keepCols[0] && px < keepCols[1]) continue;
        const l = labels[(y - origin[1]) * grown.width + (px - origin[0])];
        if (l > 0 && !own.has(l) && !own.has(-l)) page.data[y * clean.width + px] = 0;
      }
    }
  };
  const out = regions.map((r) => {
    if (loose.has(r)) return r;
    const others = regions.filter((o) => o !== r && !loose.has(o)).map((o) => o.box);
    let box = r.box;
    // Up and down first, then (on the page as left by that) left and right, in the rows grown into.
    const tall = reachOf(cv, clean, box, others);
    if (tall) {
      erase(tall, [r.box[1], r.box[1] + r.box[3]], [-Infinity, Infinity]);
      box = tall.box;
    }
    const wide = sideReachOf(cv, page, box, r.box[3], others);
    if (wide) {
      erase(wide, [-Infinity, Infinity], [box[0], box[0] + box[2]]);
      box = wide.box;
    }
    return box === r.box ? r : { ...r, box };
  });
  return { page, regions: out };
}

/**
 * A field's box grown to its handwriting, with the labels of the window looked in (`width` wide, at
 * `origin`) and its own components' labels (another field's, negated).
 */
interface Reach {
  box: Box;
  labels: Int32Array;
  width: number;
  height: number;
  origin: [number, number];
  own: Set<number>;
}

/** How much further than its edge a field looks for its handwriting, as a share of its height. */
const LOOK = 0.6;

/** A field's box grown up and down to its handwriting: null when none crosses its top or bottom edge. */
function reachOf(cv: CV, clean: BinaryImage, box: Box, others: Box[]): Reach | null {
  const [x, y, w, h] = box.map(Math.round);
  if (w <= 0 || h <= 0) return null;
  // Rows the field may grow into: not past the page, nor into another field beside it.
  let top = Math.max(0, Math.round(y - LOOK * h));
  let bottom = Math.min(clean.height, Math.round(y + h + LOOK * h));
  // A field right against another (a table's rows, a printed line between them) does not grow that way.
  const near = 0.15 * h;
  for (const [ox, oy, ow, oh] of others) {
    if (ox >= x + w || ox + ow <= x) continue;
    if (oy + oh <= y) top = Math.max(top, y - (oy + oh) < near ? y : Math.ceil(oy + oh));
    else if (oy >= y + h) bottom = Math.min(bottom, oy - (y + h) < near ? y + h : Math.floor(oy));
    else return null; // overlapping fields: left as they are
  }
  if (top >= y && bottom <= y + h) return null;
  const x0 = Math.max(0, x);
  const x1 = Math.min(clean.width, x + w);
  if (x1 <= x0) return null;
  // Components are seen in a window a field's height taller each way, so that a neighbour's stroke
  // reaching towards this field is seen whole (and known for the neighbour's).
  const [w0, w1] = [Math.max(0, y - h), Math.min(clean.height, y + 2 * h)];
  const window: Box = [x0, w0, x1 - x0, w1 - w0];
  const sub = cropBinary(clean, window);
  if (sub.width === 0 || sub.height === 0) return null;
  const cc = components(cv, sub);
  const own = new Set<number>();
  const past = Math.max(2, 0.06 * h);
  let [g0, g1] = [y, y + h];
  // The nearest ink of other fields above and below.
  let [highest, lowest] = [-Infinity, Infinity];
  const within = (py0: number, py1: number, [, by, , bh]: Box) => Math.min(py1, by + bh) - Math.max(py0, by);
  for (const c of cc.list) {
    const [cx, cy, cw, ch] = c.box;
    const [py0, py1] = [w0 + cy, w0 + cy + ch];
    const mid = x0 + cx + cw / 2;
    // Another field's (its stroke reaching into this one's window) stays, and is not this field's.
    if (others.some((o) => o[0] < mid && o[0] + o[2] > mid && within(py0, py1, o) >= 0.4 * ch)) {
      own.add(-c.label);
      // Nor does this field grow over it.
      if (py0 >= y + h / 2) lowest = Math.min(lowest, py0);
      else highest = Math.max(highest, py1);
      continue;
    }
    if (within(py0, py1, [x, y, w, h]) < 0.4 * ch || mid <= x || mid >= x + w) continue;
    own.add(c.label);
    // Only handwriting the size of a digit takes the field past its edges (not a printed label's
    // letter that the box's edge cuts).
    if (ch < 0.5 * h) continue;
    if (y - py0 >= past) g0 = Math.min(g0, py0);
    if (py1 - (y + h) >= past) g1 = Math.max(g1, py1);
  }
  [g0, g1] = [Math.min(y, Math.max(g0, highest, top)), Math.max(y + h, Math.min(g1, lowest, bottom))];
  if (g0 === y && g1 === y + h) return null;
  const [b0, b1] = [Math.min(box[1], g0), Math.max(box[1] + box[3], g1)];
  return { box: [box[0], b0, box[2], b1 - b0], labels: cc.labels, width: sub.width, height: sub.height, origin: [x0, w0], own };
}

/**
 * A field's box grown left and right to its handwriting: null when none crosses its sides. The rules
 * of {@link reachOf} across: a component is the field's when at least 0.6 of its height lies within
 * the field's rows and a quarter of its width within its columns (widened by a tenth of its height
 * each way: a found box's field is inset from its outline); one at least 0.4 of the field's height
 * (`height`, the box's before it grew up or down: digits written small, and no label beside a box
 * crosses its side) that reaches 6 % of that past a side, or is cut by it, takes the field out to it,
 * with a margin (a stroke at a field's side is taken for a box border's remains), as far as 0.6 of
 * that height, and then what else within that digit's rows (and 5 % of the field's height more)
 * reaches into the columns taken in (the part of a digit past the printed line may be a component of
 * its own).
 */
function sideReachOf(cv: CV, clean: BinaryImage, box: Box, height: number, others: Box[]): Reach | null {
  const [x, y, w, h] = box.map(Math.round);
  if (w <= 0 || h <= 0) return null;
  let left = Math.max(0, Math.round(x - LOOK * height));
  let right = Math.min(clean.width, Math.round(x + w + LOOK * height));
  const near = 0.15 * height;
  for (const [ox, oy, ow, oh] of others) {
    if (oy >= y + h || oy + oh <= y) continue;
    if (ox + ow <= x) left = Math.max(left, x - (ox + ow) < near ? x : Math.ceil(ox + ow));
    else if (ox >= x + w) right = Math.min(right, ox - (x + w) < near ? x + w : Math.floor(ox));
    else return null;
  }
  if (left >= x && right <= x + w) return null;
  // The window: the rows a little taller each way (components seen nearly whole), the columns a
  // field's height wider each way (a neighbour's stroke reaching towards this field seen whole).
  const [y0, y1] = [Math.max(0, Math.round(y - height / 2)), Math.min(clean.height, Math.round(y + h + height / 2))];
  const [w0, w1] = [Math.max(0, x - height), Math.min(clean.width, x + w + height)];
  const window: Box = [w0, y0, w1 - w0, y1 - y0];
  const sub = cropBinary(clean, window);
  if (sub.width === 0 || sub.height === 0) return null;
  const cc = components(cv, sub);
  const own = new Set<number>();
  const past = Math.max(2, 0.06 * height);
  // A found box's field is its outline's inside less a margin (see boxFields): ink that far past the
  // field's side is still within the box.
  const inside = 0.1 * height;
  let [g0, g1] = [x, x + w];
  let [leftmost, rightmost] = [-Infinity, Infinity];
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.min(a1, b1) - Math.max(a0, b0);
  // Components in the field's rows that no other field owns: [label, left, right, top, bottom].
  const inRows: Array<[number, number, number, number, number]> = [];
  // The rows of the digits that cross each side (left, right): their pieces are within them.
  const crossing: Array<[number, number]> = [[Infinity, -Infinity], [Infinity, -Infinity]];
  for (const c of cc.list) {
    const [cx, cy, cw, ch] = c.box;
    const [px0, px1, py0, py1] = [w0 + cx, w0 + cx + cw, y0 + cy, y0 + cy + ch];
    const mid = px0 + cw / 2;
    if (others.some((o) => o[0] < mid && o[0] + o[2] > mid && overlap(py0, py1, o[1], o[1] + o[3]) >= 0.4 * ch)) {
      own.add(-c.label);
      if (px0 >= x + w / 2) rightmost = Math.min(rightmost, px0);
      else leftmost = Math.max(leftmost, px1);
      continue;
    }
    if (overlap(py0, py1, y, y + h) < 0.6 * ch) continue;
    inRows.push([c.label, px0, px1, py0, py1]);
    if (overlap(px0, px1, x - inside, x + w + inside) < 0.25 * cw) continue;
    own.add(c.label);
    if (ch < 0.4 * height) continue;
    // Past the side, or at it (cut there, a stroke is taken for a box border's remains).
    const side = (k: number) => (crossing[k] = [Math.min(crossing[k][0], py0), Math.max(crossing[k][1], py1)]);
    if (x - px0 >= past || (px0 <= x + 3 && px1 - x >= past)) [g0] = [Math.min(g0, px0), side(0)];
    if (px1 - (x + w) >= past || (px1 >= x + w - 3 && x + w - px0 >= past)) [g1] = [Math.max(g1, px1), side(1)];
  }
  if (g0 === x && g1 === x + w) return null;
  // The pieces of a digit that crosses a side (its part past the printed line may be a component of
  // its own): what in that digit's rows (and a little more) reaches into the columns grown into, the
  // field takes in too.
  const slack = 0.05 * height;
  const within = (k: number, py0: number, py1: number) => py0 >= crossing[k][0] - slack && py1 <= crossing[k][1] + slack;
  for (let more = true; more; ) {
    more = false;
    for (const [label, px0, px1, py0, py1] of inRows) {
      if (px0 < g0 && px1 > g0 + 1 && g0 < x && within(0, py0, py1)) [g0, more] = [px0, true];
      else if (px1 > g1 && px0 < g1 - 1 && g1 > x + w && within(1, py0, py1)) [g1, more] = [px1, true];
      else continue;
      own.add(label);
    }
  }
  const margin = Math.max(4, Math.round(0.05 * height));
  if (g0 < x) g0 -= margin;
  if (g1 > x + w) g1 += margin;
  [g0, g1] = [Math.min(x, Math.max(g0, leftmost, left)), Math.max(x + w, Math.min(g1, rightmost, right))];
  if (g0 === x && g1 === x + w) return null;
  const [b0, b1] = [Math.min(box[0], g0), Math.max(box[0] + box[2], g1)];
  return { box: [b0, box[1], b1 - b0, box[3]], labels: cc.labels, width: sub.width, height: sub.height, origin: [w0, y0], own };
}
