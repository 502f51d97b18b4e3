/**
 * Seeded on-the-fly augmentation of 28x28 digits (ink bright, 0..1). Geometric (paper 004:
 * rotation, shift, zoom) plus what real scans need: stroke thickness, aspect, blur, resolution loss,
 * noise and contrast. Never flips: a flipped 6 is a 9.
 */
import { Rng } from './random';
import { resampleArea } from '../../segment/normalize';

const S = 28;

/** What to vary and how much; every field 0/absent = off. Recipes carry one of these as data. */
export interface AugmentSpec {
  /** Max rotation in degrees (uniform in ±). */
  rotation?: number;
  /** Max shift as a fraction of the side (uniform in ±, per axis). */
  shift?: number;
  /** Max zoom change (scale uniform in [1-zoom, 1+zoom]). */
  zoom?: number;
  /** Max extra horizontal stretch (x scale uniform in [1-aspect, 1+aspect] on top of zoom). */
  aspect?: number;
  /** Max shear (x += shear * y, uniform in ±). */
  shear?: number;
  /** Probability of thickening or thinning the strokes (by up to one pixel, fractional). */
  thickness?: number;
  /** Probability of a Gaussian blur with sigma in [0.3, 1]. */
  blur?: number;
  /** Probability of shrinking to 12..20 px and back (lost resolution, as from a 16x16 source). */
  resolution?: number;
  /** Max standard deviation of additive Gaussian noise (uniform in [0, noise]). */
  noise?: number;
  /** Probability of a contrast change (ink level 0.5..1, background 0..0.15). */
  contrast?: number;
}

/** Paper 004's augmentation. */
export const PAPER_004_AUGMENT: AugmentSpec = { rotation: 10, shift: 0.1, zoom: 0.1 };

/** Paper 004's augmentation plus scan-like variation: what the shipped model trains with. */
export const SCAN_AUGMENT: AugmentSpec = {
  rotation: 12,
  shift: 0.1,
  zoom: 0.12,
  aspect: 0.15,
  shear: 0.25,
  thickness: 0.5,
  blur: 0.3,
  resolution: 0.25,
  noise: 0.08,
  contrast: 0.3,
};

function affine(src: Float32Array, dst: Float32Array, rng: Rng, spec: AugmentSpec): void {
  const ang = ((spec.rotation ?? 0) * Math.PI) / 180 * rng.uniform(-1, 1);
  const z = 1 + (spec.zoom ?? 0) * rng.uniform(-1, 1);
  const zx = z * (1 + (spec.aspect ?? 0) * rng.uniform(-1, 1));
  const zy = z;
  const sh = (spec.shear ?? 0) * rng.uniform(-1, 1);
  const tx = (spec.shift ?? 0) * S * rng.uniform(-1, 1);
  const ty = (spec.shift ?? 0) * S * rng.uniform(-1, 1);
  // Forward map about the centre: p' = R * Sh * Z * (p - c) + c + t. Sample with its inverse.
  const c = Math.cos(ang);
  const s = Math.sin(ang);
  // M = R * [[1, sh], [0, 1]] * diag(zx, zy)
  const m00 = c * zx;
  const m01 = (c * sh - s) * zy;
  const m10 = s * zx;
  const m11 = (s * sh + c) * zy;
  const det = m00 * m11 - m01 * m10;
  const i00 = m11 / det;
  const i01 = -m01 / det;
  const i10 = -m10 / det;
  const i11 = m00 / det;
  const cc = S / 2 - 0.5;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const dx = x - cc - tx;
      const dy = y - cc - ty;
      const sx = i00 * dx + i01 * dy + cc;
      const sy = i10 * dx + i11 * dy + cc;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const wx = sx - x0;
      const wy = sy - y0;
      let v = 0;
      if (x0 >= -1 && y0 >= -1 && x0 < S && y0 < S) {
        const p = (xx: number, yy: number) => (xx >= 0 && yy >= 0 && xx < S && yy < S ? src[yy * S + xx] : 0);
        v = (p(x0, y0) * (1 - wx) + p(x0 + 1, y0) * wx) * (1 - wy) + (p(x0, y0 + 1) * (1 - wx) + p(x0 + 1, y0 + 1) * wx) * wy;
      }
      dst[y * S + x] = v;
    }
  }
}

/** 3x3 grey-level dilation (t > 0) or erosion (t < 0), blended by |t| for sub-pixel thickness. */
function morph(img: Float32Array, tmp: Float32Array, t: number): void {
  const grow = t > 0;
  const a = Math.abs(t);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      let v = img[y * S + x];
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          // Cross-shaped element: a rounder stroke than the full square.
          if ((dx !== 0 && dy !== 0) || xx < 0 || yy < 0 || xx >= S || yy >= S) continue;
          const u = img[yy * S + xx];
          v = grow ? Math.max(v, u) : Math.min(v, u);
        }
      }
      tmp[y * S + x] = img[y * S + x] * (1 - a) + v * a;
    }
  }
  img.set(tmp);
}

function gaussianBlur(img: Float32Array, tmp: Float32Array, sigma: number): void {
  const k = [Math.exp(-1 / (2 * sigma * sigma)), 1, Math.exp(-1 / (2 * sigma * sigma))];
  const n = k[0] * 2 + 1;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const l = x > 0 ? img[y * S + x - 1] : 0;
      const r = x < S - 1 ? img[y * S + x + 1] : 0;
      tmp[y * S + x] = (l * k[0] + img[y * S + x] + r * k[2]) / n;
    }
  }
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const u = y > 0 ? tmp[(y - 1) * S + x] : 0;
      const d = y < S - 1 ? tmp[(y + 1) * S + x] : 0;
      img[y * S + x] = (u * k[0] + tmp[y * S + x] + d * k[2]) / n;
    }
  }
}

function resample(img: Float32Array, size: number): void {
  // Area-shrink to size x size, then bilinear back up to 28x28.
  img.set(resampleArea(resampleArea(img, S, S, size, size), size, size, S, S));
}

/** True when the spec changes anything. */
export function isActive(spec: AugmentSpec | null | undefined): spec is AugmentSpec {
  return spec != null && Object.values(spec).some((v) => typeof v === 'number' && v > 0);
}

/**
 * Augments one 28x28 image (`src`, 0..1) into `dst`. Deterministic for a given `rng` state.
 */
export function augmentDigit(src: Float32Array, dst: Float32Array, rng: Rng, spec: AugmentSpec): void {
  const tmp = new Float32Array(S * S);
  affine(src, dst, rng, spec);
  if (spec.thickness && rng.next() < spec.thickness) morph(dst, tmp, rng.uniform(-0.8, 1));
  if (spec.resolution && rng.next() < spec.resolution) resample(dst, 12 + rng.int(9));
  if (spec.blur && rng.next() < spec.blur) gaussianBlur(dst, tmp, rng.uniform(0.3, 1));
  let gain = 1;
  let bias = 0;
  if (spec.contrast && rng.next() < spec.contrast) {
    gain = rng.uniform(0.5, 1);
    bias = rng.uniform(0, 0.15);
  }
  const sigma = spec.noise ? rng.uniform(0, spec.noise) : 0;
  for (let i = 0; i < S * S; i++) {
    let v = bias + (gain - bias) * dst[i];
    if (sigma > 0) v += sigma * rng.normal();
    dst[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}
