/**
 * Training data for the string model: real labeled fields (augmented), and synthetic fields
 * composed from real digit strokes (cut out of the training fields by their per-digit boxes) and
 * MNIST training digits, with separators, dashes and underlines, on real check backgrounds.
 *
 * Ink is moved as darkness: a field's paper is its grey closing (dark strokes thinner than the
 * closing window removed), and a digit's ink is how much darker than that paper it is.
 */
import type { GrayImage } from '../../types';
import { prepareField, PreparedField, STRING_NORMALIZATION } from '../string-model';
import type { Rng } from './random';

/** A decoded training field: its grey image, its paper (ink removed) and its digit boxes. */
export interface FieldSource {
  image: GrayImage;
  paper: Float32Array;
  digits: string;
  boxes: Array<[number, number, number, number]>;
}

/** A digit's ink as darkness (0 = none, 255 = black). */
interface InkPatch {
  width: number;
  height: number;
  ink: Float32Array;
  digit: number;
}

/** Separable running max then min (grey closing) with a (2r+1)-square window. */
export function greyClosing(img: GrayImage, r: number): Float32Array {
  const { width: w, height: h } = img;
  const pass = (src: Float32Array, horizontal: boolean, max: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = max ? -Infinity : Infinity;
        for (let d = -r; d <= r; d++) {
          const xx = horizontal ? Math.min(w - 1, Math.max(0, x + d)) : x;
          const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + d));
          const s = src[yy * w + xx];
          v = max ? Math.max(v, s) : Math.min(v, s);
        }
        out[y * w + x] = v;
      }
    }
    return out;
  };
  const f = Float32Array.from(img.data);
  return pass(pass(pass(pass(f, true, true), false, true), true, false), false, false);
}

/** Makes a field source (computes its paper). */
export function fieldSource(image: GrayImage, digits: string, boxes: Array<[number, number, number, number]>): FieldSource {
  return { image, paper: greyClosing(image, Math.max(3, Math.round(image.height / 12))), digits, boxes };
}

/** The ink patches of a source's boxed digits. */
export function inkPatches(s: FieldSource): InkPatch[] {
  const out: InkPatch[] = [];
  s.boxes.forEach((b, i) => {
    const [x0, y0] = [Math.max(0, b[0]), Math.max(0, b[1])];
    const x1 = Math.min(s.image.width, b[0] + b[2]);
    const y1 = Math.min(s.image.height, b[1] + b[3]);
    if (x1 - x0 < 2 || y1 - y0 < 4) return;
    const ink = new Float32Array((x1 - x0) * (y1 - y0));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const j = y * s.image.width + x;
        ink[(y - y0) * (x1 - x0) + x - x0] = Math.max(0, s.paper[j] - s.image.data[j] - 8);
      }
    }
    out.push({ width: x1 - x0, height: y1 - y0, ink, digit: Number(s.digits[i]) });
  });
  return out;
}

/** MNIST digit `i` of a set (28x28 bytes, ink bright) as an ink patch cropped to its ink. */
export function mnistPatch(images: Uint8Array, labels: Uint8Array, i: number, darkness: number): InkPatch {
  const px = images.subarray(i * 784, (i + 1) * 784);
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (px[y * 28 + x] > 30) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) [x0, y0, x1, y1] = [0, 0, 27, 27];
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const ink = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ink[y * w + x] = (px[(y0 + y) * 28 + x0 + x] / 255) * darkness;
  return { width: w, height: h, ink, digit: labels[i] };
}

