/**
 * `scan`: inputs (images, multi-page TIFFs, PDFs, folders, globs) -> pages -> preprocess ->
 * fields -> digits -> classify (one batch per page) -> assembled fields. Pages stream: each is
 * processed and handed to `onPage` before the next is decoded.
 */
import { readFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { extname, join, basename, dirname, resolve } from 'node:path';
import sharp from 'sharp';
import type { BinaryImage, Box, DigitCrop, GrayImage } from '../types';
import { decodePage, imagePageCount, InputError, type DecodedPage } from '../io/image';
import { readPdfPages } from '../io/pdf';
import { expandInputs } from '../io/inputs';
import { nextWanted, noneWanted, pageRanges, pageWanted, shareOf, type PageRanges } from '../io/pages';
import { loadOpenCV, CV } from '../preprocess/opencv';
import { withOverflow } from '../segment/overflow';
import { withFaintFields } from '../segment/faint';
import { invert, isNegative, resize, turnAround, turnQuarter, union, type ThresholdMethod } from '../preprocess/steps';
import { cleanPage, isCutOut, LETTER_SIDE, stripPpi } from '../preprocess/page';
import { printOrientation, type PrintScore } from '../preprocess/orientation';
import { boxFields, CheckDigit, CHECK_DIGITS, FieldRegion, fieldInkBox, FieldType, Lexicon, lineFields, linesOutside, parseTemplate, Template, templateFields, withCells } from '../segment/fields';
import { lexiconValues } from './lexicon';
import { affineScale, applyAffine, localAffine, mapBox, registerTemplate, Registration } from '../segment/registration';
import { cutDigits, recropFaint, recropGrey, recropThin, type SeparatorMark, type SkippedStroke } from '../segment/digits';
import { strokeShape } from '../segment/shape';
import { readDate, slashesFrom, slashLikeness } from './dates';
import { eraseMarks, paintOver, signCandidates, type SignCandidate } from '../segment/signs';
import { bestPath, onBracket, onSeparator, segmentGraph, separatorMarks, type SegmentGraph } from '../segment/strings';
import { amountText, inPageStyle, pageThousands } from './amounts';
import { captionMarks } from '../segment/captions';
import { median } from '../segment/components';
// The models' modules (TF.js, ~120 ms to load) are loaded when first used: the main thread of a
// scan on worker threads never reads a digit, and starts its workers that much sooner.
import type { Classifier, Prediction } from '../classify/classifier';
import type { StringModel } from '../classify/string-model';
import type { BackendName } from '../classify/backend';
import { defaultWorkers } from '../threads';
import { scanParallel } from './parallel';
import type { DigitResult, DocumentResult, FieldAlternative, FieldResult, PageRegistration, PageResult } from './document';
import { assembleField, fieldFit, stringConfidence, type DigitReading } from './assemble';

/** Options of {@link scan}. */
export interface ScanOptions {
  /** A template (parsed) or a path to template JSON. */
  template?: Template | string;
  /**
   * Find printed boxes and read each as a field (when no template), `box-1`, …; handwriting outside
   * every box found is read by lines after them, `line-1`, … (see `linesOutside`). Without a template
   * or this, each line of handwriting is a field (see `lineFields`).
   */
  autoFields?: boolean;
  /** `otsu` (default) or `adaptive` (uneven light, patterned paper). */
  threshold?: ThresholdMethod;
  /** Contrast-limited adaptive histogram equalization (CLAHE) before thresholding, for faint or uneven scans (default false). */
  clahe?: boolean;
  /** Correct skew (default true). */
  deskew?: boolean;
  /**
   * What the fields hold, for fields whose template does not say: `digits` (default, any string),
   * `amount` (separators split digits in groups of three, or two cents; no leading zero), `zip`
   * (5 or 9 digits) or `date` (a day, a month and a year, a handwritten slash between them told from
   * a 1 by the date's structure: see `readDate`).
   *
   * @example
   * await scanInputs(['claims/'], { template: tpl, fieldType: 'date' }, (doc) => console.log(doc));
   */
  fieldType?: FieldType;
  /**
   * A regular expression the whole value of every field must match, for fields whose template does
   * not give one (see `TemplateField.pattern`): a value read digit by digit that breaks it is
   * replaced by the most probable reading of as many digits that matches, and flagged.
   *
   * @example
   * await scan('years/', { pattern: '(19|20)[0-9]{2}' });
   */
  pattern?: string;
  /**
   * The check digit every field's value ends in, for fields whose template does not name one
   * (`luhn` or `gtin`, see `CheckDigit`): a value read digit by digit whose check fails is replaced by
   * the most probable reading of as many digits whose check holds, and flagged.
   *
   * @example
   * await scan('cards/', { check: 'luhn', pattern: '[0-9]{16}' });
   */
  check?: CheckDigit;
  /**
   * The values every field may hold, for fields whose template gives no lexicon: a list of strings
   * of digits, or the path of a text file of them, one a line (spaces and hyphens ignored; see
   * `parseLexicon`). A field read digit by digit becomes the lexicon's most probable value of as many
   * digits, its confidence the probability that it is right (see `bestInLexicon`).
   *
   * @example
   * await scan('envelopes/', { autoFields: true, lexicon: 'zip-codes.txt' });
   */
  lexicon?: Lexicon;
  /**
   * Give each field its K next most probable values (`FieldResult.alternatives`; default 0: none),
   * for a reviewer to choose from or a program to check against what it knows.
   *
   * @example
   * await scan('forms/', { template: 'form.json', alternatives: 3 });
   */
  alternatives?: number;
  /** Fields whose confidence is below this need review (default 0.9; a template field's own `minConfidence` wins). */
  minConfidence?: number;
  /** PDF rasterization resolution (default 300): the page pixels that boxes are given in. */
  dpi?: number;
  /**
   * Read only these pages of each file (1-based; PDF and TIFF pages): a list such as `'1,3-5,8-'`
   * (8- is page 8 to the last) or its ranges. Default: every page. Pages keep their numbers in the
   * output; a file with none of them is an error of that file (it has fewer pages).
   *
   * @example
   * await scan('forms.pdf', { pages: '1' }); // the first page of each file only
   */
  pages?: string | PageRanges;
  /**
   * Pages are read at this working size: a page whose shorter side is longer is reduced (area
   * averaging; PDF pages are rendered at the lower resolution) so that its shorter side is this
   * many pixels, and boxes are mapped back to the page's own pixels. Default 1275 (a letter page
   * at 150 dpi: handwritten digits stay several times taller than the model's 20 px, and a page
   * costs a quarter of its 300-dpi pixels). A page whose resolution is known (its file says, or
   * {@link ppi}; PDF pages) is read at the resolution a letter page has at this size (150 dpi),
   * whatever its size: reduced to it, or enlarged to it (bicubic) from under 120 dpi
   * ({@link ENLARGE_UNDER}); a page of unknown resolution, but a cut-out field, is enlarged from
   * under 1020 px a side. 0 reads pages at full resolution.
   */
  workSize?: number;
  /**
   * Pixels per inch of the input images, instead of what their files say. A page's resolution sets
   * the scale its printed lines, boxes, print and handwriting are measured at. By default it is the
   * file's, when the file states a plausible one for a scan (see `scanPpi`: 25 dpi or more, and not
   * 72 or 96, which software writes when it knows nothing); a page of unknown resolution is taken for a letter or A4
   * page by its shorter side, which a postcard or a half page is not, and a strip (twice as long as
   * wide or more: a check, the top of a form) for a band across a letter page, 8.5 inches long (see
   * `stripPpi`). `0` takes every image so, whatever its file says (for images made smaller by
   * software that left their resolution as it was). Not used for PDF pages, whose size the file
   * states.
   *
   * @example
   * await scan('checks/', { autoFields: true, ppi: 200 }); // checks scanned at 200 dpi, saved without it
   */
  ppi?: number;
  /** Refuse pages over this many pixels. */
  pixelLimit?: number;
  /** Write every preprocessing step's image of each page here. */
  debug?: string;
  /** Write a PNG per page with boxes and digits drawn over the scan here. */
  overlay?: string;
  /** The classifier (default: the model at `model`, loaded once per process). */
  classifier?: Classifier;
  /** Model folder (default: the shipped model). */
  model?: string;
  /**
   * The string model that reads fields of type `amount` whole, and the digit fields where contours
   * and recognition-based segmentation find different numbers of digits (a folder, a loaded model,
   * or `none` to read everything digit by digit with `model`). Default: the shipped `models/amount`.
   */
  stringModel?: string | StringModel;
  /**
   * A digit model with a reject class that re-reads, by recognition-based segmentation, the fields
   * where contour segmentation may have cut or merged touching digits (a folder, or `none`).
   * Default: the shipped `models/check`. Used with digit-only models.
   */
  touchingModel?: string;
  /**
   * A model that tells currency signs from digits ($ € £ ¥; see `makeSignSet`): a mark at either end
   * of a field that it calls a sign is not read (a `$` printed before an amount in its box reads as
   * a 5). A folder, or `none`. Default: the shipped `models/signs`.
   */
  signModel?: string;
  /**
   * Fields read digit by digit with a confidence under 0.98 are read again whole, by the string model
   * and its second reader, and the more confident reading is kept, as a cut-out field image always is
   * (default false). It helps handwriting like the string model's training data (real check amounts)
   * and costs MNIST-like handwriting: forms filled in with held-out real check digits 83.38 -> 89.13 %
   * of fields, forms of MNIST test digits 98.25 -> 97.63 % (README, "Unsure fields read again
   * whole"). Measure it on your own forms before you rely on it.
   *
   * @example
   * await scanInputs(['forms/'], { autoFields: true, rereadWhole: true }, (doc) => console.log(doc));
   */
  rereadWhole?: boolean;
  /**
   * Turn pages that are not upright (default true). A page that reads poorly (under nine tenths of
   * its digits at 0.99 confidence or more, most of its fields flagged for review, or no digits at
   * all) is looked at for which way up its print stands (letters stand on a common baseline; upside
   * down, their tops line up; on a page lying on its side, the lines of print run down the page) and
   * read again turned by 180 degrees or a quarter, as the print says (kept unless it reads fewer sure
   * digits than as it came); with no print to tell by, the page turned by 180 degrees is kept when
   * it reads well and has at least two more such digits. The page then says `orientation` (90, 180
   * or 270: the clockwise turn that set it upright). Pages that read well cost nothing more; an
   * upside-down page whose digits happen to read well (0, 1, 8, 6 and 9 are digits upside down too)
   * is not looked at.
   */
  orient?: boolean;
  /** TF.js backend (default wasm). */
  backend?: BackendName;
  /**
   * Files (and pages of multi-page files) scanned in parallel over this many worker threads, each
   * with its own model; each worker decodes its next image file while it reads one. Default: the
   * number of cores. 1 scans in this thread (decoding the next file ahead too).
   */
  concurrency?: number;
}

/** Default of {@link ScanOptions.workSize}. */
export const DEFAULT_WORK_SIZE = 1275;

/**
 * A page of known resolution under this share of the working size's (120 dpi of 150), or of unknown
 * resolution with its shorter side under this share of the working size (1020 px of 1275), is
 * enlarged to it (see {@link scanPage}).
 */
export const ENLARGE_UNDER = 0.8;

/**
 * Processes one decoded page. `size` is the page's size in the pixels boxes are reported in, when
 * `image` was already read smaller (PDF pages rendered at the working size); by default the
 * image's own. `ppi`: the image's pixels per inch, when known: the page is then read at the working
 * size's resolution and measured at its own scale, whatever its size; else a strip's longer side is
 * taken for 8.5 inches (`stripPpi`) and any other page's shorter side for a letter page's (see
 * {@link ScanOptions.ppi}). Debug images and the overlay are at the
 * working size. `paleLines`: find the printed lines in a paler binarization (see
 * `CleanOptions.paleLines`); with `autoFields`, a page read poorly or with no box found is read
 * again so when that binarization holds much more line, and the better reading returned. `asPage`:
 * an image of unknown resolution under 600 px a side is read as a letter page, not as a field cut
 * out of one (see {@link SMALL_PAGE}).
 */
export async function scanPage(
  image: GrayImage,
  page: number,
  clf: Classifier,
  opts: ScanOptions & { template?: Template; paleLines?: boolean; asPage?: boolean },
  debugName?: string,
  size?: { width: number; height: number },
  ppi?: number,
): Promise<PageResult> {
  const cv: CV = await loadOpenCV();
  // A page reader (the scan's own, or one made here for a caller's classifier): see Classifier.forPage.
  clf = clf.forPage();
  const original = image;
  const out = size ?? { width: image.width, height: image.height };
  const workSize = opts.workSize ?? DEFAULT_WORK_SIZE;
  const short = Math.min(image.width, image.height);
  const cutOut = !opts.asPage && isCutOut(image.width, image.height, ppi);
  // A page of known resolution is read at the working size's resolution (a letter page's at
  // `workSize`: 150 dpi) whatever its size, and its sizes are measured at that scale, as is a strip
  // of unknown resolution taken for 8.5 inches long (stripPpi); else its shorter side is taken for a
  // letter page's and brought to `workSize`. Pages are reduced to it; a page under ENLARGE_UNDER of
  // it (120 dpi: a fax, a page scanned at 100 dpi or less; a page of unknown resolution under 1020 px
  // a side, but a cut-out field) is enlarged to it, its lines, boxes and handwriting then as long and
  // as thick in pixels as the rules measuring them expect (`npm run bench -- resolution`: 50 dpi pages
  // read 73.44 % of their fields with templates and 10.94 % with --auto-fields at their own size,
  // 96.88 % and 96.88 % enlarged, as at 300 dpi).
  const assumed = cutOut || ppi ? undefined : stripPpi(image.width, image.height);
  const known = cutOut ? undefined : (ppi ?? assumed);
  const toWork = known ? (workSize * 300) / LETTER_SIDE / known : cutOut ? Math.min(1, workSize / short) : workSize / short;
  const k = workSize > 0 && (toWork < 1 || toWork > 1 / ENLARGE_UNDER) ? toWork : 1;
  const stored = image.width;
  if (k !== 1) image = resize(cv, image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k)));
  const debug = async (step: string, img: GrayImage | BinaryImage, binary = false) => {
    if (!opts.debug || !debugName) return;
    mkdirSync(opts.debug, { recursive: true });
    const data = binary ? Uint8Array.from(img.data, (v) => (v ? 0 : 255)) : img.data;
    await sharp(Buffer.from(data), { raw: { width: img.width, height: img.height, channels: 1 } }).png().toFile(join(opts.debug, `${debugName}-p${page}-${step}.png`));
  };
  // No template and no boxes: each line of handwriting is a field.
  const byLines = !opts.template && !opts.autoFields;
  const pre = cleanPage(cv, image, {
    threshold: opts.threshold,
    clahe: opts.clahe,
    deskew: opts.deskew,
    // Specks matter only where lines of ink are found with no template or boxes (fields drop their own).
    specks: byLines,
    shades: !opts.template && opts.autoFields,
    cutOut,
    paleLines: opts.paleLines,
    ...(known ? { scale: (known * image.width) / stored / 300 } : {}),
  });
  // pre.gray is made when first used (rotating a page costs a pass): by debug images, whole-field
  // reading and overlays only.
  const { clean, lines, skew, scale } = pre;
  // The shorter side of a letter page at the page's known scale, which print and titles are
  // measured against (unknown: the page's own shorter side, the letter page it is taken for).
  const side = known ? scale * LETTER_SIDE : undefined;
  // Print is told from handwriting by its size against that side; a strip taken for 8.5 inches long
  // may be as short as a 6-inch check, its print up to 8.5/6 times as big as taken.
  const printSide = side && assumed ? (side * 8.5) / 6 : side;
  const { width: pw, height: ph } = clean;
  if (opts.debug) {
    await debug('1-gray', image);
    if (opts.clahe) await debug('1b-equalized', pre.gray);
    await debug('2-deskewed', pre.gray);
    await debug('3-threshold', pre.binary, true);
    if (pre.lineInk !== pre.binary) await debug('3b-line-ink', pre.lineInk, true);
    await debug('3c-lines', union(lines.horizontal, lines.vertical), true);
    await debug('4-clean', clean, true);
  }
  const kx = out.width / pw;
  const ky = out.height / ph;
  let regions: FieldRegion[];
  // With --auto-fields, the lines of handwriting outside the boxes found.
  let loose = new Set<FieldRegion>();
  // Whether the lines outside the boxes are kept only when they read as digits: not in a cut-out
  // field image with no box found, whose line of handwriting is the field the image was cut for.
  let gated = true;
  let registration: PageRegistration | undefined;
  if (opts.template) {
    const reg = registerTemplate(cv, pre.binary, opts.template);
    if (reg) registration = describeRegistration(reg, pw, ph, kx, ky);
    regions = templateFields(opts.template, pw, ph, reg ? (b) => mapBox(reg.transform, b) : undefined);
    // A comb or a row of digit squares in a field's box is read a digit per cell, as --auto-fields reads it.
    regions = withCells(regions, boxFields(union(lines.horizontal, lines.vertical), Math.max(12, Math.round(40 * scale)), pre.lineInk));
  }
  else if (opts.autoFields) {
    regions = boxFields(union(lines.horizontal, lines.vertical), Math.max(12, Math.round(40 * scale)), pre.lineInk, pre.shade);
    // Handwriting outside every box found is read by lines (a shaded field a bitonal scan turned white).
    gated = !(pre.cutOut && regions.length === 0);
    loose = new Set(linesOutside(clean, regions.map((r) => r.box), Math.max(6, Math.round(20 * scale)), pre.cutOut, printSide));
    regions = [...regions, ...loose];
  } else regions = lineFields(clean, Math.max(6, Math.round(20 * scale)), pre.cutOut, printSide);
  // Lines of handwriting in a light pencil, which the page's threshold partly loses, are found again
  // on the page with the fainter binarization's strokes in and around the lines first found (segment/faint).
  let lineInk = clean;
  if (byLines && pre.faint && regions.length) {
    const pale = withFaintFields(cv, clean, (b) => pre.faintRegion(b), regions, true);
    if (pale !== clean) {
      lineInk = pale;
      regions = lineFields(pale, Math.max(6, Math.round(20 * scale)), pre.cutOut, printSide);
    }
  }
  const minConfidence = opts.minConfidence ?? 0.9;
  const whole = regions.map((r) => (r.type ?? opts.fieldType) === 'amount');
  const sm = whole.some(Boolean) ? await stringModelFor(opts) : null;
  // Fields whose handwriting the page's threshold loses (a light pencil) take the fainter
  // binarization's strokes (segment/faint). Handwriting that crosses a field's border (top, bottom
  // or sides) is read whole: the field is read from a box grown to take it in (segment/overflow), and
  // reports its own box. Lines of handwriting are their ink already (in a light pencil, with the
  // fainter strokes, above).
  const paleInk = byLines || !pre.faint ? clean : withFaintFields(cv, clean, (b) => pre.faintRegion(b), regions.filter((r) => !loose.has(r)));
  const reach = byLines ? { page: lineInk, regions } : withOverflow(cv, paleInk, regions, loose);
  // A currency sign at either end of a field ($ before an amount, € after it) is taken out of the
  // ink, and painted over in the grey page whole-field readers see (segment/signs).
  // Before that, a caption printed inside a field's box (its name, small, in a corner) is taken
  // out the same way (segment/captions).
  const captions = byLines ? [] : captionMarks(cv, reach.page, reach.regions.filter((r) => !loose.has(r)).map((r) => r.box), printSide ?? Math.min(pw, ph));
  const uncaptioned = captions.length ? eraseMarks(reach.page, captions) : reach.page;
  const signs = await findSigns(cv, uncaptioned, reach.regions, opts);
  const marks = [...captions, ...signs];
  const ink = signs.length ? eraseMarks(uncaptioned, signs) : uncaptioned;
  let painted: GrayImage | undefined;
  const grayPage = () => (marks.length ? (painted ??= paintOver(pre.gray, marks)) : pre.gray);
  const byDigits = sm ? reach.regions.filter((_, i) => !whole[i]) : reach.regions;
  // On a page thresholded against its paper, unsure digits are cut again from the fainter
  // binarization the lines were found in (lines removed, made if asked for) and from the grey page.
  const again = pre.faint ? { faint: () => pre.faintClean!, grayAt: (b: Box) => pre.grayRegion(b) } : undefined;
  let digitFields = clf.numClasses > 10 ? await readByRecognition(cv, ink, byDigits, clf, opts) : await readByContours(cv, ink, byDigits, clf, again);
  const unsureAtFirst = digitFields.reduce((a, f) => a + (f.unsureAtFirst ?? 0), 0);
  if (clf.numClasses === 10) digitFields = await rereadTouching(cv, ink, byDigits, digitFields, opts);
  digitFields = await settleDisputes(cv, grayPage, ink, byDigits, digitFields, opts, byLines, byLines && pre.cutOut, byLines || pre.cutOut);
  const wholeFields = sm ? await readWhole(cv, grayPage(), ink, reach.regions.filter((_, i) => whole[i]), sm, opts, byLines, byLines || pre.cutOut) : [];
  const fields = regions.map((_, i) => (sm && whole[i] ? wholeFields.shift()! : digitFields.shift()!));
  let assembled = regions.map((r, i) => {
    const field = constrained(r, opts);
    const date = field.type === 'date' ? asDate(fields[i]) : undefined;
    const read = date?.reading ?? fields[i];
    const f = assembleField(field, read.digits, r.minConfidence ?? minConfidence, keptConfidence(read), read.notes, opts.alternatives ?? 0, date?.text ?? fields[i].text);
    // A field read whole has its reader's alternatives (its digits have no probabilities of their own).
    return fields[i].alternatives && f.alternatives?.length === 0 ? { ...f, alternatives: fields[i].alternatives } : f;
  });
  // An amount's one separator is written in the style the page's other amounts show (one writer).
  const amountAt = assembled.map((f, i) => f.text !== undefined && constrained(regions[i], opts).type === 'amount');
  const thousands = pageThousands(assembled.filter((_, i) => amountAt[i]).map((f) => f.text!));
  if (thousands) assembled = assembled.map((f, i) => (amountAt[i] ? { ...f, text: inPageStyle(f.text!, thousands) } : f));
  // On a page read by lines (not a cut-out field), a line none of whose marks is a digit (a printed
  // sign or a short label left alone on its line, its marks all dropped) is no field.
  const emptyLine = (f: FieldResult) => byLines && !pre.cutOut && f.digits.length === 0;
  if (loose.size || regions.some((r) => r.printLike) || assembled.some(emptyLine)) {
    // A line outside the boxes, or a line shaped like big print (a title), is a field when it reads as
    // digits: more likely right than not (its field confidence as read, before a pattern or check
    // digit changed it, at least 0.5; not a signature, a note or print read as digits).
    // A line outside the boxes whose digits are all sure but one (948624, its 2 read at 0.47) is a
    // field too, flagged: a signature or a note reads as a row of unsure digits.
    const readsAsDigits = (f: FieldResult, i: number) => f.digits.length > 0 && (stringConfidence(fields[i].digits, fields[i].confidence) >= 0.5 || (!regions[i].printLike && oneUnsure(fields[i].digits)));
    assembled = assembled.filter((f, i) => !emptyLine(f) && (!((gated && loose.has(regions[i])) || regions[i].printLike) || readsAsDigits(f, i)));
    let k = 0;
    for (const f of assembled) if (f.name.startsWith('line-')) f.name = `line-${++k}`;
  }
  if (registration && registration.found === 0) {
    for (const f of assembled) {
      f.reasons.push("registration marks not found: read at the template's positions");
      f.needsReview = true;
    }
  } else if (registration && registration.found < Math.min(3, registration.marks)) {
    // One or two marks give a transform that no other mark checks: one square of ink taken for a
    // mark moves every field.
    for (const f of assembled) {
      f.reasons.push(`only ${registration.found} of ${registration.marks} registration marks found: the fields' places are not checked`);
      f.needsReview = true;
    }
  }
  const resolution = known ? { ppi: Math.round(((known * out.width) / stored) * 100) / 100, stated: !assumed } : undefined;
  const result: PageResult = { page, width: out.width, height: out.height, skew, ...(resolution ? { resolution } : {}), ...(registration ? { registration } : {}), fields: scaleFields(assembled, kx, ky) };
  firstLook.set(result, unsureAtFirst);
  // A page read poorly, with no box found, or with handwriting read outside its boxes, with much
  // more printed line in a paler binarization than was found (a form printed in a light colour: its
  // lines came out in pieces, and a table was read as a comb; or not at all, and the table's rows
  // were read as lines, three fields in one), is read again with its lines found there, and that
  // reading kept when it reads clearly more digits surely; or, where no box was found, finds boxes
  // and reads as many digits surely; or reads fewer lines outside its boxes and as many digits
  // surely in them (the lines were fields, or a field's pieces).
  const boxes = (p: PageResult) => p.fields.filter((f) => f.name.startsWith('box-')).length;
  const looseLines = (p: PageResult) => p.fields.filter((f) => f.name.startsWith('line-')).length;
  const sureInBoxes = (p: PageResult) => sureDigits({ ...p, fields: p.fields.filter((f) => f.name.startsWith('box-')) }).sure;
  if (opts.autoFields && !opts.paleLines && !pre.cutOut && (readsPoorly(result) || boxes(result) === 0 || looseLines(result) > 0) && paleLinesAdd(pre.paleLineGain())) {
    const name = debugName ? `${debugName}-pale` : undefined;
    const again = await scanPage(original, page, clf, { ...opts, paleLines: true }, name, size, ppi);
    const [a, b] = [sureDigits(result).sure, sureDigits(again).sure];
    if (b >= a + 2 || (boxes(result) === 0 && boxes(again) > 0 && b >= a) || (looseLines(again) < looseLines(result) && sureInBoxes(again) >= sureInBoxes(result))) {
      if (opts.overlay && name) renameSync(join(opts.overlay, `${name}-p${page}.png`), join(opts.overlay, `${debugName}-p${page}.png`));
      return again;
    }
    if (opts.overlay && name) rmSync(join(opts.overlay, `${name}-p${page}.png`), { force: true });
  }
  if (opts.overlay && debugName) {
    mkdirSync(opts.overlay, { recursive: true });
    await writeOverlay(pre.gray, result, join(opts.overlay, `${debugName}-p${page}.png`), minConfidence);
  }
  return result;
}

