/**
 * TF.js draws weight initializers and dropout masks from Math.random when no seed is given; routing
 * Math.random through a seeded generator makes a training run reproducible from `--seed`.
 */
import { Rng } from './data/random';

/** Runs `fn` with Math.random seeded, restoring it afterwards. */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  const rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** Seeds Math.random for the rest of this thread's life (worker threads only). */
export function seedThreadRandom(seed: number): void {
  const rng = new Rng(seed);
  Math.random = () => rng.next();
}

/** Mixes integers into a 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}
