/**
 * Recognition-based segmentation of a digit string (check amounts, zip codes, any digit field).
 *
 * 1. **Over-segment** ({@link segmentGraph}): the field's components are grouped (broken strokes
 *    that overlap in x join), small marks (dots, commas, dashes, specks) are set apart, and every
 *    group wider than a narrow digit is cut at the valleys of its column profile along the
 *    least-ink path (a seam that may bend around strokes). The pieces, ordered left to right, are the
 *    graph's primitives; every run of up to four neighbouring primitives that could be one digit is
 *    a candidate, normalized like MNIST.
 * 2. **Score**: the classifier reads every candidate (one batch for a page); a model with a
 *    `reject` class says how much a candidate is not a digit (a bad cut, two digits, a sign).
 * 3. **Choose** ({@link bestPath}): dynamic programming over the graph picks the cut path with the
 *    best joint score (sum of log probabilities), with priors on string length (field type) and, for
 *    amounts, on digit groups between separators. Whole marks and non-digit groups may be skipped;
 *    the pieces of a cut group may not.
 *
 * Plain values in and out: a binary page and a field box in, candidates out; scores in, the chosen
 * digits out. The classifier is not called from here.
 */
import type { BinaryImage, Box, DigitCrop } from '../types';
import type { CV } from '../preprocess/opencv';
import { boxBottom as bottom, boxRight as right, Component, ComponentGroup, components, cropBinary, groupComponents, median, medianRowRun, printedSeparators, printedSeparatorsAlone, splitGroup, unionBox as union } from './components';
import { normalizeDigit } from './normalize';
import { bracketPairs, parenthesis, touchingBracket } from './shape';
import type { FieldType } from './fields';

export type { FieldType };


/** One piece of the over-segmented field. */
export interface Primitive {
  /** Box in page pixels. */
  box: Box;
  /** `mark`: dot, comma, dash or speck (skipped for free, never a digit alone); `group`: an uncut group (may be skipped at the cost of its reject score); `piece`: part of a cut group (never skipped). */
  kind: 'mark' | 'group' | 'piece';
  /** A dot or comma on the lower half of the line (or a comma's tail: a thin stroke up to 0.7 of a digit tall starting there): a possible thousands/decimal separator. */
  separator: boolean;
  /** Ink pixels. */
  area: number;
  /** A parenthesis around digits (`(555) 123-4567`; a `mark`, see `parenthesis` in segment/shape). */
  bracket?: boolean;
}

/** A run of primitives `first..last` that may be one digit. */
export interface Candidate {
  first: number;
  last: number;
  /** Box in page pixels. */
  box: Box;
  /** The candidate's ink, MNIST-normalized. */
  crop: DigitCrop;
}

/** The segmentation graph of one field. */
export interface SegmentGraph {
  field: Box;
  /** Typical digit height in pixels. */
  digitHeight: number;
  primitives: Primitive[];
  candidates: Candidate[];
}

/** A classifier's reading of one candidate. */
export interface CandidateScore {
  digit: number;
  /** Probability of `digit`. */
  confidence: number;
  /** Probability that the candidate is not a digit (0 when the model has no reject class). */
  reject: number;
  /** Probability of each digit 0-9, when the classifier gives them. */
  probabilities?: readonly number[];
}

/** Options of {@link segmentGraph}. */
export interface GraphOptions {
  /** Most primitives merged into one digit (default 4). */
  maxMerge?: number;
  /** Most cuts tried per digit-height of a group's width (default 3). */
  cutsPerDigit?: number;
}


/**
 * The least-ink top-to-bottom path through `img` (1 = ink) within columns [lo, hi], moving at most
 * one column per row; each sideways step costs a little so paths stay straight in the background.
 */
export function seamCut(img: BinaryImage, lo: number, hi: number): Int32Array {
  const { width: w, height: h, data } = img;
  lo = Math.max(0, lo);
  hi = Math.min(w - 1, hi);
  const span = hi - lo + 1;
  const cost = new Float32Array(span * h);
  const from = new Int8Array(span * h);
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < span; i++) {
      const own = data[y * w + lo + i] ? 1 : 0;
      if (y === 0) {
        cost[i] = own;
        continue;
      }
      let best = cost[(y - 1) * span + i];
      let dir = 0;
      if (i > 0 && cost[(y - 1) * span + i - 1] + 0.15 < best) {
        best = cost[(y - 1) * span + i - 1] + 0.15;
        dir = -1;
      }
      if (i < span - 1 && cost[(y - 1) * span + i + 1] + 0.15 < best) {
        best = cost[(y - 1) * span + i + 1] + 0.15;
        dir = 1;
      }
      cost[y * span + i] = best + own;
      from[y * span + i] = dir;
    }
  }
  let i = 0;
  for (let j = 1; j < span; j++) if (cost[(h - 1) * span + j] < cost[(h - 1) * span + i]) i = j;
  const path = new Int32Array(h);
  for (let y = h - 1; y >= 0; y--) {
    path[y] = lo + i;
    i += from[y * span + i];
  }
  return path;
}

