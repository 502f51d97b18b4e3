/**
 * Page preprocessing, each step a small function on typed images (inside: TypeScript, the native
 * kernels, and OpenCV.js for CLAHE, the adaptive threshold and area reduction; outside: plain
 * values): equalize -> threshold -> deskew -> remove specks -> remove form lines.
 *
 * Inner loops live in top-level functions and class methods, not in closures made per call: V8
 * drops a closure's optimized code at a full garbage collection once no instance of it is alive,
 * and a scan runs about one a page, so per-call closures were recompiled on every page.
 */
import { boxMean, maxFilter, rotateGrid } from './grid';
import { nativeImage, type NativeImage } from './native';
import type { BinaryImage, Box, GrayImage } from '../types';
import { fromMat, labelComponents, toMat, type CV, type Component } from './opencv';

/** Contrast-limited adaptive histogram equalization (CLAHE): evens out faint and uneven scans. */
export function equalize(cv: CV, img: GrayImage, clipLimit = 2, tiles = 8): GrayImage {
  const src = toMat(cv, img);
  const dst = new cv.Mat();
  const clahe = new cv.CLAHE(clipLimit, new cv.Size(tiles, tiles));
  try {
    clahe.apply(src, dst);
    return fromMat(dst);
  } finally {
    src.delete();
    dst.delete();
    clahe.delete();
  }
}

/**
 * Resizes a gray image to `width` x `height`: smaller by area averaging (OpenCV `INTER_AREA`), larger
 * by bicubic interpolation (`INTER_CUBIC`). How a page is brought to the working size (see
 * `ScanOptions.workSize`).
 *
 * @example
 * const half = resize(cv, page, page.width >> 1, page.height >> 1);
 */
export function resize(cv: CV, img: GrayImage, width: number, height: number): GrayImage {
  const src = toMat(cv, img);
  const dst = new cv.Mat();
  try {
    cv.resize(src, dst, new cv.Size(width, height), 0, 0, width > img.width ? cv.INTER_CUBIC : cv.INTER_AREA);
    return fromMat(dst);
  } finally {
    src.delete();
    dst.delete();
  }
}

/**
 * The brightness of the paper over a page, at 1/`cell` size: cell means with the ink removed by a
 * grey dilation (a max filter `kernel` cells wide: wider than pen strokes and printed text), then
 * smoothed.
 */
export interface Paper {
  /** Page pixels per paper pixel, each way. */
  cell: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Estimates the {@link Paper} of a page (see there). */
export function paperOf(cv: CV, img: GrayImage, cell = 8, kernel = 7): Paper {
  void cv;
  const sw = Math.ceil(img.width / cell);
  const sh = Math.ceil(img.height / cell);
  const means = { width: sw, height: sh, data: cellMeans(img, cell, sw, sh) };
  return { cell, ...boxMean(maxFilter(means, kernel), kernel) };
}

/**
 * Where a page is shaded (a field printed as a light grey or tinted area, with no border), on a grid
 * of `cell` x `cell` cells: 1 = shaded, 2 = covered by ink (unknown), 0 = paper or ink on paper,
 * 3 = off the scanned page (turned in from outside it by deskewing).
 */
export interface ShadeMap {
  /** Page pixels per cell, each way. */
  cell: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Finds the shaded cells of a page: a cell's background (the mean of its pixels that are not ink
 * in `ink`, every other row) is shaded when under `darker` (default 0.94) of the paper around it,
 * and over half of it (lighter than ink). The paper around is the lightest background within
 * `kernel` / 2 cells (default 20 cells: 160 px on a 300-dpi page; a field's shade must be narrower
 * than `kernel` cells one way, and uneven light, which varies slowly, must change less than the
 * shade over that). A cell that is nearly all ink is unknown.
 */
export function shadeOf(cv: CV, img: GrayImage, ink: BinaryImage, cell = 8, kernel = 41, darker = 0.94): ShadeMap {
  void cv;
  const { width: w, height: h, data } = img;
  const sw = Math.ceil(w / cell);
  const sh = Math.ceil(h / cell);
  const sums = new Float64Array(sw * sh);
  const counts = new Int32Array(sw * sh);
  const inkData = ink.data;
  const native = nativeImage();
  if (native && w > 0 && h > 0) native.cellSums(data, w, h, cell, inkData, 2, sums, counts);
  else paperSums(img, inkData, cell, sw, sums, counts);
  const bg = cellBackground(sums, counts, Math.max(1, Math.round((cell * cell) / 8)));
  const ref = maxFilter({ width: sw, height: sh, data: bg }, kernel).data;
  return { cell, width: sw, height: sh, data: shadedCells(bg, ref, darker) };
}

/** The TypeScript loop of {@link shadeOf}: per cell, the sum and count of its pixels not ink in `inkData`, every other row. */
function paperSums(img: GrayImage, inkData: Uint8Array, cell: number, sw: number, sums: Float64Array, counts: Int32Array): void {
  const { width: w, height: h, data } = img;
  for (let y = 0; y < h; y += 2) {
    const srow = Math.floor(y / cell) * sw;
    for (let cx = 0; cx < sw; cx++) {
      const end = Math.min(w, (cx + 1) * cell) + y * w;
      let s = 0;
      let n = 0;
      for (let i = cx * cell + y * w; i < end; i++) {
        if (inkData[i]) continue;
        s += data[i];
        n++;
      }
      sums[srow + cx] += s;
      counts[srow + cx] += n;
    }
  }
}

/** Each cell's mean background, or 0 (unknown) for a cell with under `few` pixels of it. */
function cellBackground(sums: Float64Array, counts: Int32Array, few: number): Uint8Array {
  const bg = new Uint8Array(sums.length);
  for (let c = 0; c < bg.length; c++) bg[c] = counts[c] >= few ? Math.round(sums[c] / counts[c]) : 0;
  return bg;
}

/** The {@link ShadeMap} values of cells of background `bg` under paper `ref` (see {@link shadeOf}). */
function shadedCells(bg: Uint8Array, ref: Uint8Array, darker: number): Uint8Array {
  const out = new Uint8Array(bg.length);
  for (let c = 0; c < out.length; c++) {
    if (bg[c] === 0) out[c] = 2;
    else if (bg[c] < darker * ref[c] && bg[c] > 0.5 * ref[c]) out[c] = 1;
  }
  return out;
}

/** A shade map rotated like {@link rotate} rotates its page (nearest cell; from outside the page: 3). */
export function rotateShade(cv: CV, shade: ShadeMap, angle: number): ShadeMap {
  void cv;
  return angle === 0 ? shade : rotateGrid(shade, angle, 'nearest', 3);
}

/** The mean of each `cell` x `cell` cell of an image (`sw` x `sh` cells), rounded, in one pass in memory order. */
function cellMeans(img: GrayImage, cell: number, sw: number, sh: number): Uint8Array {
  const { width: w, height: h, data } = img;
  const sums = new Float64Array(sw * sh);
  const native = nativeImage();
  if (native && w > 0 && h > 0 && sw === Math.ceil(w / cell) && sh === Math.ceil(h / cell)) native.cellSums(data, w, h, cell, null, 1, sums, null);
  else cellSums(img, cell, sw, sums);
  const m = new Uint8Array(sw * sh);
  for (let cy = 0; cy < sh; cy++) {
    const ch = Math.min(cell, h - cy * cell);
    for (let cx = 0; cx < sw; cx++) m[cy * sw + cx] = Math.round(sums[cy * sw + cx] / (ch * Math.min(cell, w - cx * cell)));
  }
  return m;
}

/** The TypeScript loop of {@link cellMeans}: each cell's sum, in one pass in memory order. */
function cellSums(img: GrayImage, cell: number, sw: number, sums: Float64Array): void {
  const { width: w, height: h, data } = img;
  for (let y = 0; y < h; y++) {
    const srow = Math.floor(y / cell) * sw;
    let i = y * w;
    for (let cx = 0; cx < sw; cx++) {
      const end = Math.min(w, (cx + 1) * cell) + y * w;
      let s = 0;
      for (; i < end; i++) s += data[i];
      sums[srow + cx] += s;
    }
  }
}

/** The paper of a page rotated like {@link rotate} rotates the page (its edges extended). */
export function rotatePaper(cv: CV, paper: Paper, angle: number): Paper {
  void cv;
  return angle === 0 ? paper : rotateGrid(paper, angle, 'linear');
}

/**
 * Binarizes a page against its paper: a pixel is ink when darker than `level` x the paper under
 * it. Without `level`, it is Otsu's threshold of the page divided by its paper (measured on every
 * fourth row), so that one threshold fits the whole page even under uneven light; plain Otsu there
 * splits the paper itself and a whole side of the page becomes ink. Returns the level used.
 */
export function thresholdOnPaper(img: GrayImage, paper: Paper, level?: number): { binary: BinaryImage; level: number };
/**
 * The same, and in the same pass a second binarization at a fainter level, `faint(level)` (as a
 * fraction of the paper, between `level` and 1).
 */
export function thresholdOnPaper(img: GrayImage, paper: Paper, level: number | undefined, faint: (level: number) => number): { binary: BinaryImage; level: number; faint: BinaryImage; faintLevel: number };
export function thresholdOnPaper(
  img: GrayImage,
  paper: Paper,
  level?: number,
  faint?: (level: number) => number,
): { binary: BinaryImage; level: number; faint?: BinaryImage; faintLevel?: number } {
  const { width: w, height: h } = img;
  const paperRow = new PaperRows(paper, w);
  const native = nativeImage();
  // The native kernels take a row of thresholds for every cell across the page.
  const whole = native !== null && w > 0 && h > 0 && paperRow.cells === Math.ceil(w / paper.cell) ? native : null;
  const inkLevel = level ?? paperLevel(img, paper.cell, paperRow, whole);
  const inkBelow = new PaperThresholds(paperRow, inkLevel);
  const faintLevel = faint ? faint(inkLevel) : undefined;
  const faintBelow = faintLevel === undefined ? null : new PaperThresholds(new PaperRows(paper, w), faintLevel);
  const out = new Uint8Array(w * h);
  const out2 = faintBelow ? new Uint8Array(w * h) : null;
  if (whole) {
    whole.thresholdCells(img.data, w, h, paper.cell, inkBelow.all(h), out);
    if (faintBelow && out2) whole.thresholdCells(img.data, w, h, paper.cell, faintBelow.all(h), out2);
  } else thresholdRows(img, paper.cell, inkBelow, faintBelow, out, out2);
  const binary = { width: w, height: h, data: out };
  if (faintLevel === undefined || !out2) return { binary, level: inkLevel };
  return { binary, level: inkLevel, faint: { width: w, height: h, data: out2 }, faintLevel };
}

/**
 * Otsu's threshold of a page divided by its paper (every fourth row), as a fraction of the paper
 * (see {@link thresholdOnPaper}); the histogram natively when `native` is given.
 */
function paperLevel(img: GrayImage, cell: number, paperRow: PaperRows, native: NativeImage | null): number {
  const { width: w, height: h, data } = img;
  const hist = new Int32Array(256);
  if (native) {
    const gains = new Int32Array(Math.ceil(h / 4) * paperRow.cells);
    for (let y = 0; y < h; y += 4) {
      const row = paperRow.at(y);
      for (let cx = 0; cx < row.length; cx++) gains[(y / 4) * row.length + cx] = Math.round((255 * 65536) / row[cx]);
    }
    native.paperHistogram(data, w, h, cell, gains, 4, hist);
  } else {
    for (let y = 0; y < h; y += 4) {
      const row = paperRow.at(y);
      for (let cx = 0; cx < row.length; cx++) {
        const g = Math.round((255 * 65536) / row[cx]);
        const end = Math.min(w, (cx + 1) * cell) + y * w;
        for (let i = cx * cell + y * w; i < end; i++) {
          const v = (data[i] * g) >> 16;
          hist[v > 255 ? 255 : v]++;
        }
      }
    }
  }
  return (otsuThreshold(hist) + 0.5) / 255;
}

/** The TypeScript loops of {@link thresholdOnPaper}: ink below `inkBelow` to `out`, and below `faintBelow` to `out2`. */
function thresholdRows(img: GrayImage, cell: number, inkBelow: PaperThresholds, faintBelow: PaperThresholds | null, out: Uint8Array, out2: Uint8Array | null): void {
  const { width: w, height: h, data } = img;
  for (let y = 0; y < h; y++) {
    const t = inkBelow.at(y);
    const t2 = faintBelow ? faintBelow.at(y) : null;
    for (let cx = 0; cx < t.length; cx++) {
      const end = Math.min(w, (cx + 1) * cell) + y * w;
      const a = t[cx];
      // v < a as the sign bit of v - a (branch-free).
      for (let i = cx * cell + y * w; i < end; i++) out[i] = (data[i] - a) >>> 31;
      if (!t2 || !out2) continue;
      const b = t2[cx];
      for (let i = cx * cell + y * w; i < end; i++) out2[i] = (data[i] - b) >>> 31;
    }
  }
}

/**
 * The grey levels below which a pixel is ink, for each paper cell across a row: ink is darker than
 * `level` x the paper (see {@link PaperRows}); for whole grey levels, darker than its ceiling.
 */
class PaperThresholds {
  private readonly t: Int32Array;

