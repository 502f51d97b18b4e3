/** Shared test helpers for post-processing: digit readings with made-up probabilities. */
import type { Rng } from '../src/classify/data/random';
import type { DigitReading } from '../src/pipeline/assemble';

/** Ten probabilities, `p` on `top`, `q` on `second`, the rest shared evenly. */
export function probs(top: number, p: number, second: number, q: number): number[] {
  const rest = (1 - p - q) / 8;
  return Array.from({ length: 10 }, (_, d) => (d === top ? p : d === second ? q : rest));
}

/** A digit read as its most probable one, at `x` in the field. */
export function digit(probabilities: number[], x = 0): DigitReading {
  const d = probabilities.indexOf(Math.max(...probabilities));
  return { value: String(d), confidence: probabilities[d], box: [x, 0, 10, 20], probabilities };
}

/** `n` positions of ten seeded random probabilities each; a higher `power` makes them peakier. */
export function randomProbabilities(rng: Rng, n: number, power: number): number[][] {
  return Array.from({ length: n }, () => {
    const raw = Array.from({ length: 10 }, () => rng.uniform(0, 1) ** power);
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / sum);
  });
}