/** Columns where a group could be cut: valleys of its (smoothed) ink profile, strongest first, kept apart. */
function cutColumns(img: BinaryImage, H: number, maxCuts: number): number[] {
  const { width: w, height: h, data } = img;
  const prof = new Float32Array(w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) prof[x] += data[y * w + x];
  const sm = prof.map((_, x) => (prof[Math.max(0, x - 1)] + prof[x] + prof[Math.min(w - 1, x + 1)]) / 3);
  const margin = Math.max(2, Math.round(0.2 * H));
  const peak = Math.max(...sm);
  const valleys: number[] = [];
  for (let x = margin; x < w - margin; x++) {
    const l = sm[x - 1];
    const r = sm[x + 1];
    if (sm[x] <= l && sm[x] <= r && sm[x] <= 0.6 * peak) valleys.push(x);
  }
  valleys.sort((a, b) => sm[a] - sm[b]);
  const kept: number[] = [];
  const gap = Math.max(2, Math.round(0.22 * H));
  for (const v of valleys) {
    if (kept.length >= maxCuts) break;
    if (kept.every((k) => Math.abs(k - v) >= gap)) kept.push(v);
  }
  return kept.sort((a, b) => a - b);
}

/** Adds the primitive made of `pixels` (indices in a `width`-wide field) to `primitives`, marking them in `prim`. */
function primitiveOf(pixels: number[], kind: Primitive['kind'], separator: boolean, width: number, prim: Int32Array, primitives: Array<Primitive & { cx: number }>): void {
  if (pixels.length === 0) return;
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1, sx = 0;
  const id = primitives.length;
  for (const p of pixels) {
    const x = p % width;
    const y = (p - x) / width;
    prim[p] = id;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    sx += x;
  }
  primitives.push({ box: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], kind, separator, area: pixels.length, cx: sx / pixels.length });
}

/**
 * Over-segments one field of a cleaned binary page into primitives and lists the candidate digits
 * (runs of neighbouring primitives), each MNIST-normalized for the classifier.
 *
 * Its steps are separate functions: a scan calls this for every field, and V8 re-optimizes a function
 * whenever an object of a shape it has not seen reaches it; one big function cost ~50 ms of compiling
 * each time, over and over in a scan's first pages.
 */
export function segmentGraph(cv: CV, page: BinaryImage, field: Box, options: GraphOptions = {}): SegmentGraph {
  const empty: SegmentGraph = { field, digitHeight: 0, primitives: [], candidates: [] };
  const sub = cropBinary(page, field);
  if (sub.width === 0 || sub.height === 0) return empty;
  const fx = Math.max(0, Math.floor(field[0]));
  const fy = Math.max(0, Math.floor(field[1]));
  const cc = components(cv, sub);
  const found = fieldGroups(cc.list, sub.width, sub.height);
  if (!found) return empty;
  const { H } = found;
  const { prim, primitives } = fieldPrimitives(sub, cc.labels, cc.list.length, found, options.cutsPerDigit ?? 3);
  const sorted = leftToRight(prim, primitives);
  const candidates = fieldCandidates(sorted, prim, sub.width, H, options.maxMerge ?? 4, fx, fy);
  return {
    field,
    digitHeight: H,
    primitives: sorted.map(({ box, kind, separator, area, bracket }) => ({ box: [fx + box[0], fy + box[1], box[2], box[3]] as Box, kind, separator, area, ...(bracket ? { bracket } : {}) })),
    candidates,
  };
}

/**
 * Whether column `x` (page pixels) of a field falls on a separator: the primitive of `graph` whose
 * centre is nearest to `x` is a dot or comma on the lower half of the line (see
 * {@link Primitive.separator}) thin as a dot or comma is (`thinMark`), and no other primitive reaches
 * over `x`. A whole-field reader that read a digit there read an amount's comma or decimal point
 * ("230," as 2301).
 *
 * @example
 * const g = segmentGraph(cv, clean, field.box);
 * const kept = reading.digits.filter((d) => !onSeparator(g, d.box[0] + d.box[2] / 2));
 */
export function onSeparator(graph: SegmentGraph, x: number): boolean {
  const nearest = nearestAlone(graph, x);
  // Thin: small digits (an amount's cents, written small) are marks too, but round.
  return !!nearest && nearest.kind === 'mark' && nearest.separator && thinMark(nearest.box, graph.digitHeight);
}

