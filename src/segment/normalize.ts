/**
 * MNIST-style normalization: the single function every path into the classifier goes through
 * (training on user folders, `classify`, and the scan pipeline's digit crops).
 */
import type { DigitCrop, GrayImage } from '../types';
import { otsuThreshold } from '../preprocess/steps';

export { otsuThreshold };

/** Side of the normalized image. */
export const MNIST_SIZE = 28;
/** Side of the box the digit's longer side is fitted to. */
export const MNIST_FIT = 20;

/** Options for {@link normalizeDigit}. */
export interface NormalizeOptions {
  /**
   * Ink polarity of the input. `auto` (default) decides from the border: a light border means dark
   * ink on light paper. Example: `{ polarity: 'dark-on-light' }` for a thresholded scan crop.
   */
  polarity?: 'auto' | 'dark-on-light' | 'light-on-dark';
}

/** The mean level of the histogram's values up to `t` (the paper's, in ink-bright levels); 0 when there are none. */
export function paperLevel(hist: Float64Array, t: number): number {
  let sum = 0;
  let n = 0;
  for (let v = 0; v <= t; v++) {
    sum += v * hist[v];
    n += hist[v];
  }
  return n > 0 ? sum / n : 0;
}

/** True when the image's border is light on average (dark ink on light paper). */
export function borderIsLight(img: GrayImage): boolean {
  const { width: w, height: h, data } = img;
  let sum = 0;
  let n = 0;
  for (let x = 0; x < w; x++) {
    sum += data[x] + data[(h - 1) * w + x];
    n += 2;
  }
  for (let y = 1; y < h - 1; y++) {
    sum += data[y * w] + data[y * w + w - 1];
    n += 2;
  }
  return sum / n >= 128;
}

/**
 * Area-averaging resample (an exact box filter): anti-aliased when shrinking, bilinear-like when
 * enlarging a small crop.
 */
export function resampleArea(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const out = new Float32Array(dw * dh);
  const fx = sw / dw;
  const fy = sh / dh;
  if (fx < 1 || fy < 1) {
    // Enlarging in at least one direction: bilinear over pixel centres.
    for (let y = 0; y < dh; y++) {
      const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), sh - 1);
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, sh - 1);
      const wy = sy - y0;
      for (let x = 0; x < dw; x++) {
        const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), sw - 1);
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, sw - 1);
        const wx = sx - x0;
        const top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
        const bot = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
        out[y * dw + x] = top * (1 - wy) + bot * wy;
      }
    }
    return out;
  }
  for (let y = 0; y < dh; y++) {
    const y0 = y * fy;
    const y1 = y0 + fy;
    for (let x = 0; x < dw; x++) {
      const x0 = x * fx;
      const x1 = x0 + fx;
      let acc = 0;
      for (let yy = Math.floor(y0); yy < Math.ceil(y1) && yy < sh; yy++) {
        const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
        for (let xx = Math.floor(x0); xx < Math.ceil(x1) && xx < sw; xx++) {
          const wx = Math.min(x1, xx + 1) - Math.max(x0, xx);
          acc += src[yy * sw + xx] * wx * wy;
        }
      }
      out[y * dw + x] = acc / (fx * fy);
    }
  }
  return out;
}

/**
 * Normalizes one digit image exactly as MNIST was made: ink as bright-on-dark in [0, 1], cropped
 * to the ink, longer side fitted to 20 px keeping the aspect ratio (anti-aliased), placed in a
 * 28x28 field with its centre of mass at the centre.
 *
 * Works on any size and either polarity. An image with no ink gives an all-zero crop.
 *
 * @example
 * const crop = normalizeDigit({ width, height, data });          // data: Uint8Array, 0..255
 * const crop2 = normalizeDigit(img, { polarity: 'dark-on-light' });
 */
export function normalizeDigit(img: GrayImage, options: NormalizeOptions = {}): DigitCrop {
  const { width: w, height: h, data } = img;
  if (w <= 0 || h <= 0 || data.length !== w * h) {
    throw new Error(`normalizeDigit: bad image ${w}x${h} with ${data.length} pixels`);
  }
  const polarity = options.polarity ?? 'auto';
  const invert = polarity === 'dark-on-light' || (polarity === 'auto' && borderIsLight(img));
  // Ink intensity 0..255, bright = ink.
  const ink = new Uint8Array(w * h);
  const hist = new Float64Array(256);
  for (let i = 0; i < w * h; i++) {
    const v = invert ? 255 - data[i] : data[i];
    ink[i] = v;
    hist[v]++;
  }
  // Background level and ink level: Otsu splits them; the background mean becomes 0, the ink's
  // upper level 1, so faint pencil and dark marker look alike.
  const t = otsuThreshold(hist);
  const bg = paperLevel(hist, t);
  let inkTop = 255;
  {
    // 95th percentile of the ink pixels.
    let inkN = 0;
    for (let v = t + 1; v < 256; v++) inkN += hist[v];
    let acc = 0;
    for (let v = 255; v > t; v--) {
      acc += hist[v];
      if (acc >= inkN * 0.05) {
        inkTop = v;
        break;
      }
    }
  }
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  if (inkTop - bg < 24) return { pixels: out }; // no contrast: blank
  const scale = 1 / (inkTop - bg);
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  const level = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = Math.min(1, Math.max(0, (ink[i] - bg) * scale));
      level[i] = v;
      if (ink[i] > t) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return { pixels: out };
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const crop = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) crop.set(level.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + cw), y * cw);
  const f = MNIST_FIT / Math.max(cw, ch);
  const dw = Math.max(1, Math.round(cw * f));
  const dh = Math.max(1, Math.round(ch * f));
  const fitted = resampleArea(crop, cw, ch, dw, dh);
  // Centre of mass goes to pixel (14, 14), as in MNIST (measured: its digits' centres of mass
  // average 14.5 with pixel centres at i + 0.5).
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const v = fitted[y * dw + x];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const cx = m > 0 ? mx / m : dw / 2;
  const cy = m > 0 ? my / m : dh / 2;
  const ox = Math.round(MNIST_SIZE / 2 + 0.5 - cx);
  const oy = Math.round(MNIST_SIZE / 2 + 0.5 - cy);
  for (let y = 0; y < dh; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= MNIST_SIZE) continue;
    for (let x = 0; x < dw; x++) {
      const tx = x + ox;
      if (tx < 0 || tx >= MNIST_SIZE) continue;
      out[ty * MNIST_SIZE + tx] = fitted[y * dw + x];
    }
  }
  return { pixels: out };
}