  constructor(private readonly rows: PaperRows, private readonly level: number) {
    this.t = new Int32Array(rows.cells);
  }

  /** Cells across a row. */
  get cells(): number {
    return this.rows.cells;
  }

  /** Row y's thresholds (the array is reused from call to call). */
  at(y: number): Int32Array {
    const row = this.rows.at(y);
    const { t, level } = this;
    for (let cx = 0; cx < row.length; cx++) t[cx] = Math.ceil(level * row[cx]);
    return t;
  }

  /** Rows 0 to h - 1's thresholds, one row after another (for the native kernel: `ceil(w / cell)` a row). */
  all(h: number): Int32Array {
    const n = this.rows.cells;
    const out = new Int32Array(n * h);
    for (let y = 0; y < h; y++) out.set(this.at(y), y * n);
    return out;
  }
}

/**
 * The paper under page rows: the paper's brightness (at least 1) for each cell across row y of a
 * page `w` wide, interpolated between cell centres.
 */
class PaperRows {
  readonly cells: number;
  private readonly row: Float64Array;

  constructor(private readonly paper: Paper, w: number) {
    this.cells = Math.min(paper.width, Math.ceil(w / paper.cell));
    this.row = new Float64Array(this.cells);
  }

  /** Row y's paper (the array is reused from call to call). */
  at(y: number): Float64Array {
    const { cell, width: sw, height: sh, data: p } = this.paper;
    const row = this.row;
    const sy = Math.min(sh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const a = sy - y0;
    for (let cx = 0; cx < row.length; cx++) row[cx] = Math.max(1, p[y0 * sw + cx] * (1 - a) + p[y1 * sw + cx] * a);
    return row;
  }
}

/** Otsu's threshold of a 256-bin histogram: the last value of the dark class. */
export function otsuThreshold(hist: ArrayLike<number>): number {
  let total = 0;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) {
    total += hist[i];
    sumAll += i * hist[i];
  }
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestVar = -1;
  for (let t = 0; t < 256; t++) {
    wB += hist[t];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t];
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const v = wB * wF * (mB - mF) * (mB - mF);
    if (v > bestVar) {
      bestVar = v;
      best = t;
    }
  }
  return best;
}

/** Threshold method: global Otsu, or adaptive (local mean) for uneven light and patterned paper. */
export type ThresholdMethod = 'otsu' | 'adaptive';

/**
 * Binarizes a page: ink (dark) becomes 1. `adaptive` compares each pixel with the mean of a window
 * about 1/40 of the page's shorter side (`side`: by default the image's; a letter page's at the
 * image's resolution when that is known).
 */
export function threshold(cv: CV, img: GrayImage, method: ThresholdMethod = 'otsu', side = Math.min(img.width, img.height)): BinaryImage {
  if (method === 'otsu') return otsuBinary(img);
  const src = toMat(cv, img);
  const dst = new cv.Mat();
  try {
    let block = Math.max(15, Math.round(side / 40)) | 1;
    if (block % 2 === 0) block++;
    cv.adaptiveThreshold(src, dst, 1, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY_INV, block, 15);
    return fromMat(dst);
  } finally {
    src.delete();
    dst.delete();
  }
}

/**
 * Otsu's binarization (ink = 1: at or under the threshold): the same bytes as OpenCV's
 * `threshold(src, dst, 0, 1, THRESH_BINARY_INV + THRESH_OTSU)`.
 */
function otsuBinary(img: GrayImage): BinaryImage {
  const { data } = img;
  const hist = new Float64Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i]]++;
  const t = otsuThreshold(hist);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] <= t ? 1 : 0;
  return { width: img.width, height: img.height, data: out };
}

/**
 * Estimates the skew of a page in degrees (positive = content rotated clockwise) from its ink:
 * the angle whose horizontal projection profile is sharpest, searched over ±`maxAngle`
 * (coarse to fine, to 0.05°). Works on the ink of a copy reduced by a whole factor to at most
 * about 850 px wide (a cell with any ink is ink: thin lines stay), so each angle costs one pass
 * over that ink, not over the page.
 */
export function estimateSkew(cv: CV, bin: BinaryImage, maxAngle = 10): number {
  void cv;
  const k = Math.max(1, Math.floor(bin.width / 800));
  const w = Math.ceil(bin.width / k);
  const h = Math.ceil(bin.height / k);
  const { px, py } = inkCells(rowRuns(bin.data, bin.width, bin.height), k, w, h);
  // The coarse steps of the search run on copies reduced 4 and 2 times more (a 1 degree step moves
  // the ends of a 200 px wide copy by 3.5 px): a third of the work of searching all at full size.
  const steps = [1, 0.25, 0.05];
  const factors = [4, 2, 1];
  let best = 0;
  for (let level = 0; level < steps.length; level++) {
    const step = steps[level];
    const scorer = new SkewScorer(px, py, w, h, factors[level], maxAngle);
    const c = best;
    const span = step === 1 ? maxAngle : step * 4;
    let bestScore = scorer.score(best);
    for (let a = c - span; a <= c + span + 1e-9; a += step) {
      if (Math.abs(a) > maxAngle) continue;
      const sc = scorer.score(a);
      if (sc > bestScore) {
        bestScore = sc;
        best = a;
      }
    }
  }
  return Math.round(best * 100) / 100;
}

/**
 * Whether ink covers over `share` of the pixels along the image's four edges: a page photographed
 * on a desk (or scanned on a black bed), the picture framed by what lies around the sheet.
 */
export function framedByInk(bin: BinaryImage, share = 0.3): boolean {
  const { width: w, height: h, data } = bin;
  let ink = 0;
  for (let x = 0; x < w; x++) ink += data[x] + data[(h - 1) * w + x];
  for (let y = 1; y < h - 1; y++) ink += data[y * w] + data[y * w + w - 1];
  return ink > share * (2 * w + 2 * h - 4);
}

/**
 * The ink of a page less every component that touches the image's edge: what lies around a sheet
 * photographed on a desk (its grain, a cloth's pattern, the sheet's shadow), which would otherwise
 * set the skew of the page.
 */
export function withoutEdgeInk(cv: CV, bin: BinaryImage): BinaryImage {
  return withoutComponents(cv, bin, ({ box: [x, y, w, h] }) => x === 0 || y === 0 || x + w === bin.width || y + h === bin.height);
}

/**
 * The ink cells of a page reduced `k` times each way (`w` x `h` cells; a cell with any ink of the
 * rows' runs `runs` is ink), listed as they are first marked: no pass over the empty page.
 */
