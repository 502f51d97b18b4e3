/**
 * Confidence calibration: temperature scaling (one scalar that softens or sharpens the softmax,
 * fitted on held-out data by minimizing the negative log-likelihood) and the expected calibration
 * error that measures it.
 */
import { applyTemperature } from './classifier';

/** Mean negative log-likelihood of the true labels under `probs` (n x k). */
export function nll(probs: Float32Array, labels: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s -= Math.log(Math.max(1e-12, probs[i * k + labels[i]]));
  return s / Math.max(1, labels.length);
}

/**
 * The temperature T that minimizes the NLL of softmax(log p / T) on `probs` (n x k) with `labels`:
 * golden-section search over log T in [1/20, 20].
 */
export function fitTemperature(probs: Float32Array, labels: ArrayLike<number>, k: number): number {
  const f = (logT: number) => nll(applyTemperature(probs, k, Math.exp(logT)), labels, k);
  return Math.exp(goldenSection(f, Math.log(0.05), Math.log(20)));
}

/**
 * Expected calibration error: the confidence-weighted gap between confidence and accuracy over
 * `bins` equal-width confidence bins (0 = perfectly calibrated).
 */
export function expectedCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<boolean>, bins = 15): number {
  const n = confidence.length;
  const sumConf = new Float64Array(bins);
  const sumAcc = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor(confidence[i] * bins));
    sumConf[b] += confidence[i];
    sumAcc[b] += correct[i] ? 1 : 0;
    count[b]++;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (count[b]) e += (count[b] / n) * Math.abs(sumConf[b] / count[b] - sumAcc[b] / count[b]);
  return e;
}

/** ECE of the argmax predictions of `probs` (n x k) against `labels`. */
export function eceOf(probs: Float32Array, labels: ArrayLike<number>, k: number, bins = 15): number {
  const conf: number[] = [];
  const ok: boolean[] = [];
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    conf.push(probs[i * k + best]);
    ok.push(best === labels[i]);
  }
  return expectedCalibrationError(conf, ok, bins);
}

/** Mean binary NLL of `correct` under the probabilities `confidence`. */
export function binaryNll(confidence: ArrayLike<number>, correct: ArrayLike<boolean>): number {
  let s = 0;
  for (let i = 0; i < confidence.length; i++) {
    const p = Math.min(1 - 1e-9, Math.max(1e-9, confidence[i]));
    s -= correct[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / Math.max(1, confidence.length);
}

/** The minimum of `f` over [a, b] by golden-section search (f unimodal). */
export function goldenSection(f: (x: number) => number, a: number, b: number, iterations = 40): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/**
 * Logistic regression by Newton's method: weights `w` (first one the intercept, for a leading 1 in
 * every row of `x`) maximizing the likelihood of `y` under sigmoid(w . x), with an L2 penalty
 * `l2` on all weights but the intercept (keeps a fit on few samples finite when they separate).
 */
export function fitLogistic(x: number[][], y: ArrayLike<boolean>, l2 = 0.1, iterations = 50): number[] {
  const d = x[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((row, i) => {
      const p = logisticProbability(row, w);
      const r = p - (y[i] ? 1 : 0);
      const s = Math.max(1e-9, p * (1 - p));
      for (let j = 0; j < d; j++) {
        g[j] += r * row[j];
        for (let k = 0; k < d; k++) h[j][k] += s * row[j] * row[k];
      }
    });
    for (let j = 1; j < d; j++) {
      g[j] += l2 * w[j];
      h[j][j] += l2;
    }
    const step = solve(h, g);
    let change = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      change = Math.max(change, Math.abs(step[j]));
    }
    if (change < 1e-9) break;
  }
  return w;
}

/** sigmoid(w . x): the probability a logistic model with weights `w` gives features `x` (missing weights count 0). */
export function logisticProbability(x: number[], w: number[]): number {
  return sigmoid(x.reduce((a, v, j) => a + v * (w[j] ?? 0), 0));
}

/** 1 / (1 + e^-z). */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** log(p / (1 - p)), with p kept inside [1e-6, 1 - 1e-6]. */
export function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

/** Solves a x = b (Gaussian elimination with partial pivoting; `a` small and well conditioned). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / piv;
      if (f) for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / (row[i] || 1e-12));
}
