/**
 * Within a field: components -> drop specks and non-digit marks (dots, commas, dashes, lines) ->
 * merge broken strokes -> order left to right -> the shared MNIST normalization.
 */
import type { BinaryImage, Box, DigitCrop, GrayImage } from '../types';
import type { CV } from '../preprocess/opencv';
import { Component, ComponentGroup, components, cropBinary, groupComponents, joinGroup, median, medianRowRun, printedSeparators, printedSeparatorsAlone, splitGroup } from './components';
import { normalizeDigit } from './normalize';
import { bracketPairs, parenthesis, touchingBracket } from './shape';
import { seamCut, thinMark } from './strings';


/** Options for {@link extractDigits}. */
export interface DigitOptions {
  /** Smallest component kept, in pixels (default: scaled to the field's ink height). */
  minArea?: number;
  /**
   * The cells of a comb field, in page pixels (see `FieldRegion.cells`): the ink in one cell is one
   * digit, and narrow marks outside every cell (what is left of the walls) are dropped.
   */
  cells?: Box[];
}

/**
 * Cuts the digits out of one field of a cleaned binary page. Returns normalized crops with their
 * boxes in page pixels, left to right. ({@link cutDigits} also says which digit-tall strokes were
 * left out.)
 */
export function extractDigits(cv: CV, page: BinaryImage, field: Box, options: DigitOptions = {}): DigitCrop[] {
  return cutDigits(cv, page, field, options).crops;
}

/**
 * A stroke of a field as tall as its digits and among them, left out as print: a sliver thinner
 * than the pen (what is left of a printed line) or a printed separator (a date's slash). A faint
 * or thin 1, or a 7 whose bar faded, is left out the same way: a reading without it may be short.
 */
export interface SkippedStroke {
  /** Where it is, in page pixels. */
  box: Box;
  /** Why it was left out. */
  as: 'sliver' | 'separator';
}

/** The digits of a field ({@link cutDigits}), and the digit-tall strokes left out as print. */
export interface FieldCut {
  /** Normalized crops, left to right, with their boxes in page pixels. */
  crops: DigitCrop[];
  /** Strokes as tall as the digits, within their band, away from the field's sides, left out as print. */
  skipped: SkippedStroke[];
  /**
   * Dashes and dots left out as marks between the digits, dashes about the middle of their band, dots
   * on its foot, left to right: a date written `4-2-1942` or `14.3.2021` has its separators here (see
   * `readDate` in pipeline/dates).
   */
  marks: SeparatorMark[];
}

/** A mark left out of a field between its digits that may be a separator ({@link FieldCut.marks}). */
export interface SeparatorMark {
  /** Where it is, in page pixels. */
  box: Box;
  /** A dash (flat, long, about the middle of the digits' band) or a dot (small, round, on its foot). */
  as: 'dash' | 'dot';
}

/**
 * {@link extractDigits}, saying also which strokes as tall as the field's digits and among them
 * were left out as print ({@link SkippedStroke}).
 *
 * @example
 * const { crops, skipped } = cutDigits(cv, page, [120, 340, 600, 90]);
 * if (skipped.length) console.log('a stroke left out may be a 1:', skipped[0].box);
 */
export function cutDigits(cv: CV, page: BinaryImage, field: Box, options: DigitOptions = {}): FieldCut {
  // The steps are separate functions: V8 re-optimizes a function whenever an object of a shape it
  // has not seen reaches it, and one big function cost ~75 ms of compiling each time.
  const none: FieldCut = { crops: [], skipped: [], marks: [] };
  // Comb cells (field-relative).
  const cells = (options.cells ?? []).map((c): Box => [c[0] - field[0], c[1] - field[1], c[2], c[3]]);
  const sub = withoutWalls(cropBinary(page, field), cells);
  if (sub.width === 0 || sub.height === 0) return none;
  const cc = components(cv, sub);
  let comps: Component[] = cc.list;
  if (comps.length === 0) return none;
  // Digit height: the tallest components (ignoring tiny noise) set the scale.
  const tall = Math.max(...comps.map((c) => c.box[3]));
  const minArea = options.minArea ?? Math.max(6, Math.round((tall * 0.08) ** 2));
  comps = comps.filter((c) => c.area >= minArea);
  if (comps.length === 0) return none;
  // A typical digit height, from the components (then from the groups of broken strokes).
  const H = typicalHeight(comps.map((c) => c.box[3]));
  const slivers: Box[] = [];
  const dashes: Box[] = [];
  const dots: Box[] = [];
  comps = dropMarks(comps, sub, cc.labels, H, slivers, dashes);
  if (cells.length) comps = dropWalls(comps, cells);
  const separators: Box[] = [];
  const { digits, core, height } = digitGroups(comps, cells, H, sub.width, cc.labels, separators, dashes, dots);
  const crops = cropDigits(digits, core, cc.labels, sub.width, field, height, cells.length > 0);
  const boxes = digits.map((g) => g.box);
  return { crops, skipped: skippedAmong(boxes, slivers, separators, cells, height, sub.width, field), marks: marksAmong(boxes, dashes, dots, field) };
}

