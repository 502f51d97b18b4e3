/**
 * The preprocessing chain of one page or cut-out field, composed from the steps: threshold ->
 * deskew -> speck removal -> form-line removal. Returns every intermediate image (for `--debug`
 * and for the stages that need the lines, such as box finding).
 */
import type { BinaryImage, Box, GrayImage } from '../types';
import type { CV } from './opencv';
import { labelComponents } from './opencv';
import { cropBinary, dropLooseVerticals, inkCount, equalize, estimateSkew, findLines, framedByInk, withoutEdgeInk, LineMask, paperOf, removeLines, removeSpecks, rotate, rotateRegion, rotatePaper, rotateShade, shadeOf, ShadeMap, threshold, thresholdOnPaper, thresholdRotatedAt, ThresholdMethod } from './steps';

/** Options of {@link cleanPage}. */
export interface CleanOptions {
  /** `otsu` (default; on pages, against the paper: see {@link thresholdOnPaper}) or `adaptive`. */
  threshold?: ThresholdMethod;
  /** Contrast-limited adaptive histogram equalization before thresholding (default false). */
  clahe?: boolean;
  /** Correct the skew of pages (default true; cut-out field images are not deskewed, unless framed). */
  deskew?: boolean;
  /** Remove specks smaller than a scaled size (default false: fields drop their own). */
  specks?: boolean;
  /** Find the page's shaded areas ({@link CleanPage.shade}; default false: only boxed fields need them). */
  shades?: boolean;
  /**
   * The image's scale relative to 300 dpi, when its resolution is known (150 dpi: 0.5). Default:
   * taken from its shorter side as a letter page's (2550 px at 300 dpi), which a check or a
   * postcard is not.
   */
  scale?: number;
  /**
   * Whether the image is one cut-out field (the caller knows from its size in inches). Default: an
   * image under 600 px a side.
   */
  cutOut?: boolean;
  /**
   * Find the printed lines in a paler binarization than usual (three quarters of the way from the
   * ink's level to the paper, not half): print in a light colour, as forms printed for machine
   * reading are (a light blue or red that a scanner is meant to drop), comes out whole there, and
   * only in pieces in the usual one. The page's angle is measured there too, lines and all (in the
   * usual binarization such a form is its handwriting alone, whose angle is only roughly the page's).
   * Default false (see {@link CleanPage.paleLineGain}).
   */
  paleLines?: boolean;
}

/** The pixels of a letter page's shorter side (8.5 in) at 300 dpi: {@link CleanPage.scale} 1. */
export const LETTER_SIDE = 2550;

/**
 * Whether a `width` x `height` image is one cut-out field rather than a page: under 2 inches a side
 * at `ppi` pixels per inch, or, its resolution unknown, under 600 px a side (2 inches at 300 dpi).
 *
 * @example
 * isCutOut(300, 100); // true: a check amount cut from its check
 * isCutOut(1800, 825, 300); // false: a check scanned whole at 300 dpi
 */
export function isCutOut(width: number, height: number, ppi?: number): boolean {
  return ppi ? Math.min(width, height) < 2 * ppi : Math.min(width, height) < 600;
}

/**
 * The pixels per inch a `width` x `height` image of unknown resolution is taken to have when it is a
 * strip, at least {@link STRIP_ASPECT} times as long as it is wide (no paper size is: a legal page is
 * 1.65, a photo 1.33 or 1.78): its longer side is taken for a letter page's width, 8.5 inches, as the
 * top of a form or a band cut across a page spans, and a check nearly (a personal check is 6 inches
 * wide: read at 0.71 of its scale, which boxes and handwriting bear, and the scan tells its print
 * from handwriting allowing for print up to 8.5/6 times the size taken). A strip is at least 600 px
 * wide, and never a cut-out field: an image of unknown resolution under 600 px a side is one (see
 * {@link isCutOut}), whatever its shape. Else `undefined`: an image of unknown resolution is taken for
 * a letter page by its shorter side.
 *
 * @example
 * stripPpi(2550, 825); // 300: the top 2.75 in of a letter page at 300 dpi
 * stripPpi(2550, 3300); // undefined: a page
 * stripPpi(1700, 550); // undefined: under 600 px wide, a cut-out field (isCutOut)
 */
export function stripPpi(width: number, height: number): number | undefined {
  const [short, long] = width < height ? [width, height] : [height, width];
  return short >= 600 && long >= STRIP_ASPECT * short ? long / 8.5 : undefined;
}

/** How many times longer than wide an image of unknown resolution is to be taken for a strip ({@link stripPpi}). */
export const STRIP_ASPECT = 2;