function inkCells(runs: Int32Array, k: number, w: number, h: number): { px: Int32Array; py: Int32Array } {
  const small = new Uint8Array(w * h);
  let inkPixels = 0;
  for (let r = 0; r < runs.length; r += 3) inkPixels += runs[r + 2] - runs[r + 1];
  const px = new Int32Array(inkPixels);
  const py = new Int32Array(inkPixels);
  let n = 0;
  for (let r = 0; r < runs.length; r += 3) {
    const sy = Math.floor(runs[r] / k);
    const row = sy * w;
    for (let x = runs[r + 1]; x < runs[r + 2]; x += 1) {
      const sx = Math.floor(x / k);
      if (!small[row + sx]) {
        small[row + sx] = 1;
        px[n] = sx;
        py[n++] = sy;
      }
    }
  }
  return { px: px.subarray(0, n), py: py.subarray(0, n) };
}

/**
 * The sharpness of the horizontal projection profile of ink cells (`px`, `py` on a `w` x `h`
 * grid, reduced `f` times each way: a cell with any ink is ink) rotated by an angle (degrees)
 * about the centre: the sum of squared differences of neighbouring row counts.
 */
class SkewScorer {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly rows: Int32Array;
  private readonly off: number;

  constructor(px: Int32Array, py: Int32Array, w: number, h: number, f: number, maxAngle: number) {
    const sw = Math.ceil(w / f);
    const sh = Math.ceil(h / f);
    const seen = f > 1 ? new Uint8Array(sw * sh) : null;
    const xs = new Float64Array(px.length);
    const ys = new Float64Array(px.length);
    let n = 0;
    for (let i = 0; i < px.length; i++) {
      const x = Math.floor(px[i] / f);
      const y = Math.floor(py[i] / f);
      if (seen) {
        if (seen[y * sw + x]) continue;
        seen[y * sw + x] = 1;
      }
      xs[n] = x - sw / 2;
      ys[n++] = y - sh / 2;
    }
    this.xs = xs.subarray(0, n);
    this.ys = ys.subarray(0, n);
    const margin = Math.ceil(Math.abs(Math.sin((maxAngle * Math.PI) / 180)) * sw) + 2;
    this.rows = new Int32Array(sh + 2 * margin);
    this.off = sh / 2 + margin;
  }

  /** Content rotated by `deg` about the centre: a cell lands on row y*cos + x*sin. */
  score(deg: number): number {
    const { xs, ys, rows, off } = this;
    const r = (deg * Math.PI) / 180;
    const c = Math.cos(r);
    const sn = Math.sin(r);
    rows.fill(0);
    for (let i = 0; i < xs.length; i++) rows[Math.round(ys[i] * c + xs[i] * sn + off)]++;
    let s = 0;
    for (let y = 1; y < rows.length; y++) s += (rows[y] - rows[y - 1]) ** 2;
    return s;
  }
}

/**
 * Rotates a gray page by `-angle` degrees about its centre (white fill), undoing a skew of `angle`.
 * Bilinear, in 16.16 fixed point: twice as fast as OpenCV.js's `warpAffine` (a build without SIMD)
 * on a 300-dpi page, with the same interpolation.
 */
export function rotate(cv: CV, img: GrayImage, angle: number): GrayImage {
  void cv;
  if (angle === 0) return img;
  const { width: w, height: h } = img;
  const out = new Uint8Array(w * h).fill(255);
  const rot = new Rotation(img, angle);
  for (let y = 0; y < h; y++) {
    const [x0, x1] = rot.inside(y);
    rot.sample(y, x0, x0, x1, out, y * w);
  }
  return { width: w, height: h, data: out };
}

/**
 * The part `box` (`[x, y, w, h]`, clipped to the page) of the page rotated like {@link rotate}
 * rotates it, without rotating the rest: the same pixels as cropping `rotate(img, angle)`.
 */
export function rotateRegion(img: GrayImage, angle: number, box: Box): GrayImage {
  const x0 = Math.max(0, Math.round(box[0]));
  const y0 = Math.max(0, Math.round(box[1]));
  const w = Math.max(0, Math.min(img.width, Math.round(box[0] + box[2])) - x0);
  const h = Math.max(0, Math.min(img.height, Math.round(box[1] + box[3])) - y0);
  const out = new Uint8Array(w * h).fill(255);
  if (angle === 0) {
    for (let y = 0; y < h; y++) out.set(img.data.subarray((y0 + y) * img.width + x0, (y0 + y) * img.width + x0 + w), y * w);
    return { width: w, height: h, data: out };
  }
  const rot = new Rotation(img, angle);
  for (let y = 0; y < h; y++) {
    const [a, b] = rot.inside(y0 + y);
    const from = Math.max(a, x0);
    const to = Math.min(b, x0 + w);
    if (from < to) rot.sample(y0 + y, a, from, to, out, y * w - x0);
  }
  return { width: w, height: h, data: out };
}

/**
 * Binarizes the page rotated like {@link rotate} rotates it, against the rotated page's paper
 * (see {@link rotatePaper}) at `level`, without rotating the whole gray page: `ink` is the page's
 * own binarization, and only the parts of each row whose source lies within a pixel of its ink are
 * sampled; the rest is paper. The same pixels as thresholding `rotate(img, angle)` against `paper`
 * (on the bench forms; a pixel of paper could only come out differently where the two papers'
 * interpolations differ at the threshold), at a fraction of the work: a page is mostly paper.
 */
export function thresholdRotated(img: GrayImage, ink: BinaryImage, angle: number, paper: Paper, level: number): BinaryImage {
  return thresholdRotatedAt(img, ink, angle, paper, [level])[0];
}

/**
 * {@link thresholdRotated} at several levels in one pass (each pixel sampled once), one binary per
 * level; `ink` must hold the ink of the faintest.
 */
export function thresholdRotatedAt(img: GrayImage, ink: BinaryImage, angle: number, paper: Paper, levels: number[]): BinaryImage[] {
  if (angle === 0) return levels.map((level) => thresholdOnPaper(img, paper, level).binary);
  const { width: w, height: h } = img;
  const outs: Uint8Array[] = [];
  for (let k = 0; k < levels.length; k++) outs.push(new Uint8Array(w * h));
  const near = new InkNear(ink, 8);
  const rot = new Rotation(img, angle);
  const below: PaperThresholds[] = [];
  for (let k = 0; k < levels.length; k++) below.push(new PaperThresholds(new PaperRows(paper, w), levels[k]));
  // With the native kernel, the chunks to sample are listed (y, x0, x1, their source in fixed point,
  // their row's thresholds in `tables`) and sampled and thresholded in one call.
  const native = levels.length <= 2 && below[0].cells === Math.ceil(w / paper.cell) ? nativeImage() : null;
  if (native) {
    const { chunks, tables } = listChunks(rot, near, below, h);
    native.rotateThreshold(img.data, w, h, chunks, rot.dx, rot.dy, paper.cell, tables, outs[0], outs.length > 1 ? outs[1] : null);
  } else sampleChunks(rot, near, below, paper.cell, outs, w, h);
  const bins: BinaryImage[] = [];
  for (let k = 0; k < outs.length; k++) bins.push({ width: w, height: h, data: outs[k] });
  return bins;
}

/** Chunks of an output row are this many pixels long. */
const CHUNK = 32;

/**
 * Whether a chunk of a rotated row samples near ink: the source cells (`G` x `G` pixels) with any
 * ink of `ink`, looked up along the chunk's source segment.
 */
class InkNear {
  private readonly inked: Uint8Array;
  private readonly gw: number;
  private readonly gh: number;

  constructor(
    ink: BinaryImage,
    private readonly G: number,
  ) {
    const { width: w, height: h } = ink;
    this.gw = Math.ceil(w / G);
    this.gh = Math.ceil(h / G);
    this.inked = new Uint8Array(this.gw * this.gh);
    const runs = rowRuns(ink.data, w, h);
    for (let r = 0; r < runs.length; r += 3) {
      const row = Math.floor(runs[r] / G) * this.gw;
      this.inked.fill(1, row + Math.floor(runs[r + 1] / G), row + Math.floor((runs[r + 2] - 1) / G) + 1);
    }
  }

  /**
   * Output pixels `xa` to `xb` of the row whose pixel 0 samples (`sx`, `sy`): the segment from the
   * first to the last pixel's source, plus the bilinear neighbours and a pixel more; grid cells on
   * it, through the rows it spans.
   */
  chunk(rot: Rotation, sx: number, sy: number, xa: number, xb: number): boolean {
    const { G, gw, gh, inked } = this;
    const ax = sx + rot.c * xa;
    const bx = sx + rot.c * xb;
    const ay = sy - rot.sn * xa;
    const by = sy - rot.sn * xb;
    const cx0 = Math.max(0, Math.floor((Math.min(ax, bx) - 1) / G));
    const cx1 = Math.min(gw - 1, Math.floor((Math.max(ax, bx) + 2) / G));
    const cy0 = Math.max(0, Math.floor((Math.min(ay, by) - 1) / G));
    const cy1 = Math.min(gh - 1, Math.floor((Math.max(ay, by) + 2) / G));
    for (let cy = cy0; cy <= cy1; cy++) for (let k = cy * gw + cx0; k <= cy * gw + cx1; k++) if (inked[k]) return true;
    return false;
  }
}

/**
 * The chunks of the rotated page near ink, for the native kernel: `chunks` six values each (y, x0,
 * x1, the source of x0 in fixed point, where the row's thresholds start in `tables`); `tables` each
 * listed row's thresholds, level after level.
 */
function listChunks(rot: Rotation, near: InkNear, below: PaperThresholds[], h: number): { chunks: Int32Array; tables: Int32Array } {
  const chunks = new GrowingInts();
  const tables = new GrowingInts();
  for (let y = 0; y < h; y++) {
    const [x0, x1] = rot.inside(y);
    const [sx, sy] = rot.source(0, y);
    let t = -1;
    for (let xa = x0; xa < x1; xa += CHUNK) {
      const xb = Math.min(x1, xa + CHUNK);
      if (!near.chunk(rot, sx, sy, xa, xb)) continue;
      if (t < 0) {
        t = tables.length;
        for (let k = 0; k < below.length; k++) tables.push(below[k].at(y));
      }
      const [fx, fy] = rot.fixed(y, x0, xa);
      chunks.push6(y, xa, xb, fx, fy, t);
    }
  }
  return { chunks: chunks.done(), tables: tables.done() };
}