/**
 * Whether column `x` (page pixels) of a field falls on a parenthesis around digits (see
 * {@link Primitive.bracket}): the primitive whose centre is nearest to `x` is one, and no other
 * primitive reaches over `x`. A whole-field reader that read a digit there read the parenthesis
 * (`(555) 123-4567` as 15551123-4567).
 *
 * @example
 * const kept = reading.digits.filter((d) => !onBracket(g, d.box[0] + d.box[2] / 2));
 */
export function onBracket(graph: SegmentGraph, x: number): boolean {
  return !!nearestAlone(graph, x)?.bracket;
}

/** The primitive of `graph` whose centre is nearest to column `x`, when no other reaches over `x`. */
function nearestAlone(graph: SegmentGraph, x: number): Primitive | null {
  let nearest: Primitive | null = null;
  let best = Infinity;
  for (const p of graph.primitives) {
    const d = Math.abs(p.box[0] + p.box[2] / 2 - x);
    if (d < best) [best, nearest] = [d, p];
  }
  if (!nearest || graph.primitives.some((p) => p !== nearest && p.box[0] <= x && x < p.box[0] + p.box[2])) return null;
  return nearest;
}

/**
 * The commas and points of a field (`graph`): its marks that may be separators (a dot or comma on the
 * lower half of the line, {@link Primitive.separator}), thin as a dot or comma is (narrower than 0.3 of
 * a digit's height, or than 0.4 of it and a fifth taller than wide; cents written small are marks too,
 * but round and wider), each a comma when it is half again as tall as it
 * is wide (a dot with a tail), or a fifth taller than wide and reaching a tenth of a digit's height
 * below the digits' baseline (the median foot of the groups half a digit tall or more), or reaching a
 * quarter of one below it; else a point (a point written a little low is round: handwritten digits'
 * feet wander a tenth of their height). `comma` says how far the mark is past those edges, on the
 * comma's side (above 0) or the point's (below 0): the log of its height to width against 1.5 (or 1.2,
 * with twice the tenths of a digit it reaches below a tenth under the baseline), or twice the tenths
 * it reaches below a quarter under it, whichever is most comma-like. A mark cut by the field's bottom
 * edge, at least as tall as wide, is a comma too (`comma` 0.2 or more): its tail runs on past the box
 * (an `--auto-fields` box, inside its printed border, cuts a comma written low).
 *
 * @example
 * const marks = separatorMarks(segmentGraph(cv, clean, field.box)); // [{ box, as: '.', comma: -0.4 }]
 */
export function separatorMarks(graph: SegmentGraph): Array<{ box: Box; as: ',' | '.'; comma: number }> {
  const H = graph.digitHeight;
  const feet = graph.primitives.filter((p) => p.kind !== 'mark' && p.box[3] >= 0.5 * H).map((p) => bottom(p.box));
  const baseline = feet.length ? median(feet) : Infinity;
  return graph.primitives
    .filter((p) => p.kind === 'mark' && p.separator && thinMark(p.box, H))
    .map((p) => {
      const [w, h] = [p.box[2], p.box[3]];
      const below = Number.isFinite(baseline) ? (bottom(p.box) - baseline) / H : 0;
      const tall = Math.log(h / Math.max(1, w));
      // How far past the rules' edges it is, on the comma side (> 0) or the point's (< 0).
      // Cut by the field's bottom edge and at least as tall as wide there: a comma's tail runs on below
      // the box (a point is round, and written above the edge).
      const cut = h >= w && bottom(p.box) >= bottom(graph.field) - 1;
      const comma = Math.max(tall - Math.log(1.5), Math.min(tall - Math.log(1.2), 2 * (below - 0.1)), 2 * (below - 0.25), cut ? 0.2 : -Infinity);
      return { box: p.box, as: h >= 1.5 * w || (h >= 1.2 * w && below > 0.1) || below > 0.25 || cut ? (',' as const) : ('.' as const), comma };
    });
}

/**
 * Whether a mark is thin enough to be a dot or a comma among digits `H` tall: under 0.3 of their height
 * wide, or under 0.4 of it and a fifth taller than wide (a comma written with a broad pen: its dot and
 * tail 0.33 of a digit wide, 0.44 tall). Cents written small are marks too, but round.
 */
export function thinMark(box: Box, H: number): boolean {
  return box[2] < 0.3 * H || (box[2] < 0.4 * H && box[3] >= 1.2 * box[2]);
}

/** A field's groups of components (a digit's broken strokes together), its digit height and body line. */
interface FieldGroups {
  groups: ComponentGroup[];
  /** Typical digit height. */
  H: number;
  /** Median top and bottom of the tall groups (where the string's body sits). */
  bodyTop: number;
  bodyBottom: number;
}

/**
 * The components of a `width` x `height` field that can be parts of digits (specks, edge slivers and
 * long rules dropped), grouped; null when none are left.
 */