/**
 * Printed line a paler binarization must add to what was found, in page widths and heights summed
 * (see `CleanPage.paleLineGain`), for a page read poorly, with no box found, or with lines of
 * handwriting read outside its boxes, with `--auto-fields`, to be read again with its lines found
 * there (and measured for its angle there); and it must add a share of what was found ({@link paleLinesAdd}).
 */
const PALE_LINE_GAIN = 2;

/**
 * Whether a paler binarization's lines are the form's own, lost in the usual one: they add
 * {@link PALE_LINE_GAIN} page widths and heights or more, and at least {@link PALE_LINE_SHARE} of
 * what was found. Forms printed in a light colour added 3.4-6.4 to the 0.7-4.5 found (blues 0.7-2.6,
 * pink 4.0-4.5: at least 0.77 of it; `npm run bench -- dropout 48 5100`); a form of many small boxes
 * found whole (`hsf`: 19-23 found) adds 2.5-8 (at most 0.43 of it) from its print and the boxes'
 * corners, and reading it again gained nothing.
 */
function paleLinesAdd({ added, found }: { added: number; found: number }): boolean {
  return added >= PALE_LINE_GAIN && added >= PALE_LINE_SHARE * found;
}

/** The share of the lines found that a paler binarization must add ({@link paleLinesAdd}). */
const PALE_LINE_SHARE = 0.6;

