/**
 * Printed captions inside a field's box: many forms (tax forms, claim forms, bank slips) print a
 * field's name small in the top corner of its box ("1 Wages, tips", "ZIP CODE") and leave the rest
 * for the handwriting. Left in, its letters are read as digits (an empty box reads as a string of
 * them) or join the digit under them (a 1 with the caption's "r" above it reads 7). Here they are
 * told from handwriting as lines of print are, and taken out of the ink like currency signs
 * (segment/signs).
 */
import type { BinaryImage, Box } from '../types';
import type { CV } from '../preprocess/opencv';
import { looksPrinted, printedRun } from '../preprocess/orientation';
import { components, cropBinary, median } from './components';
import { groupMask } from './digits';

/** A caption's glyph (or a dot or stroke within its line), in page pixels, with its ink. */
export interface CaptionMark {
  /** Index of the field in the list given. */
  field: number;
  /** The mark's box on the page. */
  box: Box;
  /** Its ink, `box[2]` x `box[3]`, 1 = ink. */
  mask: Uint8Array;
}

/** A caption's letters are at most this share of their field's height (handwriting fills half of it or more). */
const CAPTION_HEIGHT = 0.4;

/**
 * Whether boxes in a row (left to right) are a line of capitals or figures in print: at least three,
 * 0.7 of them with their bottoms on one line and 0.7 with their tops on one line (within 8 % of
 * their median height, at least a pixel). Handwritten digits are not set that evenly.
 */
function capitalsLine(boxes: Box[]): boolean {
  if (boxes.length < 3) return false;
  const tol = Math.max(1, 0.08 * median(boxes.map((b) => b[3])));
  const onLine = (v: number[]) => {
    const m = median(v);
    return v.filter((x) => Math.abs(x - m) <= tol).length >= 0.7 * v.length;
  };
  return onLine(boxes.map((b) => b[1] + b[3])) && onLine(boxes.map((b) => b[1]));
}

/**
 * The printed captions in fields (`fields`, boxes in `ink`'s pixels; `side`: the shorter side of a
 * letter page at that scale, which print is measured against): in each field, its components (whole,
 * looked at with 0.15 of its height above and below, their middles in the field) of a
 * letter's size (0.4 to 2.5 % of `side` tall, at least 5 px; under {@link CAPTION_HEIGHT} of the
 * field's height) in lines (each next to the one before it, a gap under one and a half times the
 * taller's height, overlapping it by half in height), a line that is print: lower case on one
 * baseline (`looksPrinted`), capitals and figures of one height on one baseline ({@link capitalsLine}),
 * or a word or two of print (`printedRun`: a label printed inside the box at its left, "Amount").
 * Each such line's letters are returned, with the marks wholly within its box (dots, commas,
 * apostrophes).
 *
 * @example
 * const captions = captionMarks(cv, ink, regions.map((r) => r.box), side);
 * const clean = eraseMarks(ink, captions);
 */
export function captionMarks(cv: CV, ink: BinaryImage, fields: Box[], side: number): CaptionMark[] {
  const out: CaptionMark[] = [];
  const [lo, hi] = [Math.max(5, 0.004 * side), 0.025 * side];
  fields.forEach((field, f) => {
    // Looked at with a margin above and below (a caption printed close to the box's top line may
    // stand partly above the field found inside it): the marks whose middles are in the field.
    const m = Math.round(0.15 * field[3]);
    const sub = cropBinary(ink, [field[0], field[1] - m, field[2], field[3] + 2 * m]);
    if (sub.width === 0 || sub.height === 0) return;
    const [ox, oy] = [Math.max(0, Math.floor(field[0])), Math.max(0, Math.floor(field[1] - m))];
    const { list, labels } = components(cv, sub);
    const most = Math.min(hi, CAPTION_HEIGHT * field[3]);
    const inField = (b: Box) => oy + b[1] + b[3] / 2 >= field[1] && oy + b[1] + b[3] / 2 < field[1] + field[3];
    const glyphs = list.filter((c) => c.box[3] >= lo && c.box[3] <= most && c.box[2] <= 4 * c.box[3] && inField(c.box)).sort((a, b) => a.box[0] - b.box[0]);
    if (glyphs.length < 3) return;
    // Lines: each glyph joins the line whose last glyph it follows closely.
    const lines: Box[][] = [];
    for (const { box } of glyphs) {
      const [x, y, , h] = box;
      const line = lines.find((l) => {
        const last = l[l.length - 1];
        const overlap = Math.min(last[1] + last[3], y + h) - Math.max(last[1], y);
        return x - (last[0] + last[2]) < 1.5 * Math.max(last[3], h) && overlap >= 0.5 * Math.min(last[3], h);
      });
      if (line) line.push(box);
      else lines.push([box]);
    }
    // A line of print's box, a little grown: its letters, and its dots and commas, are the marks within it.
    const taken = new Set<number>();
    for (const l of lines) {
      if (l.length < 3 || !(looksPrinted(l, side) || capitalsLine(l) || printedRun(l, side))) continue;
      const mh = median(l.map((b) => b[3]));
      const x0 = Math.min(...l.map((b) => b[0])) - 0.5 * mh;
      const x1 = Math.max(...l.map((b) => b[0] + b[2])) + 0.5 * mh;
      const y0 = Math.min(...l.map((b) => b[1])) - 0.15 * mh;
      const y1 = Math.max(...l.map((b) => b[1] + b[3])) + 0.15 * mh;
      for (const c of list) if (inField(c.box) && c.box[0] >= x0 && c.box[1] >= y0 && c.box[0] + c.box[2] <= x1 && c.box[1] + c.box[3] <= y1) taken.add(c.label);
    }
    for (const c of list) {
      if (!taken.has(c.label)) continue;
      const [cx, cy, cw, ch] = c.box;
      out.push({ field: f, box: [ox + cx, oy + cy, cw, ch], mask: groupMask(labels, sub.width, c.box, [c.label]) });
    }
  });
  return out;
}
