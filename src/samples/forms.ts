/**
 * Generator of labeled forms: a printed form with boxed fields, filled with MNIST *test-set*
 * handwriting, with scan artifacts (rotation, noise, blur, uneven light, bleed-through, JPEG). Makes the samples and any number of
 * labeled pages for the benchmark. Deterministic for a seed.
 */
import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import type { DigitDataset } from '../classify/data/dataset';
import { Rng } from '../classify/data/random';
import { resampleArea } from '../segment/normalize';
import { DEFAULT_MARK_SIZE, type CheckDigit, type Template } from '../segment/fields';
import { decodeImage } from '../io/image';

/** A field to draw: label, digit count, box in page fractions. */
export interface FormFieldSpec {
  name: string;
  label: string;
  digits: number;
  /** `[x, y, w, h]` as fractions of the page. */
  box: [number, number, number, number];
  type?: 'digits' | 'zip' | 'amount';
  /** A comb: the box divided by printed walls into one cell per digit, a digit in each. */
  comb?: boolean;
  /**
   * How a comb is printed: `closed` (default), a box divided by walls; `open-top`, the same without
   * its top line (cells open above, a common style on printed forms); `ticks`, a baseline with short
   * ticks between the cells (a third of the box high), nothing above; `squares`, a closed square
   * per digit, apart (a fifth of the pitch between them).
   */
  combStyle?: 'closed' | 'open-top' | 'ticks' | 'squares';
  /**
   * How a box (not a comb) is printed: `solid` (default) lines; `dashed` lines; `shaded`, a light
   * grey fill with no border (common on forms filled in by hand from a PDF); `underline`, only its
   * bottom line, the handwriting standing on it (a line to write on, as "Amount ________"); `dotted`,
   * the same line dotted (dots a line wide, two apart: "Amount ........").
   */
  boxStyle?: 'solid' | 'dashed' | 'shaded' | 'underline' | 'dotted';
  /**
   * Where its label is printed: above the box (default); on its left, on the box's bottom line (as
   * "Amount ________"); or inside the box at its left, half-way down, the handwriting after it.
   */
  labelAt?: 'above' | 'left' | 'inside';
  /** A regular expression its value matches, put in the template (the digits written are `FormOptions.values`' or random). */
  pattern?: string;
  /** The check digit its value ends in, put in the template (see `pattern`). */
  check?: CheckDigit;
}

/** What a generated form contains. */
export interface GeneratedForm {
  width: number;
  height: number;
  /** Gray page, 0..255. */
  data: Uint8Array;
  template: Template;
  /** Expected value per field name. */
  expected: Record<string, string>;
  /** Per field name, the MNIST test-set index of each digit written (for error analysis). */
  sources: Record<string, number[]>;
}

/** Scan artifacts to apply. */
export interface Artifacts {
  /** Max page rotation in degrees (uniform ±). */
  rotation?: number;
  /** Gaussian noise standard deviation in gray levels. */
  noise?: number;
  /** Blur sigma in pixels (0 = none). */
  blur?: number;
  /** Uneven light: the page darkens by up to this fraction (0..1) towards one corner. */
  unevenLight?: number;
  /** Bleed-through: the mirrored page shows through at this strength (0..1). */
  bleedThrough?: number;
  /** Round-trip through JPEG at this quality (1..100). */
  jpeg?: number;
}

/**
 * The scan artifacts of the scan bench's page made with `seed` (`npm run bench -- scan`): rotation up to
 * ±2.5°, noise, blur, uneven light and bleed-through drawn from the seed, JPEG on about half the pages.
 */
export function benchArtifacts(seed: number): Artifacts {
  const rng = new Rng(seed);
  return {
    rotation: 2.5,
    noise: rng.uniform(0, 12),
    blur: rng.uniform(0.3, 1.0),
    unevenLight: rng.uniform(0, 0.3),
    bleedThrough: rng.uniform(0, 0.15),
    jpeg: rng.uniform(0, 1) < 0.5 ? Math.round(rng.uniform(60, 90)) : undefined,
  };
}