/** Per page read by {@link scanPage}: how many of its digits were unsure at the first look ({@link readsPoorly}). */
const firstLook = new WeakMap<PageResult, number>();

/**
 * A registration as reported: how the template had to move to fit this page, in page pixels
 * (`kx`, `ky`: page pixels per working pixel).
 */
function describeRegistration(reg: Registration, width: number, height: number, kx: number, ky: number): PageRegistration {
  // At the page's centre (a homography's scale and rotation vary over the page).
  const t = localAffine(reg.transform, [width / 2, height / 2]);
  const [cx, cy] = applyAffine(t, [width / 2, height / 2]);
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    marks: reg.marks,
    found: reg.found,
    shift: [Math.round((cx - width / 2) * kx), Math.round((cy - height / 2) * ky)],
    scale: r3(affineScale(t)),
    rotation: r3((Math.atan2(t[3] - t[1], t[0] + t[4]) * 180) / Math.PI),
    error: Math.round(reg.error * Math.sqrt(kx * ky) * 10) / 10,
  };
}

/** Maps boxes from the working image to the page's pixels (`kx`, `ky`: page pixels per working pixel). */
function scaleFields(fields: FieldResult[], kx: number, ky: number): FieldResult[] {
  if (kx === 1 && ky === 1) return fields;
  const map = (b: Box): Box => {
    const x = Math.round(b[0] * kx);
    const y = Math.round(b[1] * ky);
    return [x, y, Math.round((b[0] + b[2]) * kx) - x, Math.round((b[1] + b[3]) * ky) - y];
  };
  return fields.map((f) => ({ ...f, box: map(f.box), digits: f.digits.map((d) => ({ ...d, box: map(d.box) })) }));
}