function fieldGroups(list: Component[], width: number, height: number): FieldGroups | null {
  let comps = list;
  if (comps.length === 0) return null;
  const tall = Math.max(...comps.map((c) => c.box[3]));
  const minArea = Math.max(4, Math.round((tall * 0.06) ** 2));
  comps = comps.filter((c) => c.area >= minArea);
  if (comps.length === 0) return null;
  const heights = comps.map((c) => c.box[3]).sort((a, b) => b - a);
  // Typical digit height: a tall component's, but at least most of the ink's extent (a digit
  // broken across its middle is two short components).
  const inkTop = Math.min(...comps.map((c) => c.box[1]));
  const inkBottom = Math.max(...comps.map((c) => bottom(c.box)));
  const H = Math.max(4, heights[Math.min(heights.length - 1, Math.floor(heights.length / 3))], Math.round(0.75 * (inkBottom - inkTop)));
  // Edge slivers (what is left of a box border) and long rules are not part of any digit.
  comps = comps.filter((c) => {
    const [x, y, w, h] = c.box;
    const atSide = x <= 2 || x + w >= width - 2;
    const atTopBottom = y <= 2 || y + h >= height - 2;
    if ((atSide && w < 0.12 * H && h > 0.5 * H) || (atTopBottom && h < 0.12 * H && w > 0.5 * H)) return false;
    // A box's wall left in a photograph: from the field's top to its bottom, narrow, within its own
    // width of a side (as in segment/digits).
    if ((x <= 2 + w || x + w >= width - 2 - w) && y <= 2 && y + h >= height - 2 && w < 0.15 * H) return false;
    return !(w > 3 * H && h < 0.4 * H);
  });
  // The line the digits stand on: the median foot of the components half a digit tall or more.
  const feet = comps.filter((c) => c.box[3] >= 0.5 * H).map((c) => bottom(c.box));
  const foot = feet.length ? median(feet) : height;
  // A digit's worth of ink (half a digit tall) wholly on `side` of box `p`.
  const digitBeside = (p: Box, side: 'left' | 'right') => comps.some((c) => c.box[3] >= 0.5 * H && (side === 'right' ? c.box[0] >= right(p) : right(c.box) <= p[0]));
  const beneath = { H, foot, fieldBottom: height, digitBeside };
  // Groups: components overlapping mostly in x are one digit's broken strokes.
  // So are two short pieces overlapping a little, together as tall as a digit (a 2 whose faint
  // middle was lost: its hook over its base).
  const groups = groupComponents(comps, (a, b, overlap) => {
    if (Math.max(a[2], b[2]) >= 1.1 * H) return false;
    // A point or a comma written under a digit's overhang (a 2's base, an 8's or a 5's flag run on
    // over it) is no piece of that digit.
    if (markBeneath(a, b, beneath) || markBeneath(b, a, beneath)) return false;
    const narrower = Math.min(a[2], b[2]);
    // The upper piece is a stroke, not a dash (an amount's ".-" is no digit).
    const upper = a[1] <= b[1] ? a : b;
    const pieces = upper[3] >= 0.3 * H && Math.max(a[3], b[3]) < 0.6 * H && Math.max(bottom(a), bottom(b)) - Math.min(a[1], b[1]) >= 0.6 * H;
    return overlap > 0.6 * narrower || (pieces && overlap > 0.2 * narrower);
  });
  // Body line of the string: where the tall groups sit.
  const tallGroups = groups.filter((g) => g.box[3] >= 0.6 * H);
  const bodyTop = tallGroups.length ? median(tallGroups.map((g) => g.box[1])) : 0;
  const bodyBottom = tallGroups.length ? median(tallGroups.map((g) => bottom(g.box))) : height;
  return { groups, H, bodyTop, bodyBottom };
}

/**
 * Whether `p` is a point or a comma written beside digit `d` and under its overhang (a 2's base run on
 * to the right, an 8's or a 5's flag over it) rather than a piece of it: its top in the digit's lowest
 * 40 %, at its left or right edge (its centre in the outer 30 % of the digit's width), with a digit
 * beyond it on that side (`digitBeside`: a separator stands between digits; a full stop after the last
 * one stays with it). A point is small (0.1-0.3 of the digits' height `H` either way: a crumb of the
 * digit's stroke is smaller) and round (its sides within 1.6 times each other), its foot on the
 * digit's (within a fifth of `H`). A comma is thin ({@link thinMark}), 0.15-0.7 of `H` tall and at
 * least as tall as wide, and reaches below the digit's foot (by 0.15 of `H`, or out of the field's
 * bottom edge, `fieldBottom`), the digit itself standing on the line (`foot`, within 0.15 of `H`): the
 * lower piece of a digit broken across, a 4's stem or a 9's tail, hangs from a piece that stops above
 * the line.
 */