/** A letter page at `dpi`. */
export function letterSize(dpi = 300): { width: number; height: number } {
  return { width: Math.round(8.5 * dpi), height: Math.round(11 * dpi) };
}

/** Registration marks near the four corners (centres as page fractions), as the samples print them. */
export const CORNER_MARKS: Array<[number, number]> = [
  [0.05, 0.03],
  [0.95, 0.03],
  [0.05, 0.97],
  [0.95, 0.97],
];

/** Options of {@link generateForm}. */
export interface FormOptions {
  dpi?: number;
  /** Registration marks to print (solid squares; centres as page fractions), also put in the template. */
  marks?: Array<[number, number]>;
  /** Side of a mark as a fraction of the page width (default {@link DEFAULT_MARK_SIZE}). */
  markSize?: number;
  /**
   * Height of the handwriting as a fraction of its box's, drawn per field between these (default
   * [0.5, 0.68]); near 1 and above, digits touch and cross the box's lines.
   */
  digitHeight?: [number, number];
  /**
   * Handwriting that runs out of room: in each box that is not a comb, the last digit's middle is
   * put this far past the box's right edge (a share of the digits' height, drawn per field between
   * these; negative is inside), so that it crosses the border. Default: centred in the box.
   */
  spill?: [number, number];
  /**
   * The handwriting's grey level, drawn per digit between these (default [10, 60], a dark pen); a
   * light pencil is 120-170.
   */
  ink?: [number, number];
  /**
   * What to write in some fields, by name (as many digits as the field's `digits`), each digit an
   * MNIST test image of that label drawn at random; other fields get random digits.
   */
  values?: Record<string, string>;
}

/** Per dataset, the indices of its images of each label. */
const byLabel = new WeakMap<DigitDataset, number[][]>();

/** The indices of `set`'s images of `label`. */
function imagesOf(set: DigitDataset, label: number): number[] {
  let all = byLabel.get(set);
  if (!all) {
    all = Array.from({ length: 10 }, () => []);
    for (let i = 0; i < set.count; i++) all[set.labels[i]]?.push(i);
    byLabel.set(set, all);
  }
  return all[label];
}