/** The digits read in one field, and the field's confidence when the reader computes one. */
export interface FieldReading {
  digits: DigitReading[];
  confidence?: number;
  /** Said of the field when it needs review. */
  notes?: string[];
  /** Contour segmentation may have cut or merged touching digits here. */
  touching?: boolean;
  /** Contours and recognition-based segmentation found different numbers of digits here: both readings. */
  disputed?: { contours: string; recognition: string };
  /** Digits read under {@link UNSURE} at the first look (before they were cut again and read again). */
  unsureAtFirst?: number;
  /** Strokes as tall as the digits, among them, that this reading left out as print (see {@link keptConfidence}). */
  skipped?: number;
  /** Other values of a field read whole, with their confidences (when `alternatives` are asked for). */
  alternatives?: FieldAlternative[];
  /**
   * Recognition-based segmentation: the reading with two neighbouring digits read as the one digit a
   * candidate spanning both makes, and that reading's share against the pair (see `PathResult.joined`).
   */
  joined?: { share: number; value: string };
  /** Dashes and dots left out between the field's digits by contour segmentation (`FieldCut.marks`): a date's separators may be these. */
  marks?: SeparatorMark[];
  /** An amount read whole: its digits with the commas and points written between them (see `amountText`). */
  text?: string;
}

/** A field with its constraints: its own type, pattern, check digit and lexicon (a template's), else the scan's. */
function constrained(r: FieldRegion, opts: ScanOptions): FieldRegion {
  const check = r.check ?? opts.check;
  const lexicon = r.lexicon ?? opts.lexicon;
  return { ...r, type: r.type ?? opts.fieldType, pattern: r.pattern ?? opts.pattern, ...(check ? { check } : {}), ...(lexicon !== undefined ? { lexicon: lexiconValues(lexicon) } : {}) };
}

/** The digits a reading found, as a string. */
function text(r: FieldReading): string {
  return r.digits.map((d) => d.value).join('');
}

/**
 * Recognition-based reading (models with a reject class): each field is over-segmented, every
 * candidate of the page is classified in one batch, and the best cut path is chosen per field
 * (`widthPrior`: see `PathOptions.widthPrior` in segment/strings).
 */
export async function readByRecognition(
  cv: CV,
  clean: BinaryImage,
  regions: FieldRegion[],
  clf: Classifier,
  opts: ScanOptions,
  widthPrior = false,
  graphs: SegmentGraph[] = regions.map((r) => segmentGraph(cv, clean, r.box)),
): Promise<FieldReading[]> {
  const crops = graphs.flatMap((g) => g.candidates.map((c) => c.crop));
  const preds = crops.length ? await clf.classify(crops) : [];
  let k = 0;
  return graphs.map((g, i) => {
    const scores = preds.slice(k, (k += g.candidates.length));
    const r = regions[i];
    const path = bestPath(g, scores, { fieldType: r.type ?? opts.fieldType, lengths: r.length !== undefined ? [r.length] : undefined, widthPrior });
    const digits: DigitReading[] = path.digits.map((d) => ({ value: String(d.score.digit), confidence: d.score.confidence, box: d.candidate.box, ...(d.score.probabilities ? { probabilities: d.score.probabilities } : {}), slash: slashLikeness(strokeShape(d.candidate.crop.pixels)) }));
    const j = path.joined;
    const joined = j ? { share: j.share, value: [...digits.slice(0, j.at).map((d) => d.value), String(j.digit), ...digits.slice(j.at + 2).map((d) => d.value)].join('') } : undefined;
    return { digits, confidence: path.posterior, ...(joined ? { joined } : {}) };
  });
}

/** String models loaded in this thread, by folder. */
const stringModels = new Map<string, Promise<StringModel>>();

/** The string model for amount fields, loaded once per thread; null with `stringModel: 'none'`. */
async function stringModelFor(opts: ScanOptions): Promise<StringModel | null> {
  if (opts.stringModel === 'none') return null;
  if (typeof opts.stringModel === 'object') return opts.stringModel;
  const { StringModel, defaultStringModelDir } = await import('../classify/string-model');
  const dir = opts.stringModel ?? defaultStringModelDir();
  if (!stringModels.has(dir)) stringModels.set(dir, StringModel.load(dir, opts.backend));
  return stringModels.get(dir)!;
}

/** A mark the sign model calls a currency sign with at least this probability is one. */
export const SIGN_PROBABILITY = 0.99;

/**
 * The currency signs at the ends of the fields (see {@link signCandidates}): the marks the sign
 * model (`opts.signModel`, default the shipped `models/signs`; `none`: no sign is looked for) calls
 * not a digit with at least {@link SIGN_PROBABILITY}. Fields of cells (combs) hold a digit a cell.
 */
async function findSigns(cv: CV, ink: BinaryImage, regions: FieldRegion[], opts: ScanOptions): Promise<SignCandidate[]> {
  if (opts.signModel === 'none') return [];
  const cands = signCandidates(cv, ink, regions.map((r) => r.box)).filter((c) => !regions[c.field].cells);
  if (!cands.length) return [];
  const model = await readerFor(opts.signModel ?? (await import('../classify/model-io')).defaultSignModelDir(), opts);
  const said = await model.classify(cands.map((c) => c.crop));
  return cands.filter((_, i) => said[i].reject >= SIGN_PROBABILITY);
}

/**
 * Starts loading the sign model (unless `opts.signModel` is `none`), so that it loads while a page
 * decodes rather than when the page's first field is read. A model that fails to load is each
 * page's error when it is needed, as before.
 */
export function preloadSignModel(opts: ScanOptions): void {
  if (opts.signModel === 'none') return;
  void import('../classify/model-io').then(({ defaultSignModelDir }) => readerFor(opts.signModel ?? defaultSignModelDir(), opts)).catch(() => undefined);
}

/** Second readers (digit models with a reject class) loaded in this thread, by folder. */
const secondReaders = new Map<string, Promise<Classifier>>();

/**
 * Whole-field reading with a string model: each field's ink (with a margin) read as one line. When
 * the string model names a second reader, the fields are also read digit by digit with it, and the
 * field's confidence weighs whether the two readings agree ({@link agreementConfidence}). When they
 * differ, each reading gets the confidence it would have as the string model's (its probability by
 * the string model; for the digit-by-digit one, agreed by the second reader), and the one that fits
 * the field better ({@link fieldFit}), else the more confident one, is kept, the other noted.
 * `lineOfInk`: the regions are lines of handwriting, whose boxes are their ink; the margin the
 * string model sees may reach past them. `specks`: specks count as the fields' ink (on a cut-out
 * field image, as the string model was calibrated; see `fieldInkBox`).
 */
async function readWhole(
  cv: CV,
  gray: GrayImage,
  clean: BinaryImage,
  regions: FieldRegion[],
  sm: StringModel,
  opts: ScanOptions,
  lineOfInk = false,
  specks = lineOfInk,
): Promise<FieldReading[]> {
  const page: Box = [0, 0, clean.width, clean.height];
  const scoring = sm.readScoring(regions.map((r) => ({ gray, box: fieldInkBox(clean, r.box, lineOfInk ? page : r.box, !specks) })));
  const { probability } = scoring;
  // A digit read over a thin dot or comma on the line's lower half is an amount's separator ("230,"
  // read 2301), over a parenthesis around digits a phone number's "(": it is left out, and the rest is
  // as probable as the string model finds it.
  const graphs = regions.map((r) => segmentGraph(cv, clean, r.box));
  const reads = scoring.reads.map((r, i) => {
    const digits = r.digits.filter((d) => !onSeparator(graphs[i], d.box[0] + d.box[2] / 2) && !onBracket(graphs[i], d.box[0] + d.box[2] / 2));
    if (digits.length === r.digits.length) return r;
    const value = digits.map((d) => d.value).join('');
    return { value, digits, confidence: probability(i, value) };
  });
  const second = sm.second;
  const k = opts.alternatives ?? 0;
  // An amount's commas and points, put back between its digits (placed by `placed`'s boxes: the
  // second reader's when it read the same digits, its cuts being closer than the string model's frames).
  const withText = (i: number, reading: FieldReading, placed: DigitReading[] = reading.digits): FieldReading => {
    if ((regions[i].type ?? opts.fieldType) !== 'amount') return reading;
    const t = amountText(placed, separatorMarks(graphs[i]));
    return t === undefined ? reading : { ...reading, text: t };
  };
  if (!second?.weights || reads.length === 0) {
    return reads.map((r, i) => withText(i, { digits: r.digits, confidence: r.confidence, alternatives: k > 0 ? wholeAlternatives(constrained(regions[i], opts), r.value, [], (v) => probability(i, v), k) : undefined }));
  }
  const { dir, weights } = second;
  const { agreementConfidence } = await import('../classify/string-model');
  const others = await readByRecognition(cv, clean, regions, await readerFor(dir, opts), { ...opts, fieldType: 'amount' }, false, graphs);
  return reads.map((r, i) => {
    const other = text(others[i]);
    const q = others[i].confidence ?? 0;
    // A value's confidence as the string model's reading, agreed or not by the second reader.
    const weigh = (v: string) => agreementConfidence(probability(i, v), v === other, q, weights);
    const alternatives = (chosen: string) => (k > 0 ? wholeAlternatives(constrained(regions[i], opts), chosen, [r.value, other], weigh, k) : undefined);
    if (other === r.value) return withText(i, { digits: r.digits, confidence: agreementConfidence(r.confidence, true, q, weights), notes: [], alternatives: alternatives(r.value) }, others[i].digits);
    const own = agreementConfidence(r.confidence, false, q, weights);
    const theirs = other ? agreementConfidence(probability(i, other), true, q, weights) : 0;
    // The reading that fits the field better (its length, pattern, check digit and type), else the more confident.
    const [fa, fb] = [r.value, other].map((v) => fieldFit(constrained(regions[i], opts), v));
    if (fa !== fb ? fb > fa : theirs > own) return withText(i, { digits: others[i].digits, confidence: theirs, notes: [`read whole: "${r.value}"`], alternatives: alternatives(other) });
    return withText(i, { digits: r.digits, confidence: own, notes: [`read digit by digit: "${other}"`], alternatives: alternatives(r.value) });
  });
}

