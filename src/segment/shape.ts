/** Shape measures of a normalized digit crop (28 x 28, ink bright), from its ink's second moments. */

/** How a crop's ink lies: see {@link strokeShape}. */
export interface StrokeShape {
  /**
   * Angle of the ink's long axis from upright, in degrees: positive when its top leans right (a `/`),
   * negative when it leans left.
   */
  lean: number;
  /** Length of the ink's long axis over its short one: about 10 or more for one straight stroke, 1-3 for most digits. */
  elongation: number;
}

/**
 * The lean and elongation of a normalized crop's ink. MNIST test's 1s: lean 11 degrees at the median
 * (a tenth of them over 31), elongation 6.1 at the median; its other digits' elongation is under 3.1
 * for 99 in 100. A straight stroke drawn 15-35 degrees from upright: elongation 10-17.
 *
 * @example
 * const { lean, elongation } = strokeShape(normalizeDigit(img).pixels);
 */
export function strokeShape(pixels: ArrayLike<number>, side = 28): StrokeShape {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = pixels[y * side + x];
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (m <= 0) return { lean: 0, elongation: 1 };
  const cx = sx / m;
  const cy = sy / m;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = pixels[y * side + x];
      xx += v * (x - cx) ** 2;
      yy += v * (y - cy) ** 2;
      xy += v * (x - cx) * (y - cy);
    }
  }
  const { major, minor, lean } = principalAxes(xx / m, yy / m, xy / m);
  return { lean, elongation: Math.sqrt(major / Math.max(minor, 1e-6)) };
}

/**
 * The principal axes of a spread of ink, from its covariance (`cxx`, `cyy`, `cxy`, in image pixels,
 * rows running down): the variance along its long axis and across it, and the long axis's angle from
 * upright in degrees, positive when its top leans right. Shared by {@link strokeShape} and
 * `inkElongation` (segment/components).
 */
export function principalAxes(cxx: number, cyy: number, cxy: number): { major: number; minor: number; lean: number } {
  const half = (cxx + cyy) / 2;
  const root = Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy * cxy);
  // Image rows run down: a stroke whose top leans right has x falling as y grows.
  return { major: half + root, minor: Math.max(0, half - root), lean: (0.5 * Math.atan2(-2 * cxy, cyy - cxx) * 180) / Math.PI };
}

/**
 * Whether one stroke of ink is a handwritten parenthesis, `(` or `)`: a thin curved stroke, every row
 * of it one run of ink (nine in ten), no row over 2.5 times the stroke's median width (no bar, no
 * loop), no wider than half its height, whose middle lies off the line between its ends by 0.06 of its
 * height or more, its quarter points off that line the same way by half as much or more, and alike (a
 * bow, not a 1 with a flag, whose bend is at its top): `(` when it bows left, `)` when it bows right;
 * else null. `mask` is `w` x `h`, one byte a pixel, non-zero for ink.
 *
 * @example
 * parenthesis(groupMask, 14, 60); // '('
 */
export function parenthesis(mask: ArrayLike<number>, w: number, h: number): '(' | ')' | null {
  if (h < 8 || w > 0.5 * h) return null;
  const centre = new Float64Array(h).fill(NaN);
  const widths: number[] = [];
  let single = 0;
  let inked = 0;
  for (let y = 0; y < h; y++) {
    let runs = 0;
    let sum = 0;
    let n = 0;
    let run = 0;
    let widest = 0;
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) {
        // A gap of one pixel does not start another run.
        if (run === 0 && !(x >= 2 && mask[y * w + x - 2])) runs++;
        run++;
        sum += x;
        n++;
      } else {
        widest = Math.max(widest, run);
        run = 0;
      }
    }
    widest = Math.max(widest, run);
    if (n === 0) continue;
    inked++;
    if (runs === 1) single++;
    centre[y] = sum / n;
    widths.push(widest);
  }
  if (inked < 0.9 * h || single < 0.9 * inked) return null;
  const pen = [...widths].sort((a, b) => a - b)[Math.floor(widths.length / 2)];
  if (widths.slice(Math.floor(0.1 * widths.length), Math.ceil(0.9 * widths.length)).some((v) => v > 2.5 * pen)) return null;
  // Mean centre of the rows around fraction t of the height.
  const at = (t: number) => {
    const r = Math.max(1, Math.round(0.03 * h));
    const c = Math.round(t * (h - 1));
    let s = 0;
    let k = 0;
    for (let y = Math.max(0, c - r); y <= Math.min(h - 1, c + r); y++) if (!Number.isNaN(centre[y])) [s, k] = [s + centre[y], k + 1];
    return k ? s / k : NaN;
  };
  const [top, bottom] = [at(0.05), at(0.95)];
  // How far left of the line between the ends the stroke lies at fraction t (0.05-0.95) of its height.
  const off = (t: number) => top + ((t - 0.05) / 0.9) * (bottom - top) - at(t);
  const [q1, mid, q3] = [off(0.25), off(0.5), off(0.75)];
  if (![top, bottom, q1, mid, q3].every(Number.isFinite) || Math.abs(mid) < 0.06 * h) return null;
  const s = Math.sign(mid);
  const [a, b] = [s * q1, s * q3];
  if (Math.min(a, b) < 0.45 * Math.abs(mid) || Math.min(a, b) < 0.5 * Math.max(a, b)) return null;
  return s > 0 ? '(' : ')';
}

