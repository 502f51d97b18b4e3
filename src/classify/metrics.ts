/** Classification metrics: accuracy, per-class precision/recall/F1, confusion matrix, confused pairs. */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Metrics {
  count: number;
  accuracy: number;
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  /** confusion[true][predicted] */
  confusion: number[][];
  /** Most frequent (true, predicted) errors, most first. */
  confusedPairs: Array<{ true: string; predicted: string; count: number }>;
}

/** Index of the largest of `k` probabilities of row `i`. */
export function argmaxRow(probs: ArrayLike<number>, i: number, k = 10): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
  return best;
}

/** Computes metrics from true labels and a row-major probability matrix (n x k). */
export function computeMetrics(labels: ArrayLike<number>, probs: ArrayLike<number>, classes = 10): Metrics {
  const n = labels.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = argmaxRow(probs, i, classes);
    confusion[labels[i]][p]++;
    if (p === labels[i]) correct++;
  }
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ label: String(c), precision, recall, f1, support });
  }
  const present = perClass.filter((c) => c.support > 0);
  const avg = (f: (c: ClassMetrics) => number) => present.reduce((a, c) => a + f(c), 0) / Math.max(1, present.length);
  const pairs: Metrics['confusedPairs'] = [];
  for (let t = 0; t < classes; t++) {
    for (let p = 0; p < classes; p++) if (t !== p && confusion[t][p] > 0) pairs.push({ true: String(t), predicted: String(p), count: confusion[t][p] });
  }
  pairs.sort((a, b) => b.count - a.count);
  return {
    count: n,
    accuracy: n > 0 ? correct / n : 0,
    perClass,
    macro: { precision: avg((c) => c.precision), recall: avg((c) => c.recall), f1: avg((c) => c.f1) },
    confusion,
    confusedPairs: pairs.slice(0, 10),
  };
}

/** The ten digit columns of a probability matrix with `k` classes (a reject column is dropped). */
export function digitsOnly(probs: Float32Array, k: number): Float32Array {
  if (k === 10) return probs;
  const n = probs.length / k;
  const out = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) out.set(probs.subarray(i * k, i * k + 10), i * 10);
  return out;
}
