/**
 * Training data for reading digit strings: digit crops and "bad cuts" (the reject class, label 10).
 *
 * - From labeled strings (`labels.tsv` with per-digit boxes, e.g. real check amounts): each field is
 *   preprocessed and over-segmented exactly as the reader does it; every candidate that matches one
 *   labeled digit box becomes a sample of that digit, every candidate that cuts a digit, spans two,
 *   or holds only a separator or sign becomes a reject sample. The ink of each labeled box is added
 *   as a digit sample too.
 * - From MNIST training digits: touching pairs and cut fragments, as rejects.
 *
 * Only the strings given are used: callers pass the training part of a split (see `splitStrings`).
 */
import type { Box } from '../../types';
import type { LabeledString } from '../../io/labels';
import { decodeImage } from '../../io/image';
import { loadOpenCV } from '../../preprocess/opencv';
import { cleanPage } from '../../preprocess/page';
import { normalizeDigit } from '../../segment/normalize';
import { segmentGraph } from '../../segment/strings';
import { cropBinary } from '../../segment/components';
import { DigitDataset, loadMnist, REJECT_LABEL, SampleList } from './dataset';
import { Rng } from './random';

const PIXELS = 784;

/** How a candidate box relates to the labeled digit boxes: a digit's label, reject, or unclear. */
export function labelCandidate(box: Box, digits: string, boxes: Box[]): number | null {
  const [x, , w] = box;
  let best = -1;
  let bestCover = 0;
  let bestInside = 0;
  boxes.forEach((b, i) => {
    const ov = Math.max(0, Math.min(x + w, b[0] + b[2]) - Math.max(x, b[0]));
    const cover = ov / Math.max(1, b[2]);
    const inside = ov / Math.max(1, w);
    if (cover * inside > bestCover * bestInside) {
      best = i;
      bestCover = cover;
      bestInside = inside;
    }
  });
  if (best >= 0 && bestCover >= 0.8 && bestInside >= 0.8) return Number(digits[best]);
  if (best < 0 || bestCover < 0.55 || bestInside < 0.55) return REJECT_LABEL;
  return null;
}

/** Options of {@link buildStringSet}. */
export interface StringSetOptions {
  seed?: number;
  /** Reject samples made from MNIST training digits (touching pairs and fragments); default 8000. */
  mnistRejects?: number;
  /** Keep at most this many reject samples per digit sample from the strings (default 1.5). */
  rejectRatio?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Only the digits cut at their labeled boxes, one sample each: no candidates of the segmentation
   * graph, no rejects (real handwriting to draw forms with, as `npm run bench -- real-forms` does).
   *
   * @example
   * const { set } = await buildStringSet(heldOut, { boxesOnly: true });
   */
  boxesOnly?: boolean;
}

/** Builds digit and reject samples from labeled strings (see the module comment). */
export async function buildStringSet(strings: LabeledString[], options: StringSetOptions = {}): Promise<{ set: DigitDataset; counts: Record<string, number> }> {
  const rng = new Rng(options.seed ?? 1);
  const cv = await loadOpenCV();
  const digits = new SampleList();
  const rejects = new SampleList();
  let done = 0;
  for (const s of strings) {
    options.onProgress?.(done++, strings.length);
    if (s.boxes.length === 0) continue;
    const gray = await decodeImage(s.path);
    const { clean } = cleanPage(cv, gray, { deskew: false });
    for (const [bi, b] of s.boxes.entries()) {
      const ink = cropBinary(clean, b);
      if (ink.data.some((v) => v)) digits.add(normalizeDigit({ ...ink, data: ink.data.map((v) => (v ? 255 : 0)) }, { polarity: 'light-on-dark' }).pixels, Number(s.digits[bi]));
    }
    if (options.boxesOnly) continue;
    const graph = segmentGraph(cv, clean, [0, 0, clean.width, clean.height]);
    for (const c of graph.candidates) {
      const label = labelCandidate(c.box, s.digits, s.boxes);
      if (label === null) continue;
      (label === REJECT_LABEL ? rejects : digits).add(c.crop.pixels, label);
    }
  }
  options.onProgress?.(done, strings.length);
  // Balance: at most rejectRatio rejects per digit sample from the strings.
  const maxRejects = Math.round((options.rejectRatio ?? 1.5) * digits.labels.length);
  const keep = rng.shuffle(Int32Array.from({ length: rejects.labels.length }, (_, i) => i)).slice(0, maxRejects);
  const out = new SampleList();
  digits.images.forEach((img, i) => {
    out.images.push(img);
    out.labels.push(digits.labels[i]);
  });
  for (const i of keep) {
    out.images.push(rejects.images[i]);
    out.labels.push(REJECT_LABEL);
  }
  const fromStrings = { digits: digits.labels.length, rejects: keep.length };
  const mnist = mnistRejects(options.boxesOnly ? 0 : (options.mnistRejects ?? 8000), rng);
  mnist.forEach((px) => out.add(px, REJECT_LABEL));
  return { set: out.toDataset('strings'), counts: { stringDigits: fromStrings.digits, stringRejects: fromStrings.rejects, mnistRejects: mnist.length } };
}

/** Reject samples from MNIST training digits: two touching or overlapping digits, and cut fragments of one. */
export function mnistRejects(count: number, rng: Rng): Float32Array[] {
  if (count <= 0) return [];
  const mnist = loadMnist('train');
  const out: Float32Array[] = [];
  const W = 28 * 3;
  for (let n = 0; n < count; n++) {
    const canvas = new Uint8Array(W * 28);
    const a = rng.int(mnist.count);
    if (n % 2 === 0) {
      // Two (or three) digits closer than writers leave them: touching or overlapping.
      const parts = rng.next() < 0.8 ? 2 : 3;
      let x = 0;
      for (let p = 0; p < parts; p++) {
        const idx = p === 0 ? a : rng.int(mnist.count);
        for (let y = 0; y < 28; y++) for (let xx = 0; xx < 28; xx++) {
          const v = mnist.images[idx * PIXELS + y * 28 + xx];
          const cx = x + xx;
          if (cx < W && v > canvas[y * W + cx]) canvas[y * W + cx] = v;
        }
        x += 12 + rng.int(8);
      }
      out.push(normalizeDigit({ width: W, height: 28, data: canvas }, { polarity: 'light-on-dark' }).pixels);
    } else {
      // A fragment: the left or right 30-60% of a digit's ink columns (a 1 has no meaningful fragment).
      if (mnist.labels[a] === 1) {
        n--;
        continue;
      }
      let x0 = 28;
      let x1 = 0;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (mnist.images[a * PIXELS + y * 28 + x] > 64) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
      }
      const cut = Math.round(x0 + (x1 - x0) * rng.uniform(0.3, 0.6));
      const left = rng.next() < 0.5;
      const frag = new Uint8Array(28 * 28);
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (left ? x < cut : x >= x1 - (cut - x0)) frag[y * 28 + x] = mnist.images[a * PIXELS + y * 28 + x];
      if (!frag.some((v) => v > 64)) {
        n--;
        continue;
      }
      out.push(normalizeDigit({ width: 28, height: 28, data: frag }, { polarity: 'light-on-dark' }).pixels);
    }
  }
  return out;
}
