/**
 * Filters on small 8-bit grids (a page's paper and shade maps, one value per cell of 8 x 8 pixels),
 * computed to the byte as OpenCV computes them, in plain JavaScript: a page's preprocessing needs no
 * OpenCV.js, whose loading (~0.3 s of each scan worker's start) is then left until a step that
 * still uses it (CLAHE, adaptive threshold, a reduction by other than 2) runs.
 *
 * Tested against OpenCV.js itself on random grids (test/grid.test.ts).
 */

/** An 8-bit single-channel grid, row after row. */
export interface Grid {
  width: number;
  height: number;
  data: Uint8Array;
}

/** `v` rounded to the nearest integer, halves to even (OpenCV's `cvRound`). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The maximum of a window of `k` values centred on each value of one line (anchor `k >> 1`), the
 * ends extended: `n` values read from `src` at `at + i * step` and written to `dst` the same way.
 * Van Herk / Gil-Werman: three comparisons a value whatever `k` is.
 */
class LineMax {
  private readonly pad: Uint8Array;
  private readonly pre: Uint8Array;
  private readonly suf: Uint8Array;

  constructor(
    private readonly n: number,
    private readonly k: number,
  ) {
    const len = n + k - 1;
    this.pad = new Uint8Array(len);
    this.pre = new Uint8Array(len);
    this.suf = new Uint8Array(len);
  }

  run(src: Uint8Array, dst: Uint8Array, at: number, step: number): void {
    const { n, k, pad, pre, suf } = this;
    const r = k >> 1;
    const len = n + k - 1;
    for (let i = 0; i < len; i++) {
      const x = i < r ? 0 : i - r >= n ? n - 1 : i - r;
      pad[i] = src[at + x * step];
    }
    for (let i = 0; i < len; i++) pre[i] = i % k === 0 || pad[i] > pre[i - 1] ? pad[i] : pre[i - 1];
    for (let i = len - 1; i >= 0; i--) suf[i] = i === len - 1 || (i + 1) % k === 0 || pad[i] > suf[i + 1] ? pad[i] : suf[i + 1];
    for (let x = 0; x < n; x++) {
      const a = suf[x];
      const b = pre[x + k - 1];
      dst[at + x * step] = a > b ? a : b;
    }
  }
}

/**
 * Grey dilation by a `k` x `k` square, borders replicated: the same bytes as OpenCV's
 * `dilate(src, dst, getStructuringElement(MORPH_RECT, Size(k, k)), Point(-1, -1), 1, BORDER_REPLICATE)`.
 *
 * @example
 * const lit = maxFilter(paperCells, 7); // ink (darker than the paper around) gone
 */
export function maxFilter(grid: Grid, k: number): Grid {
  const { width: w, height: h, data } = grid;
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  if (w > 0 && h > 0) {
    const rows = new LineMax(w, k);
    for (let y = 0; y < h; y++) rows.run(data, tmp, y * w, 1);
    const cols = new LineMax(h, k);
    for (let x = 0; x < w; x++) cols.run(tmp, out, x, w);
  }
  return { width: w, height: h, data: out };
}

/** Sums of a window of `k` values along one line (anchor `k >> 1`), the ends extended. */
function lineSums(src: ArrayLike<number>, dst: Int32Array, n: number, k: number, at: number, step: number): void {
  const r = k >> 1;
  let s = 0;
  for (let x = -r; x < k - r; x++) s += src[at + clamp(x, n) * step];
  for (let x = 0; x < n; x++) {
    dst[at + x * step] = s;
    s += src[at + clamp(x + k - r, n) * step] - src[at + clamp(x - r, n) * step];
  }
}

/** `x` clamped to [0, n). */
function clamp(x: number, n: number): number {
  return x < 0 ? 0 : x >= n ? n - 1 : x;
}

/**
 * The mean of a `k` x `k` window about each value, borders replicated, rounded half to even: the
 * same bytes as OpenCV's `blur(src, dst, Size(k, k), Point(-1, -1), BORDER_REPLICATE)`.
 *
 * @example
 * const smooth = boxMean(maxFilter(paperCells, 7), 7);
 */
export function boxMean(grid: Grid, k: number): Grid {
  const { width: w, height: h, data } = grid;
  const rows = new Int32Array(w * h);
  const sums = new Int32Array(w * h);
  for (let y = 0; y < h; y++) lineSums(data, rows, w, k, y * w, 1);
  for (let x = 0; x < w; x++) lineSums(rows, sums, h, k, x, w);
  const out = new Uint8Array(w * h);
  const area = k * k;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, roundEven(sums[i] / area));
  return { width: w, height: h, data: out };
}