function markBeneath(p: Box, d: Box, { H, foot, fieldBottom, digitBeside }: { H: number; foot: number; fieldBottom: number; digitBeside: (p: Box, side: 'left' | 'right') => boolean }): boolean {
  const [, py, pw, ph] = p;
  if (pw * ph >= d[2] * d[3] || py < d[1] + 0.6 * d[3]) return false;
  const point = pw <= 0.3 * H && ph <= 0.3 * H && Math.min(pw, ph) >= 0.1 * H && Math.max(pw, ph) <= 1.6 * Math.min(pw, ph) && bottom(p) >= bottom(d) - 0.2 * H;
  const comma =
    thinMark(p, H) && ph >= pw && ph >= 0.15 * H && ph < 0.7 * H && Math.abs(bottom(d) - foot) <= 0.15 * H && bottom(p) > bottom(d) && (bottom(p) >= bottom(d) + 0.15 * H || bottom(p) >= fieldBottom - 1);
  if (!point && !comma) return false;
  const at = (p[0] + pw / 2 - d[0]) / d[2];
  return (at < 0.3 && digitBeside(p, 'left')) || (at > 0.7 && digitBeside(p, 'right'));
}

/**
 * The primitives of a field: each group whole (marks: small or dash-like), or cut at valleys along
 * seams when wider than a narrow digit. `prim` maps each pixel to its primitive (-1: none).
 */
function fieldPrimitives(sub: BinaryImage, labels: Int32Array, count: number, found: FieldGroups, maxCutsPer: number): { prim: Int32Array; primitives: Array<Primitive & { cx: number }> } {
  const { H, bodyTop, bodyBottom } = found;
  let { groups } = found;
  const width = sub.width;
  const prim = new Int32Array(sub.width * sub.height).fill(-1);
  const primitives: Array<Primitive & { cx: number }> = [];
  let pixelsOf = groupPixels(labels, count, groups);
  // Parentheses around digits ("(555) 123-4567"): marks, never digits (as in segment/digits); one
  // run into a digit, its partner alone, is split off it first.
  const shapeOf = (gi: number) => {
    const [, , w, h] = groups[gi].box;
    return h >= 0.8 * H && w < 0.5 * h ? parenthesis(groupMask(pixelsOf[gi], width, groups[gi].box), w, h) : null;
  };
  let shapes = groups.map((_, gi) => shapeOf(gi));
  const peel = shapes.some(Boolean) ? touchingBracket(groups.map((g) => g.box), shapes, H, (gi) => groupMask(pixelsOf[gi], width, groups[gi].box)) : null;
  if (peel) {
    const part = splitGroup(labels, width, groups[peel.index], peel.stroke);
    groups = [...groups, part].sort((a, b) => a.box[0] - b.box[0]);
    pixelsOf = groupPixels(labels, part.labels[0], groups);
    shapes = groups.map((_, gi) => shapeOf(gi));
  }
  // Printed separators (a date box's slashes), against the handwriting's pen: the median row run of
  // the tall groups' ink, measured only when a group is shaped like one.
  const tall = groups.map((g, gi) => (g.box[3] >= 0.6 * H ? gi : -1)).filter((gi) => gi >= 0);
  let pen: number | undefined;
  const penOf = () => (pen ??= median(tall.map((t) => medianRowRun(pixelsOf[t], width))));
  const marks = groups.map((g, gi) => ({ box: g.box, components: g.labels.length, pixels: () => pixelsOf[gi], width }));
  const kinds = groups.map(({ box: [, y, w, h] }) => {
    const small = h < 0.4 * H && w < 0.6 * H;
    const dash = h < 0.3 * H && w >= 1.5 * h;
    // A comma with a tail: a thin stroke (under 0.3 of a digit's height wide, or 0.4 and taller than
    // wide), up to 0.7 of one tall, that starts below the middle of the body.
    const comma = thinMark([0, y, w, h], H) && h < 0.7 * H && y >= bodyTop + 0.5 * (bodyBottom - bodyTop);
    return { small, dash, comma };
  });
  // Printed slashes between digit groups (a date box's MM/DD/YYYY): short straight thin strokes, or
  // an empty date box's slashes alone, alike as print is (all marks).
  const slashes = printedSeparatorsAlone(marks)
    ? marks.map(() => true)
    : tall.length >= 2
      ? printedSeparators(marks, kinds.map((k) => !k.small && !k.dash && !k.comma), H, [bodyTop, bodyBottom], penOf)
      : [];
  const brackets = shapes.some(Boolean) ? bracketPairs(groups.map((g) => g.box), shapes, (gi) => groups[gi].box[3] >= 0.6 * H) : new Set<number>();
  for (let gi = 0; gi < groups.length; gi++) {
    const [, y, w, h] = groups[gi].box;
    const { small, dash, comma } = kinds[gi];
    const slash = !small && !dash && !comma && !!slashes[gi];
    if (brackets.has(gi)) {
      primitiveOf(pixelsOf[gi], 'mark', false, width, prim, primitives);
      primitives[primitives.length - 1].bracket = true;
      continue;
    }
    if (small || dash || comma || slash) {
      const mid = y + h / 2;
      const separator = comma || (small && !dash && mid > bodyTop + 0.5 * (bodyBottom - bodyTop));
      primitiveOf(pixelsOf[gi], 'mark', separator, width, prim, primitives);
      continue;
    }
    const pieces = w <= 0.6 * H ? [pixelsOf[gi]] : cutGroup(pixelsOf[gi], groups[gi].box, width, H, maxCutsPer);
    if (pieces.length === 1) primitiveOf(pieces[0], 'group', false, width, prim, primitives);
    else for (const p of pieces) primitiveOf(p, 'piece', false, width, prim, primitives);
  }
  return { prim, primitives };
}