/** The TypeScript loops of {@link thresholdRotatedAt}: each chunk near ink sampled and thresholded at every level. */
function sampleChunks(rot: Rotation, near: InkNear, below: PaperThresholds[], cell: number, outs: Uint8Array[], w: number, h: number): void {
  const samples = new Uint8Array(w);
  for (let y = 0; y < h; y++) {
    const [x0, x1] = rot.inside(y);
    const [sx, sy] = rot.source(0, y);
    let ts: Int32Array[] | null = null;
    for (let xa = x0; xa < x1; xa += CHUNK) {
      const xb = Math.min(x1, xa + CHUNK);
      if (!near.chunk(rot, sx, sy, xa, xb)) continue;
      ts ??= below.map((b) => b.at(y));
      rot.sample(y, x0, xa, xb, samples, 0);
      for (let k = 0; k < ts.length; k++) {
        const [t, out] = [ts[k], outs[k]];
        for (let x = xa; x < xb; x++) out[y * w + x] = samples[x] < t[Math.floor(x / cell)] ? 1 : 0;
      }
    }
  }
}

/** Int32 values appended to a growing buffer (run triples, chunk lists, thresholds). */
class GrowingInts {
  private data = new Int32Array(4096);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.data.length) return;
    const bigger = new Int32Array(Math.max(2 * this.data.length, this.length + n));
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  push(values: Int32Array): void {
    this.room(values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }

  push1(value: number): void {
    this.room(1);
    this.data[this.length++] = value;
  }

  /** A run `[start, end)` of line `at` (a row's y, a column's x). */
  push3(at: number, start: number, end: number): void {
    this.room(3);
    const { data, length: n } = this;
    data[n] = at;
    data[n + 1] = start;
    data[n + 2] = end;
    this.length += 3;
  }

  push6(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.room(6);
    const { data, length: n } = this;
    data[n] = a;
    data[n + 1] = b;
    data[n + 2] = c;
    data[n + 3] = d;
    data[n + 4] = e;
    data[n + 5] = f;
    this.length += 6;
  }

  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * The inverse map of rotating `img` by `-angle` degrees about its centre, in 16.16 fixed point:
 * `inside(y)`, the run of output x in row y whose source pixel and its right and lower neighbours
 * are inside the image; `source(x, y)`, where output (x, y) comes from; `sample(y, start, x0, x1,
 * out, o)` writes the bilinear samples of output row y from x0 to x1 to `out` at `o + x` (`start`:
 * where the row's inside run starts).
 */
class Rotation {
  /** x and y steps of the source per output x. */
  readonly c: number;
  readonly sn: number;
  private readonly w: number;
  private readonly h: number;
  private readonly src: Uint8Array;
  private readonly cx: number;
  private readonly cy: number;
  /** The source's x and y steps per output x, in 16.16 fixed point. */
  readonly dx: number;
  readonly dy: number;

  constructor(img: GrayImage, angle: number) {
    this.w = img.width;
    this.h = img.height;
    this.src = img.data;
    const r = (-angle * Math.PI) / 180;
    this.c = Math.cos(r);
    this.sn = -Math.sin(r);
    this.cx = this.w / 2;
    this.cy = this.h / 2;
    this.dx = Math.round(this.c * 65536);
    this.dy = Math.round(-this.sn * 65536);
  }

  /** Where output (0, y) samples the input: the inverse rotation of (0, y) about the centre. */
  private rowX(y: number): number {
    return this.c * -this.cx + this.sn * (y - this.cy) + this.cx;
  }

  private rowY(y: number): number {
    return -this.sn * -this.cx + this.c * (y - this.cy) + this.cy;
  }

  inside(y: number): [number, number] {
    return insideRange(this.rowX(y), this.c, this.w - 1, this.rowY(y), -this.sn, this.h - 1, this.w);
  }

  source(x: number, y: number): [number, number] {
    return [this.rowX(y) + this.c * x, this.rowY(y) - this.sn * x];
  }

  /** The source of output (x, y) in 16.16 fixed point, as {@link sample} steps to it from the row's `start`. */
  fixed(y: number, start: number, x: number): [number, number] {
    return [Math.round((this.rowX(y) + this.c * start) * 65536) + (x - start) * this.dx, Math.round((this.rowY(y) - this.sn * start) * 65536) + (x - start) * this.dy];
  }

  sample(y: number, start: number, x0: number, x1: number, out: Uint8Array, o: number): void {
    // Stepped from the row's `start` (its inside run's), so that any part of a row gets the
    // values the whole row would.
    const { w, src, dx, dy } = this;
    let [fx, fy] = this.fixed(y, start, x0);
    for (let x = x0; x < x1; x++, fx += dx, fy += dy) {
      const ax = (fx >> 8) & 255;
      const ay = (fy >> 8) & 255;
      const p = (fy >> 16) * w + (fx >> 16);
      const top = src[p] * (256 - ax) + src[p + 1] * ax;
      const bottom = src[p + w] * (256 - ax) + src[p + w + 1] * ax;
      out[o + x] = (top * (256 - ay) + bottom * ay + 32768) >> 16;
    }
  }
}

/**
 * The x in [0, w) for which both `ax + bx * x` and `ay + by * x` lie in [0, limit) (a line crossing a
 * box), shrunk by a pixel at each end against rounding.
 */
function insideRange(ax: number, bx: number, limitX: number, ay: number, by: number, limitY: number, w: number): [number, number] {
  let lo = 0;
  let hi = w;
  for (const [a, b, limit] of [
    [ax, bx, limitX],
    [ay, by, limitY],
  ]) {
    if (Math.abs(b) < 1e-12) {
      if (a < 0 || a >= limit) return [0, 0];
      continue;
    }
    const t0 = (0 - a) / b;
    const t1 = (limit - a) / b;
    lo = Math.max(lo, Math.ceil(Math.min(t0, t1)) + 1);
    hi = Math.min(hi, Math.floor(Math.max(t0, t1)) - 1);
  }
  return hi > lo ? [lo, hi] : [0, 0];
}

/** Removes connected ink specks smaller than `minArea` pixels. */
export function removeSpecks(cv: CV, bin: BinaryImage, minArea: number): BinaryImage {
  return withoutComponents(cv, bin, (c) => c.area < minArea);
}

/** The ink less the components `drop` picks, each cleared inside its own bounding box: no pass over the whole page. */
function withoutComponents(cv: CV, bin: BinaryImage, drop: (c: Component) => boolean): BinaryImage {
  return labelComponents(cv, bin, (list, labels) => {
    const out = copyBytes(bin.data);
    const w = bin.width;
    for (const c of list) {
      if (!drop(c)) continue;
      const [x0, y0, bw, bh] = c.box;
      for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) if (labels[y * w + x] === c.label) out[y * w + x] = 0;
    }
    return { width: bin.width, height: bin.height, data: out };
  });
}

/** The least lengths of the lines {@link findLines} finds, in pixels. */
export interface LineLengths {
  horizontal: number;
  vertical: number;
  /**
   * Plain vertical runs (not dashed, not slanted) this long or longer are marked too, though under
   * `vertical`: the sides of boxes too small for it, which the caller keeps only where they join
   * horizontal lines at both ends (see {@link dropLooseVerticals}). Plain horizontal runs as long,
   * under `horizontal`, are kept apart ({@link LineMask.shortHorizontal}).
   */
  boxSide?: number;
}

/** Horizontal and vertical printed lines found by {@link findLines}. */
export interface LineMask {
  /**
   * With {@link LineLengths.boxSide}: plain horizontal runs from that length to the least one, thin
   * across. Not lines, but maybe the tops and bottoms of boxes too small for lines (a digit's square):
   * {@link dropLooseVerticals} makes lines of those that close a box with two sides.
   */
  shortHorizontal?: BinaryImage;
  /** 1 where a long horizontal printed line is. */
  horizontal: BinaryImage;
  /** 1 where a long vertical printed line is. */
  vertical: BinaryImage;
}

/**
 * A copy of a byte image's pixels. `TypedArray.prototype.slice` costs ~2.5 ms more on a page-size
 * array in Node 20 (it does not copy in one block); a new array filled with `set` does.
 */
export function copyBytes(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  out.set(data);
  return out;
}

/**
 * A 32-bit view of the whole words of a byte image (its last `length % 4` bytes are not in it) when
 * its buffer is aligned, so that runs of empty pixels are skipped four at a time: a page is about 1% ink.
 */
function words(data: Uint8Array): Uint32Array | null {
  return data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
}


/**
 * The number of ink pixels (nonzero) in a binary image, four bytes at a time where its buffer allows
 * (empty words skipped: a page is about 1% ink).
 *
 * @example
 * inkCount({ width: 3, height: 1, data: Uint8Array.of(1, 0, 1) }); // 2
 */
export function inkCount(bin: BinaryImage): number {
  const d = bin.data;
  const w = words(d);
  let n = 0;
  let i = 0;
  if (w) {
    for (let k = 0; k < w.length; k++) {
      const v = w[k];
      if (v !== 0) n += (v & 0xff ? 1 : 0) + (v & 0xff00 ? 1 : 0) + (v & 0xff0000 ? 1 : 0) + (v >>> 24 ? 1 : 0);
    }
    i = w.length << 2;
  }
  for (; i < d.length; i++) if (d[i]) n++;
  return n;
}

/**
 * Every run of nonzero pixels `[start, end)` in each row of a `w` x `h` image, in raster order, as
 * triples `y, start, end`.
 */
export function rowRuns(data: Uint8Array, w: number, h: number): Int32Array {
  const native = nativeImage();
  if (native && w > 0 && h > 0) return native.rowRuns(data, w, h);
  const wd = words(data);
  const runs = new GrowingInts();
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let start = -1;
    let x = 0;
    while (x < w) {
      const i = row + x;
      // Skip empty words while no run is open.
      if (start < 0 && wd && (i & 3) === 0 && x + 4 <= w && wd[i >> 2] === 0) {
        x += 4;
        continue;
      }
      if (data[i]) {
        if (start < 0) start = x;
      } else if (start >= 0) {
        runs.push3(y, start, x);
        start = -1;
      }
      x++;
    }
    if (start >= 0) runs.push3(y, start, w);
  }
  return runs.done();
}