/** Draws the form and fills it with test-set digits; `rng` picks the digits and placement. */
export function generateForm(fields: FormFieldSpec[], mnist: DigitDataset, seed: number, options: FormOptions = {}): GeneratedForm {
  const dpi = options.dpi ?? 300;
  const rng = new Rng(seed);
  const { width, height } = letterSize(dpi);
  const page = new Uint8Array(width * height).fill(255);
  const line = Math.max(2, Math.round(dpi / 100));
  const expected: Record<string, string> = {};
  const sources: Record<string, number[]> = {};
  const put = (x: number, y: number, v: number) => {
    if (x >= 0 && y >= 0 && x < width && y < height) page[y * width + x] = Math.min(page[y * width + x], v);
  };
  const markSize = options.markSize ?? DEFAULT_MARK_SIZE;
  for (const [mx, my] of options.marks ?? []) {
    const side = Math.round(markSize * width);
    const x0 = Math.round(mx * width - side / 2);
    const y0 = Math.round(my * height - side / 2);
    for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) put(x, y, 20);
  }
  for (const f of fields) {
    const [fx, fy, fw, fh] = [f.box[0] * width, f.box[1] * height, f.box[2] * width, f.box[3] * height].map(Math.round);
    // The printed box (a comb of another style: its baseline and what stands on it).
    const style = f.comb ? (f.combStyle ?? 'closed') : 'closed';
    const boxStyle = f.comb ? 'solid' : (f.boxStyle ?? 'solid');
    const wallTop = style === 'ticks' ? Math.round(fy + fh * (2 / 3)) : fy;
    // Dashes of three line widths with gaps of two, from each corner.
    const dashOn = (d: number) => (boxStyle !== 'dashed' || d % (5 * line) < 3 * line) && (boxStyle !== 'dotted' || d % (3 * line) < line);
    const onLine = boxStyle === 'underline' || boxStyle === 'dotted';
    if (boxStyle === 'shaded') {
      const shade = Math.round(rng.uniform(205, 230));
      for (let y = fy; y < fy + fh; y++) for (let x = fx; x < fx + fw; x++) put(x, y, shade);
    } else if (style !== 'squares') {
      for (let t = 0; t < line; t++) {
        for (let x = fx; x < fx + fw; x++) {
          if (!dashOn(x - fx)) continue;
          if (style === 'closed' && !onLine) put(x, fy + t, 30);
          put(x, fy + fh - 1 - t, 30);
        }
        for (let y = wallTop; y < fy + fh; y++) {
          if (!dashOn(y - fy) || onLine) continue;
          put(fx + t, y, 30);
          put(fx + fw - 1 - t, y, 30);
        }
      }
    }
    // Handwriting: digits of about 60% of the box height, spaced along the box (a comb: one per cell).
    let value = '';
    const used: number[] = [];
    const [hMin, hMax] = options.digitHeight ?? [0.5, 0.68];
    const dh = Math.round(fh * rng.uniform(hMin, hMax));
    // A label printed inside the box at its left: the handwriting in the rest of the box.
    const lead = f.labelAt === 'inside' && !f.comb ? Math.round(labelWidth(f.label, height)) : 0;
    const pitch = f.comb ? fw / f.digits : Math.min(((fw - lead) * 0.9) / f.digits, dh * 1.05);
    let x = f.comb ? fx : fx + lead + (fw - lead - pitch * f.digits) / 2;
    if (options.spill && !f.comb && style !== 'squares') x = fx + fw + rng.uniform(options.spill[0], options.spill[1]) * dh - pitch * (f.digits - 0.5);
    if (style === 'squares') {
      // A square per digit, a fifth of the pitch apart.
      const gap = Math.round(pitch * 0.2);
      for (let k = 0; k < f.digits; k++) {
        const x0 = Math.round(fx + k * pitch + gap / 2);
        const x1 = Math.round(fx + (k + 1) * pitch - gap / 2);
        for (let t = 0; t < line; t++) {
          for (let xx = x0; xx < x1; xx++) {
            put(xx, fy + t, 30);
            put(xx, fy + fh - 1 - t, 30);
          }
          for (let y = fy; y < fy + fh; y++) {
            put(x0 + t, y, 30);
            put(x1 - 1 - t, y, 30);
          }
        }
      }
    } else if (f.comb) {
      for (let k = 1; k < f.digits; k++) {
        const wx = Math.round(fx + k * pitch - line / 2);
        for (let t = 0; t < line; t++) for (let y = wallTop; y < fy + fh; y++) put(wx + t, y, 30);
      }
    }
    const given = options.values?.[f.name];
    if (given !== undefined && (given.length !== f.digits || !/^[0-9]*$/.test(given))) throw new Error(`values.${f.name}: "${given}" is not ${f.digits} digits`);
    for (let k = 0; k < f.digits; k++) {
      const of = given !== undefined ? imagesOf(mnist, Number(given[k])) : [];
      const i = given !== undefined ? of[rng.int(of.length)] : rng.int(mnist.count);
      value += String(mnist.labels[i]);
      used.push(i);
      const src = Float32Array.from(mnist.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      // MNIST digits sit in 20x20 of 28x28: scale so the 28 px field is dh / (20/28).
      const side = Math.round((dh * 28) / 20);
      const big = resampleArea(src, 28, 28, side, side);
      const ox = Math.round(x + pitch / 2 - side / 2 + rng.uniform(-0.05, 0.05) * pitch);
      // On a line to write on, the digit's foot (MNIST's 20 px box ends 4 px above the image's
      // bottom) from a tenth of its height above the line to a twentieth below it.
      const oy = onLine
        ? Math.round(fy + fh - line - (side * 24) / 28 - rng.uniform(-0.05, 0.1) * dh)
        : Math.round(fy + fh / 2 - side / 2 + rng.uniform(-0.06, 0.06) * fh);
      const ink = rng.uniform(...(options.ink ?? [10, 60]));
      for (let yy = 0; yy < side; yy++) {
        for (let xx = 0; xx < side; xx++) {
          const a = big[yy * side + xx];
          if (a > 0.02) put(ox + xx, oy + yy, Math.round(255 - a * (255 - ink)));
        }
      }
      x += pitch;
    }
    expected[f.name] = value;
    sources[f.name] = used;
  }
  return {
    width,
    height,
    data: page,
    template: {
      ...(options.marks?.length ? { marks: options.marks, markSize } : {}),
      fields: fields.map((f) => ({ name: f.name, box: f.box, length: f.digits, type: f.type, ...(f.pattern !== undefined ? { pattern: f.pattern } : {}), ...(f.check !== undefined ? { check: f.check } : {}) })),
    },
    expected,
    sources,
  };
}

