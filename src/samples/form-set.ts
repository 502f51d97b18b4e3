/**
 * Training digits as the scan pipeline sees them: generated forms filled with MNIST *training*
 * handwriting (or a set of the user's), with the scan bench's artifacts, read by the pipeline; every
 * crop the classifier was given is kept with the digit written where it was cut. A network fine-tuned on these learns what
 * printing, scanning, thresholding, line removal and the pipeline's own re-cuts do to a digit, which
 * MNIST's clean images and on-the-fly augmentation only imitate. The forms' digits come from the
 * training set only: the benchmarks' forms are filled with the test set.
 */
import type { Classifier } from '../classify/classifier';
import { loadMnist, SampleList, selectRows, type DigitDataset } from '../classify/data/dataset';
import { Rng } from '../classify/data/random';
import { decodePage } from '../io/image';
import { DEFAULT_WORK_SIZE, scanPage } from '../pipeline/scan';
import { boxOverlap } from '../segment/components';
import type { Box, DigitCrop } from '../types';
import { benchArtifacts, CORNER_MARKS, generateForm, renderForm, type FormFieldSpec } from './forms';

/** Options of {@link makeFormSet}. */
export interface FormSetOptions {
  /** Pages to generate and read (each holds 20 fields of 2 to 6 digits; ~90 crops a page). Default 250. */
  pages?: number;
  /** Seed of the first page; page `i` uses `seed + i`. Default 100000 (far from the benches' seeds). */
  seed?: number;
  /**
   * The handwriting that fills the forms (labels 0-9; others are skipped): default MNIST's training
   * set. MNIST test makes a set to measure on, never to train on (the benchmarks' forms hold it).
   */
  digits?: DigitDataset;
  /** Called after each page with the pages done and the crops kept so far. */
  onPage?: (done: number, crops: number) => void;
}

/** What {@link makeFormSet} made and how the pipeline read the pages. */
export interface FormSet {
  /** The crops (28 × 28, ink bright), labeled. */
  set: DigitDataset;
  pages: number;
  fields: number;
  /** Fields cut into as many digits as were written: only their crops are kept. */
  cutAsWritten: number;
  /** Of those, fields read wrong (by the classifier given). */
  misread: number;
}

/**
 * A dense page for harvesting crops: two columns of ten plain boxes, each with 2 to 6 digits at a
 * pitch drawn per field (the sample forms' boxes hold their digits at about this spacing).
 */
export function denseFormFields(seed: number): FormFieldSpec[] {
  const rng = new Rng(seed * 7 + 3);
  const fields: FormFieldSpec[] = [];
  for (let r = 0; r < 10; r++) {
    for (let c = 0; c < 2; c++) {
      const digits = 2 + rng.int(5);
      const w = Math.min(0.4, digits * rng.uniform(0.065, 0.085) + 0.03);
      fields.push({ name: `f${r}${c}`, label: 'Field', digits, box: [c ? 0.52 : 0.08, 0.09 + r * 0.085, w, 0.065] });
    }
  }
  return fields;
}

/** The samples of a set labeled 0-9 (a string set's reject class left out). */
function onlyDigits(d: DigitDataset): DigitDataset {
  const keep = Array.from({ length: d.count }, (_, i) => i).filter((i) => d.labels[i] <= 9);
  if (keep.length === d.count) return d;
  if (keep.length === 0) throw new Error(`${d.source}: no digits labeled 0-9 to write`);
  return selectRows(d, keep);
}

/** Intersection over union of two boxes. */
function iou(a: Box, b: Box): number {
  const shared = boxOverlap(a, b);
  return shared / (a[2] * a[3] + b[2] * b[3] - shared);
}

/**
 * A crop is the digit when its box and the digit's as read overlap by at least this (intersection over
 * union): the digit cut again from another binarization is kept, a fragment tried as a cut is not.
 */
const SAME_DIGIT = 0.5;

/**
 * Generates `pages` forms filled with handwriting (`options.digits`, default MNIST training digits),
 * reads each with its template and `clf` as `digitscan scan` does, and returns every crop the
 * classifier was given in a field cut into as many digits as were written, labeled with the digit
 * written where the crop lies (a digit read again from another binarization gives more than one
 * crop; fragments tried as cuts are left out). Fields cut wrongly are left out: their crops have no
 * label to trust. Deterministic for a seed and model.
 *
 * @example
 * const clf = await Classifier.load();
 * const { set } = await makeFormSet(clf, { pages: 250, seed: 100000 });
 * saveIdxSet(set, 'runs/form-crops');    // then: digitscan train --data 'mnist,runs/form-crops' --init ...
 */
export async function makeFormSet(clf: Classifier, options: FormSetOptions = {}): Promise<FormSet> {
  const pages = options.pages ?? 250;
  const seed0 = options.seed ?? 100000;
  const digits = onlyDigits(options.digits ?? loadMnist('train'));
  // The page's reader (see Classifier.forPage), tapped: every batch of crops it reads is logged.
  let log: DigitCrop[] = [];
  const tapped = (reader: Classifier): Classifier => {
    const tap = Object.create(reader) as Classifier;
    tap.classify = (crops) => {
      log.push(...crops);
      return reader.classify(crops);
    };
    return tap;
  };
  const samples = new SampleList();
  let fields = 0;
  let cutAsWritten = 0;
  let misread = 0;
  for (let i = 0; i < pages; i++) {
    const seed = seed0 + i;
    const spec = denseFormFields(seed);
    const form = generateForm(spec, digits, seed, { marks: CORNER_MARKS });
    const png = await renderForm(form, spec, 'Form', benchArtifacts(seed), seed);
    const decoded = await decodePage(png, { maxShortSide: DEFAULT_WORK_SIZE }, `form ${seed}`);
    log = [];
    const page = await scanPage(decoded.image, 1, tapped(clf.forPage()), { template: form.template }, undefined, decoded.size);
    // Crops are in working pixels, results in page pixels.
    const k = page.width / decoded.image.width;
    for (const f of page.fields) {
      fields++;
      const want = form.expected[f.name];
      if (!want || f.digits.length !== want.length) continue;
      cutAsWritten++;
      if (f.value !== want) misread++;
      f.digits.forEach((d, j) => {
        const box = d.box.map((v) => v / k) as Box;
        for (const c of log) {
          if (c.box && iou(c.box, box) >= SAME_DIGIT) {
            samples.add(c.pixels, Number(want[j]));
          }
        }
      });
    }
    options.onPage?.(i + 1, samples.count);
  }
  const set = samples.toDataset(`${pages} generated forms of ${digits.source} read by the scan pipeline (seeds ${seed0}+)`);
  return { set, pages, fields, cutAsWritten, misread };
}