/** Calls `fn(y, start, end)` for every run of nonzero pixels `[start, end)` in each row of a `w` x `h` image, in raster order. */
export function forEachRun(data: Uint8Array, w: number, h: number, fn: (y: number, start: number, end: number) => void): void {
  const runs = rowRuns(data, w, h);
  for (let r = 0; r < runs.length; r += 3) fn(runs[r], runs[r + 1], runs[r + 2]);
}

/**
 * Every run of nonzero pixels `[start, end)` down each column, found walking the image in memory
 * order (so listed by the row they end at), as triples `x, start, end`.
 */
export function columnRuns(data: Uint8Array, w: number, h: number): Int32Array {
  const native = nativeImage();
  if (native && w > 0 && h > 0) return native.columnRuns(data, w, h);
  const wd = words(data);
  const runs = new GrowingInts();
  const open = new Int32Array(w).fill(-1);
  // Open runs per group of four columns, so that empty words with nothing open are skipped.
  const openIn = new Int32Array((w >> 2) + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let x = 0;
    while (x < w) {
      const i = row + x;
      // Four columns (from a multiple of 4) with no open run and no ink here: one word when the
      // row is aligned too, else four bytes.
      if ((x & 3) === 0 && x + 4 <= w && openIn[x >> 2] === 0 && (wd && (i & 3) === 0 ? wd[i >> 2] === 0 : (data[i] | data[i + 1] | data[i + 2] | data[i + 3]) === 0)) {
        x += 4;
        continue;
      }
      if (data[i]) {
        if (open[x] < 0) {
          open[x] = y;
          openIn[x >> 2]++;
        }
      } else if (open[x] >= 0) {
        runs.push3(x, open[x], y);
        open[x] = -1;
        openIn[x >> 2]--;
      }
      x++;
    }
  }
  for (let x = 0; x < w; x++) if (open[x] >= 0) runs.push3(x, open[x], h);
  return runs.done();
}

/**
 * Ink across a run at pixel `i`, up to `max` + 1: `step` is 1 across a column run (left and
 * right), w across a row run (up and down); `pos` is the pixel's place along that direction, of
 * `limit`.
 */
function inkAcross(data: Uint8Array, i: number, pos: number, limit: number, step: number, max: number): number {
  let n = 1;
  for (let k = 1; k <= pos && data[i - k * step] && n <= max; k++) n++;
  for (let k = 1; pos + k < limit && data[i + k * step] && n <= max; k++) n++;
  return n;
}

/**
 * Whether the ink across a run is thicker than `max` at more than half of its `count` pixels: the
 * run starts at pixel `first` and goes on by `along` (1 for a row run, w for a column run); `pos`,
 * `limit` and `across` are {@link inkAcross}'s.
 */
function mostlyThick(data: Uint8Array, first: number, along: number, count: number, pos: number, limit: number, across: number, max: number): boolean {
  let thick = 0;
  for (let k = 0, i = first; k < count; k++, i += along) if (inkAcross(data, i, pos, limit, across, max) > max) thick++;
  return thick > 0.5 * count;
}

/**
 * Finds long horizontal and vertical strokes (form lines, box borders): the pixels of ink runs at
 * least `minLength` long in a row (column); `minLength` may differ for the two directions. This is
 * exactly a morphological opening with a 1 x minLength (minLength x 1) line, computed in one pass
 * over the ink instead of with a large kernel. With `maxThickness`, runs whose ink is thicker than
 * that across them (pen strokes, not printed rules) are left out: a printed line is thin across its
 * length at most of its pixels (crossing strokes make the exceptions); a handwritten "1" is long
 * too, but its ink across is the pen width of a thick stroke. Lines a few degrees off the axes
 * (a form photographed at an angle), whose runs are shorter, are found as chains of runs (see
 * `SlantedLines`), and dashed lines as chains of dashes (`DashedLines`).
 */
export function findLines(bin: BinaryImage, minLength: number | LineLengths, maxThickness = Infinity): LineMask {
  const { width: w, height: h, data } = bin;
  const len: LineLengths = typeof minLength === 'number' ? { horizontal: minLength, vertical: minLength } : minLength;
  const shortest = Math.min(len.vertical, len.boxSide ?? Infinity);
  // Plain horizontal runs from boxSide to the least length: small boxes' tops and bottoms, maybe.
  const short = len.boxSide !== undefined ? new Uint8Array(w * h) : null;
  const checkThickness = Number.isFinite(maxThickness);
  const hor = new Uint8Array(w * h);
  const rows = rowRuns(data, w, h);
  const markRow = (y: number, start: number, end: number) => hor.fill(1, y * w + start, y * w + end);
  const thinRow = (y: number, start: number, end: number) => !checkThickness || !mostlyThick(data, y * w + start, 1, end - start, y, h, w, maxThickness);
  const rowDashes = new DashedLines(len.horizontal, thinRow, markRow);
  const rowSlants = new SlantedLines(len.horizontal, maxThickness, thinRow, markRow);
  for (let r = 0; r < rows.length; r += 3) {
    const y = rows[r];
    const start = rows[r + 1];
    const end = rows[r + 2];
    rowSlants.add(y, start, end);
    if (end - start < len.horizontal) {
      rowDashes.add(y, start, end);
      if (short && end - start >= shortest && thinRow(y, start, end)) short.fill(1, y * w + start, y * w + end);
      continue;
    }
    if (checkThickness && mostlyThick(data, y * w + start, 1, end - start, y, h, w, maxThickness)) continue;
    hor.fill(1, y * w + start, y * w + end);
  }
  rowDashes.end();
  rowSlants.end();
  const ver = new Uint8Array(w * h);
  const markColumn = (x: number, start: number, end: number) => {
    for (let y = start; y < end; y++) ver[y * w + x] = 1;
  };
  const cols = columnRuns(data, w, h);
  for (let r = 0; r < cols.length; r += 3) {
    const x = cols[r];
    const start = cols[r + 1];
    const end = cols[r + 2];
    if (end - start < shortest) continue;
    if (checkThickness && mostlyThick(data, start * w + x, w, end - start, x, w, 1, maxThickness)) continue;
    markColumn(x, start, end);
  }
  // Column runs column by column (a column's runs are listed top to bottom): the short ones for
  // dashed lines, all for slanted lines.
  const perColumn = new Int32Array(w + 1);
  for (let r = 0; r < cols.length; r += 3) perColumn[cols[r] + 1]++;
  for (let x = 0; x < w; x++) perColumn[x + 1] += perColumn[x];
  const order = new Int32Array(cols.length / 3);
  for (let r = 0; r < cols.length; r += 3) order[perColumn[cols[r]]++] = r;
  const thinColumn = (x: number, start: number, end: number) => !checkThickness || !mostlyThick(data, start * w + x, w, end - start, x, w, 1, maxThickness);
  const colDashes = new DashedLines(len.vertical, thinColumn, markColumn);
  const colSlants = new SlantedLines(len.vertical, maxThickness, thinColumn, markColumn);
  for (const r of order) {
    colSlants.add(cols[r], cols[r + 1], cols[r + 2]);
    if (cols[r + 2] - cols[r + 1] < len.vertical) colDashes.add(cols[r], cols[r + 1], cols[r + 2]);
  }
  colDashes.end();
  colSlants.end();
  return { horizontal: { width: w, height: h, data: hor }, vertical: { width: w, height: h, data: ver }, ...(short ? { shortHorizontal: { width: w, height: h, data: short } } : {}) };
}

/**
 * Dashed and dotted printed lines, from the short ink runs along rows (or columns), fed in order: a
 * chain of at least five dashes, each less than a third of `minLength` long, at most `minLength` / 8
 * apart, spanning `minLength` or more, is a line when its dashes are alike (each within twice the
 * median length, or half; the two end ones, and those beside an interruption, may be shorter: cut at a
 * corner or by a stroke), its gaps too (each at most twice the median gap plus 2 px, at least 0.4 of it less 1 px), the dashes
 * cover a quarter of its span, and each is thin across (`thin`) but for one in eight (a stroke
 * touching a dash from above or below). A chain goes on across a few
 * interruptions (one per four dashes): handwriting that crosses the line or joins a dash (a dash
 * over twice the median, not held to be thin), or a gap up to `minLength` / 2. Such a line is
 * marked whole, gaps included (`mark`), so that a dashed box is one structure of lines like a
 * solid one.
 */
class DashedLines {
  private line = -1;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Per gap after a dash: whether something interrupts it (a crossing stroke, a missing dash). */
  private readonly broken: boolean[] = [];
  /** Where the chain's last run (a dash or an interruption) ends. */
  private reach = 0;
  private interrupted = false;
  private readonly maxDash: number;
  private readonly maxGap: number;
  private readonly maxBreak: number;

  constructor(
    private readonly minLength: number,
    private readonly thin: (line: number, start: number, end: number) => boolean,
    private readonly mark: (line: number, start: number, end: number) => void,
  ) {
    this.maxDash = Math.max(3, Math.floor(minLength / 3));
    this.maxGap = Math.max(3, Math.round(minLength / 8));
    this.maxBreak = Math.max(6, Math.round(minLength / 2));
  }