/** Samples `src` (w x h) at (x, y) bilinearly; 0 outside. */
function sample(src: Float32Array, w: number, h: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => (xx >= 0 && yy >= 0 && xx < w && yy < h ? src[yy * w + xx] : 0);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

/** Subtracts a patch's ink (scaled by `s`, sheared) from the canvas with its top-left at (ox, oy). */
function paste(canvas: Float32Array, cw: number, ch: number, p: InkPatch, ox: number, oy: number, s: number, shear: number): void {
  const w = Math.ceil(p.width * s + Math.abs(shear) * p.height * s) + 1;
  const h = Math.ceil(p.height * s) + 1;
  for (let y = 0; y < h; y++) {
    const cy = Math.round(oy) + y;
    if (cy < 0 || cy >= ch) continue;
    const sh = shear * (h - y);
    for (let x = 0; x < w; x++) {
      const cx = Math.round(ox) + x;
      if (cx < 0 || cx >= cw) continue;
      const v = sample(p.ink, p.width, p.height, (x - sh) / s, y / s);
      if (v > 0) canvas[cy * cw + cx] = Math.max(0, canvas[cy * cw + cx] - v);
    }
  }
}

function drawEllipse(canvas: Float32Array, cw: number, ch: number, cx: number, cy: number, rx: number, ry: number, dark: number): void {
  for (let y = Math.floor(cy - ry - 1); y <= cy + ry + 1; y++) {
    for (let x = Math.floor(cx - rx - 1); x <= cx + rx + 1; x++) {
      if (x < 0 || y < 0 || x >= cw || y >= ch) continue;
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      if (d <= 1.2) canvas[y * cw + x] = Math.max(0, canvas[y * cw + x] - dark * Math.min(1, (1.2 - d) * 3));
    }
  }
}

function drawLine(canvas: Float32Array, cw: number, ch: number, x0: number, y0: number, x1: number, y1: number, t: number, dark: number): void {
  const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0)) + 1;
  for (let i = 0; i <= n; i++) drawEllipse(canvas, cw, ch, x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, t / 2, t / 2, dark);
}

/** Where synthetic fields get their digits and backgrounds. */
export interface SynthSources {
  fields: FieldSource[];
  patches: InkPatch[];
  mnist?: { images: Uint8Array; labels: Uint8Array };
}

/**
 * One synthetic field: 1-8 digits (real strokes or MNIST), spaced from overlapping to apart, on a
 * real field's paper (or plain noisy paper), with optional thousands separators, a trailing
 * dash, and an underline. Returns the grey image and its digits.
 */
export function synthField(src: SynthSources, rng: Rng): { image: GrayImage; digits: string } {
  const lengths = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 7, 8];
  const n = lengths[rng.int(lengths.length)];
  const useMnist = src.mnist && (src.patches.length === 0 || rng.next() < 0.4);
  const dark = rng.uniform(110, 220);
  const target = rng.uniform(22, 36);
  const realScale = rng.uniform(0.8, 1.25);
  const patches: InkPatch[] = [];
  for (let i = 0; i < n; i++) {
    if (useMnist) {
      const j = rng.int(src.mnist!.labels.length);
      patches.push(mnistPatch(src.mnist!.images, src.mnist!.labels, j, dark));
    } else patches.push(src.patches[rng.int(src.patches.length)]);
  }
  const scales = patches.map((p) => (useMnist ? (target / 20) * (p.height >= 14 ? 1 : 0.8) * rng.uniform(0.92, 1.08) : realScale * rng.uniform(0.95, 1.05)));
  const maxH = Math.max(...patches.map((p, i) => p.height * scales[i]));
  const ch = Math.round(maxH * rng.uniform(1.25, 1.7));
  const shear = rng.uniform(-0.25, 0.3);
  // Layout: x positions with gaps from touching-overlap to wide; separators between groups of three.
  const sepKind = rng.next();
  const xs: number[] = [];
  const seps: Array<{ x: number; kind: 'dot' | 'comma' }> = [];
  let x = rng.uniform(2, 14);
  const gapMean = rng.uniform(-0.15, 0.35);
  for (let i = 0; i < n; i++) {
    xs.push(x);
    const w = patches[i].width * scales[i];
    x += w + (gapMean + rng.uniform(-0.12, 0.12)) * w;
    const fromRight = n - 1 - i;
    if (sepKind < 0.45 && fromRight > 0 && fromRight % 3 === 0) {
      seps.push({ x: x + 2, kind: rng.next() < 0.7 ? 'dot' : 'comma' });
      x += rng.uniform(6, 12);
    }
  }
  const trailing = rng.next();
  const dashLen = rng.uniform(8, 20);
  const cw = Math.round(x + (trailing < 0.35 ? dashLen + 10 : 0) + rng.uniform(2, 14));
  // Paper: a real field's paper, stretched, or plain with noise.
  const canvas = new Float32Array(cw * ch);
  if (src.fields.length && rng.next() < 0.85) {
    const f = src.fields[rng.int(src.fields.length)];
    const sx = rng.uniform(0, Math.max(0, f.image.width - cw));
    const ky = f.image.height / ch;
    const kx = cw > f.image.width ? f.image.width / cw : 1;
    for (let yy = 0; yy < ch; yy++) for (let xx = 0; xx < cw; xx++) canvas[yy * cw + xx] = sample(f.paper, f.image.width, f.image.height, Math.min(f.image.width - 1, sx + xx * kx), Math.min(f.image.height - 1, yy * ky));
  } else {
    const level = rng.uniform(170, 250);
    for (let i = 0; i < canvas.length; i++) canvas[i] = level + rng.normal() * 6;
  }
  const base = ch * rng.uniform(0.72, 0.88);
  const slope = rng.uniform(-0.06, 0.06);
  patches.forEach((p, i) => {
    const h = p.height * scales[i];
    paste(canvas, cw, ch, p, xs[i], base + slope * xs[i] - h + rng.uniform(-2, 2), scales[i], shear);
  });
  const inkDark = useMnist ? dark : rng.uniform(90, 160);
  for (const s of seps) {
    const y = base + slope * s.x - 2;
    const r = rng.uniform(1.3, 2.6);
    drawEllipse(canvas, cw, ch, s.x, y, r, r, inkDark);
    if (s.kind === 'comma') drawLine(canvas, cw, ch, s.x, y, s.x - 2, y + r + 4, 1.6, inkDark);
  }
  if (trailing < 0.35) {
    const y = base + slope * x - maxH * rng.uniform(0.1, 0.5);
    if (trailing < 0.15) drawEllipse(canvas, cw, ch, x + 3, base + slope * x - 2, 2, 2, inkDark);
    drawLine(canvas, cw, ch, x + 6, y, x + 6 + dashLen, y + rng.uniform(-2, 2), rng.uniform(1.5, 3), inkDark);
  }
  if (rng.next() < 0.25) {
    const y = Math.min(ch - 2, base + rng.uniform(2, 6));
    drawLine(canvas, cw, ch, 0, y, cw, y + rng.uniform(-1, 1), rng.uniform(1, 2.2), rng.uniform(60, 140));
  }
  const data = new Uint8Array(cw * ch);
  const noise = rng.uniform(0, 8);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(canvas[i] + rng.normal() * noise)));
  return { image: { width: cw, height: ch, data }, digits: patches.map((p) => p.digit).join('') };
}