/** The room a label printed inside its box takes on a page `height` px high: the text and a font size each side. */
function labelWidth(label: string, height: number): number {
  const fs = Math.round(height / 80);
  return (0.6 * label.length + 2) * fs;
}

/** Printed labels above the fields, as an SVG overlay. */
function labelsSvg(form: GeneratedForm, fields: FormFieldSpec[], title: string): string {
  const fs = Math.round(form.height / 80);
  const texts = fields
    .map((f) =>
      f.labelAt === 'inside'
        ? `<text x="${Math.round(f.box[0] * form.width) + fs}" y="${Math.round((f.box[1] + f.box[3] / 2) * form.height) + Math.round(fs * 0.35)}">${f.label}</text>`
        : f.labelAt === 'left'
        ? `<text x="${Math.round(f.box[0] * form.width) - Math.round(fs * 0.5)}" y="${Math.round((f.box[1] + f.box[3]) * form.height) - Math.round(fs * 0.3)}" text-anchor="end">${f.label}</text>`
        : `<text x="${Math.round(f.box[0] * form.width)}" y="${Math.round(f.box[1] * form.height) - Math.round(fs * 0.5)}">${f.label}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${form.width}" height="${form.height}"><g font-family="DejaVu Sans, sans-serif" font-size="${fs}" fill="#202020"><text x="${Math.round(form.width * 0.08)}" y="${Math.round(form.height * 0.07)}" font-size="${Math.round(fs * 1.6)}" font-weight="bold">${title}</text>${texts}</g></svg>`;
}

/**
 * Renders a generated form to PNG bytes (8-bit gray) with printed labels and scan artifacts.
 *
 * @example
 * const png = await renderForm(form, spec.fields, spec.title, { rotation: 2, noise: 8, jpeg: 80 });
 */
export async function renderForm(form: GeneratedForm, fields: FormFieldSpec[], title: string, artifacts: Artifacts = {}, seed = 1): Promise<Buffer> {
  const rng = new Rng(seed);
  let img = sharp(Buffer.from(form.data), { raw: { width: form.width, height: form.height, channels: 1 } }).composite([{ input: Buffer.from(labelsSvg(form, fields, title)) }]);
  let buf = await img.greyscale().raw().toBuffer();
  const { width: W, height: H } = form;
  if (artifacts.bleedThrough) {
    // The back of the sheet: this page mirrored, faint.
    const src = Buffer.from(buf);
    const a = artifacts.bleedThrough;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const back = src[y * W + (W - 1 - x)];
        buf[y * W + x] = Math.min(buf[y * W + x], Math.round(255 - a * (255 - back)));
      }
    }
  }
  if (artifacts.unevenLight) {
    const a = artifacts.unevenLight;
    const cx = rng.uniform(0, 1) < 0.5 ? 0 : W;
    const cy = rng.uniform(0, 1) < 0.5 ? 0 : H;
    const far = Math.hypot(W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const f = 1 - a * (1 - Math.hypot(x - cx, y - cy) / far);
        buf[y * W + x] = Math.round(buf[y * W + x] * f);
      }
    }
  }
  if (artifacts.noise) {
    for (let i = 0; i < buf.length; i++) buf[i] = Math.max(0, Math.min(255, Math.round(buf[i] + artifacts.noise * rng.normal())));
  }
  img = sharp(buf, { raw: { width: form.width, height: form.height, channels: 1 } });
  if (artifacts.blur) img = img.blur(artifacts.blur);
  if (artifacts.rotation) {
    const angle = rng.uniform(-artifacts.rotation, artifacts.rotation);
    const rotated = await img.rotate(angle, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    // Crop back to the page size around the centre.
    const { width: rw, height: rh } = rotated.info;
    img = sharp(rotated.data, { raw: { width: rw, height: rh, channels: rotated.info.channels } }).extract({
      left: Math.floor((rw - form.width) / 2),
      top: Math.floor((rh - form.height) / 2),
      width: form.width,
      height: form.height,
    });
    buf = await img.greyscale().raw().toBuffer();
    img = sharp(buf, { raw: { width: form.width, height: form.height, channels: 1 } });
  }
  if (artifacts.jpeg) {
    const jpg = await img.jpeg({ quality: artifacts.jpeg }).toBuffer();
    const back = await decodeImage(jpg);
    img = sharp(Buffer.from(back.data), { raw: { width: back.width, height: back.height, channels: 1 } });
  }
  // A grey scan is stored as one channel: sharp writes one-channel raw input as RGB unless told b-w.
  return img.toColourspace('b-w').png().toBuffer();
}

