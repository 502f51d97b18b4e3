/**
 * Finding fields on a page: from a template, from the printed boxes, or one field per line of
 * handwriting. A field is a named box in page pixels.
 */
import type { BinaryImage, Box } from '../types';
import { boxOverlap, componentBoxes, cropBinary, median, unionBox, type Component } from './components';
import { rowRuns } from '../preprocess/steps';
import { looksPrinted, printedWords, shapedLikePrint } from '../preprocess/orientation';
import type { ShadeMap } from '../preprocess/steps';

/**
 * What is known about a field's content. `date`: a day, a month and a year, written with or without
 * separators; a handwritten slash between them (which reads as a 1) is told from the digits by the
 * date's structure (see `readDate` in pipeline/dates).
 */
export type FieldType = 'digits' | 'amount' | 'zip' | 'date';

/** The field types a template may name. */
export const FIELD_TYPES: readonly FieldType[] = ['digits', 'amount', 'zip', 'date'];

/**
 * A check digit a field's last digit is: `luhn` (payment card numbers, IMEI, many account and ID
 * numbers), `gtin` (the mod-10 check of UPC, EAN-8, EAN-13 and GTIN-14 product numbers: weights 3
 * and 1 from the right).
 */
export type CheckDigit = 'luhn' | 'gtin';

/** The check digits a template may name. */
export const CHECK_DIGITS: readonly CheckDigit[] = ['luhn', 'gtin'];

/**
 * The values a field may hold: a list of strings of digits, or the path of a text file of them,
 * one a line (see `parseLexicon` in pipeline/lexicon).
 */
export type Lexicon = string | readonly string[];

/** A field to read: a named box in page pixels, with optional constraints. */
export interface FieldRegion {
  name: string;
  box: Box;
  /** Regular expression the whole value must match (see {@link TemplateField.pattern}). */
  pattern?: string;
  /** Exact number of digits expected. */
  length?: number;
  type?: FieldType;
  /** The check digit the value ends in (see {@link CheckDigit}): a value whose check fails needs review. */
  check?: CheckDigit;
  /** The values the field may hold (see {@link TemplateField.lexicon}). */
  lexicon?: Lexicon;
  /** The field's own review threshold (see {@link TemplateField.minConfidence}). */
  minConfidence?: number;
  /**
   * The cells of a comb field (a box divided by printed walls into one cell per digit), their
   * interiors in the same pixels as `box`: at most one digit is read in each, and what is left of
   * the walls between them is not read.
   */
  cells?: Box[];
  /**
   * A line of handwriting found by {@link lineFields} that is shaped like a line of print bigger than
   * the print it leaves out (`shapedLikePrint`: a title, a heading): the scan keeps it as a field only
   * when it reads as digits (field confidence 0.5 or more).
   */
  printLike?: true;
}

/** A template field as written in template JSON: box in page-relative coordinates (0..1). */
export interface TemplateField {
  name: string;
  /** `[x, y, w, h]` as fractions of the page width and height. */
  box: [number, number, number, number];
  /**
   * A regular expression the whole value must match, such as `(0[1-9]|1[0-2])` for a month. A value
   * read digit by digit that breaks it is replaced by the most probable reading of as many digits
   * that matches (see `assembleField`), and the field is flagged for review.
   */
  pattern?: string;
  /** Exact number of digits: recognition-based segmentation looks for that many, and a reading with it is preferred. */
  length?: number;
  /**
   * What the field holds: `digits` (any), `amount` (read whole by the string model), `zip` (5 or 9
   * digits) or `date` (a day, a month and a year: its result also has `text`, the date with its
   * separators, such as `3/14/2021`).
   */
  type?: FieldType;
  /**
   * The check digit the value ends in, `luhn` or `gtin` (see {@link CheckDigit}). A value read digit
   * by digit whose check fails is replaced by the most probable reading of as many digits whose check
   * holds (and that matches `pattern`), and the field is flagged for review.
   */
  check?: CheckDigit;
  /**
   * The values the field may hold: a list (`["90210", "10001"]`) or a text file of them, one a line,
   * its path relative to the template's file (`"zips.txt"`). A value read digit by digit becomes the
   * lexicon's most probable value of as many digits, with the probability that it is right as its
   * confidence (see `bestInLexicon`); a value of no length the lexicon has is flagged for review.
   */
  lexicon?: string | string[];
  /**
   * The field's own review threshold, instead of `--min-confidence`: the field needs review when its
   * confidence is under it (an account number that must not be misread: 0.999; a rating: 0.8).
   */
  minConfidence?: number;
}

/** A form template (`--template form.json`). */
export interface Template {
  fields: TemplateField[];
  /**
   * Registration marks: centres `[x, y]` of solid printed squares, as fractions of the page. When
   * given, the marks are found on each scan and the fields follow them (shift, scale, rotation).
   */
  marks?: Array<[number, number]>;
  /** Side of a registration mark as a fraction of the page width (default 0.02). */
  markSize?: number;
}

/** Default of {@link Template.markSize}. */
export const DEFAULT_MARK_SIZE = 0.02;