/**
 * Of the dashes and dots left out of a field (field-relative boxes), those between its first and last
 * digits (`digits`), in page pixels, left to right: dashes whose middle is 0.25-0.8 of the way down the
 * band the digits are written in (not a 5's flag nor an underline's stub), dots whose middle is 0.75-1.15
 * of the way (on the digits' foot, as a full stop is written).
 */
function marksAmong(digits: Box[], dashes: Box[], dots: Box[], field: Box): SeparatorMark[] {
  if (digits.length < 2 || dashes.length + dots.length === 0) return [];
  const top = median(digits.map((b) => b[1]));
  const bottom = median(digits.map((b) => b[1] + b[3]));
  const first = Math.min(...digits.map((b) => b[0] + b[2] / 2));
  const last = Math.max(...digits.map((b) => b[0] + b[2] / 2));
  const within = (b: Box, from: number, to: number) => {
    const [mx, my] = [b[0] + b[2] / 2, b[1] + b[3] / 2];
    return mx > first && mx < last && my >= top + from * (bottom - top) && my <= top + to * (bottom - top);
  };
  const page = (b: Box): Box => [field[0] + b[0], field[1] + b[1], b[2], b[3]];
  return [
    ...dashes.filter((b) => within(b, 0.25, 0.8)).map((b) => ({ box: page(b), as: 'dash' as const })),
    ...dots.filter((b) => within(b, 0.75, 1.15)).map((b) => ({ box: page(b), as: 'dot' as const })),
  ].sort((a, b) => a.box[0] - b.box[0]);
}

/**
 * Of the slivers and separators left out of a field (field-relative boxes), those as tall as its
 * digits (`H`; 0.6 of it), away from its sides and within the band its digits (`digits`) are written
 * in (their median top and bottom, give or take a fifth of a digit), in page pixels. In a comb
 * (`cells`), only those in the middle half of a cell (a wall's remains are at a cell's edge). Only
 * the single separator of a field: a date's printed slashes come two or more, alike.
 */
function skippedAmong(digits: Box[], slivers: Box[], separators: Box[], cells: Box[], H: number, width: number, field: Box): SkippedStroke[] {
  if (digits.length === 0) return [];
  const top = median(digits.map((b) => b[1]));
  const bottom = median(digits.map((b) => b[1] + b[3]));
  const inCell = (b: Box) => {
    const mx = b[0] + b[2] / 2;
    return cells.length === 0 || cells.some((k) => mx > k[0] + 0.25 * k[2] && mx < k[0] + 0.75 * k[2]);
  };
  const among = (b: Box) => b[3] >= 0.6 * H && !atSideOf(b, width) && b[1] >= top - 0.2 * H && b[1] + b[3] <= bottom + 0.2 * H && inCell(b);
  const page = (b: Box): Box => [field[0] + b[0], field[1] + b[1], b[2], b[3]];
  return [
    ...slivers.filter(among).map((b) => ({ box: page(b), as: 'sliver' as const })),
    ...(separators.length === 1 ? separators.filter(among).map((b) => ({ box: page(b), as: 'separator' as const })) : []),
  ];
}

/**
 * Drops the components of a field (`sub`, labelled `labels`, digits `H` high) that are not
 * handwriting: what is left of printed box borders, dashes, underline stubs, long rules, slivers.
 * The slivers' boxes are added to `slivers`, the dashes' and stubs' to `dashes`.
 */