/**
 * Random geometric and photometric variation of a prepared field, in place: scale, shear,
 * rotation and shift (kept inside the input), contrast, blur and noise.
 */
export function augmentPrepared(f: PreparedField, rng: Rng): Float32Array {
  const H = STRING_NORMALIZATION.height;
  const W = STRING_NORMALIZATION.width;
  const src = f.input;
  const sy = rng.uniform(0.85, 1.08);
  const sx = Math.min(rng.uniform(0.85, 1.2), (W - 2) / Math.max(1, f.used));
  const shear = rng.uniform(-0.2, 0.2);
  const rot = rng.uniform(-0.05, 0.05);
  const tx = rng.uniform(0, Math.max(0, Math.min(6, W - f.used * sx)));
  const ty = rng.uniform(-2, 2);
  const [cos, sin] = [Math.cos(rot), Math.sin(rot)];
  const out = new Float32Array(H * W);
  const gamma = rng.uniform(0.7, 1.4);
  const gain = rng.uniform(0.7, 1.1);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Output (x, y) -> input: undo shift, rotation about the centre line, shear and scale.
      const u = x - tx;
      const v = y - H / 2 - ty;
      const ru = cos * u + sin * v;
      const rv = -sin * u + cos * v;
      const iy = rv / sy + H / 2;
      const ix = (ru - shear * rv) / sx;
      const val = sample(src, W, H, ix, iy);
      out[y * W + x] = val > 0 ? gain * Math.pow(Math.min(1, val), gamma) : 0;
    }
  }
  if (rng.next() < 0.3) {
    const tmp = Float32Array.from(out);
    for (let y = 0; y < H; y++) for (let x = 1; x < W - 1; x++) out[y * W + x] = 0.25 * tmp[y * W + x - 1] + 0.5 * tmp[y * W + x] + 0.25 * tmp[y * W + x + 1];
  }
  const noise = rng.uniform(0, 0.08);
  if (noise > 0.01) for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i] + rng.normal() * noise));
  return out;
}

/** A synthetic field, prepared and augmented, with its digits. */
export function synthSample(src: SynthSources, rng: Rng): { input: Float32Array; digits: string } {
  const s = synthField(src, rng);
  return { input: augmentPrepared(prepareField(s.image), rng), digits: s.digits };
}