/** Parses and validates template JSON; errors name the file and the field. */
export function parseTemplate(text: string, name = 'template'): Template {
  let t: unknown;
  try {
    t = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`);
  }
  const fields = (t as { fields?: unknown }).fields;
  if (!Array.isArray(fields) || fields.length === 0) throw new Error(`${name}: needs a non-empty "fields" array`);
  const marks = (t as { marks?: unknown }).marks;
  if (marks !== undefined) {
    const ok = Array.isArray(marks) && marks.every((m) => Array.isArray(m) && m.length === 2 && m.every((v) => typeof v === 'number' && v >= 0 && v <= 1));
    if (!ok) throw new Error(`${name}: "marks" must be an array of [x, y] centres as fractions of the page (0..1)`);
  }
  const markSize = (t as { markSize?: unknown }).markSize;
  if (markSize !== undefined && !(typeof markSize === 'number' && markSize > 0 && markSize < 0.2)) {
    throw new Error(`${name}: "markSize" must be a fraction of the page width between 0 and 0.2`);
  }
  const seen = new Set<string>();
  fields.forEach((f: TemplateField, i) => {
    const where = `${name}: field ${i + 1}${f && typeof f.name === 'string' ? ` ("${f.name}")` : ''}`;
    if (!f || typeof f.name !== 'string' || !f.name) throw new Error(`${where}: needs a "name"`);
    if (seen.has(f.name)) throw new Error(`${where}: duplicate name`);
    seen.add(f.name);
    if (!Array.isArray(f.box) || f.box.length !== 4 || f.box.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new Error(`${where}: "box" must be [x, y, w, h] as fractions of the page`);
    }
    const [x, y, w, h] = f.box;
    if (w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > 1.0001 || y + h > 1.0001) {
      throw new Error(`${where}: box [${f.box.join(', ')}] lies outside the page (fractions 0..1)`);
    }
    if (f.pattern !== undefined) {
      try {
        new RegExp(f.pattern);
      } catch {
        throw new Error(`${where}: "pattern" is not a valid regular expression`);
      }
    }
    if (f.length !== undefined && !(Number.isInteger(f.length) && f.length > 0)) throw new Error(`${where}: "length" must be a positive integer`);
    if (f.type !== undefined && !FIELD_TYPES.includes(f.type)) throw new Error(`${where}: "type" must be ${FIELD_TYPES.join(', ')}`);
    if (f.check !== undefined && !CHECK_DIGITS.includes(f.check)) throw new Error(`${where}: "check" must be ${CHECK_DIGITS.join(' or ')}`);
    const lex = f.lexicon as unknown;
    if (lex !== undefined && !(typeof lex === 'string' && lex.length > 0) && !(Array.isArray(lex) && lex.length > 0 && lex.every((v) => typeof v === 'string' && /^[0-9]+$/.test(v)))) {
      throw new Error(`${where}: "lexicon" must be a file of values (its path) or a non-empty array of strings of digits`);
    }
    if (f.minConfidence !== undefined && !(typeof f.minConfidence === 'number' && f.minConfidence >= 0 && f.minConfidence <= 1)) {
      throw new Error(`${where}: "minConfidence" must be a probability from 0 to 1`);
    }
  });
  return t as Template;
}

/**
 * Template fields in page pixels; `place` moves each box from where the template puts it to where
 * it is on this page (see `registerTemplate` in registration.ts).
 */
export function templateFields(t: Template, width: number, height: number, place: (b: Box) => Box = (b) => b): FieldRegion[] {
  return t.fields.map((f) => ({
    name: f.name,
    box: place([Math.round(f.box[0] * width), Math.round(f.box[1] * height), Math.round(f.box[2] * width), Math.round(f.box[3] * height)]),
    pattern: f.pattern,
    length: f.length,
    type: f.type,
    ...(f.check !== undefined ? { check: f.check } : {}),
    ...(f.lexicon !== undefined ? { lexicon: f.lexicon } : {}),
    ...(f.minConfidence !== undefined ? { minConfidence: f.minConfidence } : {}),
  }));
}

/** Sorts boxes into reading order: rows (by vertical overlap), then left to right. */
export function readingOrder<T extends { box: Box }>(items: T[]): T[] {
  const sorted = [...items].sort((a, b) => a.box[1] - b.box[1]);
  const rows: T[][] = [];
  for (const it of sorted) {
    const row = rows[rows.length - 1];
    const cy = it.box[1] + it.box[3] / 2;
    if (row && row.some((r) => cy > r.box[1] && cy < r.box[1] + r.box[3])) row.push(it);
    else rows.push([it]);
  }
  return rows.flatMap((r) => r.sort((a, b) => a.box[0] - b.box[0]));
}

/**
 * Printed boxes as fields: every connected structure of form lines whose outline is box-sized
 * becomes one field, named `box-1`, `box-2`, … in reading order. A structure divided into cells
 * (a table) gives one field per cell, except that a row of narrow cells side by side (a comb of
 * digit cells) is one field; a box, or a comb alone, is one field: its interior. A lone small
 * square (both sides under 1.5 x `minSide`) is taken for a checkbox and skipped. With `ink` (the
 * page's binarization, printed lines included), a comb open above (see {@link openComb}) is a field too;
 * with `shade`, a shaded area with no border (see {@link shadedBoxes}). Separate boxes of a digit each
 * in a row are one field ({@link squareRows}).
 */
export function boxFields(lineMask: BinaryImage, minSide: number, ink?: BinaryImage, shade?: ShadeMap): FieldRegion[] {
  const list = componentBoxes(lineMask);
  const found: Array<{ box: Box; cells?: Box[] }> = [];
  for (const c of list) {
    const [x, y, w, h] = c.box;
    // A structure with no top line over a long baseline: a comb open above (walls or ticks).
    const open = ink && w >= 2 * minSide ? openComb(lineMask, ink, c.box, minSide) : null;
    if (open) {
      found.push(open);
      continue;
    }
    if (w < minSide || h < minSide * 0.6) continue;
    // A box outline is thin: its ink is a small part of its bounding box.
    if (c.area > 0.5 * w * h) continue;
    const cells = tableCells(lineMask, c.box, minSide);
    if (cells.length > 1) {
      found.push(...cells);
      continue;
    }
    // A lone square under 1.5 x minSide a side (0.2 in on a letter page) is a checkbox, not a field.
    if (w < 1.5 * minSide && h < 1.5 * minSide && Math.max(w, h) < 1.5 * Math.min(w, h)) continue;
    const inset = Math.max(2, Math.round(Math.min(w, h) * 0.08));
    found.push({ box: [x + inset, y + inset, w - 2 * inset, h - 2 * inset], ...(cells[0]?.cells ? { cells: cells[0].cells } : {}) });
  }
  // Drop boxes inside other boxes (a box drawn inside a table's cell keeps the box).
  const printed = found.filter(
    (a) => !found.some((b) => b !== a && a.box[0] <= b.box[0] && a.box[1] <= b.box[1] && a.box[0] + a.box[2] >= b.box[0] + b.box[2] && a.box[1] + a.box[3] >= b.box[1] + b.box[3]),
  );
  // Shaded areas where no printed box is (a box with a shaded inside is the box).
  const shaded = (shade ? shadedBoxes(shade, minSide) : []).filter((a) => !printed.some((b) => boxOverlap(a, b.box) > 0.3 * Math.min(a[2] * a[3], b.box[2] * b.box[3])));
  const kept = [...printed, ...shaded.map((box) => ({ box }))];
  return readingOrder(squareRows(kept, ink)).map((f, i) => ({ name: `box-${i + 1}`, box: f.box, ...(f.cells ? { cells: f.cells } : {}) }));
}

/**
 * Template fields (`fields`) with the cells of the combs and rows of digit squares found on the page
 * (`found`, as {@link boxFields} gives them): a field takes the cells of the one that lies within it
 * (0.8 of its area inside the field), fills most of it (half the field's area or more) and has as many
 * cells as the field's `length`, if it gives one (a square whose side a digit broke is not found, and
 * its digit would be dropped), and is then read a digit per cell as `--auto-fields` reads it. Without
 * cells, a comb open above keeps its walls, which meet a line at one end only: they are not lines, and
 * read as 1s. Other fields are as given.
 *
 * @example
 * const regions = withCells(templateFields(template, w, h), boxFields(lineMask, minSide, ink));
 */
export function withCells(fields: FieldRegion[], found: Array<{ box: Box; cells?: Box[] }>): FieldRegion[] {
  const combs = found.filter((f) => f.cells?.length);
  if (!combs.length) return fields;
  const area = (b: Box) => b[2] * b[3];
  return fields.map((f) => {
    if (f.cells) return f;
    const c = combs.find((g) => boxOverlap(g.box, f.box) >= 0.8 * area(g.box) && area(g.box) >= 0.5 * area(f.box) && (f.length === undefined || g.cells?.length === f.length));
    return c ? { ...f, cells: c.cells } : f;
  });
}

/**
 * Shaded areas that are fields: rectangles of shaded cells (ink over them counts, but half must be
 * seen to be shaded: a solid mark or a thick stroke, with its blurred rim, is not; big handwriting
 * covers up to two fifths of its field),
 * at least 1.5 `minSide` high, `minSide` and 0.7 of their height wide, at most 0.6 of the page wide
 * (a bar across a page or table is a heading), 2 `minSide` clear of the page's edges (where scans
 * have shadows) and clear of a scan's own edges turned in by deskewing (paper beside a white corner
 * looks shaded). The box is the rectangle less a cell each side (its edge cells are part shade,
 * part paper), at least half a `minSide` each way and seen to be shaded over half of it.
 */
export function shadedBoxes(shade: ShadeMap, minSide: number): Box[] {
  const { cell, width: sw, height: sh, data } = shade;
  // A plain loop: Uint8Array.from with a map function was most of this function's time.
  const m = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) m[i] = data[i] === 1 || data[i] === 2 ? 1 : 0;
  const mask: BinaryImage = { width: sw, height: sh, data: m };
  const out: Box[] = [];
  for (const c of componentBoxes(mask)) {
    const [x, y, w, h] = c.box;
    if (h * cell < 1.5 * minSide || w * cell < minSide || w < 0.7 * h || w > 0.6 * sw) continue;
    const clear = Math.ceil((2 * minSide) / cell);
    if (x < clear || y < clear || x + w > sw - clear || y + h > sh - clear) continue;
    if (c.area < 0.85 * w * h) continue;
    let seen = 0;
    let inner = 0;
    let edge = false;
    for (let yy = y - 1; yy <= y + h; yy++) {
      for (let xx = x - 1; xx <= x + w; xx++) {
        const v = data[yy * sw + xx];
        if (v === 1 && yy >= y && yy < y + h && xx >= x && xx < x + w) {
          seen++;
          if (yy > y && yy < y + h - 1 && xx > x && xx < x + w - 1) inner++;
        } else if (v === 3) edge = true;
      }
    }
    if (edge || seen < 0.5 * c.area) continue;
    // The field is the rectangle less its edge cells: it must still hold a digit's stroke, half a
    // `minSide` each way (a small cluster of grey letters showing through from the back of the sheet
    // passes the rectangle's size and leaves a sliver a cell wide), and half of it must be seen to be
    // shaded too (a small solid mark's blurred rim is shade all round its ink).
    if ((w - 2) * cell < 0.5 * minSide || (h - 2) * cell < 0.5 * minSide || inner < 0.5 * (w - 2) * (h - 2)) continue;
    out.push([(x + 1) * cell, (y + 1) * cell, (w - 2) * cell, (h - 2) * cell]);
  }
  return out;
}

/** A box for one digit: at most 1.15 times as wide as it is high (a box for two is wider). */
const oneDigit = (b: Box): boolean => b[2] <= 1.15 * b[3];

/**
 * Separate boxes of one digit each, printed in a row (a square per digit, a little apart: dates,
 * codes), are one field whose cells they are: boxes of one height in one row, of like widths (within
 * a quarter), each less than 0.8 of a box's width from the next, at like gaps (a run of three or
 * more: each within half of the median gap, or 4 px). With `ink` (the page's binarization, printed
 * lines included), a square whose lines were not found (a digit that fills it runs its ink into all
 * four sides, and they are not thin enough to be lines) is found again where the row's pitch puts it
 * next to a row, before or after it or between two of its parts, if the ink there draws its outline
 * ({@link outlinedAt}).
 */
export function squareRows(fields: Array<{ box: Box; cells?: Box[] }>, ink?: BinaryImage): Array<{ box: Box; cells?: Box[] }> {
  let lone = readingOrder(fields.filter((f) => !f.cells && oneDigit(f.box))).map((f) => f.box);
  let runs = squareRuns(lone);
  // Squares found again from the ink join the rows; each find may lead to the next (two lost in a row).
  const added: Box[] = [];
  for (let round = 0; ink && round < 4; round++) {
    const taken = (b: Box) => fields.some((f) => boxOverlap(f.box, b) > 0) || added.some((a) => boxOverlap(a, b) > 0);
    const found: Box[] = [];
    for (const run of runs) {
      if (run.length < 2) continue;
      const pitch = median(run.slice(1).map((b, i) => b[0] - run[i][0]));
      const [first, last] = [run[0], run[run.length - 1]];
      for (const b of [[first[0] - pitch, first[1], first[2], first[3]], [last[0] + pitch, last[1], last[2], last[3]]] as Box[]) {
        const box = b.map(Math.round) as Box;
        if (!taken(box) && !found.some((a) => boxOverlap(a, box) > 0) && outlinedAt(ink, box)) found.push(box);
      }
    }
    if (!found.length) break;
    added.push(...found);
    lone = readingOrder([...lone, ...found].map((box) => ({ box }))).map((f) => f.box);
    runs = squareRuns(lone);
  }
  const grouped = new Set<Box>();
  const rows: Array<{ box: Box; cells: Box[] }> = [];
  for (const run of runs) {
    const gaps = run.slice(1).map((b, i) => b[0] - (run[i][0] + run[i][2]));
    const g = median(gaps.length ? gaps : [0]);
    if (run.length < 2 || gaps.some((x) => Math.abs(x - g) > Math.max(4, 0.5 * g))) continue;
    rows.push({ box: run.reduce(unionBox), cells: run });
    run.forEach((b) => grouped.add(b));
  }
  return [...fields.filter((f) => !grouped.has(f.box)), ...rows];
}

/** Lone one-digit boxes (in reading order) in runs: one row, like widths, less than 0.8 of a box's width apart. */
function squareRuns(lone: Box[]): Box[][] {
  const runs: Box[][] = [];
  for (const box of lone) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    const gap = last ? box[0] - (last[0] + last[2]) : -1;
    const alike = last && sameRow(last, box) && Math.abs(box[2] - last[2]) <= 0.25 * Math.max(box[2], last[2]);
    if (run && alike && gap >= 0 && gap < 0.8 * Math.max(box[2], last[2])) run.push(box);
    else runs.push([box]);
  }
  return runs;
}

/**
 * Whether `ink` draws a box's outline around `box` (a box's interior, as {@link boxFields} gives it):
 * within a quarter of its shorter side outside each edge, a row (column) inked along 0.9 of the
 * box's width (height) or more, all four sides; a pixel of the next row (column) counts, for a side
 * left a pixel's step by the page's last fraction of a degree of skew. Handwriting alone does not
 * draw four such lines around a cell; a digit that fills the cell leaves its outline whole.
 */
export function outlinedAt(ink: BinaryImage, box: Box): boolean {
  const [x, y, w, h] = box;
  const d = Math.max(3, Math.round(0.25 * Math.min(w, h)));
  const { width: iw, height: ih, data } = ink;
  if (x - d < 0 || y - d < 0 || x + w + d > iw || y + h + d > ih || w < 4 || h < 4) return false;
  const row = (yy: number) => {
    const below = yy + 1 < ih ? iw : 0;
    let n = 0;
    for (let xx = x; xx < x + w; xx++) n += data[yy * iw + xx] || data[yy * iw + xx + below] ? 1 : 0;
    return n / w;
  };
  const column = (xx: number) => {
    const right = xx + 1 < iw ? 1 : 0;
    let n = 0;
    for (let yy = y; yy < y + h; yy++) n += data[yy * iw + xx] || data[yy * iw + xx + right] ? 1 : 0;
    return n / h;
  };
  const best = (from: number, to: number, f: (i: number) => number) => {
    let m = 0;
    for (let i = from; i <= to; i++) m = Math.max(m, f(i));
    return m;
  };
  return best(y - d, y, row) >= 0.9 && best(y + h - 1, y + h - 1 + d, row) >= 0.9 && best(x - d, x, column) >= 0.9 && best(x + w - 1, x + w - 1 + d, column) >= 0.9;
}

/**
 * The fields of one structure of form lines, from the cells its lines enclose (found with the lines
 * thickened by a pixel, to seal hairline gaps): one field per cell, except that a run of narrow
 * cells side by side in a row (a comb) is one field, with its `cells`. Empty when the structure
 * encloses fewer than two cells.
 */
export function tableCells(lineMask: BinaryImage, box: Box, minSide: number): Array<{ box: Box; cells?: Box[] }> {
  const [bx, by, bw, bh] = box;
  // The structure's part of the mask (with a pixel's margin), its runs thickened by a pixel each
  // way, inverted: the cells are the components of paper that do not reach the crop's edge.
  const paper: BinaryImage = { width: bw, height: bh, data: new Uint8Array(bw * bh).fill(1) };
  const around = cropBinary(lineMask, [bx - 1, by - 1, bw + 2, bh + 2]);
  const [ox, oy] = [Math.max(0, bx - 1) - bx, Math.max(0, by - 1) - by]; // crop origin, in box pixels
  const runs = rowRuns(around.data, around.width, around.height);
  for (let r = 0; r < runs.length; r += 3) {
    const y = runs[r];
    const x0 = Math.max(0, ox + runs[r + 1] - 1);
    const x1 = Math.min(bw, ox + runs[r + 2] + 1);
    if (x1 <= x0) continue;
    for (let yy = Math.max(0, oy + y - 1); yy <= Math.min(bh - 1, oy + y + 1); yy++) paper.data.fill(0, yy * bw + x0, yy * bw + x1);
  }
  const holes = componentBoxes(paper)
    .filter((c) => {
      const [x, y, w, h] = c.box;
      if (x === 0 || y === 0 || x + w >= bw || y + h >= bh) return false;
      return h >= 0.5 * minSide && w >= 0.25 * minSide && c.area >= 0.6 * w * h;
    })
    .map((c): Box => [c.box[0] + bx, c.box[1] + by, c.box[2], c.box[3]]);
  if (holes.length < 2) return [];
  // Comb cells: narrow, side by side (one wall apart), the same height.
  const mates = (a: Box, b: Box) => {
    const gap = b[0] - (a[0] + a[2]);
    return narrow(a) && narrow(b) && sameRow(a, b) && gap >= 0 && gap <= Math.max(4, 0.3 * Math.max(a[3], b[3]));
  };
  const groups: Box[][] = [];
  for (const h of readingOrder(splitMergedCells(holes).map((b) => ({ box: b }))).map((o) => o.box)) {
    const g = groups[groups.length - 1];
    if (g && mates(g[g.length - 1], h)) g.push(h);
    else groups.push([h]);
  }
  return groups.map((g) => {
    const [x, y, w, h] = g.reduce(unionBox);
    const inset = Math.max(1, Math.round(Math.min(w, h) * 0.03));
    return { box: [x + inset, y + inset, w - 2 * inset, h - 2 * inset], ...(g.length > 1 ? { cells: g } : {}) };
  });
}

/** The ink in row `y` of `img` from `x0`, `w` pixels (a top-level function: a closure's optimized code is lost with it). */
function rowInk(img: BinaryImage, y: number, x0: number, w: number): number {
  let s = 0;
  const o = y * img.width;
  for (let x = x0; x < x0 + w; x++) s += img.data[o + x];
  return s;
}

/**
 * A comb open above, from one structure of form lines (`box`, in `lineMask`): a long baseline with
 * no line over it, and risers standing on it at a regular pitch, from one end of it to the other:
 * walls as tall as the cells, or ticks shorter than that (too short to be form lines, so they are
 * looked for in `ink`, the page's binarization). Its cells stand on the baseline between the risers,
 * as tall as the risers or, for ticks, a pitch tall. Null when the structure is not such a comb
 * (a closed box, a table, a bare rule, a line that handwriting merely touches).
 */
export function openComb(lineMask: BinaryImage, ink: BinaryImage, box: Box, minSide: number): { box: Box; cells: Box[] } | null {
  const [bx, by, bw, bh] = box;
  const cover = (y: number) => rowInk(lineMask, y, bx, bw);
  // The baseline: the lowest rows the structure spans; nothing long above it (that is a box's top).
  let base = by + bh - 1;
  while (base >= by && cover(base) < 0.8 * bw) base--;
  if (base < by) return null;
  let top = base;
  while (top > by && cover(top - 1) >= 0.8 * bw) top--;
  for (let y = by; y < top - 1; y++) if (cover(y) >= 0.5 * bw) return null;
  // Risers: runs of ink straight up from the baseline (a row's gap allowed), in thin column groups.
  const reach = Math.min(top, 4 * minSide);
  const run = new Int32Array(bw);
  for (let x = 0; x < bw; x++) {
    let n = 0;
    let gap = 0;
    for (let y = top - 1; y >= top - reach; y--) {
      if (ink.data[y * ink.width + bx + x]) {
        n += 1 + gap;
        gap = 0;
      } else if (++gap > 1) break;
    }
    run[x] = n;
  }
  const low = Math.max(3, Math.round(0.3 * minSide));
  const thick = Math.max(4, Math.round(0.3 * minSide));
  const risers: Array<{ x0: number; x1: number; h: number }> = [];
  for (let x = 0; x < bw; ) {
    if (run[x] < low) {
      x++;
      continue;
    }
    let e = x;
    let h = 0;
    while (e < bw && run[e] >= low) h = Math.max(h, run[e++]);
    if (e - x <= thick) risers.push({ x0: bx + x, x1: bx + e - 1, h });
    x = e;
  }
  const end = Math.max(3, 0.05 * bw);
  const first = risers[0];
  const last = risers[risers.length - 1];
  if (risers.length < 3 || first.x0 - bx > end || bx + bw - 1 - last.x1 > end) return null;
  const mid = (r: { x0: number; x1: number }) => (r.x0 + r.x1) / 2;
  const span = mid(last) - mid(first);
  const endH = Math.min(first.h, last.h);
  const likeEnds = (q: { h: number }) => q.h >= 0.6 * endH && q.h <= 1.6 * endH;
  // The most cells whose every wall is a riser of the end risers' height, within a tenth of a pitch.
  for (let n = Math.floor(span / (0.6 * minSide)); n >= 2; n--) {
    const p = span / n;
    const walls = [first];
    for (let k = 1; k < n; k++) {
      const at = mid(first) + k * p;
      const r = risers.find((q) => Math.abs(mid(q) - at) <= Math.max(2, 0.1 * p) && likeEnds(q));
      if (!r) break;
      walls.push(r);
    }
    if (walls.length < n) continue;
    walls.push(last);
    // Risers like the walls between them are more walls: a coarser pitch that skips them is wrong.
    const alike = risers.filter((q) => likeEnds(q) && !walls.includes(q));
    if (alike.length > Math.max(1, 0.25 * n)) return null;
    const tall = median(walls.map((r) => r.h));
    const cellH = Math.min(top, Math.round(tall >= 0.7 * p ? tall : p));
    const cells = walls.slice(1).map((r, k): Box => [walls[k].x1 + 1, top - cellH, r.x0 - walls[k].x1 - 1, cellH]);
    return { box: cells.reduce(unionBox), cells };
  }
  return null;
}

/** A comb's cell is narrow: at most 1.4 times as wide as it is high. */
const narrow = (b: Box): boolean => b[2] <= 1.4 * b[3];

/** Two cells in one row of the same height: each at least 0.8 of the taller, overlapping 0.8 of it. */
function sameRow(a: Box, b: Box): boolean {
  const tall = Math.max(a[3], b[3]);
  const overlap = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return overlap >= 0.8 * tall && Math.min(a[3], b[3]) >= 0.8 * tall;
}

/**
 * A comb's cells whose wall the handwriting broke (a digit written over it) come out as one wide hole:
 * a hole n cell pitches wide (within a quarter of a cell), in a row beside at least two narrow cells of
 * its height, is split back into its n cells.
 */
function splitMergedCells(holes: Box[]): Box[] {
  return holes.flatMap((h): Box[] => {
    if (narrow(h)) return [h];
    const near = Math.max(4, 0.3 * h[3]);
    const peers = holes.filter((b) => narrow(b) && sameRow(b, h)).sort((a, b) => a[0] - b[0]);
    const beside = peers.some((b) => Math.abs(b[0] - (h[0] + h[2])) <= near || Math.abs(h[0] - (b[0] + b[2])) <= near);
    if (peers.length < 2 || !beside) return [h];
    const cw = median(peers.map((b) => b[2]));
    const gaps = peers.slice(1).map((b, i) => b[0] - (peers[i][0] + peers[i][2])).filter((g) => g >= 0 && g <= near);
    const wall = gaps.length ? median(gaps) : 2;
    const n = Math.round((h[2] + wall) / (cw + wall));
    if (n < 2 || Math.abs(h[2] - (n * cw + (n - 1) * wall)) > 0.25 * cw) return [h];
    const w = (h[2] - (n - 1) * wall) / n;
    return Array.from({ length: n }, (_, k): Box => [Math.round(h[0] + k * (w + wall)), h[1], Math.round(w), h[3]]);
  });
}

/**
 * Whether the ink of a line is not handwriting (its components; `side`: the page's shorter side):
 * solid blocks only (registration marks, filled squares: nine tenths ink or more, neither side over
 * twice the other), or a line of print ({@link looksPrinted}). Specks (under 5 px each way) are not
 * looked at.
 */
export function notHandwriting(comps: Component[], side: number): boolean {
  const marks = comps.filter(({ box: [, , w, h] }) => w >= 5 || h >= 5);
  if (!marks.length) return false;
  const solid = ({ box: [, , w, h], area }: Component) => area >= 0.9 * w * h && w <= 2 * h && h <= 2 * w;
  return marks.every(solid) || looksPrinted(marks.map((c) => c.box), side);
}

/**
 * Lines of handwriting as fields (`line-1`, `line-2`, … top to bottom): bands of rows with ink,
 * split where a horizontal gap is wider than twice the band's height, printed words beside the
 * handwriting in a band (a label on the line written on, "Zip code ____"; `printedWords`) left out
 * of it first, so that a field is the handwriting alone and a label between two fields does not
 * join them (not in a cut-out field image, `keepAll`). Lines that are not handwriting
 * ({@link notHandwriting}: print, registration marks) are left out, and the others' boxes have a margin
 * left and right of a tenth of their height (at least 4 px), unless `keepAll` (a cut-out field image:
 * its ink is the field, and marks at its sides are what is left of the box it was cut from).
 * `side`: the page's shorter side that print is measured against (default the image's; a letter
 * page's at the image's resolution when that is known).
 */
export function lineFields(bin: BinaryImage, minHeight: number, keepAll = false, side = Math.min(bin.width, bin.height)): FieldRegion[] {
  const { width: w, height: h } = bin;
  // Ink per row and, in each band, per column, counted from the ink's runs (a page is mostly paper).
  const runs = rowRuns(bin.data, w, h);
  const out: FieldRegion[] = [];
  const comps = keepAll ? [] : componentBoxes(bin);
  for (const [y0, y1] of inkBands(runs, h, Math.max(2, Math.round(minHeight / 4)))) {
    if (y1 - y0 + 1 < minHeight) continue;
    // A printed label on the line (beside the handwriting, as "Zip code ____") is not part of a field.
    const inBand = comps.filter(({ box: [, y, , bh] }) => y + bh / 2 >= y0 && y + bh / 2 <= y1).map((c) => c.box);
    splitBand(runs, y0, y1, w, out, keepAll ? [] : printedWords(inBand, side).map((i) => inBand[i]));
  }
  const lines = !keepAll && out.length ? handwritingLines(comps, out, side, w) : out;
  return readingOrder(lines).map((f, i) => ({ ...f, name: `line-${i + 1}` }));
}

/** Bands of rows with ink (`runs`: rows' ink runs), split where more than `gap` rows have none: `[first, last]` rows. */
function inkBands(runs: Int32Array, h: number, gap: number): Array<[number, number]> {
  const rowInk = new Int32Array(h);
  for (let r = 0; r < runs.length; r += 3) rowInk[runs[r]] += runs[r + 2] - runs[r + 1];
  const bands: Array<[number, number]> = [];
  let start = -1;
  let lastInk = -1;
  for (let y = 0; y < h; y++) {
    if (rowInk[y] > 0) {
      if (start < 0) start = y;
      lastInk = y;
    } else if (start >= 0 && y - lastInk > gap) {
      bands.push([start, lastInk]);
      start = -1;
    }
  }
  if (start >= 0) bands.push([start, lastInk]);
  return bands;
}

/**
 * The band of rows `y0` to `y1` split at empty column runs wider than twice its height; its parts
 * pushed to `out`. Ink inside the boxes `skip` (printed words) is not counted.
 */
function splitBand(runs: Int32Array, y0: number, y1: number, w: number, out: FieldRegion[], skip: Box[] = []): void {
  const bh = y1 - y0 + 1;
  const colInk = new Int32Array(w);
  const skipped = (y: number, xa: number, xb: number) => skip.some(([x, sy, sw, sh]) => y >= sy && y < sy + sh && xa >= x && xb <= x + sw);
  for (let r = 0; r < runs.length; r += 3) {
    if (runs[r] < y0 || runs[r] > y1) continue;
    if (skip.length && skipped(runs[r], runs[r + 1], runs[r + 2])) continue;
    for (let x = runs[r + 1]; x < runs[r + 2]; x++) colInk[x]++;
  }
  let x0 = -1;
  let lastX = -1;
  const maxGap = 2 * bh;
  for (let x = 0; x < w; x++) {
    if (colInk[x] === 0) continue;
    if (x0 >= 0 && x - lastX > maxGap) {
      out.push({ name: '', box: [x0, y0, lastX - x0 + 1, bh] });
      x0 = -1;
    }
    if (x0 < 0) x0 = x;
    lastX = x;
  }
  if (x0 >= 0) out.push({ name: '', box: [x0, y0, lastX - x0 + 1, bh] });
}

/**
 * The lines that are handwriting, each with a margin left and right: a line's first and last
 * digits are not at the edge of its field, where a thin stroke is taken for what is left of a
 * box's wall (a thin 1 at the end).
 */
function handwritingLines(comps: Component[], lines: FieldRegion[], side: number, w: number): FieldRegion[] {
  const kept: FieldRegion[] = [];
  for (const { name, box } of lines) {
    const inside = centredIn(comps, box);
    if (notHandwriting(inside, side)) continue;
    const [x, y, bw, bh] = box;
    const m = Math.max(4, Math.round(0.1 * bh));
    const x0 = Math.max(0, x - m);
    const printLike = shapedLikePrint(inside.map((c) => c.box), side);
    kept.push({ name, box: [x0, y, Math.min(w, x + bw + m) - x0, bh], ...(printLike ? { printLike: true as const } : {}) });
  }
  return kept;
}

/** The components whose boxes' centres are inside `box`. */
function centredIn(comps: Component[], [fx, fy, fw, fh]: Box): Component[] {
  const inside: Component[] = [];
  for (const c of comps) {
    const [x, y, bw, bh] = c.box;
    if (x + bw / 2 >= fx && x + bw / 2 < fx + fw && y + bh / 2 >= fy && y + bh / 2 < fy + fh) inside.push(c);
  }
  return inside;
}

/**
 * Lines of handwriting outside the given boxes (found fields): handwriting written beside the boxes,
 * or where no box was found (a shaded field that a bitonal scan turned white). {@link lineFields} on
 * the page with each box, grown by a tenth of its height each way, cleared; lines at least 1.4 % of
 * the page's shorter side tall (and `minHeight`) and 0.45 of the boxes' median height (handwriting in
 * them would be half their height or more; a page's title is not), none within 0.3 of a box's height
 * of a box, where the boxes' labels and what spills over their lines are. `keepAll`: see
 * {@link lineFields}, and `side`.
 */
export function linesOutside(bin: BinaryImage, boxes: Box[], minHeight: number, keepAll = false, side = Math.min(bin.width, bin.height)): FieldRegion[] {
  const { width: w, height: h } = bin;
  const data = new Uint8Array(w * h);
  data.set(bin.data);
  for (const [x, y, bw, bh] of boxes) {
    const m = Math.round(0.1 * bh);
    const x0 = Math.max(0, Math.floor(x - m));
    const x1 = Math.min(w, Math.ceil(x + bw + m));
    for (let r = Math.max(0, Math.floor(y - m)); r < Math.min(h, Math.ceil(y + bh + m)); r++) data.fill(0, r * w + x0, r * w + x1);
  }
  const near = boxes.map(([x, y, bw, bh]): Box => [x - 0.3 * bh, y - 0.3 * bh, bw + 0.6 * bh, 1.6 * bh]);
  // As tall as handwriting in the boxes would be: not a page's title in big print.
  const tall = boxes.length ? 0.45 * median(boxes.map((b) => b[3])) : 0;
  const lines = lineFields({ width: w, height: h, data }, Math.max(minHeight, Math.round(0.014 * side)), keepAll, side);
  return lines.filter((l) => l.box[3] >= tall && !near.some((b) => boxOverlap(b, l.box) > 0)).map((l, i) => ({ ...l, name: `line-${i + 1}` }));
}

/**
 * The part of a field a whole-field reader should see: the field's ink (in the cleaned binary page)
 * with a margin around it (a quarter of the ink's height above and below, a tenth left and right),
 * inside the field's box, or inside `within` when given (a line of handwriting's box is its ink:
 * the margin may reach past it, into the page). The whole box when it holds no ink. With
 * `withoutSpecks`, specks do not count as ink (marks under (0.08 x the tallest mark's height)², as the
 * digit cutter drops them): on a template field a speck at its far end or by a corner of its box made
 * the reader see the whole box, printed borders and empty paper included, and a short amount in a long
 * box read as garbage. (A cut-out image of a field is read as the string model was fitted and
 * calibrated on such images: specks and all.)
 *
 * @example
 * const [x, y, w, h] = fieldInkBox(pre.clean, field.box, field.box, true); // the amount, not its whole box
 */
export function fieldInkBox(clean: BinaryImage, box: Box, within: Box = box, withoutSpecks = false): Box {
  const [bx, by, bw, bh] = box.map(Math.round);
  // (The crop starts at the page's edge when the box starts beyond it.)
  const [ox, oy] = [Math.max(0, bx), Math.max(0, by)];
  const marks = componentBoxes(cropBinary(clean, [bx, by, bw, bh]));
  if (marks.length === 0) return box;
  const tall = Math.max(...marks.map((c) => c.box[3]));
  const minArea = withoutSpecks ? Math.max(6, Math.round((tall * 0.08) ** 2)) : 0;
  const big = marks.filter((c) => c.area >= minArea);
  const ink = big.length ? big : marks;
  const x0 = ox + Math.min(...ink.map((c) => c.box[0]));
  const y0 = oy + Math.min(...ink.map((c) => c.box[1]));
  const x1 = ox + Math.max(...ink.map((c) => c.box[0] + c.box[2])) - 1;
  const y1 = oy + Math.max(...ink.map((c) => c.box[1] + c.box[3])) - 1;
  const h = y1 - y0 + 1;
  const [lx, ly, lw, lh] = within.map(Math.round);
  const left = Math.max(lx, 0, Math.floor(x0 - 0.1 * h));
  const top = Math.max(ly, 0, Math.floor(y0 - 0.25 * h));
  const right = Math.min(lx + lw, clean.width, Math.ceil(x1 + 1 + 0.1 * h));
  const bottom = Math.min(ly + lh, clean.height, Math.ceil(y1 + 1 + 0.25 * h));
  return [left, top, right - left, bottom - top];
}