function dropMarks(list: Component[], sub: BinaryImage, labels: Int32Array, H: number, slivers: Box[] = [], dashes: Box[] = []): Component[] {
  let comps = list;
  // Stroke widths: the pen (the median row run of ink of the big components, which are
  // handwriting) and each component's own.
  const maxArea = Math.max(...comps.map((c) => c.area));
  const runs = strokeRuns(sub, labels, new Set(comps.map((c) => c.label)), new Set(comps.filter((c) => c.area >= 0.3 * maxArea).map((c) => c.label)));
  const pen = runs.pen;
  const thin = (c: Component, dir: 'h' | 'v') => (runs.median.get(c.label)?.[dir] ?? pen) < 0.5 * pen;
  // Non-digit marks.
  const upperHalf = bandMiddle(comps.filter((c) => c.box[3] >= 0.6 * H).map((c) => c.box));
  // A dash-like stroke under a fragment it would join as a broken stroke (see digitGroups), the two
  // as tall as a digit, is a broken digit's base (a 2 whose faint middle was lost), not a dash.
  const baseOfBroken = (c: Component) =>
    comps.some((o) => {
      if (o === c || o.box[3] >= 0.6 * H || o.box[3] < 0.3 * H || o.box[1] >= c.box[1]) return false;
      const overlap = Math.min(c.box[0] + c.box[2], o.box[0] + o.box[2]) - Math.max(c.box[0], o.box[0]);
      return overlap > 0.2 * Math.min(c.box[2], o.box[2]) && c.box[1] + c.box[3] - o.box[1] >= 0.6 * H;
    });
  comps = comps.filter((c) => {
    const [, y, w, h] = c.box;
    // A thin sliver along the field's edge, or a stroke there thinner than the pen: what is left
    // of a printed box border (its corners included). But a stroke half a digit tall through the
    // top or bottom edge (a 7's tail through the box's bottom line) is handwriting, however thin
    // its pen; at the sides, such strokes are the box's borders.
    const atSide = atSideOf(c.box, sub.width);
    const atTopBottom = y <= EDGE || y + h >= sub.height - EDGE;
    if ((atSide && (w < 0.15 * H || thin(c, 'h'))) || (atTopBottom && (h < 0.15 * H || (thin(c, 'v') && h < 0.5 * H)))) return false;
    // What is left of a box's wall in a photograph (its top and bottom lines found; the wall too
    // steep a slope to be found as a line, or its blurred edge left beside the line removed): from
    // the field's top to its bottom, within its own width of a side, and narrow, or thinner than the pen.
    const x = c.box[0];
    const nearSide = x <= EDGE + w || x + w >= sub.width - EDGE - w;
    if (nearSide && y <= EDGE && y + h >= sub.height - EDGE && (w < 0.15 * H || (w < 0.35 * H && thin(c, 'h')))) return false;
    if (h < 0.3 * H && w >= 1.5 * h && w > 0.35 * H && y + h >= upperHalf && !baseOfBroken(c)) {
      dashes.push(c.box);
      return false; // dash, underline stub (not a 5's flag)
    }
    if (w > 3 * H && h < 0.5 * H) return false; // long rule
    return true;
  });
  // Slivers thinner than half the pen: what is left of printed lines, not handwriting. (A bold digit
  // whose loops filled in, say the pen is wider than it is: no sliver is a sixth of a digit wide.)
  // Shorter ones too when they are hairlines, two pixels wide at most and under a quarter of the
  // pen (the edge of a box's wall in a photograph, left beside the line removed).
  return comps.filter((c) => {
    const keep = (c.box[2] >= Math.min(0.5 * pen, H / 6) || c.box[3] < 0.5 * H) && !(c.box[2] <= 2 && c.box[2] < 0.25 * pen && c.box[3] >= 0.3 * H);
    if (!keep) slivers.push(c.box);
    return keep;
  });
}

/** How close to a field's side a mark is at its edge, in pixels. */
const EDGE = 3;

/** True when a box touches (within {@link EDGE}) the left or right side of a field `width` wide. */
function atSideOf(b: Box, width: number): boolean {
  return b[0] <= EDGE || b[0] + b[2] >= width - EDGE;
}

/**
 * A comb's walls taken out of a field's ink (`sub`, changed in place and returned; `cells`
 * field-relative): in every column in no cell, the runs of ink at least half a cell tall. The
 * walls of a comb open above are no form lines (they meet a line at one end only) and stay on the
 * page: left in, they set the digits' height (a small digit beside them was taken for a speck) and
 * join the digits that touch them (a 3 touching its wall was lost with it). A stroke that crosses a
 * wall keeps its ink there (its column runs are short).
 */
function withoutWalls(sub: BinaryImage, cells: Box[]): BinaryImage {
  if (cells.length < 2) return sub;
  const { width: w, height: h, data } = sub;
  const tall = 0.5 * median(cells.map((c) => c[3]));
  const inCell = new Uint8Array(w);
  for (const [x, , cw] of cells) for (let i = Math.max(0, x); i < Math.min(w, x + cw); i++) inCell[i] = 1;
  for (let x = 0; x < w; x++) {
    if (inCell[x]) continue;
    for (let y = 0; y < h; ) {
      if (!data[y * w + x]) {
        y++;
        continue;
      }
      let e = y;
      while (e < h && data[e * w + x]) e++;
      if (e - y >= tall) for (let k = y; k < e; k++) data[k * w + x] = 0;
      y = e;
    }
  }
  return sub;
}

