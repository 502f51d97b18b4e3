/**
 * Isolating the digit in an image that holds one digit (`digitscan classify`, a user's labeled
 * digit folders): real digit images cut from scans carry specks of dirt, the edge of the
 * neighbouring digit, a printed box, and uneven light; cropping to all of the ink would shrink the
 * digit into a corner, and a shadow would cover it in grey.
 *
 * Uneven paper is evened out first (a quadratic surface fitted to the paper's level is taken off).
 * The ink's connected components (8-connected, ink split from paper by Otsu, faint strokes joining) are the digit's
 * strokes when they lie on or next to the biggest component; a speck away from it, a piece of a
 * neighbour cut by the left or right edge, and anything far from it are painted over with the
 * paper's level. An image whose ink is one component comes back unchanged.
 */
import type { Box, GrayImage } from '../types';
import type { CV } from '../preprocess/opencv';
import { components, unionBox as union, type Component } from './components';
import { borderIsLight, otsuThreshold, paperLevel } from './normalize';

/** Options of {@link isolateDigit}. */
export interface IsolateOptions {
  /** As in `normalizeDigit`: `auto` (default) decides from the border. */
  polarity?: 'auto' | 'dark-on-light' | 'light-on-dark';
  /** Ink within this fraction of the digit's height of the digit's box belongs to it (default 0.2). */
  reach?: number;
  /** Ink outside the digit's box with less than this fraction of the biggest component's area is a speck (default 0.05). */
  speck?: number;
}

/** Gap between two boxes: 0 when they touch or overlap, else the larger of the x and y gaps. */
function gap(a: Box, b: Box): number {
  const dx = Math.max(0, Math.max(a[0], b[0]) - Math.min(a[0] + a[2], b[0] + b[2]));
  const dy = Math.max(0, Math.max(a[1], b[1]) - Math.min(a[1] + a[3], b[1] + b[3]));
  return Math.max(dx, dy);
}

/**
 * Which components (by label) are printed lines: most of their ink lies on straight runs
 * at least three quarters of the image's width (rows) or height (columns) long, and they are shaped
 * like a rule (a thin band across the image; an upright one only near the left or right edge, where
 * a 1 is not) or a box (rules along at least three of the image's sides).
 */
function ruledComponents(labels: Int32Array, list: Component[], w: number, h: number): Uint8Array {
  const count = list.length;
  const onLine = new Int32Array(count + 1);
  // Bits per label: a long run in the top, bottom, left or right quarter of the image.
  const sides = new Uint8Array(count + 1);
  const runs = (n: number, len: number, at: (i: number, k: number) => number, low: number, high: number) => {
    for (let i = 0; i < n; i++) {
      let start = 0;
      for (let k = 0; k <= len; k++) {
        const inkHere = k < len && at(i, k) > 0;
        if (inkHere && (k === 0 || at(i, k - 1) === 0)) start = k;
        if (!inkHere && k > 0 && at(i, k - 1) > 0 && k - start >= 0.75 * len) {
          const l = at(i, start);
          for (let q = start; q < k; q++) onLine[at(i, q)]++;
          if (i < 0.25 * n) sides[l] |= low;
          if (i >= 0.75 * n) sides[l] |= high;
        }
      }
    }
  };
  runs(h, w, (y, x) => labels[y * w + x], 1, 2);
  runs(w, h, (x, y) => labels[y * w + x], 4, 8);
  const ruled = new Uint8Array(count + 1);
  for (const { label: l, area, box: [bx, , bw, bh] } of list) {
    if (onLine[l] < 0.6 * area) continue;
    const cx = bx + bw / 2;
    const across = bh <= 0.25 * h && bw >= 0.75 * w;
    const upright = bw <= 0.25 * w && bh >= 0.75 * h && (cx < 0.2 * w || cx > 0.8 * w);
    let n = 0;
    for (let bit = 1; bit <= 8; bit <<= 1) if (sides[l] & bit) n++;
    const box = bw >= 0.9 * w && bh >= 0.9 * h && n >= 3;
    ruled[l] = across || upright || box ? 1 : 0;
  }
  return ruled;
}

