/**
 * Connectionist temporal classification (CTC) for the string model: the loss (with its exact
 * gradient from the forward-backward recursions), best-path decoding, and the probability of a
 * labelling summed over all its alignments (the field confidence). Log space throughout; the blank
 * is the last class.
 */
import * as tf from '@tensorflow/tfjs-core';

const NEG = -Infinity;

function logAdd(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * Forward-backward over one sequence. `logp` holds log-probabilities `[T, K]` (row-major, starting
 * at `off`), `label` the target classes (no blanks). Returns log p(label | x) and, when `grad` is
 * given, adds d(-log p)/d(logits) into it (at `off`): softmax minus the state occupancy.
 */
export function ctcForwardBackward(
  logp: Float32Array,
  off: number,
  T: number,
  K: number,
  label: ArrayLike<number>,
  blank: number,
  grad?: Float32Array,
): number {
  const L = label.length;
  const S = 2 * L + 1;
  const ext = new Int32Array(S);
  for (let s = 0; s < S; s++) ext[s] = s % 2 === 0 ? blank : label[(s - 1) >> 1];
  // A transition s-2 -> s is allowed onto a label that differs from the one two states back.
  const skip = new Uint8Array(S);
  for (let s = 2; s < S; s++) skip[s] = ext[s] !== blank && ext[s] !== ext[s - 2] ? 1 : 0;
  const alpha = new Float64Array(T * S).fill(NEG);
  alpha[0] = logp[off + blank];
  if (S > 1) alpha[1] = logp[off + ext[1]];
  for (let t = 1; t < T; t++) {
    const row = t * S;
    const prev = row - S;
    for (let s = 0; s < S; s++) {
      let a = alpha[prev + s];
      if (s >= 1) a = logAdd(a, alpha[prev + s - 1]);
      if (skip[s]) a = logAdd(a, alpha[prev + s - 2]);
      alpha[row + s] = a === NEG ? NEG : a + logp[off + t * K + ext[s]];
    }
  }
  const last = (T - 1) * S;
  const logZ = S > 1 ? logAdd(alpha[last + S - 1], alpha[last + S - 2]) : alpha[last];
  if (!grad || logZ === NEG) return logZ;
  // beta[t][s]: log probability of the rest after being in state s at t (emission at t excluded).
  const beta = new Float64Array(T * S).fill(NEG);
  beta[last + S - 1] = 0;
  if (S > 1) beta[last + S - 2] = 0;
  for (let t = T - 2; t >= 0; t--) {
    const row = t * S;
    const next = row + S;
    const e = off + (t + 1) * K;
    for (let s = 0; s < S; s++) {
      let b = beta[next + s] + logp[e + ext[s]];
      if (s + 1 < S) b = logAdd(b, beta[next + s + 1] + logp[e + ext[s + 1]]);
      if (s + 2 < S && skip[s + 2]) b = logAdd(b, beta[next + s + 2] + logp[e + ext[s + 2]]);
      beta[row + s] = b;
    }
  }
  for (let t = 0; t < T; t++) {
    const g = off + t * K;
    for (let k = 0; k < K; k++) grad[g + k] += Math.exp(logp[g + k]);
    for (let s = 0; s < S; s++) {
      const a = alpha[t * S + s];
      if (a === NEG) continue;
      grad[g + ext[s]] -= Math.exp(a + beta[t * S + s] - logZ);
    }
  }
  return logZ;
}

/**
 * Mean CTC loss of a batch of logits `[B, T, K]` against `labels` (one class array per sample),
 * differentiable with respect to the logits. Samples whose label cannot fit in T frames count zero.
 *
 * @example
 * const loss = ctcLoss(model.apply(x) as tf.Tensor3D, [[1, 2, 3], [4, 4]]);
 */
export function ctcLoss(logits: tf.Tensor3D, labels: ArrayLike<number>[]): tf.Scalar {
  const f = tf.customGrad(((x: tf.Tensor) => {
    const [B, T, K] = x.shape as [number, number, number];
    const logp = tf.tidy(() => tf.logSoftmax(x)).dataSync() as Float32Array;
    const grad = new Float32Array(B * T * K);
    let sum = 0;
    let n = 0;
    for (let b = 0; b < B; b++) {
      // An infeasible label returns -Infinity before touching the gradient.
      const lz = ctcForwardBackward(logp, b * T * K, T, K, labels[b], K - 1, grad);
      if (!Number.isFinite(lz)) continue;
      sum -= lz;
      n++;
    }
    const scale = 1 / Math.max(1, B);
    for (let i = 0; i < grad.length; i++) grad[i] *= scale;
    return {
      value: tf.scalar(sum / Math.max(1, n)),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor3d(grad, [B, T, K])),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(logits) as tf.Scalar;
}

/** A best-path decoding: the classes, and the frames each was read from. */
export interface CtcDecoding {
  labels: number[];
  /** First and last frame (inclusive) of each label's run. */
  frames: Array<[number, number]>;
  /** Highest probability of the label over its frames. */
  peaks: number[];
}

/**
 * Best-path decoding of probabilities `[T, K]` (row-major from `off`): the most probable class per
 * frame, repeats merged, blanks dropped.
 */
export function ctcGreedyDecode(probs: Float32Array, off: number, T: number, K: number): CtcDecoding {
  const blank = K - 1;
  const out: CtcDecoding = { labels: [], frames: [], peaks: [] };
  let prev = blank;
  for (let t = 0; t < T; t++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[off + t * K + k] > probs[off + t * K + best]) best = k;
    const p = probs[off + t * K + best];
    if (best !== blank) {
      if (best !== prev) {
        out.labels.push(best);
        out.frames.push([t, t]);
        out.peaks.push(p);
      } else {
        const i = out.labels.length - 1;
        out.frames[i][1] = t;
        out.peaks[i] = Math.max(out.peaks[i], p);
      }
    }
    prev = best;
  }
  return out;
}

/**
 * log p(label | x) for probabilities `[T, K]` from `off`: the probability of the labelling summed
 * over all its alignments (the blank is the last class).
 */
export function ctcLogProbability(probs: Float32Array, off: number, T: number, K: number, label: ArrayLike<number>): number {
  const logp = new Float32Array(T * K);
  for (let i = 0; i < T * K; i++) logp[i] = Math.log(Math.max(probs[off + i], 1e-30));
  return ctcForwardBackward(logp, 0, T, K, label, K - 1);
}