/** The comb cell (field-relative `cells`) a box overlaps most in x; -1 for none. */
function cellOf(cells: Box[], b: Box): number {
  let best = -1;
  let most = 0;
  cells.forEach((c, i) => {
    const o = Math.min(b[0] + b[2], c[0] + c[2]) - Math.max(b[0], c[0]);
    if (o > most) [best, most] = [i, o];
  });
  return best;
}

/** In a comb: a narrow mark whose middle is in no cell is a wall's remains. */
function dropWalls(comps: Component[], cells: Box[]): Component[] {
  const cellW = median(cells.map((c) => c[2]));
  const cellH = median(cells.map((c) => c[3]));
  return comps.filter((c) => {
    const [x, y, w, h] = c.box;
    const mx = x + w / 2;
    const my = y + h / 2;
    if (w < 0.25 * cellW && !cells.some((k) => mx > k[0] && mx < k[0] + k[2])) return false;
    if (h < 0.25 * cellH && !cells.some((k) => my > k[1] && my < k[1] + k[3])) return false;
    return true;
  });
}

/**
 * The digits of a field: its components grouped (broken strokes joined; in a comb, the ink of a
 * cell), small marks in the upper half of the band joined to the digit they nearly touch (a 5's
 * flag) or dropped, left to right. `core`: a group's box before marks joined it; `height`: the
 * digits' height once strokes are joined. Printed separators left out are added to `separators`, and
 * marks left out that are shaped like dashes (flat, long) to `dashes`, like dots (small, round) to `dots`.
 */