/**
 * A grid rotated about its centre by `-angle` degrees (undoing a skew of `angle`, as the page is
 * rotated): bilinear with the edges extended, or nearest with `outside` for what comes from beyond
 * the grid. The same bytes as OpenCV's `warpAffine` of the grid with
 * `getRotationMatrix2D(Point(w / 2, h / 2), -angle, 1)` and `INTER_LINEAR` + `BORDER_REPLICATE`, or
 * `INTER_NEAREST` + `BORDER_CONSTANT`: its fixed point (source positions in 1/1024 of a cell, rounded
 * to 1/32 for the weights, weights in 1/32768).
 *
 * @example
 * const paperOfDeskewed = rotateGrid(paper, 1.5, 'linear');
 * const shadeOfDeskewed = rotateGrid(shade, 1.5, 'nearest', 3);
 */
export function rotateGrid<T extends Grid>(grid: T, angle: number, mode: 'linear' | 'nearest', outside = 0): T {
  const { width: w, height: h, data: src } = grid;
  const nearest = mode === 'nearest';
  const m = new RotationSteps(w, h, angle, nearest ? 512 : 16);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    if (nearest) nearestRow(src, w, h, m.x0(y), m.y0(y), m, out, y * w, outside);
    else linearRow(src, w, h, m.x0(y), m.y0(y), m, out, y * w);
  }
  return { ...grid, data: out };
}

/**
 * The source of each output cell, as OpenCV's `warpAffine` steps to it in 1/1024 of a cell:
 * `x0(y) + ax[x]` and `y0(y) + ay[x]`, `half` added for rounding (512 to the nearest cell, 16 to the
 * nearest 1/32).
 */
class RotationSteps {
  readonly ax: Int32Array;
  readonly ay: Int32Array;
  private readonly m: number[];

  constructor(
    w: number,
    h: number,
    angle: number,
    private readonly half: number,
  ) {
    // getRotationMatrix2D about (w/2, h/2) by -angle, then inverted (output to source).
    const a = (-angle * Math.PI) / 180;
    const al = Math.cos(a);
    const be = Math.sin(a);
    const F = [al, be, (1 - al) * (w / 2) - be * (h / 2), -be, al, be * (w / 2) + (1 - al) * (h / 2)];
    let D = F[0] * F[4] - F[1] * F[3];
    D = D !== 0 ? 1 / D : 0;
    const m0 = F[4] * D;
    const m1 = -F[1] * D;
    const m3 = -F[3] * D;
    const m4 = F[0] * D;
    this.m = [m0, m1, -m0 * F[2] - m1 * F[5], m3, m4, -m3 * F[2] - m4 * F[5]];
    this.ax = new Int32Array(w);
    this.ay = new Int32Array(w);
    for (let x = 0; x < w; x++) {
      this.ax[x] = roundEven(m0 * x * 1024);
      this.ay[x] = roundEven(m3 * x * 1024);
    }
  }

  x0(y: number): number {
    return roundEven((this.m[1] * y + this.m[2]) * 1024) + this.half;
  }

  y0(y: number): number {
    return roundEven((this.m[4] * y + this.m[5]) * 1024) + this.half;
  }
}

/** A row of output cells from the nearest source cell; `outside` for cells from beyond the grid. */
function nearestRow(src: Uint8Array, w: number, h: number, X0: number, Y0: number, m: RotationSteps, out: Uint8Array, o: number, outside: number): void {
  const { ax, ay } = m;
  for (let x = 0; x < w; x++) {
    const sx = (X0 + ax[x]) >> 10;
    const sy = (Y0 + ay[x]) >> 10;
    out[o + x] = sx >= 0 && sx < w && sy >= 0 && sy < h ? src[sy * w + sx] : outside;
  }
}

/** A row of output cells, bilinear with the edges extended: weights in 1/32 each way, the sum in 1/32768, rounded. */
function linearRow(src: Uint8Array, w: number, h: number, X0: number, Y0: number, m: RotationSteps, out: Uint8Array, o: number): void {
  const { ax, ay } = m;
  for (let x = 0; x < w; x++) {
    const X = (X0 + ax[x]) >> 5;
    const Y = (Y0 + ay[x]) >> 5;
    const sx = X >> 5;
    const sy = Y >> 5;
    const fx = X & 31;
    const fy = Y & 31;
    const x0 = clamp(sx, w);
    const x1 = clamp(sx + 1, w);
    const y0 = clamp(sy, h) * w;
    const y1 = clamp(sy + 1, h) * w;
    const v = 32 * ((src[y0 + x0] * (32 - fx) + src[y0 + x1] * fx) * (32 - fy) + (src[y1 + x0] * (32 - fx) + src[y1 + x1] * fx) * fy);
    out[o + x] = Math.min(255, (v + 16384) >> 15);
  }
}