/** What {@link cleanPage} produces. */
export interface CleanPage {
  /** The (equalized, deskewed) grayscale page; a rotated page is made on first use. */
  readonly gray: GrayImage;
  /**
   * The part `box` of {@link gray} (clipped to the page), rotated alone when the whole rotated page
   * has not been made: the same pixels, at a fraction of the work for a few small boxes.
   */
  grayRegion(box: Box): GrayImage;
  /** Its binarization, ink = 1. */
  binary: BinaryImage;
  /** The binarization with printed lines (and specks, if asked) removed. */
  clean: BinaryImage;
  /** The printed lines found. */
  lines: LineMask;
  /**
   * The binarization the lines were found in: on a page thresholded against its paper, a fainter one
   * than `binary` (pale print comes out whole); otherwise `binary` itself.
   */
  lineInk: BinaryImage;
  /**
   * On a page thresholded against its paper, the fainter binarization (halfway between the ink's
   * level and the paper; the lines were found in it); otherwise none.
   */
  faint?: BinaryImage;
  /** {@link faint} with the printed lines removed, made when first used (unsure digits are cut from it again); none without it. */
  readonly faintClean?: BinaryImage;
  /**
   * The part `box` of {@link faintClean} (clipped to the page), made from that part alone when the
   * whole has not been made: the same pixels, at a fraction of the work for a few boxes. None
   * without {@link faint}.
   */
  faintRegion(box: Box): BinaryImage | undefined;
  /** Skew corrected, degrees. */
  skew: number;
  /** Page scale relative to 300 dpi (1.0): `opts.scale`, or the shorter side's share of a 300-dpi letter page's. */
  scale: number;
  /** True for an image read as one cut-out field ({@link CleanOptions.cutOut}). */
  cutOut: boolean;
  /** The page's shaded areas, deskewed like it (with `shades` on a page thresholded against its paper). */
  shade?: ShadeMap;
  /**
   * How many more pixels of printed line the paler binarization of {@link CleanOptions.paleLines}
   * holds than the lines found (`added`), and how many the lines found hold (`found`), each as a
   * share of the page's width and height summed (`added` 0 on a cut-out, or where no paper was
   * measured, or when the lines were found in it): made when asked for. A form printed in a light
   * colour whose lines came out in pieces adds several page widths and heights to the one or two
   * found; a form of many boxes found whole adds some too (its print and their corners), and
   * bleed-through from the back of the sheet a little.
   */
  paleLineGain(): { added: number; found: number };
}

/**
 * Preprocesses a page. A page's printed lines are at least 1 cm long; a cut-out field's (see
 * {@link isCutOut}) are underlines and borders across most of it.
 */
