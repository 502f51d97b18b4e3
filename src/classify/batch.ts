/** Turning dataset rows into model inputs. */
import { augmentDigit, AugmentSpec, isActive } from './data/augment';
import { Rng } from './data/random';

const P = 784;

/**
 * Fills `out` (n*784 floats in 0..1) with the rows `indices` of `images` (bytes), augmented with
 * `spec` when given, deterministically for `seed`.
 */
export function fillBatch(
  images: Uint8Array,
  indices: ArrayLike<number>,
  out: Float32Array,
  spec: AugmentSpec | null,
  seed: number,
): void {
  const src = new Float32Array(P);
  const dst = new Float32Array(P);
  const aug = isActive(spec);
  const rng = new Rng(seed);
  for (let k = 0; k < indices.length; k++) {
    const base = indices[k] * P;
    if (!aug) {
      for (let j = 0; j < P; j++) out[k * P + j] = images[base + j] / 255;
      continue;
    }
    for (let j = 0; j < P; j++) src[j] = images[base + j] / 255;
    augmentDigit(src, dst, rng, spec);
    out.set(dst, k * P);
  }
}