function digitGroups(comps: Component[], cells: Box[], H0: number, width: number, labels?: Int32Array, separators: Box[] = [], dashes: Box[] = [], dots: Box[] = []): { digits: ComponentGroup[]; core: Map<ComponentGroup, Box>; height: number } {
  // Merge broken strokes: components overlapping mostly in x belong to one digit (in a comb: in
  // the same cell).
  let groups = groupComponents(comps, (a, b, overlap) => {
    if (cells.length) return cellOf(cells, a) === cellOf(cells, b);
    const narrower = Math.min(a[2], b[2]);
    const small = Math.min(a[3], b[3]) < 0.6 * H0;
    return overlap > 0.5 * narrower || (small && overlap > 0.2 * narrower);
  });
  // Once broken strokes are joined, the digits' height is that of the groups.
  const H = Math.max(H0, typicalHeight(groups.map((g) => g.box[3])));
  // Small marks wholly in the upper half of the band the digits are written in: a detached stroke
  // (the flag of a 5) joins the digit it nearly touches; other marks there (stray strokes, box
  // corners) are not digits. Dots, commas and specks that did not join a digit go too.
  const tallOnes = groups.filter((g) => g.box[3] >= 0.6 * H);
  const middle = bandMiddle(tallOnes.map((g) => g.box));
  const upperMark = (g: ComponentGroup) => g.box[3] < 0.5 * H && g.box[1] + g.box[3] < middle;
  const core = new Map<ComponentGroup, Box>();
  for (const g of groups.filter((g) => upperMark(g) && !atSideOf(g.box, width))) {
    const gap = (t: ComponentGroup) => Math.max(t.box[0] - (g.box[0] + g.box[2]), g.box[0] - (t.box[0] + t.box[2]), t.box[1] - (g.box[1] + g.box[3]));
    // The digit on its left first: a 5's flag runs right from the top of its stroke.
    const near = tallOnes.filter((t) => gap(t) < 0.2 * H).sort((a, b) => a.box[0] - b.box[0] || gap(a) - gap(b))[0];
    if (!near) continue;
    if (!core.has(near)) core.set(near, near.box);
    joinGroup(near, g);
    groups = groups.filter((x) => x !== g);
  }
  // A parenthesis run into a digit ("(555)" with its ")" touching the 5), its partner alone: split off.
  const peeled = labels ? peelBracket(groups, labels, width, H) : { groups, shapes: groups.map(() => null) };
  groups = peeled.groups;
  // Printed separators (a date box's slashes) between the digits: against the band and pen of the
  // tall ones (the pen measured only when a group is shaped like one).
  const band: [number, number] = tallOnes.length ? [median(tallOnes.map((g) => g.box[1])), median(tallOnes.map((g) => g.box[1] + g.box[3]))] : [0, 0];
  const inkOf = (g: ComponentGroup) => maskPixels(groupMask(labels!, width, g.box, g.labels));
  let pen: number | undefined;
  const penOf = () => (pen ??= median(tallOnes.map((t) => medianRowRun(inkOf(t), t.box[2]))));
  const marks = groups.map((g) => ({ box: g.box, components: g.labels.length, pixels: () => inkOf(g), width: g.box[2] }));
  // An empty date box: its printed slashes alone, alike as print is.
  if (labels && printedSeparatorsAlone(marks)) return { digits: [], core, height: H };
  // A short narrow stroke on its own (a broken digit's pieces joined their digit above, a mark high
  // in the band was joined or dropped) close beside a digit (within a fifth of a digit's height): a
  // stray tick, not a 1, which is written as tall as the digits beside it. (Set apart from its
  // neighbours as a digit is, it may be what the threshold left of a faint 1.)
  const beside = (g: ComponentGroup) => tallOnes.some((t) => t !== g && Math.max(t.box[0] - (g.box[0] + g.box[2]), g.box[0] - (t.box[0] + t.box[2])) < 0.2 * H);
  // Neither is the lower piece of a faint digit broken across (a 1 in pieces, the slant setting them
  // apart): a short piece above it, within a tenth of a digit's height across, the two together 0.6 of
  // a digit tall.
  const brokenBelow = (g: ComponentGroup) =>
    groups.some((o) => o !== g && o.box[3] < 0.6 * H && o.box[1] + o.box[3] <= g.box[1] + 0.1 * H && Math.max(o.box[0] - (g.box[0] + g.box[2]), g.box[0] - (o.box[0] + o.box[2])) <= 0.1 * H && g.box[1] + g.box[3] - o.box[1] >= 0.6 * H);
  const tick = (g: ComponentGroup) => g.box[3] < 0.5 * H && g.box[2] < 0.2 * H && tallOnes.length >= 2 && beside(g) && !brokenBelow(g);
  // A comma (a dot with its tail) or a point: a narrow mark just over half a digit tall at most that
  // starts below the middle of the band the digits are written in; no digit does (but a broken one's
  // lower piece, or a digit written small and low: a 5 0.6 of the others' height was one).
  // (Thin as a dot or comma is, `thinMark`: a comma in a broad pen is 0.33 of a digit wide.)
  const comma = (g: ComponentGroup) => g.box[3] < 0.55 * H && thinMark(g.box, H) && g.box[1] >= middle && tallOnes.length >= 2 && !brokenBelow(g);
  // Parentheses around digits ("(555) 123-4567"): a pair of thin bowed strokes 0.8 of the digits'
  // height or taller, digits between them (segment/shape); each read as a sure 1 before session 62.
  const { shapes } = peeled;
  const pairs = shapes.some(Boolean) ? bracketPairs(groups.map((g) => g.box), shapes, (i) => groups[i].box[3] >= 0.6 * H) : new Set<number>();
  const brackets = new Set([...pairs].map((i) => groups[i]));
  const dropped = (g: ComponentGroup) => (g.box[3] < 0.35 * H && g.box[2] < 0.35 * H) || upperMark(g) || tick(g) || comma(g) || brackets.has(g);
  const separator = labels && tallOnes.length >= 2 ? printedSeparators(marks, groups.map((g) => !dropped(g) || tick(g)), H, band, penOf) : [];
  const digits = groups.filter((g, i) => {
    if (dropped(g)) {
      const [w, h] = [g.box[2], g.box[3]];
      if (h < 0.3 * H && w >= 1.5 * h && w >= 0.25 * H) dashes.push(g.box);
      else if (w < 0.35 * H && h < 0.35 * H && Math.max(w, h) <= 2 * Math.min(w, h) && Math.min(w, h) >= 0.05 * H) dots.push(g.box);
      return false;
    }
    if (!separator[i]) return true;
    separators.push(g.box);
    return false;
  });
  digits.sort((a, b) => a.box[0] - b.box[0]);
  return { digits, core, height: H };
}

/**
 * A field's groups, each with its {@link parenthesis} shape (groups 0.8 of the digits' height `H` or
 * taller and under half as wide as tall; else null), after a parenthesis touching a digit is split off
 * it as a group of its own (relabelled in `labels`) when its partner stands alone (see
 * `touchingBracket` in segment/shape).
 */
