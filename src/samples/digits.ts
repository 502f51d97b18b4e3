/**
 * Single-digit images made from MNIST digits, as `digitscan classify` meets them in real life: on
 * paper with room around them, soiled with specks and a sliver of the neighbouring digit, or small
 * and tight like postal-code digits. The benchmark and the tests read them.
 */
import type { GrayImage } from '../types';
import type { DigitDataset } from '../classify/data/dataset';
import { resampleArea } from '../segment/normalize';

const SIDE = 28;

/** The images' own seeded generator (a 31-bit LCG): uniform in [0, 1), the same sequence for a seed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Digit `i` of `set` as dark ink on white paper, `width` wide and 28 high, its 28x28 image at column `ox`. */
export function digitOnPaper(set: DigitDataset, i: number, width = 40, ox = 10): GrayImage {
  const data = new Uint8Array(width * SIDE).fill(255);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) data[y * width + ox + x] = 255 - set.images[i * 784 + y * SIDE + x];
  return { width, height: SIDE, data };
}

/**
 * Digit `i` on paper (40x28, see {@link digitOnPaper}) with three 2x2 specks near the corners and
 * the last four ink columns of digit `i + 1` cut by the left edge, as a digit cut from a scanned
 * string often is. Seeded by `i`: the same image every time.
 */
export function soiledDigit(set: DigitDataset, i: number): GrayImage {
  const img = digitOnPaper(set, i, 40, 10);
  const rnd = lcg(i + 1);
  for (let k = 0; k < 3; k++) {
    const x = rnd() < 0.5 ? Math.floor(rnd() * 4) + 34 : Math.floor(rnd() * 4) + 6;
    const y = rnd() < 0.5 ? Math.floor(rnd() * 3) : 25 + Math.floor(rnd() * 2);
    for (let j = 0; j < 2; j++) for (let q = 0; q < 2; q++) img.data[(y + j) * 40 + x + q] = 0;
  }
  const n = (i + 1) % set.count;
  let right = 0;
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) if (set.images[n * 784 + y * SIDE + x] > 30) right = Math.max(right, x);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < 4; x++) img.data[y * 40 + x] = Math.min(img.data[y * 40 + x], 255 - set.images[n * 784 + y * SIDE + Math.max(0, right - 3 + x)]);
  }
  return img;
}

/**
 * Digit `i` as cut from a boxed form: in a 44x44 cell with its printed border (2 px, a pixel in from
 * the edge) and, when `underline` is set, a rule under the digit instead, edge to edge.
 */
export function boxedDigit(set: DigitDataset, i: number, underline = false): GrayImage {
  const W = 44;
  const data = new Uint8Array(W * W).fill(255);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) data[(y + 6) * W + x + 8] = 255 - set.images[i * 784 + y * SIDE + x];
  if (underline) {
    for (let x = 0; x < W; x++) data[36 * W + x] = data[37 * W + x] = 20;
  } else {
    for (let k = 1; k < W - 1; k++) {
      for (const t of [1, 2, W - 3, W - 2]) data[t * W + k] = data[k * W + t] = 20;
    }
  }
  return { width: W, height: W, data };
}

/**
 * Digit `i` under uneven light: enlarged twice (56x56), on paper that darkens from 250 at the left
 * to 140 at the right, with seeded noise of +-15 levels; the ink takes 80% of the light away.
 */
export function shadedDigit(set: DigitDataset, i: number): GrayImage {
  const W = 56;
  const src = new Float32Array(784);
  for (let k = 0; k < 784; k++) src[k] = set.images[i * 784 + k];
  const big = resampleArea(src, SIDE, SIDE, W, W);
  const rnd = lcg(i + 7);
  const data = new Uint8Array(W * W);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const paper = 250 - (110 * x) / W + (rnd() - 0.5) * 30;
      data[y * W + x] = Math.max(0, Math.min(255, Math.round(paper * (1 - (0.8 * big[y * W + x]) / 255))));
    }
  }
  return { width: W, height: W, data };
}

/**
 * Digit `i` as a 16x16 postal-code digit: cropped to its ink, the longer side fitted to 16 px
 * (area-averaged, contrast raised a little), centred, dark on white: small, tight, thick-stroked.
 */
export function postalDigit(set: DigitDataset, i: number): GrayImage {
  const src = set.images.subarray(i * 784, (i + 1) * 784);
  let [x0, y0, x1, y1] = [SIDE, SIDE, -1, -1];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (src[y * SIDE + x] <= 30) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  const data = new Uint8Array(256).fill(255);
  if (x1 < 0) return { width: 16, height: 16, data };
  const [cw, ch] = [x1 - x0 + 1, y1 - y0 + 1];
  const crop = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = src[(y0 + y) * SIDE + x0 + x];
  const f = 16 / Math.max(cw, ch);
  const [dw, dh] = [Math.max(1, Math.round(cw * f)), Math.max(1, Math.round(ch * f))];
  const fitted = resampleArea(crop, cw, ch, dw, dh);
  const [ox, oy] = [Math.floor((16 - dw) / 2), Math.floor((16 - dh) / 2)];
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) data[(y + oy) * 16 + x + ox] = 255 - Math.min(255, Math.round(1.3 * fitted[y * dw + x]));
  return { width: 16, height: 16, data };
}