/** Solves the n x n system `a x = b` (row-major `a`) by Gaussian elimination with partial pivoting; null if singular. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    if (Math.abs(a[p * n + c]) < 1e-9) return null;
    for (let k = 0; k < n; k++) [a[c * n + k], a[p * n + k]] = [a[p * n + k], a[c * n + k]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let v = b[r];
    for (let k = r + 1; k < n; k++) v -= a[r * n + k] * x[k];
    x[r] = v / a[r * n + r];
  }
  return x;
}

/**
 * Uneven light evened out: the paper's level is fitted by a quadratic surface over the paper's
 * pixels (those below Otsu's threshold) and taken off. Returns the image itself when the fitted
 * paper is even already (it spreads less than 30 grey levels over the image).
 */
function evenPaper(img: GrayImage, invert: boolean): GrayImage {
  const { width: w, height: h, data } = img;
  const inkAt = (i: number) => (invert ? 255 - data[i] : data[i]);
  const hist = new Float64Array(256);
  for (let i = 0; i < w * h; i++) hist[inkAt(i)]++;
  const t = otsuThreshold(hist);
  const terms = (x: number, y: number, out: Float64Array) => {
    const u = (2 * x) / Math.max(1, w - 1) - 1;
    const v = (2 * y) / Math.max(1, h - 1) - 1;
    out[0] = 1; out[1] = u; out[2] = v; out[3] = u * u; out[4] = u * v; out[5] = v * v;
  };
  const a = new Float64Array(36);
  const b = new Float64Array(6);
  const f = new Float64Array(6);
  const step = Math.max(1, Math.floor(Math.sqrt((w * h) / 20000)));
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      const v = inkAt(y * w + x);
      if (v > t) continue;
      terms(x, y, f);
      for (let r = 0; r < 6; r++) {
        b[r] += f[r] * v;
        for (let c = 0; c < 6; c++) a[r * 6 + c] += f[r] * f[c];
      }
    }
  }
  const coef = solve(a, b, 6);
  if (!coef) return img;
  const level = (x: number, y: number) => {
    terms(x, y, f);
    let s = 0;
    for (let k = 0; k < 6; k++) s += coef[k] * f[k];
    return s;
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (const [x, y] of [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1], [(w - 1) / 2, (h - 1) / 2], [(w - 1) / 2, 0], [0, (h - 1) / 2], [w - 1, (h - 1) / 2], [(w - 1) / 2, h - 1]]) {
    const v = level(x, y);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi - lo < 30) return img;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = Math.max(0, Math.min(255, Math.round(inkAt(y * w + x) - level(x, y))));
      out[y * w + x] = invert ? 255 - v : v;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * The image with everything but the digit painted over in the paper's level: the biggest
 * component of ink and the components on or near it. Dropped: printed lines apart from the digit
 * (a box drawn around it, an underline), specks outside the digit's box,
 * pieces cut by the left or right edge lying beside the digit with a gap between (a neighbour's
 * edge; a stroke of a digit that fills the image touches it or nearly), and ink farther
 * than `reach` digit-heights from it (unless it is at least half the biggest component).
 *
 * @example
 * const cv = await loadOpenCV();
 * const crop = normalizeDigit(isolateDigit(cv, await decodeImage('digit.png')));
 */