function peelBracket(groups: ComponentGroup[], labels: Int32Array, width: number, H: number): { groups: ComponentGroup[]; shapes: Array<'(' | ')' | null> } {
  const shapesOf = (gs: ComponentGroup[]) => gs.map((g) => (g.box[3] >= 0.8 * H && g.box[2] < 0.5 * g.box[3] ? parenthesis(groupMask(labels, width, g.box, g.labels), g.box[2], g.box[3]) : null));
  const shapes = shapesOf(groups);
  if (!shapes.some(Boolean)) return { groups, shapes };
  const boxes = groups.map((g) => g.box);
  const peel = touchingBracket(boxes, shapes, H, (i) => groupMask(labels, width, boxes[i], groups[i].labels));
  if (!peel) return { groups, shapes };
  const part = splitGroup(labels, width, groups[peel.index], peel.stroke);
  const split = [...groups, part].sort((a, b) => a.box[0] - b.box[0]);
  return { groups: split, shapes: shapesOf(split) };
}

/** The indices of a mask's set pixels, in row order. */
function maskPixels(mask: Uint8Array): number[] {
  const pixels: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) pixels.push(i);
  return pixels;
}

/** 1 where a pixel of `box` (in a `width`-wide label image) holds one of `want`'s labels. */
export function groupMask(labels: Int32Array, width: number, [gx, gy, gw, gh]: Box, want: number[]): Uint8Array {
  let top = 0;
  for (const l of want) if (l > top) top = l;
  const lut = new Uint8Array(top + 1);
  for (const l of want) if (l >= 0) lut[l] = 1;
  const img = new Uint8Array(gw * gh);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const l = labels[(gy + y) * width + gx + x];
      if (l >= 0 && l <= top && lut[l]) img[y * gw + x] = 1;
    }
  }
  return img;
}

/**
 * Each digit group's ink (from `labels`, a `width`-wide field at `field` on the page) normalized; a
 * group half again as wide as the digits are tall (`H`; not in a comb) is touching digits, cut along
 * least-ink seams.
 */
function cropDigits(digits: ComponentGroup[], core: Map<ComponentGroup, Box>, labels: Int32Array, width: number, field: Box, H: number, comb: boolean): DigitCrop[] {
  const out: DigitCrop[] = [];
  for (const g of digits) {
    const [gx, gy, gw, gh] = g.box;
    const img = groupMask(labels, width, g.box, g.labels);
    // Single digits, even wide ones, stay under 1.5 H.
    const cw = (core.get(g) ?? g.box)[2];
    let n = !comb && cw > 1.5 * H ? Math.max(2, Math.round(cw / (0.85 * H))) : 1;
    let pieces = splitTouching({ width: gw, height: gh, data: img }, n);
    // A piece under a third of the digits' height is no digit: a long stroke (a 2's tail, a bar
    // after an 8) made the group wide. Fewer cuts.
    while (n > 1 && pieces.some((p) => p.box[3] < H / 3)) pieces = splitTouching({ width: gw, height: gh, data: img }, --n);
    for (const piece of pieces) {
      const [px, py, pw, ph] = piece.box;
      const data = new Uint8Array(piece.image.data.length);
      for (let i = 0; i < data.length; i++) data[i] = piece.image.data[i] * 255;
      const crop = normalizeDigit({ width: pw, height: ph, data }, { polarity: 'light-on-dark' });
      out.push({ pixels: crop.pixels, box: [field[0] + gx + px, field[1] + gy + py, pw, ph] as Box, ...(pieces.length > 1 ? { cut: true } : {}) });
    }
  }
  return out;
}

/** The middle of the band that boxes are written in: between their median top and median bottom (Infinity for none). */
function bandMiddle(boxes: Box[]): number {
  if (boxes.length === 0) return Infinity;
  return (median(boxes.map((b) => b[1])) + median(boxes.map((b) => b[1] + b[3]))) / 2;
}

/** The upper third of the heights at least half the tallest (the pieces of a broken digit do not drag it down). */
function typicalHeight(heights: number[]): number {
  const tall = Math.max(...heights);
  const h = heights.filter((v) => v >= 0.5 * tall).sort((a, b) => b - a);
  return h[Math.min(h.length - 1, Math.floor(h.length / 3))];
}

/**
 * Adds to `into` the length of every run of one label in `keep` along the rows (`byRow`) or the
 * columns of a `w` x `h` label image, per label.
 */