/**
 * The `k` most confident other values of a field read whole: the readings given, and every value one
 * edit from the one kept (a digit changed, left out or put in), each weighed by `weigh` (its confidence
 * as the field's reading), those that fit the field less well than the one kept left out.
 */
function wholeAlternatives(region: FieldRegion, chosen: string, readings: string[], weigh: (v: string) => number, k: number): FieldAlternative[] {
  const values = new Set(readings);
  for (let i = 0; i <= chosen.length; i++) {
    for (let d = 0; d < 10; d++) values.add(chosen.slice(0, i) + d + chosen.slice(i));
    if (i < chosen.length) {
      values.add(chosen.slice(0, i) + chosen.slice(i + 1));
      for (let d = 0; d < 10; d++) values.add(chosen.slice(0, i) + d + chosen.slice(i + 1));
    }
  }
  values.delete(chosen);
  values.delete('');
  const fit = fieldFit(region, chosen);
  return [...values]
    .filter((v) => fieldFit(region, v) >= fit)
    .map((value) => ({ value, confidence: weigh(value) }))
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, k);
}

/** A digit model with a reject class loaded in this thread, by folder. */
function readerFor(dir: string, opts: ScanOptions): Promise<Classifier> {
  if (!secondReaders.has(dir)) secondReaders.set(dir, import('../classify/classifier').then(({ Classifier }) => Classifier.load(dir, { workers: 1, backend: opts.backend })));
  return secondReaders.get(dir)!;
}

/**
 * Fields read by contours where digits may touch (a digit cut from a group, or a group wider than
 * a digit) are read again by recognition-based segmentation with the touching model (default the
 * shipped `models/check`; `touchingModel: 'none'` skips this; with the width prior, so that two
 * digits written close are cut), and that reading is kept when it fits the field better (its
 * `length` first, then its `pattern`, check digit and type: {@link fieldFit}); else when it finds
 * more digits (contours merged two into one) with a path probability of at least 0.3; else when it
 * is the more probable. When the two differ, the other reading is noted for review.
 */
async function rereadTouching(cv: CV, clean: BinaryImage, regions: FieldRegion[], readings: FieldReading[], opts: ScanOptions): Promise<FieldReading[]> {
  if (opts.touchingModel === 'none') return readings;
  const which = readings.map((r, i) => (r.touching ? i : -1)).filter((i) => i >= 0);
  if (which.length === 0) return readings;
  const again = await readByRecognition(cv, clean, which.map((i) => regions[i]), await readerFor(opts.touchingModel ?? (await import('../classify/model-io')).defaultCheckModelDir(), opts), opts, true);
  const out = [...readings];
  which.forEach((i, k) => {
    const a = readings[i];
    const b = again[k];
    const [va, vb] = [text(a), text(b)];
    if (va === vb) {
      // Both read the same digits; when the ink of two of them also reads as one digit (two strokes of
      // a 4 read 11), the field is only as sure as that reading is unlikely.
      if (b.joined) out[i] = lessJoined(a, b.joined);
      return;
    }
    const pa = stringConfidence(a.digits, a.confidence);
    const pb = b.confidence ?? 0;
    const [fa, fb] = [va, vb].map((v) => fieldFit(constrained(regions[i], opts), v));
    const useB = fa !== fb ? fb > fa : (vb.length > va.length && pb >= 0.3) || pb > pa;
    const disputed = va.length !== vb.length ? { contours: va, recognition: vb } : undefined;
    const kept = useB ? (b.joined ? lessJoined(b, b.joined) : b) : a;
    const other = useB ? `read by contours: "${va}"` : `read by recognition-based segmentation: "${vb}"`;
    out[i] = { ...kept, disputed, notes: [...(kept.notes ?? []), other], ...(a.marks ? { marks: a.marks } : {}) };
  });
  return out;
}

/**
 * A reading whose field confidence is scaled by the chance that two of its digits are not one
 * (`joined.share`, see `PathResult.joined`); noted when that other reading is at all likely.
 */
function lessJoined(r: FieldReading, joined: { share: number; value: string }): FieldReading {
  const confidence = stringConfidence(r.digits, r.confidence) * (1 - joined.share);
  const notes = joined.share >= 0.1 ? [...(r.notes ?? []), `two digits may be one: "${joined.value}"`] : r.notes;
  return { ...r, confidence, ...(notes ? { notes } : {}) };
}

/** A cut-out field read digit by digit with less confidence than this is also read whole ({@link settleDisputes}). */
const UNSURE_CUT_OUT = 0.98;

/**
 * Fields where contours and recognition-based segmentation find different numbers of digits
 * (crowded, touching handwriting) are read whole by the string model (`stringModel`, default the
 * shipped `models/amount`; `none` skips this), which reads a line of touching digits without
 * cutting it, as amounts are read ({@link readWhole}: with its second reader's agreement), and
 * that reading is kept unless the digit-by-digit one fits the field better (its `length` first,
 * then its `pattern`, check digit and type: {@link fieldFit}), or, fitting it no better, has more than
 * one digit fewer or more than both segmentations found ({@link nearLengths}) while the digit-by-digit
 * reading is sure ({@link SURE_DIGITS}) and surer. Both digit-by-digit
 * readings are noted for review. Readings with as many digits that differ are left
 * to the digit classifier, which reads single MNIST-like digits better than the string model.
 *
 * In a cut-out field image (`cutOut`: the whole image is one field, such as a check amount cut from
 * its check), and in every field with `rereadWhole`, a field read digit by digit with a confidence
 * under {@link UNSURE_CUT_OUT} is read whole too, and the whole reading is kept when it differs and
 * is the more confident. Measured (`npm run bench -- orand`, default mode): 75.93 -> 89.81 % of the
 * held-out real check amounts;
 * 160 fields cut out of generated forms read as before (142 right; taking the whole reading
 * whenever it differed: 139).
 */
async function settleDisputes(
  cv: CV,
  gray: () => GrayImage,
  clean: BinaryImage,
  regions: FieldRegion[],
  readings: FieldReading[],
  opts: ScanOptions,
  lineOfInk: boolean,
  cutOut = false,
  specks = lineOfInk,
): Promise<FieldReading[]> {
  const unsureWhole = cutOut || opts.rereadWhole === true;
  const which = readings.map((r, i) => (r.disputed || (unsureWhole && stringConfidence(r.digits, r.confidence) < UNSURE_CUT_OUT) ? i : -1)).filter((i) => i >= 0);
  if (which.length === 0) return readings;
  const sm = await stringModelFor(opts);
  if (!sm) return readings;
  const whole = await readWhole(cv, gray(), clean, which.map((i) => regions[i]), sm, opts, lineOfInk, specks);
  const out = [...readings];
  which.forEach((i, k) => {
    const a = readings[i];
    const b = whole[k];
    const [va, vb] = [text(a), text(b)];
    const field = constrained(regions[i], opts);
    if (va === vb || fieldFit(field, va) > fieldFit(field, vb)) return;
    const pa = stringConfidence(a.digits, a.confidence);
    if (!a.disputed && (b.confidence ?? 0) <= pa) return;
    // A whole reading with more than one digit fewer, or more, than both segmentations found is the
    // string model's failure when the digit-by-digit reading is sure and surer than it (a date written
    // with dashes read as a lone 0 at 0.30, where contours read 1652043 at 0.99), unless it fits the
    // field better. Else it is the segmentations' (a check amount on patterned paper read 008 at 0.09,
    // whole 23104 at 0.72; touching digits read 640 at 0.67, whole 006470 at 0.52).
    if (a.disputed && fieldFit(field, vb) === fieldFit(field, va) && !nearLengths(vb.length, a.disputed) && pa >= SURE_DIGITS && (b.confidence ?? 0) < pa) return;
    const how = b.notes?.length ? b.notes : ['read whole by the string model'];
    const before = a.disputed ? [`read by contours: "${a.disputed.contours}"`, `read by recognition-based segmentation: "${a.disputed.recognition}"`] : [`read digit by digit: "${va}"`];
    // A date's separators: the dashes and dots contours left out, and the slash likeness of the 1s
    // the string model read where the digit-by-digit reading cut 1s (a slash read as a 1 either way).
    out[i] = { ...b, digits: slashesFrom(b.digits, a.digits), notes: [...how, ...before], ...(a.marks ? { marks: a.marks } : {}) };
  });
  return out;
}

