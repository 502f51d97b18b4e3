/** Helpers of the stage tests (preprocess, segment, scan): images drawn by hand, pages read in this thread. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../src/classify/data/dataset';
import type { BinaryImage, GrayImage } from '../src/types';
import { tmp, ROOT } from './helpers';
import { generateForm, renderForm, type FormFieldSpec } from '../src/samples/forms';
import { scanInputs, type ScanOptions } from '../src/pipeline/scan';
import type { DocumentResult, FieldResult, PageResult } from '../src/pipeline/document';

/**
 * A former shipped network, kept as a test fixture (`vgg-bn` on MNIST: the shipped model alone until
 * session 25, then the first of the shipped pair until session 31): tests whose premise is one of its
 * misreads, or whose figures were measured with it, read with it, so that they test their step and not
 * the shipped model's current errors.
 */
export const FORMER = join(ROOT, 'test', 'fixtures', 'former-a');

export function blank(w: number, h: number, v = 255): GrayImage {
  return { width: w, height: h, data: new Uint8Array(w * h).fill(v) };
}
/** Sets to ink the pixels of MNIST image `k` darker than `level`, enlarged `S` times, at (x0, y0) on `bin` (clipped). */
export function drawDigit(bin: BinaryImage, images: Uint8Array, k: number, x0: number, y0: number, S: number, level = 100) {
  for (let y = 0; y < 28 * S; y++) {
    if (y0 + y < 0 || y0 + y >= bin.height) continue;
    for (let x = 0; x < 28 * S; x++) {
      if (x0 + x >= 0 && x0 + x < bin.width && images[k * 784 + Math.floor(y / S) * 28 + Math.floor(x / S)] > level) bin.data[(y0 + y) * bin.width + x0 + x] = 1;
    }
  }
}

/** A 20 x 60 binary image holding a 1-pixel-wide vertical line (nothing is left of it thinned). */
export function thin1px(): BinaryImage {
  const bin: BinaryImage = { width: 20, height: 60, data: new Uint8Array(20 * 60) };
  for (let y = 5; y < 55; y++) bin.data[y * 20 + 10] = 1;
  return bin;
}

/** A `w` x `h` binary image with about one pixel in `sparsity` inked, pseudo-randomly from `seed`. */
export function speckled(w: number, h: number, sparsity: number, seed: number): BinaryImage {
  const bin: BinaryImage = { width: w, height: h, data: new Uint8Array(w * h) };
  let s = seed;
  for (let i = 0; i < bin.data.length; i++) bin.data[i] = (s = (s * 1103515245 + 12345) % 2147483648) % sparsity === 0 ? 1 : 0;
  return bin;
}

export function fill(img: GrayImage | BinaryImage, x0: number, y0: number, w: number, h: number, v: number) {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img.data[y * img.width + x] = v;
}

/** Draws a box's four sides, `t` thick, at `x0, y0`, `w` x `h` outside. */
export function frame(img: GrayImage | BinaryImage, x0: number, y0: number, w: number, h: number, t: number, v: number) {
  fill(img, x0, y0, w, t, v);
  fill(img, x0, y0 + h - t, w, t, v);
  fill(img, x0, y0, t, h, v);
  fill(img, x0 + w - t, y0, t, h, v);
}

/** A glyph-like mark: the outline (2 px of ink) of a `w` x `h` box standing on `bottom`, as letters and digits are not solid. */
export function outline(img: BinaryImage, x: number, bottom: number, w: number, h: number) {
  fill(img, x, bottom - h, w, 2, 1);
  fill(img, x, bottom - 2, w, 2, 1);
  fill(img, x, bottom - h, 2, h, 1);
  fill(img, x + w - 2, bottom - h, 2, h, 1);
}

/** The first page of a file read with --auto-fields. */
export async function autoPage(file: string, options: ScanOptions = {}): Promise<PageResult> {
  const docs: DocumentResult[] = [];
  await scanInputs([file], { autoFields: true, concurrency: 1, ...options }, (d) => docs.push(d));
  return docs[0].pages[0];
}

/** The fields `--auto-fields` reads on one image file, in this thread. */
export async function autoFields(file: string, options: ScanOptions = {}): Promise<FieldResult[]> {
  return (await autoPage(file, options)).fields;
}

/** The fields of a one-page file read by lines (neither template nor --auto-fields). */
export async function scanLines(file: string): Promise<FieldResult[]> {
  const docs: DocumentResult[] = [];
  await scanInputs([file], { concurrency: 1 }, (d) => docs.push(d));
  return docs[0].pages[0].fields;
}

/** A form of big, crowded handwriting (80-90% of each box) at 150 dpi, titled `title`, written to a PNG. */
export async function crowdedForm(fields: FormFieldSpec[], seed: number, title: string): Promise<{ form: ReturnType<typeof generateForm>; file: string }> {
  const form = generateForm(fields, loadMnist('test'), seed, { dpi: 150, digitHeight: [0.8, 0.9] });
  const file = join(tmp(), `${title.toLowerCase()}-${seed}.png`);
  writeFileSync(file, await renderForm(form, fields, title, { rotation: 1, blur: 0.5 }, seed));
  return { form, file };
}
