/** Batched forward pass shared by the in-process classifier and the workers. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Rows per forward pass: large enough for XNNPACK, small enough for memory (vgg-bn: ~25 MB). */
export const INFER_BATCH = 256;

/**
 * Runs `model` on `count` 28x28 images (`pixels`, count*784 floats) in batches; returns the
 * row-major output probabilities. Calls the network directly (layers' predict() would re-split
 * into batches of 32 and concatenate).
 */
export function forward(model: tfl.LayersModel, pixels: Float32Array, count: number, batch = INFER_BATCH): Float32Array {
  const k = (model.outputs[0].shape[1] as number) ?? 10;
  const out = new Float32Array(count * k);
  for (let s = 0; s < count; s += batch) {
    const n = Math.min(batch, count - s);
    // tidy returns the tensor, not its values: tidy walks every element of a returned typed array.
    const y = tf.tidy(() => model.apply(tf.tensor4d(pixels.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1]), { training: false }) as tf.Tensor);
    out.set(y.dataSync() as Float32Array, s * k);
    y.dispose();
  }
  return out;
}

/**
 * The mean of several networks' output probabilities (an ensemble's vote) for the same images; one
 * network's own when there is one. A network listed more than once counts as often and is run once.
 */
export function forwardMean(networks: tfl.LayersModel[], pixels: Float32Array, count: number, batch = INFER_BATCH): Float32Array {
  const times = new Map<tfl.LayersModel, number>();
  for (const n of networks) times.set(n, (times.get(n) ?? 0) + 1);
  let out: Float32Array | undefined;
  for (const [network, n] of times) {
    const p = forward(network, pixels, count, batch);
    const share = n / networks.length;
    if (!out) {
      out = p;
      if (share !== 1) for (let i = 0; i < out.length; i++) out[i] *= share;
    } else {
      for (let i = 0; i < out.length; i++) out[i] += share * p[i];
    }
  }
  return out!;
}

/**
 * The networks of a digit model as they read: `networks` read every crop and their probabilities
 * are averaged; when `unsure` is set, a crop whose averaged top probability is under `unsure.below`
 * is read by `unsure.networks` as well, and its probabilities are the mean over all of them.
 */
export interface DigitReaders {
  networks: tfl.LayersModel[];
  unsure?: { below: number; networks: tfl.LayersModel[] };
}

/**
 * Class probabilities of `count` images read by a model's {@link DigitReaders}: the first networks'
 * mean, and for the unsure rows the mean over every network.
 */
export function readDigits(readers: DigitReaders, pixels: Float32Array, count: number, batch = INFER_BATCH): Float32Array {
  const out = forwardMean(readers.networks, pixels, count, batch);
  const extra = readers.unsure;
  if (!extra || extra.networks.length === 0 || count === 0) return out;
  const k = out.length / count;
  const rows: number[] = [];
  for (let i = 0; i < count; i++) {
    let top = 0;
    for (let c = 0; c < k; c++) top = Math.max(top, out[i * k + c]);
    if (top < extra.below) rows.push(i);
  }
  if (rows.length === 0) return out;
  const px = new Float32Array(rows.length * 784);
  rows.forEach((r, j) => px.set(pixels.subarray(r * 784, (r + 1) * 784), j * 784));
  const sum = forwardMean(extra.networks, px, rows.length, batch);
  const n = readers.networks.length;
  const m = extra.networks.length;
  rows.forEach((r, j) => {
    for (let c = 0; c < k; c++) out[r * k + c] = (out[r * k + c] * n + sum[j * k + c] * m) / (n + m);
  });
  return out;
}

/** A digit ensemble's page gate (see `DigitEnsembleSpec.gate`), its member as an index into the networks. */
export interface DigitGate {
  network: number;
  from: number;
  to: number;
  weight: number;
}

/**
 * The gated member's probabilities and the mean of the other networks' for the same images (a
 * network listed more than once among the others counts as often).
 */
export function gateParts(networks: tfl.LayersModel[], gate: DigitGate, pixels: Float32Array, count: number, batch = INFER_BATCH): { member: Float32Array; others: Float32Array } {
  return {
    member: forward(networks[gate.network], pixels, count, batch),
    others: forwardMean(networks.filter((_, i) => i !== gate.network), pixels, count, batch),
  };
}

/** The mean total-variation distance between two row-major probability tables of `k` classes (0 for no rows). */
export function meanDistance(p: Float32Array, q: Float32Array, k: number): number {
  const rows = p.length / k;
  if (rows === 0) return 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += Math.abs(p[i] - q[i]);
  return sum / 2 / rows;
}

/**
 * The gated member's weight for a page whose readings lie `distance` apart: its plain `share` up to
 * `gate.from`, `gate.weight` from `gate.to` on, linear between.
 */
export function gateWeight(gate: DigitGate, distance: number, share: number): number {
  if (distance <= gate.from) return share;
  if (distance >= gate.to) return gate.weight;
  return share + ((distance - gate.from) / (gate.to - gate.from)) * (gate.weight - share);
}

/** `weight` of the member's probabilities and the rest of the others'. */
export function weighParts({ member, others }: { member: Float32Array; others: Float32Array }, weight: number): Float32Array {
  const out = new Float32Array(member.length);
  for (let i = 0; i < out.length; i++) out[i] = weight * member[i] + (1 - weight) * others[i];
  return out;
}