/** A digit-by-digit reading this sure stands against a whole reading far from it in length ({@link settleDisputes}). */
const SURE_DIGITS = 0.9;

/** Whether `n` digits are within one of as many as contours or recognition-based segmentation found ({@link settleDisputes}). */
function nearLengths(n: number, disputed: { contours: string; recognition: string }): boolean {
  const [a, b] = [disputed.contours.length, disputed.recognition.length];
  return n >= Math.min(a, b) - 1 && n <= Math.max(a, b) + 1;
}

/**
 * A digit wider than this many times its field's digits' median height, and its own, may be two
 * digits touching (so may any digit 1.3 times as wide as it is tall). Measured on the crowded
 * bench (big handwriting): 7411 read 711 at 0.995 is read again, and read right.
 */
const WIDE_DIGIT = 1.15;

/** Contour reading (digit-only models): each component group is one digit. */
async function readByContours(cv: CV, clean: BinaryImage, regions: FieldRegion[], clf: Classifier, again?: RereadSources): Promise<FieldReading[]> {
  const cuts = regions.map((r) => cutDigits(cv, clean, r.box, { cells: r.cells }));
  const crops = cuts.map((c) => c.crops);
  const flat = crops.flat();
  const preds = flat.length ? await clf.classify(flat) : [];
  let first = 0;
  const unsureAtFirst = crops.map((cs) => cs.filter(() => preds[first++].confidence < UNSURE).length);
  if (again) await rereadUnsure(cv, clean, again, crops, preds, clf);
  let k = 0;
  return crops.map((cs, f) => {
    const digits = cs.map((c) => {
      const p = preds[k++];
      return { value: clf.metadata.classes[p.digit], confidence: p.confidence, box: c.box!, probabilities: p.probabilities, slash: slashLikeness(strokeShape(c.pixels)) };
    });
    // The field's digits' height: a digit much wider than that may be two (a 7 whose bar runs into a
    // 4: 1.27 times as wide as tall, read 7 at 0.995), a low, wide one alone is not (a flat 3).
    const tall = median(cs.map((c) => c.box![3]));
    return {
      unsureAtFirst: unsureAtFirst[f],
      // Cut from touching digits, or wider than a digit is (maybe two digits read as one), or nearly
      // touching its neighbour (maybe the pieces of a broken digit), or fewer or more digits than the
      // field's length (a broken digit's pieces dropped as specks, two digits read as one). Not in a
      // field of cells: a digit in each, none touch (and reading it again whole would read its walls).
      touching: !regions[f].cells && ((regions[f].length !== undefined && cs.length !== regions[f].length) || cs.some((c, i) => {
        const [w, h] = [c.box![2], c.box![3]];
        if (c.cut || w > 1.3 * h || w > WIDE_DIGIT * Math.max(h, tall)) return true;
        const next = cs[i + 1]?.box;
        return !!next && next[0] - (c.box![0] + c.box![2]) < 0.08 * Math.max(c.box![3], next[3]);
      })),
      ...skippedStrokes(cuts[f].skipped),
      ...(cuts[f].marks.length ? { marks: cuts[f].marks } : {}),
      digits,
    };
  });
}

/**
 * Whether a line's digits read as a string of digits with one doubt: three or more digits, all read
 * at 0.9 or more but one. On a form's line to write on (--auto-fields) such a line is kept as a
 * field, flagged for its unsure digit, where a line reading under 0.5 is otherwise taken for a
 * signature or a note (a row of unsure digits).
 */
export function oneUnsure(digits: readonly DigitResult[]): boolean {
  return digits.length >= 3 && digits.filter((d) => d.confidence < 0.9).length <= 1;
}

/**
 * The probability that a stroke left out of a field as print ({@link SkippedStroke}: a sliver or a
 * single separator as tall as the digits, among them) was print: a field read with one left out is
 * only that sure of its reading (a thin 1 beside bold digits, a 7 whose bar faded, read as nothing).
 * Applied to the reading kept ({@link keptConfidence}), after the readings of a field were weighed
 * against each other by their own confidences, so that which reading is kept does not change: a
 * reading by recognition-based segmentation or whole, kept instead, has read the stroke its own way.
 */
const SKIPPED_PRINT = 0.5;

/** The strokes left out of a field's contour reading, and their notes. */
function skippedStrokes(skipped: SkippedStroke[]): Pick<FieldReading, 'skipped' | 'notes'> {
  if (skipped.length === 0) return {};
  return {
    skipped: skipped.length,
    notes: skipped.map((s) => `a stroke as tall as the digits was left out as ${s.as === 'sliver' ? "a printed line's remains" : 'a printed separator'} (a 1 or a 7?)`),
  };
}

/**
 * A date field's reading ({@link readDate}): its digits without the strokes taken for slashes, its
 * confidence its digits' (or the reader's, when no stroke was taken out) times the date reading's
 * share, and its text; the reading alone when its digits make no date.
 */
function asDate(r: FieldReading): { reading: FieldReading; text?: string } {
  const date = readDate(r.digits, r.marks);
  if (!date) return { reading: r };
  // The reader's own confidence stands when the digits are its own, else the digits' (slashes left out, a digit mended).
  const same = date.digits.length === r.digits.length && date.digits.every((d, i) => d === r.digits[i]);
  const confidence = (same ? stringConfidence(r.digits, r.confidence) : stringConfidence(date.digits)) * date.share;
  const notes = same ? r.notes : [`read as digits: "${text(r)}"`, ...(r.notes ?? [])];
  return { reading: { ...r, digits: date.digits, confidence, ...(notes ? { notes } : {}) }, text: date.text };
}

/** A field reading's confidence as reported: its own, times {@link SKIPPED_PRINT} for each stroke it left out. */
function keptConfidence(r: FieldReading): number | undefined {
  return r.skipped ? stringConfidence(r.digits, r.confidence) * SKIPPED_PRINT ** r.skipped : r.confidence;
}

/** Digits read under this confidence at the first look are unsure ({@link readsPoorly}). */
const UNSURE = 0.99;

/**
 * Digits read under this confidence are cut again and read again ({@link rereadUnsure}). Above
 * {@link UNSURE}: a digit at 0.99-0.999 whose other cuts read another digit is less sure than it
 * looked (MNIST forms: the two misreads at 0.99 the default --min-confidence let through are flagged).
 */
const REREAD_BELOW = 0.999;

/** Where unsure digits are cut again from ({@link rereadUnsure}). */
interface RereadSources {
  /** The page's fainter binarization, printed lines removed. */
  faint: () => BinaryImage;
  /** The page's (deskewed) grey pixels of a box. */
  grayAt: (box: Box) => GrayImage;
}

/**
 * Reads the unsure digits of a page (under {@link REREAD_BELOW}, not cut from touching digits) again,
 * cut three more ways: from the fainter binarization the lines were found in (`faint`, lines
 * removed: strokes the page's threshold broke off or thinned away, a pale pen, light pressure); from
 * the digit's ink thinned by a pixel (strokes thickened by blur or a bleeding pen, which close
 * loops); and in grey from the page (`grayAt`: a small loop that blur filled in at the threshold is
 * lighter than its strokes there, as in MNIST's own images). The digit is the surest reading's; its
 * confidence the mean of the readings' probabilities of it (the largest is an optimist: read upside
 * down, a page's digits came out sure enough that pages were no longer looked at for their
 * orientation, 56 -> 51 of 60 set upright with --auto-fields). `preds` is updated in place; a
 * digit's box stays its ink's. On generated forms about one digit in 9 is read again, so the page's
 * batch grows by a few crops.
 */
async function rereadUnsure(cv: CV, clean: BinaryImage, { faint, grayAt }: RereadSources, crops: DigitCrop[][], preds: Prediction[], clf: Classifier): Promise<void> {
  // Per unsure digit (its index in `preds`), its crops cut again.
  const again = new Map<number, DigitCrop[]>();
  let i = 0;
  for (const field of crops) {
    for (const crop of field) {
      if (preds[i].confidence < REREAD_BELOW && !crop.cut) {
        const others = field.filter((c) => c !== crop).map((c) => c.box!);
        const cs = [recropFaint(cv, clean, faint(), crop.box!, others), recropThin(clean, crop.box!), recropGrey(grayAt, faint(), crop.box!, others)].filter((c): c is DigitCrop => c !== null);
        if (cs.length) again.set(i, cs);
      }
      i++;
    }
  }
  if (again.size === 0) return;
  const second = await clf.classify([...again.values()].flat());
  let j = 0;
  for (const [k, cs] of again) {
    const readings = [preds[k], ...second.slice(j, (j += cs.length))];
    const best = readings.reduce((a, b) => (b.confidence > a.confidence ? b : a));
    const probabilities = best.probabilities.map((_, d) => readings.reduce((a, p) => a + p.probabilities[d], 0) / readings.length);
    preds[k] = { ...best, confidence: probabilities[best.digit], probabilities };
  }
}

/** Digits of a page read at confidence 0.99 or more ("sure"), and all its digits. */
function sureDigits(page: PageResult): { sure: number; all: number } {
  let sure = 0;
  let all = 0;
  for (const f of page.fields) {
    for (const d of f.digits) {
      all++;
      if (d.confidence >= 0.99) sure++;
    }
  }
  return { sure, all };
}