export function isolateDigit(cv: CV, input: GrayImage, options: IsolateOptions = {}): GrayImage {
  if (input.width <= 0 || input.height <= 0 || input.data.length !== input.width * input.height) {
    throw new Error(`isolateDigit: bad image ${input.width}x${input.height} with ${input.data.length} pixels`);
  }
  const polarity = options.polarity ?? 'auto';
  const invert = polarity === 'dark-on-light' || (polarity === 'auto' && borderIsLight(input));
  const img = evenPaper(input, invert);
  const { width: w, height: h, data } = img;
  const hist = new Float64Array(256);
  for (let i = 0; i < w * h; i++) hist[invert ? 255 - data[i] : data[i]]++;
  const t = otsuThreshold(hist);
  // Components are joined through faint ink too (a light stroke between two dark pieces of one
  // digit), down to 40% of the way from the paper's mean level to Otsu's threshold.
  const paperInk = paperLevel(hist, t);
  const weak = paperInk + 0.4 * (t - paperInk);
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const v = invert ? 255 - data[i] : data[i];
    mask[i] = v > weak ? 1 : 0;
  }
  const { list: blobs, labels } = components(cv, { width: w, height: h, data: mask });
  if (blobs.length <= 1) return img; // (evened out, if the light was uneven)
  // Printed lines apart from the digit (a box around it, an underline) are never the digit.
  const ruled = ruledComponents(labels, blobs, w, h);
  const pool = blobs.filter((b) => !ruled[b.label]);
  if (pool.length === 0) return img;
  // The digit's biggest component: the biggest one that the left and right edges do not cut, unless
  // those are all small (a thin 1 beside a bigger piece of its neighbour is still the digit).
  const biggest = (list: Component[]) => list.reduce((a, b) => (b.area > a.area ? b : a));
  const largest = biggest(pool);
  const inside = pool.filter((b) => b.box[0] > 0 && b.box[0] + b.box[2] < w);
  const main = inside.length && biggest(inside).area >= 0.2 * largest.area ? biggest(inside) : largest;
  const reach = options.reach ?? 0.2;
  const speck = (options.speck ?? 0.05) * main.area;
  const mainAt = (side: 'left' | 'right') => (side === 'left' ? main.box[0] === 0 : main.box[0] + main.box[2] === w);
  // A piece cut by the left or right edge, beside the digit rather than above or below it.
  const neighbourEdge = (b: Component, digit: Box): boolean => {
    // Beside: most of its rows are the digit's rows (the top bar of a 5 lies above its body).
    const rows = Math.min(b.box[1] + b.box[3], digit[1] + digit[3]) - Math.max(b.box[1], digit[1]);
    if (rows < 0.5 * b.box[3]) return false;
    const cx = b.box[0] + b.box[2] / 2;
    if (b.box[0] === 0 && !mainAt('left')) return cx < digit[0];
    if (b.box[0] + b.box[2] === w && !mainAt('right')) return cx > digit[0] + digit[2];
    return false;
  };
  const keep = new Uint8Array(blobs.length + 1);
  keep[main.label] = 1;
  let digit: Box = main.box;
  // Grow the digit from the biggest component, nearest first, until nothing more belongs.
  for (let changed = true; changed; ) {
    changed = false;
    const H = Math.max(digit[2], digit[3]);
    const order = blobs.map((b) => ({ b, l: b.label, g: gap(b.box, digit) })).filter((c) => !keep[c.l]).sort((a, b) => a.g - b.g);
    for (const { b, l, g } of order) {
      if (ruled[l]) continue;
      if (g > 0 && b.area < speck) continue;
      if (g >= Math.max(2, 0.1 * H) && neighbourEdge(b, digit)) continue;
      if (g > reach * H && b.area < 0.5 * largest.area) continue;
      keep[l] = 1;
      digit = union(digit, b.box);
      changed = true;
      break;
    }
  }
  if (keep.every((k, l) => l === 0 || k)) return img;
  // Paint the dropped ink, and a pixel around it (its anti-aliased edge), with the paper's level.
  const paper = invert ? 255 - Math.round(paperInk) : Math.round(paperInk);
  const out = new Uint8Array(data);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = labels[y * w + x];
      if (!l || keep[l]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
          const k = labels[yy * w + xx];
          if (!k || !keep[k]) out[yy * w + xx] = paper;
        }
      }
    }
  }
  return { width: w, height: h, data: out };
}