/** A group's pixels (indices in a `width`-wide field) as a mask of its box, one byte a pixel. */
function groupMask(pixels: number[], width: number, [x, y, w, h]: Box): Uint8Array {
  const mask = new Uint8Array(w * h);
  for (const p of pixels) mask[(Math.floor(p / width) - y) * w + (p % width) - x] = 1;
  return mask;
}

/** The pixels (indices in `labels`) of each group's components, group by group. */
function groupPixels(labels: Int32Array, count: number, groups: Array<{ labels: number[] }>): number[][] {
  const labelOf = new Int32Array(count + 1).fill(-1);
  for (let gi = 0; gi < groups.length; gi++) for (const l of groups[gi].labels) labelOf[l] = gi;
  const pixelsOf: number[][] = [];
  for (let gi = 0; gi < groups.length; gi++) pixelsOf.push([]);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l > 0 && labelOf[l] >= 0) pixelsOf[labelOf[l]].push(i);
  }
  return pixelsOf;
}

/**
 * A group wider than a narrow digit (maybe touching digits), cut at valleys along seams: its pixels
 * (indices in a `width`-wide field) in pieces left to right, empty pieces left out (one piece: uncut).
 */
function cutGroup(pixels: number[], box: Box, width: number, H: number, maxCutsPer: number): number[][] {
  const [x, y, w, h] = box;
  const img: BinaryImage = { width: w, height: h, data: groupMask(pixels, width, box) };
  const cols = cutColumns(img, H, Math.max(1, Math.ceil((w / H) * maxCutsPer)));
  if (cols.length === 0) return [pixels];
  const reach = Math.max(1, Math.round(0.2 * H));
  const paths = cols.map((c) => seamCut(img, c - reach, c + reach));
  for (let k = 1; k < paths.length; k++) for (let yy = 0; yy < h; yy++) paths[k][yy] = Math.max(paths[k][yy], paths[k - 1][yy]);
  const pieces: number[][] = Array.from({ length: paths.length + 1 }, () => []);
  for (const p of pixels) {
    const px = (p % width) - x;
    const py = Math.floor(p / width) - y;
    let k = 0;
    while (k < paths.length && px >= paths[k][py]) k++;
    pieces[k].push(p);
  }
  return pieces.filter((p) => p.length > 0);
}

/** The primitives left to right by centre of ink; `prim` relabelled to the new order. */
function leftToRight(prim: Int32Array, primitives: Array<Primitive & { cx: number }>): Array<Primitive & { cx: number }> {
  const order = primitives.map((_, i) => i).sort((a, b) => primitives[a].cx - primitives[b].cx);
  const rank = new Int32Array(order.length);
  order.forEach((o, r) => (rank[o] = r));
  for (let i = 0; i < prim.length; i++) if (prim[i] >= 0) prim[i] = rank[prim[i]];
  return order.map((o) => primitives[o]);
}

/** 255 where a pixel of `box` (in `prim`, a `width`-wide field) belongs to primitives `i` to `j`. */
function primitivesIn(prim: Int32Array, width: number, [bx, by, bw, bh]: Box, i: number, j: number): Uint8Array {
  const img = new Uint8Array(bw * bh);
  for (let yy = 0; yy < bh; yy++) {
    for (let xx = 0; xx < bw; xx++) {
      const p = prim[(by + yy) * width + bx + xx];
      if (p >= i && p <= j) img[yy * bw + xx] = 255;
    }
  }
  return img;
}

/**
 * Candidates: runs of up to `maxMerge` neighbouring primitives that fit in one digit, each cut out of
 * `prim` (a `width`-wide field at `fx`, `fy` on the page) and normalized.
 */
