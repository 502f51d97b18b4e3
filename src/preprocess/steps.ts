/**
 * Page preprocessing, each step a small function on typed images (OpenCV inside, plain values
 * outside): equalize -> threshold -> deskew -> remove specks -> remove form lines.
 */
import type { BinaryImage, GrayImage } from '../types';
import { components, fromMat, toMat, type CV } from './opencv';

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
  const cc = components(cv, bin);
  const keep = new Uint8Array(cc.list.length + 1);
  for (const c of cc.list) keep[c.label] = c.area >= minArea ? 1 : 0;
  const out = new Uint8Array(bin.data.length);
  for (let i = 0; i < out.length; i++) out[i] = keep[cc.labels[i]];
  return { width: bin.width, height: bin.height, data: out };
}

/** Horizontal and vertical printed lines found by {@link findLines}. */
export interface LineMask {
  /** 1 where a long horizontal printed line is. */
  horizontal: BinaryImage;
  /** 1 where a long vertical printed line is. */
  vertical: BinaryImage;
}

/**
 * Marks the ink of runs at least `minLength` long along one direction: `lines` runs of `length`
 * pixels, pixel j of run i at `i * lineStep + j * pixelStep`.
 */
function markRuns(data: Uint8Array, out: Uint8Array, lines: number, length: number, lineStep: number, pixelStep: number, minLength: number): void {
  for (let i = 0; i < lines; i++) {
    let start = -1;
    for (let j = 0; j <= length; j++) {
      const ink = j < length && data[i * lineStep + j * pixelStep];
      if (ink && start < 0) start = j;
      else if (!ink && start >= 0) {
        if (j - start >= minLength) for (let k = start; k < j; k++) out[i * lineStep + k * pixelStep] = 1;
        start = -1;
      }
    }
  }
}

/**
 * Finds long horizontal and vertical strokes (form lines, box borders): the pixels of ink runs at
 * least `minLength` long in a row (column). This is exactly a morphological opening with a
 * 1 x minLength (minLength x 1) line, computed in one pass instead of with a large kernel.
 */
export function findLines(bin: BinaryImage, minLength: number): LineMask {
  const { width: w, height: h, data } = bin;
  const hor = new Uint8Array(w * h);
  const ver = new Uint8Array(w * h);
  markRuns(data, hor, h, w, w, 1, minLength);
  markRuns(data, ver, w, h, 1, w, minLength);
  return { horizontal: { width: w, height: h, data: hor }, vertical: { width: w, height: h, data: ver } };
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
  return { width: w, height: hgt, data: res };
}