  /** A short run `[start, end)` of row (column) `line`; runs come line by line, in order along each. */
  add(line: number, start: number, end: number): void {
    const n = this.starts.length;
    const dash = end - start <= this.maxDash;
    if (line !== this.line || n === 0 || start - this.reach > this.maxBreak) {
      this.end();
      this.line = line;
      if (!dash) return;
    } else if (!dash) {
      // A stroke across the line (or along it): the chain may go on beyond it.
      this.interrupted = true;
      this.reach = end;
      return;
    }
    // (A chain just restarted has no gap before its first dash: `n` counted the old chain.)
    const k = this.starts.length;
    if (k > 0) this.broken.push(this.interrupted || start - this.ends[k - 1] > this.maxGap);
    this.interrupted = false;
    this.starts.push(start);
    this.ends.push(end);
    this.reach = end;
  }

  /** Closes the chain being built. */
  end(): void {
    const { starts, ends } = this;
    const n = starts.length;
    if (n >= 5 && ends[n - 1] - starts[0] >= this.minLength) {
      const lengths = starts.map((st, k) => ends[k] - st);
      const m = medianOf(lengths);
      // The dashes thin across, but those joined to a stroke along the line, and a few (one in eight)
      // that a stroke touches from above or below (a dash of a line of printed text's stems is not).
      if (this.regular(lengths, m)) {
        let thick = 0;
        for (let k = 0; k < n && thick <= n / 8; k++) if (lengths[k] <= 2 * m && !this.thin(this.line, starts[k], ends[k])) thick++;
        if (thick <= n / 8) this.mark(this.line, starts[0], ends[n - 1]);
      }
    }
    starts.length = 0;
    ends.length = 0;
    this.broken.length = 0;
    this.interrupted = false;
  }

  /**
   * Alike dashes at alike gaps (three in four within a pixel of the median gap), covering a quarter of
   * the span, with few interruptions (a dash over twice the median `m` of their `lengths` is a stroke
   * joined to one: an interruption too).
   */
  private regular(lengths: number[], m: number): boolean {
    const { starts, ends, broken } = this;
    const n = starts.length;
    const joined = lengths.map((l) => l > 2 * m);
    const breaks = broken.filter(Boolean).length + joined.filter(Boolean).length;
    if (breaks > Math.max(1, n / 4)) return false;
    const gaps = starts.slice(1).map((s, k) => s - ends[k]);
    // A gap is whole when nothing interrupts it and neither dash beside it is joined to a stroke.
    const whole = gaps.filter((_, k) => !broken[k] && !joined[k] && !joined[k + 1]);
    if (whole.length < 3) return false;
    const g = medianOf(whole);
    const ink = lengths.reduce((a, b) => a + b, 0);
    const span = ends[n - 1] - starts[0] - gaps.reduce((a, x, k) => a + (broken[k] ? x : 0), 0);
    if (ink < 0.25 * span) return false;
    if (lengths.some((l, k) => l < m / 2 && k > 0 && k < n - 1 && !broken[k - 1] && !broken[k])) return false;
    if (!whole.every((x) => x <= 2 * g + 2 && x >= g / 2.5 - 1)) return false;
    // Printed dashes are evenly spaced: three gaps in four within a pixel (a quarter) of the median.
    // The speckled rim of a shaded area, in the faint binarization, is not.
    const tol = Math.max(1, Math.round(g / 4));
    return whole.filter((x) => Math.abs(x - g) <= tol).length >= 0.75 * whole.length;
  }
}

/**
 * Printed lines a few degrees off the page's axes (a form photographed at an angle, a sheet bent in
 * the scanner: deskewing levels the page on average, and its lines still slant here and there), whose
 * ink comes in runs shorter than `minLength`, each row (column) a little along from the one before:
 * a chain of runs at least a fifth of `minLength` long, fed line by line in order, each
 * beginning within the one on the line before and reaching further the same way, stepping along
 * evenly (each step of its runs' starts and ends within half the median step, and 2 px; it is cut
 * where one is not: a stroke joined to it; the first runs' trailing side and the last runs' leading
 * side may step by less, the line's ends cut short at a corner), is a line when it spans `minLength` or more, with at
 * least three runs, climbs under 1 in 10 (and its thickness), is no thicker on average than 0.6 of
 * `maxThickness` (its ink over its span: a pen's stroke is), and its runs are thin across (`thin`)
 * but for one in eight. Such a line is marked run by run (`mark`).
 */
class SlantedLines {
  private line = -2;
  /** The runs of the line before and of this one: start, end, chain. */
  private prev: number[] = [];
  private cur: number[] = [];
  private readonly chains: Array<{ from: number; to: number; dir: number; runs: number[] }> = [];
  /** The shortest run looked at: a fifth of a line's least length. */
  private readonly shortest: number;

  constructor(
    private readonly minLength: number,
    private readonly maxThickness: number,
    private readonly thin: (line: number, start: number, end: number) => boolean,
    private readonly mark: (line: number, start: number, end: number) => void,
  ) {
    this.shortest = Math.max(6, Math.round(minLength / 5));
  }

  /** A run `[start, end)` of row (column) `line`; runs come line by line, in order along each. */
  add(line: number, start: number, end: number): void {
    if (end - start < this.shortest) return;
    if (line !== this.line) {
      this.prev = line === this.line + 1 ? this.cur : [];
      this.cur = [];
      this.line = line;
    }
    const { prev, chains } = this;
    let chain = -1;
    for (let k = 0; k < prev.length; k += 3) {
      const [ps, pe, c] = [prev[k], prev[k + 1], prev[k + 2]];
      const ch = chains[c];
      // (A run may begin where the one before begins, or end where it ends, at a line's two ends cut
      // short by a corner; not both.)
      if (ch.dir >= 0 && start >= ps && start <= pe && end >= pe && (start > ps || end > pe)) {
        ch.dir = 1;
        chain = c;
        break;
      }
      if (ch.dir <= 0 && end <= pe && end >= ps && start <= ps && (start < ps || end < pe)) {
        ch.dir = -1;
        chain = c;
        break;
      }
      // A line's last run, cut short at a corner, may end before the one before it ends (its leading
      // side steps back; the chain's pieces are cut where a step is uneven but at the line's ends).
      if (ch.dir !== 0 && start > ps && end < pe) {
        chain = c;
        break;
      }
    }
    if (chain < 0) {
      chain = chains.length;
      chains.push({ from: start, to: end, dir: 0, runs: [] });
    }
    const ch = chains[chain];
    if (start < ch.from) ch.from = start;
    if (end > ch.to) ch.to = end;
    ch.runs.push(line, start, end);
    this.cur.push(start, end, chain);
  }

  /** Marks the chains that are lines. */
  end(): void {
    for (const ch of this.chains) {
      if (ch.runs.length < 9 || ch.to - ch.from < this.minLength) continue;
      // A printed line's runs step along evenly (its slope is one): the chain is cut where a step is
      // off the median step (a stroke joined to the line, the edge of a pen's stroke), and each piece
      // is looked at alone.
      const { runs } = ch;
      const n = runs.length / 3;
      // Steps as the chain goes (a step back is negative).
      const steps: number[] = [];
      for (let k = 1; k < n; k++) steps.push(ch.dir * (runs[3 * k + 1] - runs[3 * k - 2]), ch.dir * (runs[3 * k + 2] - runs[3 * k - 1]));
      const step = medianOf(steps);
      // The line's two ends may be cut short (at a box's corner, where the wall meets the next line,
      // or where the line ends): there the first runs' trailing side and the last runs' leading side
      // step by less than the others; and the first run, where the line begins, may be short of the
      // next one's reach by more (its leading side steps further), the last one likewise.
      const trailing = ch.dir > 0 ? 0 : 1;
      const short = (k: number, side: number) => steps[2 * (k - 1) + side] < 0.5 * step - 2;
      let head = 0;
      while (head + 1 < n && short(head + 1, trailing)) head++;
      let tail = n;
      while (tail - 1 >= 1 && short(tail - 1, 1 - trailing)) tail--;
      const even = (k: number, side: number) => {
        if (steps[2 * (k - 1) + side] > 1.5 * step + 2) return side === trailing ? k === n - 1 : k === 1;
        return !short(k, side) || (side === trailing ? k <= head : k >= tail);
      };
      let first = 0;
      for (let k = 1; k <= n; k++) {
        if (k < n && even(k, 0) && even(k, 1)) continue;
        this.piece(runs, first, k);
        first = k;
      }
    }
    this.chains.length = 0;
    this.prev = [];
    this.cur = [];
  }

  /** Marks runs `[first, last)` of a chain (triples in `runs`) when they make a line. */
  private piece(runs: number[], first: number, last: number): void {
    const n = last - first;
    if (n < 3) return;
    let [from, to, ink, notThin] = [Infinity, -Infinity, 0, 0];
    for (let k = first; k < last; k++) {
      const [line, start, end] = [runs[3 * k], runs[3 * k + 1], runs[3 * k + 2]];
      from = Math.min(from, start);
      to = Math.max(to, end);
      ink += end - start;
      if (!this.thin(line, start, end)) notThin++;
    }
    const span = to - from;
    // Printed rules are thinner than pen strokes: a chain of strokes (big handwriting's neighbours
    // touching) is as thick as the pen.
    const thick = Number.isFinite(this.maxThickness) ? 0.6 * this.maxThickness : 4;
    if (span < this.minLength || n > 0.1 * span + thick || ink > thick * span || notThin > n / 8) return;
    for (let k = first; k < last; k++) this.mark(runs[3 * k], runs[3 * k + 1], runs[3 * k + 2]);
  }
}

function medianOf(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Crops a box out of a binary image, clipped to it (a copy). */
export function cropBinary(bin: BinaryImage, [x, y, w, h]: Box): BinaryImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(bin.width, Math.ceil(x + w));
  const y1 = Math.min(bin.height, Math.ceil(y + h));
  const cw = Math.max(0, x1 - x0);
  const ch = Math.max(0, y1 - y0);
  const data = new Uint8Array(cw * ch);
  for (let r = 0; r < ch; r++) data.set(bin.data.subarray((y0 + r) * bin.width + x0, (y0 + r) * bin.width + x0 + cw), r * cw);
  return { width: cw, height: ch, data };
}

