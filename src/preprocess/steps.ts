/**
 * Page preprocessing, each step a small function on typed images (OpenCV inside, plain values
 * outside): equalize -> threshold -> deskew -> remove specks -> remove form lines.
 */
import type { BinaryImage, GrayImage } from '../types';
import type { CV } from './opencv';

function toMat(cv: CV, img: GrayImage | BinaryImage) {
  const m = new cv.Mat(img.height, img.width, cv.CV_8UC1);
  m.data.set(img.data);
  return m;
}

function fromMat(m: { rows: number; cols: number; data: Uint8Array }): GrayImage {
  return { width: m.cols, height: m.rows, data: new Uint8Array(m.data) };
}

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
 * the angle whose horizontal projection profile is sharpest, searched over ±`maxAngle`.
 */
export function estimateSkew(cv: CV, bin: BinaryImage, maxAngle = 10): number {
  // Work on a copy at most 800 px wide.
  const f = Math.min(1, 800 / bin.width);
  const src = toMat(cv, bin);
  const small = new cv.Mat();
  const rot = new cv.Mat();
  try {
    cv.resize(src, small, new cv.Size(Math.max(1, Math.round(bin.width * f)), Math.max(1, Math.round(bin.height * f))), 0, 0, cv.INTER_AREA);
    const w = small.cols;
    const h = small.rows;
    const center = new cv.Point(w / 2, h / 2);
    const score = (deg: number) => {
      const M = cv.getRotationMatrix2D(center, deg, 1);
      cv.warpAffine(small, rot, M, new cv.Size(w, h), cv.INTER_NEAREST, cv.BORDER_CONSTANT, new cv.Scalar(0));
      M.delete();
      let s = 0;
      let prev = 0;
      const d = rot.data as Uint8Array;
      for (let y = 0; y < h; y++) {
        let row = 0;
        for (let x = 0; x < w; x++) row += d[y * w + x];
        s += (row - prev) * (row - prev);
        prev = row;
      }
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
    return Math.round(-best * 100) / 100;
  } finally {
    src.delete();
    small.delete();
    rot.delete();
  }
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
  const src = toMat(cv, bin);
  const labels = new cv.Mat();
  const stats = new cv.Mat();
  const cents = new cv.Mat();
  try {
    const n = cv.connectedComponentsWithStats(src, labels, stats, cents, 8, cv.CV_32S);
    const keep = new Uint8Array(n);
    for (let i = 1; i < n; i++) keep[i] = stats.intAt(i, cv.CC_STAT_AREA) >= minArea ? 1 : 0;
    const lab = labels.data32S as Int32Array;
    const out = new Uint8Array(bin.data.length);
    for (let i = 0; i < out.length; i++) out[i] = keep[lab[i]];
    return { width: bin.width, height: bin.height, data: out };
  } finally {
    src.delete();
    labels.delete();
    stats.delete();
    cents.delete();
  }
}

/** Horizontal and vertical printed lines found by {@link findLines}. */
export interface LineMask {
  /** 1 where a long horizontal printed line is. */
  horizontal: BinaryImage;
  /** 1 where a long vertical printed line is. */
  vertical: BinaryImage;
}

/**
 * Finds long horizontal and vertical strokes (form lines, box borders): the ink pixels of runs at
 * least `minLength` long in a row (column), allowing `tolerance` px of drift across the run. With
 * no tolerance this is exactly a morphological opening with a 1 x minLength line, in one pass.
 */
export function findLines(cv: CV, bin: BinaryImage, minLength: number, tolerance = 0): LineMask {
  const { width: w, height: h, data } = bin;
  // Runs are found on a copy thickened by `tolerance` px across the line direction, so a line
  // tilted by a fraction of a degree (a residual skew) still forms one long run.
  const thick = (across: 'x' | 'y') => {
    if (tolerance <= 0) return data;
    const t = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (!data[y * w + x]) continue;
        for (let d = -tolerance; d <= tolerance; d++) {
          if (across === 'y' && y + d >= 0 && y + d < h) t[(y + d) * w + x] = 1;
          if (across === 'x' && x + d >= 0 && x + d < w) t[y * w + x + d] = 1;
        }
      }
    }
    return t;
  };
  const th = thick('y');
  const hor = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let start = -1;
    for (let x = 0; x <= w; x++) {
      const ink = x < w && th[y * w + x];
      if (ink && start < 0) start = x;
      else if (!ink && start >= 0) {
        if (x - start >= minLength) for (let xx = start; xx < x; xx++) hor[y * w + xx] = data[y * w + xx];
        start = -1;
      }
    }
  }
  const tv = thick('x');
  const ver = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    let start = -1;
    for (let y = 0; y <= h; y++) {
      const ink = y < h && tv[y * w + x];
      if (ink && start < 0) start = y;
      else if (!ink && start >= 0) {
        if (y - start >= minLength) for (let yy = start; yy < y; yy++) ver[yy * w + x] = data[yy * w + x];
        start = -1;
      }
    }
  }
  void cv;
  return { horizontal: { width: w, height: h, data: hor }, vertical: { width: w, height: h, data: ver } };
}

/**
 * Removes printed lines from the ink without eating the digits that cross them: the line pixels go,
 * then strokes that continue on both sides of a line are bridged back across it.
 */
export function removeLines(cv: CV, bin: BinaryImage, lines: LineMask, bridge = 9): BinaryImage {
  const w = bin.width;
  const hgt = bin.height;
  const out = new Uint8Array(bin.data.length);
  const hm = lines.horizontal.data;
  const vm = lines.vertical.data;
  for (let i = 0; i < out.length; i++) out[i] = bin.data[i] & ((hm[i] | vm[i]) ^ 1);
  // Bridge: a horizontal-line pixel becomes ink again when ink lies within `bridge` px above and
  // below it; a vertical-line pixel, when ink lies left and right of it.
  const res = out.slice();
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!(hm[i] | vm[i]) || !bin.data[i]) continue;
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
  }
  void cv;
  return { width: w, height: hgt, data: res };
}
