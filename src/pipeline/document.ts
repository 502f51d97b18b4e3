/**
 * The document model that `scan` returns and `--format json` prints (Document -> Page -> Field ->
 * Digit). This schema is documented in the README and kept stable: fields are only ever added.
 */
import type { Box } from '../types';

/** One digit read in a field. */
export interface DigitResult {
  /** The digit, "0".."9". */
  value: string;
  /** Probability that it is right (0..1). */
  confidence: number;
  /** `[x, y, w, h]` in page pixels. */
  box: Box;
}

/** One field: its digit string and how sure we are. */
export interface FieldResult {
  name: string;
  /** The digits read, left to right ("" for an empty field). */
  value: string;
  /**
   * Probability that the whole string is right (1 for empty). With a reject-class model: the
   * posterior of this reading among all cut paths and digit readings of the field; with a
   * digits-only model: the product of the digit confidences; for fields read whole by a string
   * model: its probability of the string, weighed (when the model names a second reader) with
   * whether a digit-by-digit reading agrees.
   */
  confidence: number;
  /** True when a digit is below the minimum confidence or the value breaks the field's pattern/length/type. */
  needsReview: boolean;
  /**
   * Why it needs review (empty when it does not): low confidence, a broken pattern, length or type,
   * and what else the readers say (such as a second reading that differs).
   */
  reasons: string[];
  /** The field's box in page pixels. */
  box: Box;
  digits: DigitResult[];
  /**
   * For a field of type `date`: the date as written, its separators as slashes however written
   * (`3/14/2021` for `3/14/2021`, `3-14-2021` or `3.14.2021`; `14/03/21`, `2021/03/14`; a date written
   * with no separators, 6 or 8 digits, split as `03/14/21`, `03/14/2021` or `2021/03/14`). `value` has
   * its digits only. Absent when the digits read make no date (the field is then flagged).
   *
   * For a field of type `amount` (read whole): the amount with the commas and points seen between its
   * digits, each as it looks (`,` a dot with a tail, `.` a dot): `4,250.97`, `1.234,56`, `12500` when
   * none was seen. Absent when the separators seen make no amount (groups of three after the first,
   * or two cents last). A separator touching a digit is not seen. An amount with one separator is
   * written in the style its page's other amounts show, when those with two or more agree (`7,875`,
   * not `7.875`, on a page of `1,234.56`s).
   */
  text?: string;
  /**
   * Only when asked for (`--alternatives K`): the K next most probable values, most probable first,
   * each with the probability that it is the one written, reckoned as `confidence` is. For a field
   * read digit by digit: values of as many digits that fit the field's pattern, check digit and type,
   * or the lexicon's next values; for a field read whole by the string model: the readers' readings
   * and the values one edit from the one kept. Empty when there is no other.
   */
  alternatives?: FieldAlternative[];
}

/** Another value a field may hold (see {@link FieldResult.alternatives}). */
export interface FieldAlternative {
  value: string;
  /** The probability that this is the value written, reckoned as the field's `confidence` is. */
  confidence: number;
}

/** How a template with registration marks was lined up with a page. */
export interface PageRegistration {
  /** Marks in the template. */
  marks: number;
  /** Marks found on the page (0: fields were read at the template's positions and need review). */
  found: number;
  /** How far the page's centre moved from where the template puts it, `[dx, dy]` in page pixels. */
  shift: [number, number];
  /** Scale of the page relative to the template (1 = same size). */
  scale: number;
  /** Rotation left after deskewing, in degrees. */
  rotation: number;
  /** RMS distance in page pixels between the marks found and where the fitted transform puts them. */
  error: number;
}

/** One page of an input. */
export interface PageResult {
  /** 1-based page number. */
  page: number;
  width: number;
  height: number;
  /** Skew corrected, in degrees. */
  skew: number;
  /**
   * When the page was not upright and was read turned the right way up (see `ScanOptions.orient`):
   * the clockwise turn, in degrees, that set it upright (90: it lay on its left side; 180: upside down;
   * 270: on its right side). Absent otherwise. Boxes are always in the page's pixels as stored.
   */
  orientation?: 90 | 180 | 270;
  /**
   * True when the page was a negative (light writing on dark paper: microfilm, a bitonal scan with its
   * photometric mixed up) and was read inverted. Absent otherwise. Overlays show it inverted.
   */
  inverted?: true;
  /**
   * The resolution the page was measured at, in pixels per inch of its stored pixels (across, for
   * pixels that are not square). `stated`: by its file, by `ScanOptions.ppi`, or a PDF page's size at
   * its `dpi`; false when the page was a strip taken for 8.5 inches long (see `stripPpi`). Absent
   * when unknown: the page was taken for a letter page by its shorter side, or read as a cut-out field.
   */
  resolution?: { ppi: number; stated: boolean };
  /** Present when the template has registration marks. */
  registration?: PageRegistration;
  fields: FieldResult[];
  /** Set when the page could not be read; then `fields` is empty. */
  error?: string;
}

/** Everything read from one input file. */
export interface DocumentResult {
  source: string;
  pages: PageResult[];
  /** Set when the file could not be opened at all. */
  error?: string;
}