/**
 * Which of a field's marks are parentheses around digits: left to right (`boxes`, each with its
 * {@link parenthesis} shape or null), a `(` and the next `)` after it with at least one digit between
 * them (a box not a parenthesis, `digit(i)`), as a phone number's area code is written. A `(` or `)`
 * alone, or a pair with nothing between (a 0 broken into its two sides), is not. Returns their indices.
 *
 * @example
 * bracketPairs(boxes, shapes, (i) => boxes[i][3] > 0.6 * H); // Set { 0, 4 }
 */
export function bracketPairs(boxes: ReadonlyArray<readonly number[]>, shapes: ReadonlyArray<'(' | ')' | null>, digit: (i: number) => boolean): Set<number> {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[a][0] - boxes[b][0]);
  const pairs = new Set<number>();
  let open = -1;
  let between = 0;
  for (const i of order) {
    if (shapes[i] === '(') [open, between] = [i, 0];
    else if (shapes[i] === ')') {
      if (open >= 0 && between > 0) pairs.add(open).add(i);
      open = -1;
    } else if (digit(i)) between++;
  }
  return pairs;
}

/**
 * The parenthesis on one side of a group of ink, when one was written touching a digit ("5)" run
 * together): on the `side` it closes or opens (`)` the right, `(` the left), each row's outermost run
 * of ink, cut to one pen width (the runs' median) where it is over two (where the digit touches it).
 * The rest of the ink is the digit: its largest piece (crumbs cut off go back to the stroke). The
 * stroke counts when it is the `side` {@link parenthesis} 0.8 of the digits' height `H` or taller, and
 * reaches past the digit by a tenth of its height above and below together, as parentheses are written
 * taller than digits (a 0's side, also a bow, ends where the 0 does). The digit must be half of `H`
 * tall and a quarter wide, and 0.7 of the stroke's height (a 9's loop is not a digit run into its
 * stem, bowed as a `)` is); it may touch the stroke anywhere but in both its top and its bottom fifth
 * (the two sides of a 0 peaked at its top run on into each other at both ends). `mask` is `w` x `h`,
 * non-zero for ink. Returns the stroke as a mask over the same box, or null.
 *
 * @example
 * peelParenthesis(groupMask, 74, 91, 69, ')'); // the ")" of "5)" (1 on its pixels)
 */
