/**
 * Page preprocessing, each step a small function on typed images (OpenCV inside, plain values
 * outside): equalize -> threshold -> deskew -> remove specks -> remove form lines.
 */
import type { BinaryImage, GrayImage } from '../types';
import { fromMat, labelComponents, toMat, type CV } from './opencv';

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

/** Threshold method: global Otsu, or adaptive (local mean) for uneven light and patterned paper. */
export type ThresholdMethod = 'otsu' | 'adaptive';

/**
 * Binarizes a page: ink (dark) becomes 1. `adaptive` compares each pixel with the mean of a window
 * about 1/40 of the page's shorter side.
 */
export function threshold(cv: CV, img: GrayImage, method: ThresholdMethod = 'otsu'): BinaryImage {
  const src = toMat(cv, img);
  const dst = new cv.Mat();
  try {
    if (method === 'otsu') {
      cv.threshold(src, dst, 0, 1, cv.THRESH_BINARY_INV + cv.THRESH_OTSU);
    } else {
      let block = Math.max(15, Math.round(Math.min(img.width, img.height) / 40)) | 1;
      if (block % 2 === 0) block++;
      cv.adaptiveThreshold(src, dst, 1, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY_INV, block, 15);
    }
    return fromMat(dst);
  } finally {
    src.delete();
    dst.delete();
  }
}

/**
 * Estimates the skew of a page in degrees (positive = content rotated clockwise) from its ink:
 * the angle whose horizontal projection profile is sharpest, searched over ±`maxAngle`
 * (coarse to fine, to 0.05°). Works on the ink pixels of a copy at most 800 px wide, so each
 * angle costs one pass over the ink, not over the page.
 */
export function estimateSkew(cv: CV, bin: BinaryImage, maxAngle = 10): number {
  const f = Math.min(1, 800 / bin.width);
  let data = bin.data;
  if (f < 1) {
    data = new Uint8Array(bin.data.length);
    for (let i = 0; i < data.length; i++) data[i] = bin.data[i] * 255;
  }
  const src = toMat(cv, { ...bin, data });
  const small = new cv.Mat();
  let xs: Float64Array;
  let ys: Float64Array;
  let h: number;
  try {
    // Ink scaled to 255 before INTER_AREA averaging: any ink in a cell counts, thin lines stay.
    cv.resize(src, small, new cv.Size(Math.max(1, Math.round(bin.width * f)), Math.max(1, Math.round(bin.height * f))), 0, 0, f < 1 ? cv.INTER_AREA : cv.INTER_NEAREST);
    const w = small.cols;
    h = small.rows;
    const d = small.data as Uint8Array;
    let n = 0;
    for (let i = 0; i < d.length; i++) if (d[i]) n++;
    xs = new Float64Array(n);
    ys = new Float64Array(n);
    n = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (d[y * w + x]) {
          xs[n] = x - w / 2;
          ys[n++] = y - h / 2;
        }
      }
    }
  } finally {
    src.delete();
    small.delete();
  }
  const margin = Math.ceil(Math.abs(Math.sin((maxAngle * Math.PI) / 180)) * 800) + 2;
  const rows = new Float64Array(h + 2 * margin);
  // Content rotated by `deg` about the centre: a pixel lands on row y*cos + x*sin.
  const score = (deg: number) => {
    const r = (deg * Math.PI) / 180;
    const c = Math.cos(r);
    const sn = Math.sin(r);
    rows.fill(0);
    const off = h / 2 + margin;
    for (let i = 0; i < xs.length; i++) rows[Math.round(ys[i] * c + xs[i] * sn + off)]++;
    let s = 0;
    for (let y = 1; y < rows.length; y++) s += (rows[y] - rows[y - 1]) ** 2;
    return s;
  };
  let best = 0;
  let bestScore = score(0);
  for (const step of [1, 0.25, 0.05]) {
    const c = best;
    const span = step === 1 ? maxAngle : step * 4;
    for (let a = c - span; a <= c + span + 1e-9; a += step) {
      if (Math.abs(a) > maxAngle) continue;
      const sc = score(a);
      if (sc > bestScore) {
        bestScore = sc;
        best = a;
      }
    }
  }
  return Math.round(best * 100) / 100;
}

/** Rotates a gray page by `-angle` degrees about its centre (white fill), undoing a skew of `angle`. */
export function rotate(cv: CV, img: GrayImage, angle: number): GrayImage {
  if (angle === 0) return img;
  const src = toMat(cv, img);
  const dst = new cv.Mat();
  const M = cv.getRotationMatrix2D(new cv.Point(img.width / 2, img.height / 2), -angle, 1);
  try {
    cv.warpAffine(src, dst, M, new cv.Size(img.width, img.height), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(255));
    return fromMat(dst);
  } finally {
    src.delete();
    dst.delete();
    M.delete();
  }
}

/** Removes connected ink specks smaller than `minArea` pixels. */
export function removeSpecks(cv: CV, bin: BinaryImage, minArea: number): BinaryImage {
  return labelComponents(cv, bin, (list, labels) => {
    const out = bin.data.slice();
    const w = bin.width;
    // Clear each small component inside its own bounding box: no pass over the whole page.
    for (const c of list) {
      if (c.area >= minArea) continue;
      const [x0, y0, bw, bh] = c.box;
      for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) if (labels[y * w + x] === c.label) out[y * w + x] = 0;
    }
    return { width: bin.width, height: bin.height, data: out };
  });
}