/**
 * A page reads poorly: no digits, or under nine tenths of them sure (0.99 or more), or over half of
 * its fields flagged for review (a page on its side whose template fields each catch a stroke or
 * two: one sure digit, every field short of its length), or (for a page read by {@link scanPage})
 * over a fifth of its digits unsure at the first look, before unsure digits were cut again: cut
 * three more ways, a digit read upside down can come out sure. Such pages are looked at for their
 * orientation. (Four fifths sure was the bar until the shipped model's `deep-bn` networks, surer of
 * upside-down digits: 5 of 60 upside-down bench pages read 4 of 5 or 8 of 10 sure.)
 */
export function readsPoorly(page: PageResult): boolean {
  const { sure, all } = sureDigits(page);
  const flagged = page.fields.filter((f) => f.needsReview).length;
  return all === 0 || sure < 0.9 * all || flagged > page.fields.length / 2 || (firstLook.get(page) ?? 0) > 0.2 * all;
}

/**
 * The shapes of image that may be a whole page scanned coarsely or made small with no resolution
 * stated, though under 600 px a side (a cut-out field by {@link isCutOut}): as long as a letter, A4
 * or A5 page for its width (1.2 to 1.5 times as long as wide, either way up), and 200 px a side or
 * more (a letter page at 24 dpi). Fields cut out of forms are mostly wider than that.
 */
export const SMALL_PAGE = { minAspect: 1.2, maxAspect: 1.5, minSide: 200 };

/** Whether an image of unknown resolution read as a cut-out field may be a small page ({@link SMALL_PAGE}). */
function smallPage(image: GrayImage, ppi?: number): boolean {
  const [short, long] = image.width < image.height ? [image.width, image.height] : [image.height, image.width];
  return ppi === undefined && short >= SMALL_PAGE.minSide && long >= SMALL_PAGE.minAspect * short && long <= SMALL_PAGE.maxAspect * short;
}

/**
 * An image of unknown resolution shaped like a page ({@link SMALL_PAGE}) that read poorly as a field
 * cut out of a page (`first`), read again as a letter page (enlarged to the working size, its boxes
 * looked for): a page scanned at 50 dpi and saved with no resolution. The reading with more sure
 * digits is kept, the page's only when it does not read poorly itself.
 */
async function asLetterPage(first: PageResult, image: GrayImage, page: number, clf: Classifier, opts: ScanOptions & { template?: Template }, name: string, size?: { width: number; height: number }): Promise<PageResult> {
  const again = await scanPage(image, page, clf, { ...opts, asPage: true }, `${name}-page`, size);
  const keep = !readsPoorly(again) && sureDigits(again).sure > sureDigits(first).sure;
  settleOverlay(opts, name, page, `${name}-page`, keep);
  return keep ? again : first;
}

/**
 * The overlay of a page read a second way (drawn as `other`): it takes the place of the first
 * reading's when that reading is the one kept (`kept`), else it is removed.
 */
function settleOverlay(opts: ScanOptions, name: string, page: number, other: string, kept: boolean): void {
  if (!opts.overlay) return;
  const overlay = (n: string) => join(opts.overlay!, `${n}-p${page}.png`);
  if (kept) renameSync(overlay(other), overlay(name));
  else rmSync(overlay(other), { force: true });
}

/**
 * A result read on the page turned clockwise by `turn` degrees, with its boxes put back in the pixels
 * of the page as stored (and its size).
 */
function turnedBack(page: PageResult, turn: 90 | 180 | 270): PageResult {
  const [RW, RH] = [page.width, page.height];
  const back = ([x, y, w, h]: Box): Box =>
    turn === 180 ? [RW - x - w, RH - y - h, w, h] : turn === 90 ? [y, RW - x - w, h, w] : [RH - y - h, x, h, w];
  return {
    ...page,
    ...(turn === 180 ? {} : { width: RH, height: RW }),
    orientation: turn,
    fields: page.fields.map((f) => ({ ...f, box: back(f.box), digits: f.digits.map((d) => ({ ...d, box: back(d.box) })) })),
  };
}

/**
 * {@link scanPage}, and for a page (not a cut-out field: see `isCutOut`) that reads poorly, a
 * look at which way up its print stands ({@link printOrientation}): upright print keeps the reading;
 * upside-down print has the page read again turned by 180 degrees; print in vertical lines (a page
 * scanned lying on its side) has it read turned a quarter, the way its print reads upright. The turned
 * reading is kept unless it has fewer sure digits than the first. With no
 * print to tell by, the page turned by 180 degrees is read too, and kept when it reads well with at
 * least two more sure digits (0.99 or more); digits alone cannot always tell (an upside-down 0, 1, 8
 * or 6/9 is a digit too). The overlay (and the debug images, under "<name>-turned") are of the reading kept.
 * A negative ({@link isNegative}: light writing on dark paper) is inverted first and says `inverted`
 * (`positive`: the image is known not to be one).
 */
async function scanOriented(
  image: GrayImage,
  page: number,
  clf: Classifier,
  opts: ScanOptions & { template?: Template },
  name: string,
  size?: { width: number; height: number },
  ppi?: number,
  positive = false,
): Promise<PageResult> {
  // A negative (light writing on dark paper) is read as the positive it stands for.
  if (!positive && isNegative(image)) {
    const { fields, error, ...head } = await scanOriented(invert(image), page, clf, opts, name, size, ppi, true);
    return { ...head, inverted: true, fields, ...(error ? { error } : {}) };
  }
  const first = await scanPage(image, page, clf, opts, name, size, ppi);
  // Another reading of the page (as a letter page, or turned) is weighed by its own first batch.
  if (isCutOut(image.width, image.height, ppi)) return smallPage(image, ppi) && readsPoorly(first) ? asLetterPage(first, image, page, clf.freshPage(), opts, name, size) : first;
  if (opts.orient === false || !readsPoorly(first)) return first;
  const tells = (p: PrintScore) => p.letters >= 10 && Math.abs(p.score) >= 0.1;
  const known = ppi ?? stripPpi(image.width, image.height);
  const print = printOrientation(await loadOpenCV(), image, known ? (known * LETTER_SIDE) / 300 : undefined);
  // The turn the print asks for, if it tells; none told: try 180 degrees and let the digits decide.
  let told: 90 | 180 | 270 | null = null;
  if (tells(print.upright)) {
    if (print.upright.score > 0) return first;
    told = 180;
  } else if (tells(print.quarter)) told = print.quarter.score > 0 ? 90 : 270;
  const turn = told ?? 180;
  const turnedImage = turn === 180 ? turnAround(image) : turn === 90 ? turnQuarter(image) : turnAround(turnQuarter(image));
  const turnedSize = size && turn !== 180 ? { width: size.height, height: size.width } : size;
  const turned = await scanPage(turnedImage, page, clf.freshPage(), opts, `${name}-turned`, turnedSize, ppi);
  const [a, b] = [sureDigits(first), sureDigits(turned)];
  // Print that told a turn is followed unless the page turned reads fewer sure digits than as it
  // came (print misjudged: on one of 300 real-handwriting bench pages, looked at only for a digit
  // under 0.99, the turned page read no digits at all).
  if ((told && b.sure >= a.sure) || (b.sure >= a.sure + 2 && !readsPoorly(turned))) {
    settleOverlay(opts, name, page, `${name}-turned`, true);
    return turnedBack(turned, turn);
  }
  settleOverlay(opts, name, page, `${name}-turned`, false);
  return first;
}

/** Decodings started ahead of their turn, by file (see {@link prefetchPage}). */
const prefetched = new Map<string, { key: string; page: Promise<DecodedPage> }>();

/**
 * How pages are decoded under `opts`: at the working size (scanPage reduces only what comes bigger),
 * within the pixel limit.
 */
function decodeOptions(opts: ScanOptions): { pixelLimit?: number; maxShortSide?: number } {
  const workSize = opts.workSize ?? DEFAULT_WORK_SIZE;
  return { pixelLimit: opts.pixelLimit, maxShortSide: workSize > 0 ? workSize : undefined };
}

/** What a decoding depends on besides the file. */
const decodeKey = (opts: ScanOptions) => JSON.stringify(decodeOptions(opts));

/**
 * Starts decoding a single-page image file ahead of its turn (sharp decodes on libuv's threads,
 * beside the page being read on this one), so that {@link scanFile} finds it decoded. A PDF, a
 * multi-page file or a file that fails to decode is left to scanFile, which decodes it as usual.
 */
export function prefetchPage(file: string, opts: ScanOptions): void {
  if (extname(file).toLowerCase() === '.pdf' || prefetched.has(file)) return;
  const page = imagePageCount(file).then((n) => {
    if (n !== 1) throw new Error('multi-page');
    return decodePage(file, { page: 0, ...decodeOptions(opts) });
  });
  page.catch(() => {}); // taken or dropped later; a failure is decoded again and reported then
  prefetched.set(file, { key: decodeKey(opts), page });
}

/** The decoding of a file's only page started by {@link prefetchPage}, if it succeeded, removed from the cache. */
async function takePrefetched(file: string, opts: ScanOptions): Promise<DecodedPage | undefined> {
  const p = prefetched.get(file);
  if (!p) return undefined;
  prefetched.delete(file);
  if (p.key !== decodeKey(opts)) return undefined;
  return p.page.catch(() => undefined);
}