/** The same pages written again as other kinds of PDF (each a file path), for the scan bench. */
export interface PdfVariants {
  /**
   * With a searchable text layer (text drawn invisibly over each scan, as OCR software adds it: in
   * the page's content on odd pages, as Tesseract writes it, in a form XObject on even ones, as
   * ocrmypdf grafts it).
   */
  searchable?: string;
  /** The searchable pages with a line of visible text at each page's foot: a page number stamped over each scan (what lies over it is rendered alone). */
  marked?: string;
  /** Each PNG drawn turned by a degree on its page: not a scan (pdfjs renders it whole). */
  rendered?: string;
  /** Each PNG drawn at its own shape with half-inch margins, over a page filled in white first, as printing an image to PDF writes it. */
  margins?: string;
}

/**
 * Writes a PDF of letter pages, each holding one PNG over the whole page (pdf-lib, a dev dependency),
 * and the same pages as the other kinds of PDF `variants` names.
 */
export async function writePdf(pngs: Buffer[], file: string, variants: PdfVariants = {}): Promise<void> {
  const { searchable, marked, rendered, margins } = variants;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const L = require('pdf-lib') as typeof import('pdf-lib');
  const doc = await L.PDFDocument.create();
  const pages: Array<import('pdf-lib').PDFPage> = [];
  for (const png of pngs) {
    const img = await doc.embedPng(png);
    const p = doc.addPage([612, 792]);
    p.drawImage(img, { x: 0, y: 0, width: 612, height: 792 });
    pages.push(p);
  }
  writeFileSync(file, await doc.save());
  // Each PNG drawn on a letter page of its own another way.
  const drawnSo = async (out: string, draw: (page: import('pdf-lib').PDFPage, img: import('pdf-lib').PDFImage) => void) => {
    const other = await L.PDFDocument.create();
    for (const png of pngs) draw(other.addPage([612, 792]), await other.embedPng(png));
    writeFileSync(out, await other.save());
  };
  if (rendered) await drawnSo(rendered, (page, img) => page.drawImage(img, { x: 6, y: 0, width: 612, height: 792, rotate: L.degrees(1) }));
  if (margins) {
    await drawnSo(margins, (page, img) => {
      page.drawRectangle({ x: 0, y: 0, width: 612, height: 792, color: L.rgb(1, 1, 1) });
      page.drawImage(img, { x: 36, y: 36, width: 540, height: (540 * img.height) / img.width });
    });
  }
  if (!searchable) return;
  // Added as content streams of their own: pdf-lib keeps a saved stream's bytes, whatever is pushed to it later.
  const append = (page: import('pdf-lib').PDFPage, ops: import('pdf-lib').PDFOperator[]) => page.node.addContentStream(doc.context.register(doc.context.contentStream(ops)));
  const font = await doc.embedFont(L.StandardFonts.Helvetica);
  const keys = pages.map((page) => page.node.newFontDictionary(font.name, font.ref));
  for (const [i, page] of pages.entries()) {
    const ops = [L.beginText(), L.setFontAndSize(keys[i], 10), L.setTextRenderingMode(L.TextRenderingMode.Invisible)];
    for (let line = 0; line < 40; line++) ops.push(L.setTextMatrix(1, 0, 0, 1, 50, 740 - 16 * line), L.showText(font.encodeText(`Line ${line + 1}: name, date, amount, zip code, phone`)));
    ops.push(L.endText());
    if (i % 2 === 0) append(page, ops);
    else {
      const form = doc.context.formXObject(ops, { BBox: [0, 0, 612, 792], Resources: { Font: { [keys[i].asString().slice(1)]: font.ref } } } as never);
      const name = page.node.newXObject('OCR', doc.context.register(form));
      append(page, [L.pushGraphicsState(), L.drawObject(name), L.popGraphicsState()]);
    }
  }
  writeFileSync(searchable, await doc.save());
  if (!marked) return;
  for (const [i, page] of pages.entries()) {
    // Render mode set again: the text layer in a page's own content left it at invisible.
    append(page, [L.beginText(), L.setFontAndSize(keys[i], 8), L.setTextRenderingMode(L.TextRenderingMode.Fill), L.moveText(40, 20), L.showText(font.encodeText(`Page ${i + 1}`)), L.endText()]);
  }
  writeFileSync(marked, await doc.save());
}