/** The pixels set in either of two masks of one size, as a new mask. */
export function union(a: BinaryImage, b: BinaryImage): BinaryImage {
  const out = new Uint8Array(a.data.length);
  const [wa, wb, wo] = [words(a.data), words(b.data), words(out)];
  let done = 0;
  if (wa && wb && wo) {
    for (let i = 0; i < wo.length; i++) wo[i] = wa[i] | wb[i];
    done = wo.length * 4;
  }
  for (let i = done; i < out.length; i++) out[i] = a.data[i] | b.data[i];
  return { width: a.width, height: a.height, data: out };
}

/**
 * Removes printed lines from the ink without eating the digits that cross them: the line pixels go,
 * then strokes that continue on both sides of a line are bridged back across it.
 */
export function removeLines(bin: BinaryImage, lines: LineMask, bridge = 9): BinaryImage {
  const w = bin.width;
  const hgt = bin.height;
  // The vertical lines with their edges in this ink (see `withEdges`; not the horizontal ones: the
  // strokes of digits written on a line, or crossing it, lie along it).
  const hm = lines.horizontal.data;
  const vm = withEdges(bin.data, lines.vertical.data, columnRuns(lines.vertical.data, w, hgt), w, bridge);
  // The ink minus the line pixels (found run by run: lines are a small part of the page).
  const out = copyBytes(bin.data);
  const onLine = new GrowingInts();
  clearRowRuns(out, rowRuns(hm, w, hgt), w, onLine);
  clearColumnRuns(out, columnRuns(vm, w, hgt), w, onLine);
  // Bridge: a horizontal-line pixel becomes ink again when ink lies within `bridge` px above and
  // below it; a vertical-line pixel, when ink lies left and right of it. (Decided on the ink without
  // the lines, then set: no second copy of the page.)
  const back = bridged(out, w, hgt, onLine.done(), hm, vm, bridge);
  for (let k = 0; k < back.length; k++) out[back[k]] = 1;
  return { width: w, height: hgt, data: out };
}

/**
 * A vertical line mask `mask` (`w` wide) with its lines' edges in `ink` added: beside each line's
 * column run (`runs`, as columnRuns lists them), the ink pixels that go no further from it, a pixel
 * thick, along `minRun` rows of it or more (a line a pixel wider in this ink than where it was found,
 * or its blurred edge: left alone, a hairline beside a box's side reads as a 1). A stroke that touches
 * or crosses the line goes on beyond that pixel and keeps it, but for its rim. Returns `mask` itself
 * when no edge is added, else a new mask.
 */
function withEdges(ink: Uint8Array, mask: Uint8Array, runs: Int32Array, w: number, minRun: number): Uint8Array {
  let out = mask;
  for (let r = 0; r < runs.length; r += 3) {
    const x = runs[r];
    const [y0, y1] = [runs[r + 1], runs[r + 2]];
    for (const side of [-1, 1]) {
      if (x + side < 0 || x + side >= w) continue;
      const beyond = x + 2 * side >= 0 && x + 2 * side < w;
      // Runs of such pixels down the line, `minRun` long or longer (a stroke's rim where it meets
      // the line is a pixel or two).
      let from = -1;
      for (let y = y0; y <= y1; y++) {
        const o = y * w + x + side;
        const edge = y < y1 && ink[o] === 1 && mask[o] === 0 && !(beyond && ink[o + side]);
        if (edge && from < 0) from = y;
        if (edge || from < 0) continue;
        if (y - from >= minRun) {
          if (out === mask) out = copyBytes(mask);
          for (let v = from; v < y; v++) out[v * w + x + side] = 1;
        }
        from = -1;
      }
    }
  }
  return out;
}

/** Clears the ink of `out` (`w` wide) on rows' runs (y, x0, x1), listing each pixel cleared in `cleared`. */
function clearRowRuns(out: Uint8Array, runs: Int32Array, w: number, cleared: GrowingInts): void {
  for (let r = 0; r < runs.length; r += 3) {
    const y = runs[r];
    for (let i = y * w + runs[r + 1]; i < y * w + runs[r + 2]; i++) {
      if (out[i]) {
        out[i] = 0;
        cleared.push1(i);
      }
    }
  }
}

/** Clears the ink of `out` (`w` wide) on columns' runs (x, y0, y1), listing each pixel cleared in `cleared`. */
function clearColumnRuns(out: Uint8Array, runs: Int32Array, w: number, cleared: GrowingInts): void {
  for (let r = 0; r < runs.length; r += 3) {
    for (let y = runs[r + 1]; y < runs[r + 2]; y++) {
      const i = y * w + runs[r];
      if (out[i]) {
        out[i] = 0;
        cleared.push1(i);
      }
    }
  }
}

/** The pixels of `onLine` that ink in `out` bridges (see {@link removeLines}). */
function bridged(out: Uint8Array, w: number, hgt: number, onLine: Int32Array, hm: Uint8Array, vm: Uint8Array, bridge: number): Int32Array {
  const back = new GrowingInts();
  for (let k = 0; k < onLine.length; k++) {
    const i = onLine[k];
    const y = Math.floor(i / w);
    const x = i - y * w;
    let up = false;
    let down = false;
    let left = false;
    let right = false;
    for (let d = 1; d <= bridge; d++) {
      if (!up && y - d >= 0 && out[i - d * w]) up = true;
      if (!down && y + d < hgt && out[i + d * w]) down = true;
      if (!left && x - d >= 0 && out[i - d]) left = true;
      if (!right && x + d < w && out[i + d]) right = true;
    }
    if ((hm[i] && up && down) || (vm[i] && left && right)) back.push1(i);
  }
  return back.done();
}

/**
 * A negative: a scan stored light on dark (microfilm, some bitonal scanners' photometric mix-ups,
 * MNIST-style digit images), where the paper is dark and the writing light. Judged against the
 * midpoint of the image's darkest and lightest grey levels (its 0.1st and 99.9th percentiles, at
 * least 64 levels apart: a blank or flat image is never a negative): over three quarters of the middle
 * of the image (its middle three fifths each way) lies below it (a page is mostly paper, and writing is
 * sparse; a scanner's dark bed round the page is outside the middle), or over half of the middle and
 * three fifths of the rim (the outer twentieth each way: paper, round a cut-out field or digit that
 * its writing fills) do. Every other pixel of every other row is looked at.
 *
 * @example
 * const positive = isNegative(page) ? invert(page) : page;
 */
export function isNegative(image: GrayImage): boolean {
  const { all, mid, rim } = negativeHistograms(image);
  const n = histCount(all, 256);
  const [lo, hi] = [histLevel(all, n, 0.001), histLevel(all, n, 0.999)];
  const m = histCount(mid, 256);
  if (hi - lo < 64 || m === 0) return false;
  const split = Math.ceil((lo + hi) / 2);
  const dark = histCount(mid, split) / m;
  return dark > 0.75 || (dark > 0.5 && histCount(rim, split) > 0.6 * histCount(rim, 256));
}

/** Histograms of every other pixel of every other row: the whole image, its middle and its rim (see {@link isNegative}). */
function negativeHistograms(image: GrayImage): { all: Int32Array; mid: Int32Array; rim: Int32Array } {
  const { width: w, height: h, data } = image;
  const all = new Int32Array(256);
  const mid = new Int32Array(256);
  const rim = new Int32Array(256);
  const x0 = Math.floor(w / 5);
  const x1 = Math.ceil((4 * w) / 5);
  const y0 = Math.floor(h / 5);
  const y1 = Math.ceil((4 * h) / 5);
  const rx = Math.max(1, Math.round(w / 20));
  const ry = Math.max(1, Math.round(h / 20));
  for (let y = 0; y < h; y += 2) {
    const row = y * w;
    const edge = y < ry || y >= h - ry;
    const middle = y >= y0 && y < y1;
    for (let x = 0; x < w; x += 2) {
      const v = data[row + x];
      all[v]++;
      if (edge || x < rx || x >= w - rx) rim[v]++;
      else if (middle && x >= x0 && x < x1) mid[v]++;
    }
  }
  return { all, mid, rim };
}

/** The count of a histogram's values under `to`. */
function histCount(hist: Int32Array, to: number): number {
  let c = 0;
  for (let v = 0; v < to; v++) c += hist[v];
  return c;
}

/** The first value at which a histogram of `n` values holds over `q` of them. */
function histLevel(hist: Int32Array, n: number, q: number): number {
  let c = 0;
  for (let v = 0; v < 256; v++) if ((c += hist[v]) > q * n) return v;
  return 255;
}

/** The image with its grey levels inverted (255 - v): a negative made positive. */
export function invert(image: GrayImage): GrayImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - image.data[i];
  return { width: image.width, height: image.height, data };
}

/** The page turned by 180 degrees: its pixels in reverse order (an upside-down scan set upright). */
export function turnAround(image: GrayImage): GrayImage {
  return { width: image.width, height: image.height, data: copyBytes(image.data).reverse() };
}

/** The page turned a quarter clockwise (a page scanned lying on its left side, set upright). */
export function turnQuarter(image: GrayImage): GrayImage {
  const { width: W, height: H, data } = image;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const col = H - 1 - y;
    for (let x = 0; x < W; x++) out[x * H + col] = data[row + x];
  }
  return { width: H, height: W, data: out };
}

/**
 * The 8-connected components of a sparse binary image (1 = ink), boxes and areas only, found from
 * its runs of ink (union-find over runs that touch in neighbouring rows): no pass over the page
 * beyond finding the runs, which skips empty words. For whole-page masks such as form lines, where
 * OpenCV's labelling spends its time on the empty page. Components come in raster order of their
 * first pixel, labelled 1, 2, …; no label image is made.
 *
 * @example
 * const boxes = componentBoxes(lineMask).filter((c) => c.box[2] > 100);
 */