function fieldCandidates(sorted: Primitive[], prim: Int32Array, width: number, H: number, maxMerge: number, fx: number, fy: number): Candidate[] {
  const candidates: Candidate[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let box = sorted[i].box;
    for (let j = i; j < Math.min(sorted.length, i + maxMerge); j++) {
      if (j > i) {
        const gapX = sorted[j].box[0] - right(box);
        if (gapX > 0.35 * H) break;
        box = union(box, sorted[j].box);
      }
      if (box[2] > 1.6 * H) break;
      const allMarks = sorted.slice(i, j + 1).every((p) => p.kind === 'mark');
      if (allMarks || (box[3] < 0.45 * H && box[2] < 0.45 * H)) continue;
      const [bx, by, bw, bh] = box;
      const crop = normalizeDigit({ width: bw, height: bh, data: primitivesIn(prim, width, box, i, j) }, { polarity: 'light-on-dark' });
      const pageBox: Box = [fx + bx, fy + by, bw, bh];
      candidates.push({ first: i, last: j, box: pageBox, crop: { pixels: crop.pixels, box: pageBox } });
    }
  }
  return candidates;
}

/** Options of {@link bestPath}. */
export interface PathOptions {
  /** `zip`: 5 or 9 digits; `amount`: separators split digits in groups of three (or two cents), no leading zero; `digits`: anything (default). */
  fieldType?: FieldType;
  /** Allowed digit counts (overrides the field type's). */
  lengths?: number[];
  /** Most digits considered (default 20). */
  maxDigits?: number;
  /**
   * Penalize candidates wider than the field's digit height: e^-1 for each tenth of a height beyond it
   * (default false). Two digits written close are then cut rather than read as one. Meant for
   * printed-form fields: on real check amounts, with their wide cursive digits, it costs more than it gives.
   */
  widthPrior?: boolean;
}

/** The chosen reading of a field. */
export interface PathResult {
  /** Chosen candidates, left to right, with their scores. */
  digits: Array<{ candidate: Candidate; score: CandidateScore }>;
  /** Primitives skipped as non-digits. */
  skipped: number[];
  /** Total log score of the path. */
  logScore: number;
  /** False when no path met the length constraint (the best unconstrained path is returned). */
  fits: boolean;
  /**
   * Probability that the reading is right: every chosen digit is right (its calibrated confidence)
   * and every skipped digit-like group is not a digit (its reject probability). The field's confidence.
   */
  posterior: number;
  /**
   * The strongest case for two neighbouring digits of the reading being one: over the pairs that a
   * single candidate no wider than 0.8 digit heights also spans, that candidate's digit against the
   * pair, as the share p(one) / (p(one) + p(left) p(right)), with the digit and the pair's index
   * (`at`: its left digit); null when no pair is spanned so. Two readings of the same ink, "11" and "4".
   */
  joined: { share: number; digit: number; at: number } | null;
}

const LOG_FLOOR = Math.log(1e-6);
const ln = (p: number) => Math.max(LOG_FLOOR, Math.log(Math.max(p, 1e-12)));

/**
 * Chooses the best reading of a field from its candidates' scores (in `graph.candidates` order):
 * dynamic programming over (primitive, digits so far), maximizing the sum of log probabilities of
 * the chosen digits and of the skipped groups being non-digits, under the field type's priors.
 */