/**
 * Writes a PDF of letter pages, each one of the PNGs thresholded at `threshold` and stored as a bitonal
 * scan in CCITT Group 4, as document scanners write black-and-white pages (pdf-lib, a dev dependency).
 */
export async function writeBitonalPdf(pngs: Buffer[], file: string, threshold = 140): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const L = require('pdf-lib') as typeof import('pdf-lib');
  const doc = await L.PDFDocument.create();
  for (const png of pngs) {
    // libtiff writes the strip as sharp asks (rows per strip: tileHeight, whole pages in one);
    // negated, so that the paper is CCITT's white runs under TIFF's min-is-black.
    const { height = 0 } = await sharp(png).metadata();
    const tiff = await sharp(png).threshold(threshold).negate().toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1, tileHeight: Math.ceil(height / 16) * 16 }).toBuffer();
    const { width, rows, strip } = tiffStrip(tiff);
    if (rows < height) throw new Error('expected one strip');
    const dict = { Type: 'XObject', Subtype: 'Image', Width: width, Height: height, BitsPerComponent: 1, ColorSpace: 'DeviceGray', Filter: 'CCITTFaxDecode', DecodeParms: { K: -1, Columns: width, Rows: height } };
    const page = doc.addPage([612, 792]);
    const name = page.node.newXObject('Scan', doc.context.register(doc.context.stream(strip, dict as never)));
    page.pushOperators(L.pushGraphicsState(), L.concatTransformationMatrix(612, 0, 0, 792, 0, 0), L.drawObject(name), L.popGraphicsState());
  }
  writeFileSync(file, await doc.save());
}