export function componentBoxes(bin: BinaryImage): Component[] {
  const x0: number[] = [];
  const x1: number[] = [];
  const ys: number[] = [];
  const parent: number[] = [];
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  let row = -2;
  let rowStart = 0;
  let prevStart = 0;
  let prevEnd = 0;
  let j = 0;
  forEachRun(bin.data, bin.width, bin.height, (y, start, end) => {
    if (y !== row) {
      // The previous row's runs are the ones to join, if that row is the one just above.
      prevStart = y === row + 1 ? rowStart : x0.length;
      prevEnd = x0.length;
      rowStart = x0.length;
      row = y;
      j = prevStart;
    }
    const id = x0.length;
    x0.push(start);
    x1.push(end);
    ys.push(y);
    parent.push(id);
    // Runs above that end left of start - 1 touch neither this run nor the row's later ones.
    while (j < prevEnd && x1[j] < start) j++;
    for (let k = j; k < prevEnd && x0[k] <= end; k++) {
      const a = find(k);
      const b = find(id);
      // The root is the earlier run, so that a component's root is its first run.
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  });
  const index = new Map<number, number>();
  const out: Component[] = [];
  for (let i = 0; i < x0.length; i++) {
    const r = find(i);
    let k = index.get(r);
    if (k === undefined) {
      k = out.length;
      index.set(r, k);
      out.push({ label: k + 1, box: [x0[i], ys[i], x1[i] - x0[i], 1], area: 0 });
    }
    const c = out[k];
    const [bx, by, bw, bh] = c.box;
    const left = Math.min(bx, x0[i]);
    const right = Math.max(bx + bw, x1[i]);
    c.box = [left, by, right - left, Math.max(bh, ys[i] - by + 1)];
    c.area += x1[i] - x0[i];
  }
  return out;
}

/**
 * Whether two short verticals `a` and `b` (boxes in `h`'s pixels) are the sides of one box: their
 * ends level (within `reach`, and a degree's tilt), and horizontal line ink (`h`, or `short`'s runs)
 * along nine tenths of the way between them at both ends. A pen stroke that happens to join a line
 * at each end (a 7's stem under its bar, on a box's bottom line) has no such partner.
 */
function closeBox(h: BinaryImage, short: BinaryImage | undefined, a: Box, b: Box, reach: number): boolean {
  const [left, right] = a[0] < b[0] ? [a, b] : [b, a];
  const x0 = left[0] + left[2];
  const x1 = right[0];
  // Level within `reach`, and a degree of tilt left by deskewing.
  const level = reach + 0.02 * (x1 - x0);
  if (x1 - x0 < 2 * reach) return false;
  if (Math.abs(a[1] - b[1]) > level || Math.abs(a[1] + a[3] - b[1] - b[3]) > level) return false;
  return along(h, short, x0, x1, left[1], right[1], reach) && along(h, short, x0, x1, left[1] + left[3] - 1, right[1] + right[3] - 1, reach);
}

/** Whether line ink (`h`, or `short`'s) lies within `reach` of the straight way from (x0, y0) to (x1, y1), along nine tenths of it. */
function along(h: BinaryImage, short: BinaryImage | undefined, x0: number, x1: number, y0: number, y1: number, reach: number): boolean {
  let missing = 0;
  for (let u = x0; u < x1; u++) {
    const y = Math.round(y0 + ((y1 - y0) * (u - x0)) / (x1 - x0));
    let ink = false;
    for (let v = Math.max(0, y - reach); v <= Math.min(h.height - 1, y + reach) && !ink; v++) ink = h.data[v * h.width + u] === 1 || short?.data[v * h.width + u] === 1;
    if (!ink && ++missing > 0.1 * (x1 - x0)) return false;
  }
  return true;
}

/**
 * Drops from `lines` the vertical ones shorter than `long` that meet no horizontal line (no
 * horizontal line ink within `reach` pixels of them): a box's sides, a table's rules and a comb's
 * walls meet the lines along them, while a free-standing straight stroke a centimetre long is a
 * handwritten 1 or a 7's stem, not print. Those shorter than `short` (found as
 * {@link LineLengths.boxSide}) are kept only as the sides of a small box or comb cell: joining
 * horizontal lines at both ends, with another such side that the same lines join (see `closeBox`).
 * With {@link LineMask.shortHorizontal}, short horizontal runs count as such lines too (a digit's
 * square, too small for any of its lines to be one), and those that close a box come back as lines.
 * A straight stroke standing alone on a rule, away from its ends, is dropped too
 * ({@link standingStrokes}). Returns a new mask; `lines` is not changed.
 */
export function dropLooseVerticals(lines: LineMask, long: number, reach: number, short = 0): LineMask {
  const h = lines.horizontal;
  const sh = lines.shortHorizontal;
  const meets = (x: number, w: number, y0: number, y1: number, orShort = false): boolean => {
    for (let v = Math.max(0, y0); v < Math.min(h.height, y1); v++) {
      for (let u = Math.max(0, x - reach); u < Math.min(h.width, x + w + reach); u++) if (h.data[v * h.width + u] || (orShort && sh?.data[v * h.width + u])) return true;
    }
    return false;
  };
  const all = componentBoxes(lines.vertical);
  // Short ones joining lines (or short horizontal runs) at both ends: the sides of small boxes, kept
  // in pairs (below).
  const sides = all.filter(({ box: [x, y, w, ht] }) => meets(x, w, y - reach, y + reach + 1, true) && meets(x, w, y + ht - 1 - reach, y + ht + reach, true));
  // The pairs that close a box; with short horizontal runs for its top and bottom, those become lines.
  // Each pair once (closeBox and withShortRuns take the two either way round), one of them short.
  const paired = new Set<Component>();
  let horizontal = h;
  sides.forEach((a, i) => {
    for (const b of sides.slice(i + 1)) {
      if ((a.box[3] >= short && b.box[3] >= short) || !closeBox(h, sh, a.box, b.box, reach)) continue;
      paired.add(a).add(b);
      if (sh) horizontal = withShortRuns(horizontal, sh, a.box, b.box, reach);
    }
  });
  const loose = all.filter((c) => {
    const [x, y, w, ht] = c.box;
    if (ht >= long) return false;
    if (ht < short) return !paired.has(c);
    return !meets(x, w, y - reach, y + ht + reach);
  });
  loose.push(...standingStrokes(all, h, long, short, reach, meets));
  if (loose.length === 0) return { horizontal, vertical: lines.vertical };
  const vertical = { width: lines.vertical.width, height: lines.vertical.height, data: copyBytes(lines.vertical.data) };
  for (const { box: [x, y, w, ht] } of loose) {
    for (let v = y; v < y + ht; v++) vertical.data.fill(0, v * vertical.width + x, v * vertical.width + x + w);
  }
  return { horizontal, vertical };
}

/**
 * Of the vertical lines `all` (from `short` to `long` tall), those standing on a rule (`h`, the
 * horizontal lines) that are strokes of handwriting: each meets a horizontal line only at its foot
 * (within `reach`), away from the rule's ends, on a rule with no such vertical at either end. A comb
 * open above, or a box whose top line was lost, has walls standing on its baseline too, but one at
 * each end; a straight 1 written on a line to write on ("Amount ____") stands on it alone, or with
 * other 1s, and was taken out of the ink as a line (1501 read 501 at 0.999).
 */
function standingStrokes(all: Component[], h: BinaryImage, long: number, short: number, reach: number, meets: (x: number, w: number, y0: number, y1: number) => boolean): Component[] {
  const feet = all.filter(({ box: [x, y, w, ht] }) => ht >= short && ht < long && !meets(x, w, y - reach, y + ht - 1 - reach) && meets(x, w, y + ht - 1 - reach, y + ht + reach));
  if (!feet.length) return [];
  const rules = componentBoxes(h).map((r) => r.box);
  const ruleOf = ({ box: [x, y, w, ht] }: Component) => rules.findIndex(([rx, ry, rw, rh]) => rx <= x + w + reach && rx + rw >= x - reach && ry <= y + ht + reach && ry + rh >= y + ht - 1 - reach);
  const atEnd = ({ box: [x, , w] }: Component, [rx, , rw]: Box) => x - rx <= 2 * reach || rx + rw - (x + w) <= 2 * reach;
  const on = feet.map((c) => ({ c, r: ruleOf(c) })).filter(({ r }) => r >= 0);
  return on.filter(({ c, r }) => !atEnd(c, rules[r]) && !on.some((o) => o.r === r && atEnd(o.c, rules[r]))).map(({ c }) => c);
}

/**
 * `h` with the short horizontal runs (`short`) along the top and bottom of the box whose sides are
 * `a` and `b` (within `reach` of the way between their ends, from one side's outer edge to the
 * other's) made lines: a copy, or `h` itself when none is there or all already are.
 */
function withShortRuns(h: BinaryImage, short: BinaryImage, a: Box, b: Box, reach: number): BinaryImage {
  const [left, right] = a[0] < b[0] ? [a, b] : [b, a];
  const x0 = Math.max(0, left[0] - reach);
  const x1 = Math.min(h.width, right[0] + right[2] + reach);
  let out = h;
  for (const [y0, y1] of [[left[1], right[1]], [left[1] + left[3] - 1, right[1] + right[3] - 1]]) {
    for (let u = x0; u < x1; u++) {
      const y = Math.round(y0 + ((y1 - y0) * (Math.min(Math.max(u, left[0]), right[0]) - left[0])) / Math.max(1, right[0] - left[0]));
      for (let v = Math.max(0, y - reach); v <= Math.min(h.height - 1, y + reach); v++) {
        const i = v * h.width + u;
        if (short.data[i] !== 1 || out.data[i] === 1) continue;
        if (out === h) out = { width: h.width, height: h.height, data: copyBytes(h.data) };
        out.data[i] = 1;
      }
    }
  }
  return out;
}
