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