/** The width, rows per strip and first strip of a little-endian TIFF's first image. */
export function tiffStrip(tiff: Buffer): { width: number; rows: number; strip: Buffer } {
  const dir = tiff.readUInt32LE(4);
  const tags = new Map<number, number>();
  for (let i = 0; i < tiff.readUInt16LE(dir); i++) {
    const at = dir + 2 + 12 * i;
    tags.set(tiff.readUInt16LE(at), tiff.readUInt16LE(at + 2) === 3 ? tiff.readUInt16LE(at + 8) : tiff.readUInt32LE(at + 8));
  }
  const [offset, bytes] = [tags.get(273) ?? 0, tags.get(279) ?? 0];
  return { width: tags.get(256) ?? 0, rows: tags.get(278) ?? 0, strip: tiff.subarray(offset, offset + bytes) };
}

/** The three sample forms of samples/, each with registration marks in its corners. */
export const SAMPLE_FORMS: Record<string, { title: string; fields: FormFieldSpec[]; marks: Array<[number, number]> }> = {
  'zip-code': {
    title: 'Change of address',
    marks: CORNER_MARKS,
    fields: [{ name: 'zip', label: 'ZIP code', digits: 5, box: [0.1, 0.15, 0.4, 0.07], type: 'zip' }],
  },
  'bank-check': {
    title: 'Pay to the order of ..................  Amount',
    marks: CORNER_MARKS,
    fields: [
      { name: 'amount', label: 'Amount ($, cents included)', digits: 6, box: [0.55, 0.12, 0.38, 0.07] },
      { name: 'check-number', label: 'Check number', digits: 4, box: [0.08, 0.12, 0.3, 0.07] },
    ],
  },
  'multi-field': {
    title: 'Survey form',
    marks: CORNER_MARKS,
    fields: [
      { name: 'id', label: 'Respondent ID', digits: 6, box: [0.08, 0.14, 0.45, 0.065] },
      { name: 'age', label: 'Age', digits: 2, box: [0.62, 0.14, 0.2, 0.065] },
      { name: 'phone', label: 'Phone', digits: 10, box: [0.08, 0.28, 0.84, 0.065] },
      { name: 'zip', label: 'ZIP code', digits: 5, box: [0.08, 0.42, 0.4, 0.065], type: 'zip' },
      { name: 'count', label: 'Household size', digits: 1, box: [0.62, 0.42, 0.12, 0.065] },
    ],
  },
};

/**
 * An order form of lines to write on (four solid, two dotted) with their labels printed above them,
 * and a box on the row of one: the fields of `npm run bench -- underline` (which also moves each label
 * onto its line, at its left, or prints it inside a box).
 */
export const LINES_FORM_FIELDS: FormFieldSpec[] = [
  { name: 'account', label: 'Account number', digits: 8, box: [0.1, 0.2, 0.5, 0.05], boxStyle: 'underline' },
  { name: 'zip', label: 'Zip code', digits: 5, box: [0.1, 0.32, 0.3, 0.05], boxStyle: 'underline' },
  { name: 'phone', label: 'Phone', digits: 7, box: [0.5, 0.32, 0.4, 0.05], boxStyle: 'dotted' },
  { name: 'amount', label: 'Amount', digits: 4, box: [0.1, 0.45, 0.25, 0.06], boxStyle: 'underline' },
  { name: 'reference', label: 'Reference', digits: 5, box: [0.5, 0.45, 0.3, 0.06] },
  { name: 'quantity', label: 'Quantity', digits: 3, box: [0.1, 0.6, 0.2, 0.045], boxStyle: 'dotted' },
  { name: 'code', label: 'Code', digits: 6, box: [0.45, 0.6, 0.4, 0.045], boxStyle: 'underline' },
];
