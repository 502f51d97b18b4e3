/**
 * Labeled digit strings in the `labels.tsv` format (as in `../shared/data/orand-car-a`): a header
 * line, then `file<TAB>width<TAB>height<TAB>digits<TAB>boxes`, boxes as `x,y,w,h` per digit joined
 * by `;`. Files are relative to `images/` next to the TSV (or to the TSV's folder).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Box } from '../types';

/** One labeled field image. */
export interface LabeledString {
  /** File name as written in the TSV. */
  file: string;
  /** Resolved path of the image. */
  path: string;
  /** The digits, left to right (no separators). */
  digits: string;
  /** One box per digit (may be empty when the TSV has no boxes). */
  boxes: Box[];
}

/** Reads `DIR/labels.tsv` (or a TSV path). Errors name the file and line. */
export function readStringLabels(source: string): LabeledString[] {
  const tsv = existsSync(source) && statSync(source).isDirectory() ? join(source, 'labels.tsv') : source;
  if (!existsSync(tsv)) throw new Error(`${tsv}: no such file (expected labels.tsv: file, width, height, digits, boxes)`);
  const base = dirname(tsv);
  const imgDir = existsSync(join(base, 'images')) ? join(base, 'images') : base;
  const out: LabeledString[] = [];
  readFileSync(tsv, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim() || (i === 0 && /^file\t/i.test(line))) return;
      const cols = line.split('\t');
      const [file, , , digits = '', boxText = ''] = cols;
      if (cols.length < 4 || !/^\d+$/.test(digits.trim())) throw new Error(`${tsv}: line ${i + 1}: expected file, width, height, digits[, boxes] with digits 0-9`);
      const boxes = boxText.trim()
        ? boxText.split(';').map((b) => {
            const v = b.split(',').map(Number);
            if (v.length !== 4 || v.some((n) => !Number.isFinite(n))) throw new Error(`${tsv}: line ${i + 1}: bad box "${b}"`);
            return v as Box;
          })
        : [];
      if (boxes.length && boxes.length !== digits.trim().length) throw new Error(`${tsv}: line ${i + 1}: ${digits.trim().length} digits but ${boxes.length} boxes`);
      out.push({ file, path: join(imgDir, file), digits: digits.trim(), boxes });
    });
  if (out.length === 0) throw new Error(`${tsv}: no labeled strings`);
  return out;
}

/**
 * The fixed split of a string set: every `every`-th field (index % every === every - 1) is held out
 * for measurements, the rest may be trained on. Deterministic, so every tool agrees on it.
 */
export function splitStrings<T>(items: T[], every = 5): { train: T[]; heldOut: T[] } {
  return { train: items.filter((_, i) => i % every !== every - 1), heldOut: items.filter((_, i) => i % every === every - 1) };
}