export function peelParenthesis(mask: ArrayLike<number>, w: number, h: number, H: number, side: '(' | ')'): Uint8Array | null {
  if (h < 0.8 * H || w < 0.5 * H) return null;
  // Columns counted from the side the stroke is on.
  const col = side === ')' ? (x: number) => w - 1 - x : (x: number) => x;
  const ink = (y: number, x: number) => mask[y * w + col(x)] !== 0;
  const runs = new Int32Array(h).fill(-1);
  const starts = new Int32Array(h).fill(-1);
  for (let y = 0; y < h; y++) {
    let x = 0;
    while (x < w && !ink(y, x)) x++;
    if (x === w) continue;
    starts[y] = x;
    let e = x;
    while (e + 1 < w && ink(y, e + 1)) e++;
    runs[y] = e - x + 1;
  }
  const inked = [...runs].filter((r) => r > 0).sort((a, b) => a - b);
  if (inked.length < 0.8 * H) return null;
  const pen = inked[inked.length >> 1];
  const stroke = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    if (runs[y] < 0) continue;
    const n = runs[y] > 2 * pen ? pen : runs[y];
    for (let k = 0; k < n; k++) stroke[y * w + col(starts[y] + k)] = 1;
  }
  // The rest is the digit: its largest piece. Crumbs cut off the stroke's slanted ends go back to it.
  const rest = largestPiece(mask, stroke, w, h);
  let [sTop, sBottom, sLeft, sRight] = [h, -1, w, -1];
  let [rTop, rBottom, rLeft, rRight] = [h, -1, w, -1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      if (rest[i]) [rTop, rBottom, rLeft, rRight] = [Math.min(rTop, y), Math.max(rBottom, y), Math.min(rLeft, x), Math.max(rRight, x)];
      else {
        stroke[i] = 1;
        [sTop, sBottom, sLeft, sRight] = [Math.min(sTop, y), Math.max(sBottom, y), Math.min(sLeft, x), Math.max(sRight, x)];
      }
    }
  }
  const sh = sBottom - sTop + 1;
  if (sh < 0.8 * H || rBottom < 0 || rBottom - rTop + 1 < Math.max(0.5 * H, 0.7 * sh) || rRight - rLeft + 1 < 0.25 * H) return null;
  if (rTop - sTop + (sBottom - rBottom) < 0.1 * sh) return null;
  // One end at least is free: the digit touches it in its top fifth or its bottom fifth, not both (a
  // 0's right side runs on into its left at both ends).
  const touches = (y0: number, y1: number) => {
    for (let y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) {
      for (let x = 0; x < w; x++) {
        if (!stroke[y * w + x]) continue;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const [nx, ny] = [x + dx, y + dy];
            if (nx >= 0 && nx < w && ny >= 0 && ny < h && rest[ny * w + nx]) return true;
          }
        }
      }
    }
    return false;
  };
  if (touches(sTop, Math.floor(sTop + 0.2 * sh)) && touches(Math.ceil(sBottom - 0.2 * sh), sBottom)) return null;
  const sw = sRight - sLeft + 1;
  const crop = new Uint8Array(sw * sh);
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) crop[y * sw + x] = stroke[(sTop + y) * w + sLeft + x];
  return parenthesis(crop, sw, sh) === side ? stroke : null;
}

/**
 * A parenthesis written touching a digit, whose partner stands alone: of a field's groups of ink
 * (`boxes`, with their {@link parenthesis} shapes; digits `H` tall), a `(` that no `)` closes in
 * {@link bracketPairs}, and the first group after it, before any other parenthesis and within six
 * digits' height, whose right side peels off as a `)` ({@link peelParenthesis}); or, mirrored, for a
 * `)` that no `(` opens, the first group before it whose left side peels off as a `(`. `maskOf(i)` is
 * group `i`'s ink over its box. Returns that group's index and the stroke's mask, or null (also when
 * both parentheses touch digits).
 *
 * @example
 * const peel = touchingBracket(boxes, shapes, H, (i) => groupMask(labels, width, boxes[i], groups[i].labels));
 * // "(555)123" with the ")" run into the last 5: { index: 3, stroke }
 */
export function touchingBracket(boxes: ReadonlyArray<readonly number[]>, shapes: ReadonlyArray<'(' | ')' | null>, H: number, maskOf: (i: number) => Uint8Array): { index: number; stroke: Uint8Array } | null {
  const paired = bracketPairs(boxes, shapes, (i) => boxes[i][3] >= 0.6 * H);
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[a][0] - boxes[b][0]);
  for (let k = 0; k < order.length; k++) {
    const lone = order[k];
    const side = shapes[lone];
    if (!side || paired.has(lone)) continue;
    const step = side === '(' ? 1 : -1;
    const want = side === '(' ? ')' : '(';
    const [lx, , lw] = boxes[lone];
    for (let j = k + step; j >= 0 && j < order.length; j += step) {
      const i = order[j];
      const b = boxes[i];
      if (shapes[i] || (side === '(' ? b[0] - (lx + lw) : lx - (b[0] + b[2])) > 6 * H) break;
      const stroke = peelParenthesis(maskOf(i), b[2], b[3], H, want);
      if (stroke) return { index: i, stroke };
    }
  }
  return null;
}

/** The largest 8-connected piece of the ink of `mask` (`w` x `h`) outside `without`, as a mask. */
function largestPiece(mask: ArrayLike<number>, without: Uint8Array, w: number, h: number): Uint8Array {
  const seen = new Int32Array(w * h);
  let [best, bestSize, id] = [0, 0, 0];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || without[start] || seen[start]) continue;
    seen[start] = ++id;
    stack.push(start);
    let size = 0;
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const [x, y] = [i % w, Math.floor(i / w)];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const [nx, ny] = [x + dx, y + dy];
          const j = ny * w + nx;
          if (nx >= 0 && nx < w && ny >= 0 && ny < h && mask[j] && !without[j] && !seen[j]) {
            seen[j] = id;
            stack.push(j);
          }
        }
      }
    }
    if (size > bestSize) [best, bestSize] = [id, size];
  }
  const piece = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) if (best && seen[i] === best) piece[i] = 1;
  return piece;
}