/** Horizontal and vertical printed lines found by {@link findLines}. */
export interface LineMask {
  /** 1 where a long horizontal printed line is. */
  horizontal: BinaryImage;
  /** 1 where a long vertical printed line is. */
  vertical: BinaryImage;
}

/** Calls `fn(y, start, end)` for every run of nonzero pixels `[start, end)` in each row of a `w` x `h` image. */
function forEachRun(data: Uint8Array, w: number, h: number, fn: (y: number, start: number, end: number) => void): void {
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let start = -1;
    for (let x = 0; x <= w; x++) {
      const on = x < w && data[row + x];
      if (on && start < 0) start = x;
      else if (!on && start >= 0) {
        fn(y, start, x);
        start = -1;
      }
    }
  }
}

/** Marks, in a new mask, the ink of the row runs of `data` at least `minLength` long. */
function markRuns(data: Uint8Array, w: number, h: number, minLength: number): Uint8Array {
  const out = new Uint8Array(w * h);
  forEachRun(data, w, h, (y, start, end) => {
    if (end - start >= minLength) out.fill(1, y * w + start, y * w + end);
  });
  return out;
}

/**
 * Finds long horizontal and vertical strokes (form lines, box borders): the pixels of ink runs at
 * least `minLength` long in a row (column); `minLength` may differ for the two directions. This is
 * exactly a morphological opening with a 1 x minLength (minLength x 1) line, computed in one pass instead of with a large kernel. With
 * `maxThickness`, runs whose ink is thicker than that across them (pen strokes, not printed
 * rules) are left out.
 */
export function findLines(bin: BinaryImage, minLength: number | { horizontal: number; vertical: number }, maxThickness = Infinity): LineMask {
  const { width: w, height: h, data } = bin;
  const len = typeof minLength === 'number' ? { horizontal: minLength, vertical: minLength } : minLength;
  // Columns are walked as the rows of the transposed page: memory order, several times faster.
  const rowsOf = (d: Uint8Array, rw: number, rh: number, minLength: number) => {
    const m = markRuns(d, rw, rh, minLength);
    if (Number.isFinite(maxThickness)) dropThickRuns(d, m, rw, rh, maxThickness);
    return m;
  };
  const hor = rowsOf(data, w, h, len.horizontal);
  const ver = transpose(rowsOf(transpose(data, w, h), h, w, len.vertical), h, w);
  return { horizontal: { width: w, height: h, data: hor }, vertical: { width: w, height: h, data: ver } };
}

/** Transposes a `w` x `h` row-major byte image, in cache-sized tiles. */
function transpose(src: Uint8Array, w: number, h: number): Uint8Array {
  const dst = new Uint8Array(src.length);
  const T = 64;
  for (let y0 = 0; y0 < h; y0 += T) {
    const y1 = Math.min(h, y0 + T);
    for (let x0 = 0; x0 < w; x0 += T) {
      const x1 = Math.min(w, x0 + T);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) dst[x * h + y] = src[y * w + x];
    }
  }
  return dst;
}

/**
 * Unmarks the row runs of `mask` that are strokes, not printed lines: a printed line is thin across
 * its length, so the ink across it (up and down the column) is at most `maxThickness` pixels at
 * most of its pixels (crossing strokes make the exceptions). A handwritten "1" is long too, but its
 * ink across is the pen width of a thick stroke.
 */
function dropThickRuns(data: Uint8Array, mask: Uint8Array, w: number, h: number, maxThickness: number): void {
  const across = (y: number, x: number): number => {
    let n = 1;
    for (let k = y - 1; k >= 0 && data[k * w + x] && n <= maxThickness; k--) n++;
    for (let k = y + 1; k < h && data[k * w + x] && n <= maxThickness; k++) n++;
    return n;
  };
  forEachRun(mask, w, h, (y, start, end) => {
    let thick = 0;
    for (let x = start; x < end; x++) if (across(y, x) > maxThickness) thick++;
    if (thick > 0.5 * (end - start)) mask.fill(0, y * w + start, y * w + end);
  });
}

/**
 * Removes printed lines from the ink without eating the digits that cross them: the line pixels go,
 * then strokes that continue on both sides of a line are bridged back across it.
 */
export function removeLines(bin: BinaryImage, lines: LineMask, bridge = 9): BinaryImage {
  const w = bin.width;
  const hgt = bin.height;
  const out = new Uint8Array(bin.data.length);
  const hm = lines.horizontal.data;
  const vm = lines.vertical.data;
  const onLine: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (hm[i] | vm[i]) {
      if (bin.data[i]) onLine.push(i);
    } else out[i] = bin.data[i];
  }
  // Bridge: a horizontal-line pixel becomes ink again when ink lies within `bridge` px above and
  // below it; a vertical-line pixel, when ink lies left and right of it.
  const res = out.slice();
  for (const i of onLine) {
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
    if ((hm[i] && up && down) || (vm[i] && left && right)) res[i] = 1;
  }
  return { width: w, height: hgt, data: res };
}