/** One input's pages, decoded one at a time (PDF pages rasterized; TIFF pages each); of the wanted pages (`opts.pages`), every `step`-th from `first`. */
async function* pagesOf(
  file: string,
  opts: ScanOptions,
  first = 0,
  step = 1,
): AsyncGenerator<{ page: number; image?: GrayImage; size?: { width: number; height: number }; ppi?: number; error?: string }> {
  // Pages are decoded (or rendered) at the working size.
  const decode = decodeOptions(opts);
  const only = pageRanges(opts.pages);
  if (extname(file).toLowerCase() === '.pdf') {
    for await (const p of readPdfPages(file, { dpi: opts.dpi, pages: { first, step, only }, ...decode })) {
      yield 'image' in p ? { page: p.page, image: p.image, size: p.size, ppi: p.ppi } : { page: p.page, error: p.error.message };
    }
    return;
  }
  // A single-page file decoded ahead, while the previous file was read ({@link prefetchPage}).
  const taken = first === 0 ? await takePrefetched(file, opts) : undefined;
  const ahead = pageWanted(only, 1) ? taken : undefined;
  const n = taken ? 1 : await imagePageCount(file);
  const none = noneWanted(only, n);
  if (none) throw new InputError(file, undefined, none);
  const mine = shareOf(only, first, step);
  for (let i = 0; i < n && nextWanted(only, i + 1) !== Infinity; i++) {
    if (!mine(i + 1)) continue;
    try {
      const d = i === 0 && ahead ? ahead : await decodePage(file, { page: i, ...decode });
      // The resolution given instead of the file's (0: none), at the size the page was decoded at.
      const ppi = opts.ppi === undefined ? d.ppi : opts.ppi > 0 ? (opts.ppi * d.image.width) / d.size.width : undefined;
      yield { page: i + 1, image: d.image, size: d.size, ppi };
    } catch (e) {
      yield { page: i + 1, error: (e as Error).message };
    }
  }
}

/**
 * Parses a template given as a path (errors name the file); passes parsed ones through. Lexicon
 * files its fields name are read (a path relative to the template's file, or for a parsed template
 * to the working directory), so that one that cannot be read is an error before any page is.
 */
export function loadTemplate(t: Template | string | undefined): Template | undefined {
  if (t === undefined) return t;
  let template = t as Template;
  if (typeof t === 'string') {
    let text: string;
    try {
      text = readFileSync(t, 'utf8');
    } catch (e) {
      throw new Error(`${t}: cannot read template (${(e as Error).message})`);
    }
    template = parseTemplate(text, t);
  }
  if (!template.fields.some((f) => f.lexicon !== undefined)) return template;
  const name = typeof t === 'string' ? t : 'template';
  const fields = template.fields.map((f) => {
    if (f.lexicon === undefined) return f;
    try {
      const values = lexiconValues(typeof f.lexicon === 'string' && typeof t === 'string' ? resolve(dirname(t), f.lexicon) : f.lexicon, `field "${f.name}" lexicon`);
      return { ...f, lexicon: values as string[] };
    } catch (e) {
      throw new Error(`${name}: field "${f.name}": ${(e as Error).message}`);
    }
  });
  return { ...template, fields };
}

/**
 * Scans the pages of one file (every `step`-th from `first`), handing each page to `onPage` as soon
 * as it is read. Page errors become pages with `error`; resolves with the file-level error, if any.
 */
export async function scanFile(
  file: string,
  clf: Classifier,
  options: ScanOptions & { template?: Template },
  onPage: (page: PageResult) => void | Promise<void>,
  first = 0,
  step = 1,
): Promise<string | undefined> {
  try {
    for await (const p of pagesOf(file, options, first, step)) {
      let page: PageResult;
      if (p.error || !p.image) {
        page = { page: p.page, width: 0, height: 0, skew: 0, fields: [], error: p.error };
      } else {
        try {
          // Each page its own reader: a gated ensemble weighs its members by the page's handwriting.
          page = await scanOriented(p.image, p.page, clf.forPage(), options, basename(file), p.size, p.ppi);
        } catch (e) {
          page = { page: p.page, width: p.image.width, height: p.image.height, skew: 0, fields: [], error: `${file} (page ${p.page}): ${(e as Error).message}` };
        }
      }
      await onPage(page);
    }
    return undefined;
  } catch (e) {
    return e instanceof InputError ? e.message : `${file}: ${(e as Error).message}`;
  }
}

/**
 * Scans inputs and calls `onDocument` with each input's result as soon as it is done, in input
 * order, and `onPage` with each page in order (nothing computed is lost when a later input fails).
 * With `concurrency` > 1 (the default on a multi-core machine) files, and the pages of multi-page
 * files, are shared among worker threads. Resolves with the number of inputs and of failures
 * (inputs or pages that could not be read).
 *
 * @example
 * await scanInputs(['forms/'], { autoFields: true }, (doc) => console.log(JSON.stringify(doc)));
 */
export async function scanInputs(
  inputs: string[],
  options: ScanOptions,
  onDocument: (doc: DocumentResult) => void | Promise<void>,
  onPage?: (doc: DocumentResult, page: PageResult) => void | Promise<void>,
  onStart?: (files: number) => void,
): Promise<{ documents: number; failed: number }> {
  const template = loadTemplate(options.template);
  if (options.ppi !== undefined && !(options.ppi >= 0 && Number.isFinite(options.ppi))) throw new Error(`ppi must be a number of pixels per inch, or 0 (got ${options.ppi})`);
  if (options.pattern !== undefined) {
    try {
      new RegExp(options.pattern);
    } catch {
      throw new Error(`pattern "${options.pattern}" is not a valid regular expression`);
    }
  }
  if (options.check !== undefined && !CHECK_DIGITS.includes(options.check)) throw new Error(`check must be ${CHECK_DIGITS.join(' or ')} (got ${options.check})`);
  if (options.alternatives !== undefined && !(Number.isInteger(options.alternatives) && options.alternatives >= 0 && options.alternatives <= 20)) {
    throw new Error(`alternatives must be a whole number from 0 to 20 (got ${options.alternatives})`);
  }
  // A lexicon file is read once, here: an error before any file is read, and workers get its values.
  if (options.lexicon !== undefined) options = { ...options, lexicon: lexiconValues(options.lexicon) };
  // A page list that does not parse is an error before any file is read.
  options = { ...options, pages: pageRanges(options.pages) };
  const items = expandInputs(inputs);
  onStart?.(items.length);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultWorkers()));
  if (concurrency > 1) {
    const r = await scanParallel(items, { ...options, template }, concurrency, onDocument, onPage);
    if (r) return r;
  }
  const clf = options.classifier ?? (await (await import('../classify/classifier')).Classifier.load(options.model, { workers: 1, backend: options.backend }));
  let failed = 0;
  // The first file decodes (on libuv's threads) while the sign model loads on this one.
  const head = items[0];
  if (head && !('missing' in head)) prefetchPage(head.file, options);
  preloadSignModel(options);
  try {
    for (const [k, item] of items.entries()) {
      // The next file decodes (on libuv's threads) while this one is read.
      const next = items[k + 1];
      if (next && !('missing' in next)) prefetchPage(next.file, options);
      if ('missing' in item) {
        failed++;
        await onDocument({ source: item.missing, pages: [], error: `${item.missing}: ${item.why}` });
        continue;
      }
      const doc: DocumentResult = { source: item.file, pages: [] };
      const error = await scanFile(item.file, clf, { ...options, template }, async (page) => {
        if (page.error) failed++;
        doc.pages.push(page);
        await onPage?.(doc, page);
      });
      if (error) {
        failed++;
        doc.error = error;
      }
      await onDocument(doc);
    }
  } finally {
    prefetched.clear();
    if (!options.classifier) await clf.close();
  }
  return { documents: items.length, failed };
}

/** Scans inputs and returns every document (the library form of `digitscan scan`). */
export async function scan(inputs: string | string[], options: ScanOptions = {}): Promise<DocumentResult[]> {
  const docs: DocumentResult[] = [];
  await scanInputs(Array.isArray(inputs) ? inputs : [inputs], options, (d) => {
    docs.push(d);
  });
  return docs;
}

/** Writes a page overlay PNG: field boxes, digit boxes and the digits read over the scan. */
export async function writeOverlay(image: GrayImage, page: PageResult, file: string, minConfidence = 0.9): Promise<void> {
  const parts: string[] = [];
  const fs = Math.max(12, Math.round(image.height / 110));
  // Boxes are in page pixels; the image may be the page at the working size.
  const sx = page.width ? image.width / page.width : 1;
  const sy = page.height ? image.height / page.height : 1;
  const at = (b: Box) => [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy].map(Math.round);
  for (const f of page.fields) {
    const [x, y, w, h] = at(f.box);
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${f.needsReview ? '#e08000' : '#0060d0'}" stroke-width="3"/>`);
    parts.push(`<text x="${x}" y="${Math.max(fs, y - 4)}" fill="#0060d0">${f.name}: ${f.value}</text>`);
    for (const d of f.digits) {
      const [dx, dy, dw, dh] = at(d.box);
      const c = d.confidence < minConfidence ? '#e00000' : '#00a000';
      parts.push(`<rect x="${dx}" y="${dy}" width="${dw}" height="${dh}" fill="none" stroke="${c}" stroke-width="2"/>`);
      parts.push(`<text x="${dx}" y="${dy + dh + fs}" fill="${c}">${d.value}</text>`);
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}"><g font-family="DejaVu Sans, sans-serif" font-size="${fs}" font-weight="bold">${parts.join('')}</g></svg>`;
  await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 1 } })
    .toColourspace('srgb')
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toFile(file);
}