function labelRuns(labels: Int32Array, w: number, h: number, byRow: boolean, keep: Set<number>, into: Map<number, number[]>): void {
  const n = byRow ? h : w;
  const len = byRow ? w : h;
  // Step along a line, and from one line to the next.
  const along = byRow ? 1 : w;
  const next = byRow ? w : 1;
  for (let i = 0; i < n; i++) {
    let start = 0;
    let cur = 0;
    for (let k = 0; k <= len; k++) {
      const l = k < len ? labels[i * next + k * along] : 0;
      if (l === cur) continue;
      if (cur > 0 && keep.has(cur)) {
        const list = into.get(cur);
        if (list) list.push(k - start);
        else into.set(cur, [k - start]);
      }
      cur = l;
      start = k;
    }
  }
}

/**
 * Stroke widths in a field: `pen`, the median length of the row runs of the components in `penOf`;
 * and per component in `keep` the median length of its row (`h`) and column (`v`) runs.
 */
function strokeRuns(sub: BinaryImage, labels: Int32Array, keep: Set<number>, penOf: Set<number>): { pen: number; median: Map<number, { h: number; v: number }> } {
  const { width: w, height: h } = sub;
  const rows = new Map<number, number[]>();
  const cols = new Map<number, number[]>();
  labelRuns(labels, w, h, true, keep, rows);
  labelRuns(labels, w, h, false, keep, cols);
  const all: number[] = [];
  for (const [l, v] of rows) if (penOf.has(l)) all.push(...v);
  const perLabel = new Map<number, { h: number; v: number }>();
  for (const [l, v] of rows) perLabel.set(l, { h: median(v), v: median(cols.get(l) ?? [0]) });
  return { pen: all.length ? median(all) : 0, median: perLabel };
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

/**
 * A digit cut again from a fainter binarization of its page (`faint`, lines removed): the faint ink
 * joined to the digit's own ink (`strong`, inside `box`), within a margin around the box and outside
 * the boxes of the other digits of its field (`others`). Strokes that the page's threshold broke off
 * or thinned away (pale pen, light pressure) come back whole. Returns null when nothing is added.
 */
export function recropFaint(cv: CV, strong: BinaryImage, faint: BinaryImage, box: Box, others: Box[] = []): DigitCrop | null {
  const [bx, by, bw, bh] = box;
  const mx = Math.round(0.12 * bh);
  const my = Math.round(0.15 * bh);
  const area: Box = [Math.max(0, bx - mx), Math.max(0, by - my), 0, 0];
  area[2] = Math.min(faint.width, bx + bw + mx) - area[0];
  area[3] = Math.min(faint.height, by + bh + my) - area[1];
  const sub = cropBinary(faint, area);
  if (sub.width === 0 || sub.height === 0) return null;
  // The other digits' ink (their boxes, and a pixel around), outside this digit's box, is theirs.
  const inBox = (x: number, y: number) => x >= bx && x < bx + bw && y >= by && y < by + bh;
  for (const o of others) {
    for (let y = Math.max(area[1], o[1] - 1); y < Math.min(area[1] + area[3], o[1] + o[3] + 1); y++) {
      for (let x = Math.max(area[0], o[0] - 1); x < Math.min(area[0] + area[2], o[0] + o[2] + 1); x++) {
        if (!inBox(x, y)) sub.data[(y - area[1]) * sub.width + x - area[0]] = 0;
      }
    }
  }
  const cc = components(cv, sub);
  // Faint components holding the digit's ink.
  const keep = new Set<number>();
  let strongInk = 0;
  for (let y = by; y < by + bh; y++) {
    for (let x = bx; x < bx + bw; x++) {
      if (!strong.data[y * strong.width + x]) continue;
      strongInk++;
      const l = cc.labels[(y - area[1]) * sub.width + (x - area[0])];
      if (l) keep.add(l);
    }
  }
  if (keep.size === 0) return null;
  let x0 = sub.width, y0 = sub.height, x1 = -1, y1 = -1, ink = 0;
  for (const c of cc.list) {
    if (!keep.has(c.label)) continue;
    x0 = Math.min(x0, c.box[0]);
    y0 = Math.min(y0, c.box[1]);
    x1 = Math.max(x1, c.box[0] + c.box[2]);
    y1 = Math.max(y1, c.box[1] + c.box[3]);
    ink += c.area;
  }
  if (ink <= strongInk * 1.02) return null;
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (keep.has(cc.labels[(y0 + y) * sub.width + x0 + x])) data[y * w + x] = 255;
  }
  const crop = normalizeDigit({ width: w, height: h, data }, { polarity: 'light-on-dark' });
  return { pixels: crop.pixels, box: [area[0] + x0, area[1] + y0, w, h] };
}

/**
 * A digit cut again from its own ink (`strong`, inside `box`) thinned by a pixel (a 4-neighbourhood
 * erosion): strokes that blur or a bleeding pen thickened, closing loops and joining strokes, come
 * apart as written. Returns null when nothing is left.
 */