export function cleanPage(cv: CV, image: GrayImage, opts: CleanOptions = {}): CleanPage {
  const method = opts.threshold ?? 'otsu';
  let gray = opts.clahe ? equalize(cv, image) : image;
  // A cut-out field has too little text for a reliable skew estimate (on real check amounts it
  // costs about 4 points of string accuracy), so only pages are deskewed, and cut-outs that hold a
  // printed rule or frame across them (its lines set the angle, and must be level to be found as
  // lines and removed); and light varies over a page, not over a field, so only a page's Otsu
  // threshold is taken against its paper.
  const cutOut = opts.cutOut ?? isCutOut(image.width, image.height);
  // The shorter side of a letter page at this scale: what sizes on the page are measured against.
  const side = opts.scale ? opts.scale * LETTER_SIDE : Math.min(image.width, image.height);
  const paper = method === 'otsu' && !cutOut ? paperOf(cv, gray) : null;
  // Printed lines are looked for in a fainter binarization (halfway between the ink's level and
  // the paper): light box borders (pale or coloured print, thin lines after scaling) come out of
  // the ink's threshold in pieces, too short to be found as lines.
  const first = paper ? thresholdOnPaper(gray, paper, undefined, (level) => (1 + level) / 2) : null;
  // The page as it came, for a paler binarization made later (see paleLineGain).
  const source = gray;
  let bin = first ? first.binary : threshold(cv, gray, method, side);
  let faint = first?.faint;
  let skew = 0;
  // Against the paper, the deskewed binary page comes from the page and its binarization (only
  // what lies near ink is rotated), and the deskewed gray page is made when first asked for
  // (whole-field readers, overlays and debug images use it).
  let deskewGray = false;
  // Shade is measured on the page as scanned (before the gray page is rotated, if ever), then turned;
  // the paper around a cell is within 160 px of it at 300 dpi (the cells are 8 px at any scale).
  let shade = opts.shades && first ? shadeOf(cv, gray, first.faint, 8, 2 * Math.max(3, Math.round((160 * side) / LETTER_SIDE / 8)) + 1) : undefined;
  // A paler binarization, three quarters of the way from the ink's level to the paper (see
  // paleLineGain): made here when its lines are asked for, and then the page's angle is measured on
  // it, lines and all (in the usual one a form printed in a light colour is only its handwriting).
  const paleLevel = first ? (3 + first.level) / 4 : 0;
  const paleAsScanned = (): BinaryImage | undefined => (paper && first ? thresholdOnPaper(source, paper, paleLevel).binary : undefined);
  const paleFirst = opts.paleLines && !cutOut ? paleAsScanned() : undefined;
  if (opts.deskew !== false && (!cutOut || framed(cv, bin))) {
    // A sheet photographed on a desk: the desk's grain would set the angle, not the sheet's print.
    const angled = paleFirst ?? bin;
    skew = estimateSkew(cv, !cutOut && framedByInk(angled) ? withoutEdgeInk(cv, angled) : angled);
    if (Math.abs(skew) >= 0.1) {
      if (paper && first) {
        [bin, faint] = thresholdRotatedAt(gray, first.faint, skew, rotatePaper(cv, paper, skew), [first.level, first.faintLevel]);
        deskewGray = true;
        if (shade) shade = rotateShade(cv, shade, skew);
      } else {
        gray = rotate(cv, gray, skew);
        bin = threshold(cv, gray, method, side);
      }
    } else skew = 0;
  }
  const scale = opts.scale ?? Math.min(gray.width, gray.height) / LETTER_SIDE;
  const binary = bin;
  if (opts.specks) bin = removeSpecks(cv, bin, Math.max(3, Math.round(10 * scale * scale)));
  // The paler binarization deskewed as the page is (sampled near its own ink).
  const palePage = (asScanned = paleAsScanned()): BinaryImage | undefined => {
    if (!paper || !asScanned) return undefined;
    return skew ? thresholdRotatedAt(source, asScanned, skew, rotatePaper(cv, paper, skew), [paleLevel])[0] : asScanned;
  };
  const pale = paleFirst ? palePage(paleFirst) : undefined;
  const lineInk = pale ?? faint ?? bin;
  const minLength = Math.max(25, Math.round(120 * scale));
  // A small box's sides (a fifth of an inch and up) count where lines meet both their ends.
  const boxSide = Math.max(12, Math.round(50 * scale));
  // On a page, a vertical stroke under 2.5 times that which meets no horizontal line is handwriting.
  const pageLines = (ink: BinaryImage) => dropLooseVerticals(findLines(ink, { horizontal: minLength, vertical: minLength, boxSide: boxSide }, Math.max(4, Math.round(12 * scale))), Math.round(2.5 * minLength), Math.max(3, Math.round(8 * scale)), minLength);
  const lines = cutOut
    ? findLines(lineInk, { horizontal: Math.round(0.6 * gray.width), vertical: Math.round(0.9 * gray.height) }, Math.max(3, Math.round(gray.height / 15)))
    : pageLines(lineInk);
  const bridge = Math.max(3, Math.round(9 * scale));
  const clean = removeLines(bin, lines, bridge);
  let faintClean: BinaryImage | undefined;
  return {
    get gray() {
      if (deskewGray) {
        gray = rotate(cv, gray, skew);
        deskewGray = false;
      }
      return gray;
    },
    grayRegion(box: Box) {
      return rotateRegion(gray, deskewGray ? skew : 0, box);
    },
    get faintClean() {
      if (faint && !faintClean) faintClean = removeLines(faint, lines, bridge);
      return faintClean;
    },
    faintRegion(box: Box) {
      if (!faint) return undefined;
      if (faintClean) return cropBinary(faintClean, box);
      // Lines removed from the part and a margin around it (strokes are bridged across a line from
      // the ink beside it), then the margin cut off.
      const m = 2 * bridge + 2;
      const outer: Box = [box[0] - m, box[1] - m, box[2] + 2 * m, box[3] + 2 * m];
      const [ox, oy] = [Math.max(0, Math.floor(outer[0])), Math.max(0, Math.floor(outer[1]))];
      const part = removeLines(cropBinary(faint, outer), { horizontal: cropBinary(lines.horizontal, outer), vertical: cropBinary(lines.vertical, outer) }, bridge);
      return cropBinary(part, [box[0] - ox, box[1] - oy, box[2], box[3]]);
    },
    binary,
    clean,
    lines,
    lineInk,
    faint,
    skew,
    scale,
    cutOut,
    shade,
    paleLineGain() {
      const count = (m: LineMask) => inkCount(m.horizontal) + inkCount(m.vertical);
      const have = count(lines);
      const found = have / (lines.horizontal.width + lines.horizontal.height);
      const ink = cutOut || pale ? undefined : palePage();
      if (!ink) return { added: 0, found };
      return { added: (count(pageLines(ink)) - have) / (ink.width + ink.height), found };
    },
  };
}

/**
 * A cut-out holds a printed rule or box frame: a thin component (ink under a fifth of its bounding
 * box) at least 0.8 of the image wide.
 */
function framed(cv: CV, bin: BinaryImage): boolean {
  return labelComponents(cv, bin, (list) => list.some((c) => c.box[2] >= 0.8 * bin.width && c.area < 0.2 * c.box[2] * c.box[3]));
}