export function bestPath(graph: SegmentGraph, scores: CandidateScore[], options: PathOptions = {}): PathResult {
  const n = graph.primitives.length;
  const type = options.fieldType ?? 'digits';
  const maxDigits = options.maxDigits ?? 20;
  const allowed = options.lengths ?? (type === 'zip' ? [5, 9] : undefined);
  const widthPrior = options.widthPrior ?? false;
  const byStart: Array<Array<{ c: number; end: number; s: number }>> = Array.from({ length: n }, () => []);
  const single = new Map<number, number>();
  graph.candidates.forEach((cand, ci) => {
    const sc = scores[ci];
    // The width prior: a candidate wider than the digits are tall is likely two digits read as one.
    const wide = widthPrior && graph.digitHeight > 0 ? Math.max(0, cand.box[2] / graph.digitHeight - 1) : 0;
    byStart[cand.first].push({ c: ci, end: cand.last + 1, s: ln(sc.confidence) - 10 * wide });
    if (cand.first === cand.last) single.set(cand.first, ci);
  });
  const skipScore = (i: number): number | null => {
    const p = graph.primitives[i];
    if (p.kind === 'mark') return 0;
    const ci = single.get(i);
    // A piece or group too small to be a digit alone: skipping it costs little (it may also join a neighbour).
    if (ci === undefined) return p.kind === 'piece' ? -3 : 0;
    if (p.kind === 'piece') return null;
    // A digit-sized group is rarely not a digit: skipping one costs extra (a prior on string length).
    const big = p.box[3] >= 0.7 * graph.digitHeight ? -1.5 : 0;
    return ln(scores[ci].reject) + big;
  };
  // Amounts: a separator mark must be followed by a multiple of three digits (or two: cents).
  const separatorPenalty = (digitsAfter: number) => (digitsAfter % 3 === 0 || digitsAfter === 2 ? 0 : -2);
  const K = maxDigits + 1;
  const solve = (target: number | null) => {
    const best = new Float64Array((n + 1) * K).fill(-Infinity);
    const back = new Int32Array((n + 1) * K).fill(-2); // -1 = skip, >= 0 candidate index
    best[0] = 0;
    for (let i = 0; i < n; i++) {
      const sk = skipScore(i);
      for (let k = 0; k < K; k++) {
        const cur = best[i * K + k];
        if (cur === -Infinity) continue;
        if (sk !== null) {
          let s = cur + sk;
          if (type === 'amount' && target !== null && graph.primitives[i].separator && k > 0) s += separatorPenalty(target - k);
          if (s > best[(i + 1) * K + k]) {
            best[(i + 1) * K + k] = s;
            back[(i + 1) * K + k] = -1;
          }
        }
        if (k + 1 >= K) continue;
        for (const e of byStart[i]) {
          let s = cur + e.s;
          if (type === 'amount' && k === 0 && scores[e.c].digit === 0) s += -2; // amounts do not start with 0
          if (s > best[e.end * K + k + 1]) {
            best[e.end * K + k + 1] = s;
            back[e.end * K + k + 1] = e.c;
          }
        }
      }
    }
    return { best, back };
  };
  const trace = (back: Int32Array, k: number): { cands: number[]; skipped: number[] } => {
    const cands: number[] = [];
    const skipped: number[] = [];
    let i = n;
    while (i > 0) {
      const b = back[i * K + k];
      if (b === -1) {
        skipped.push(i - 1);
        i--;
      } else {
        cands.push(b);
        i = graph.candidates[b].first;
        k--;
      }
    }
    return { cands: cands.reverse(), skipped: skipped.reverse() };
  };
  let bestK = -1;
  let bestScore = -Infinity;
  let bestBack: Int32Array | null = null;
  let fits = true;
  const consider = (lengths: number[] | null) => {
    let shared: ReturnType<typeof solve> | null = null;
    for (let t = 0; t < K; t++) {
      if (lengths && !lengths.includes(t)) continue;
      // An amount's separator prior depends on the total: one pass per total.
      const { best, back } = type === 'amount' ? solve(t) : (shared ??= solve(null));
      if (best[n * K + t] > bestScore) {
        bestScore = best[n * K + t];
        bestK = t;
        bestBack = back;
      }
    }
  };
  if (n === 0) return { digits: [], skipped: [], logScore: 0, fits: !allowed || allowed.includes(0), posterior: 1, joined: null };
  consider(allowed ?? null);
  if (bestK < 0 && allowed) {
    fits = false;
    consider(null);
  }
  if (bestK < 0 || !bestBack) return { digits: [], skipped: graph.primitives.map((_, i) => i), logScore: -Infinity, fits: false, posterior: 0, joined: null };
  const { cands, skipped } = trace(bestBack, bestK);
  // The reading is right when every chosen digit is and every skipped group really is not a digit.
  let logP = 0;
  for (const c of cands) logP += Math.log(Math.max(1e-12, scores[c].confidence));
  for (const i of skipped) {
    const ci = single.get(i);
    const p = graph.primitives[i];
    if (p.kind === 'group' && ci !== undefined) logP += Math.log(Math.max(1e-12, scores[ci].reject));
    // Digit-sized ink that no candidate could read (too wide: a blot, a shadow, unsplittable digits).
    else if (p.kind === 'group' && p.box[3] >= 0.5 * graph.digitHeight && p.box[2] >= 0.5 * graph.digitHeight) logP += Math.log(0.01);
  }
  const posterior = Math.exp(logP);
  let joined: PathResult['joined'] = null;
  for (let j = 0; j + 1 < cands.length; j++) {
    const [a, b] = [graph.candidates[cands[j]], graph.candidates[cands[j + 1]]];
    // Only ink as narrow as one digit: two digits side by side are wider, whatever one reading says.
    const both = graph.candidates.findIndex((c) => c.first === a.first && c.last === b.last && c.box[2] <= 0.8 * graph.digitHeight);
    if (both < 0) continue;
    const one = scores[both].confidence;
    const share = one / (one + scores[cands[j]].confidence * scores[cands[j + 1]].confidence);
    if (!joined || share > joined.share) joined = { share, digit: scores[both].digit, at: j };
  }
  return { digits: cands.map((c) => ({ candidate: graph.candidates[c], score: scores[c] })), skipped, logScore: bestScore, fits, posterior, joined };
}