export function recropThin(strong: BinaryImage, box: Box): DigitCrop | null {
  const [bx, by, bw, bh] = box;
  const at = (x: number, y: number) => strong.data[(by + y) * strong.width + bx + x];
  const data = new Uint8Array(bw * bh);
  let ink = 0;
  for (let y = 1; y < bh - 1; y++) {
    for (let x = 1; x < bw - 1; x++) {
      if (at(x, y) && at(x - 1, y) && at(x + 1, y) && at(x, y - 1) && at(x, y + 1)) {
        data[y * bw + x] = 255;
        ink++;
      }
    }
  }
  if (ink === 0) return null;
  const crop = normalizeDigit({ width: bw, height: bh, data }, { polarity: 'light-on-dark' });
  return { pixels: crop.pixels, box };
}

/** The ink of `mask` in the `w` x `h` area at (`x0`, `y0`), grown by `m` pixels (a square). */
function grownInk(mask: BinaryImage, x0: number, y0: number, w: number, h: number, m: number): Uint8Array {
  const near = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask.data[(y0 + y) * mask.width + x0 + x]) continue;
      for (let yy = Math.max(0, y - m); yy <= Math.min(h - 1, y + m); yy++) near.fill(1, yy * w + Math.max(0, x - m), yy * w + Math.min(w, x + m + 1));
    }
  }
  return near;
}

/** Clears from `near` (the `w` x `h` area at `x0`, `y0`) the box `o` grown by a pixel, but for what is inside `own`. */
function clearOutside(near: Uint8Array, o: Box, own: Box, x0: number, y0: number, w: number, h: number): void {
  const [bx, by, bw, bh] = own;
  for (let y = Math.max(0, o[1] - 1 - y0); y < Math.min(h, o[1] + o[3] + 1 - y0); y++) {
    const py = y0 + y;
    for (let x = Math.max(0, o[0] - 1 - x0); x < Math.min(w, o[0] + o[2] + 1 - x0); x++) {
      const px = x0 + x;
      if (!(px >= bx && px < bx + bw && py >= by && py < by + bh)) near[y * w + x] = 0;
    }
  }
}

/** Ink darkness in 0..255 from `paper` (0) to `ink` (255) of the grey levels `grey` where `near` is set. */
function inkDarkness(grey: Uint8Array, near: Uint8Array, paper: number, ink: number): Uint8Array {
  const data = new Uint8Array(grey.length);
  for (let p = 0; p < grey.length; p++) {
    if (near[p]) data[p] = Math.round(255 * Math.min(1, Math.max(0, (paper - grey[p]) / (paper - ink))));
  }
  return data;
}

/**
 * A digit cut again in grey, MNIST's own kind of image: the page's grey levels in `box` and two
 * pixels around it (`grayAt` gives the page's grey pixels of a box), as ink darkness from the paper
 * (the area's brightest tenth) to the ink (its darkest twentieth), kept within two pixels of the
 * digit's ink in `mask` (its fainter binarization) and outside the other digits' boxes. A small loop
 * that blur filled in at the threshold (a 9 read as 7) is lighter than the strokes around it here.
 * Returns null when the area has no contrast.
 */
export function recropGrey(grayAt: (box: Box) => GrayImage, mask: BinaryImage, box: Box, others: Box[] = []): DigitCrop | null {
  const m = 2;
  const [bx, by, bw, bh] = box;
  const x0 = Math.max(0, bx - m);
  const y0 = Math.max(0, by - m);
  const area: Box = [x0, y0, Math.min(mask.width, bx + bw + m) - x0, Math.min(mask.height, by + bh + m) - y0];
  const g = grayAt(area);
  const [w, h] = [g.width, g.height];
  if (w === 0 || h === 0) return null;
  const sorted = Uint8Array.from(g.data).sort();
  const ink = sorted[Math.floor(0.05 * (sorted.length - 1))];
  const paper = sorted[Math.floor(0.9 * (sorted.length - 1))];
  if (paper - ink < 20) return null;
  // The digit's ink, grown by `m` pixels (a square), and less the other digits' boxes outside its own.
  const near = grownInk(mask, x0, y0, w, h, m);
  for (const o of others) clearOutside(near, o, box, x0, y0, w, h);
  const data = inkDarkness(g.data, near, paper, ink);
  const crop = normalizeDigit({ width: w, height: h, data }, { polarity: 'light-on-dark' });
  return { pixels: crop.pixels, box };
}
