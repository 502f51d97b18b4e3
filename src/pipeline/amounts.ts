/**
 * Amounts written with their separators: `1,234.56`, `7.25`, `12,500`, `1.234,56`. The readers give
 * an amount's digits; the commas and points written between them are marks the segmentation leaves
 * out (segment/strings, `separatorMarks`). Put back at their places, they make the amount's text,
 * which says where its decimal point is.
 */
import type { Box } from '../types';
import type { DigitResult } from './document';

/** A comma or a point written among an amount's digits (see `separatorMarks` in segment/strings). */
export interface AmountMark {
  /** Where it is, in page pixels. */
  box: Box;
  /** `,` (a tail below the dot) or `.`. */
  as: ',' | '.';
  /**
   * How comma-like its shape is: above 0 a comma, below 0 a point, the farther from 0 the surer (see
   * `separatorMarks`). Used when an amount's separators must follow one style and the shapes disagree.
   */
  comma?: number;
}

/**
 * Whether groups of digits between separators make an amount: with a decimal part (the last group of
 * two digits), the groups before it as thousands are written (the first one to three digits, the rest
 * three each), or one whole number before it; with none, thousands alone. One group (no separator)
 * always does.
 *
 * @example
 * amountGroups(['1', '234', '56']); // true: 1,234.56
 * amountGroups(['1234', '56']); // true: 1234.56
 * amountGroups(['12', '34', '5']); // false
 */
export function amountGroups(groups: string[]): boolean {
  if (groups.length <= 1) return true;
  const thousands = (g: string[]) => g[0].length >= 1 && g[0].length <= 3 && g.slice(1).every((x) => x.length === 3);
  const last = groups[groups.length - 1];
  if (last.length === 2) return groups.length === 2 || thousands(groups.slice(0, -1));
  return thousands(groups);
}

/**
 * An amount's text: its digits (`digits`, left to right, with their boxes) with the commas and points
 * written between them (`marks`) at their places, each between the two digits whose centres it lies
 * between (marks before the first digit or after the last, as the dash of `1.000.-`, are left out;
 * of two or more between the same two digits, one twice the size of each other one is kept, the rest
 * taken for specks). When the separators found do not make an amount ({@link amountGroups}: a speck
 * taken for a point, say), the marks under a quarter of the largest one's size are left out (a speck
 * smaller than the pen makes); undefined when they still do not, or two alike in size fall between
 * the same two digits.
 *
 * @example
 * amountText(field.digits, separatorMarks(graph)); // '4,878.72' (value '487872')
 */
export function amountText(digits: DigitResult[], marks: AmountMark[]): string | undefined {
  const text = placeMarks(digits, marks);
  if (text !== undefined || marks.length < 2) return text;
  // A speck among the separators: marks under a quarter of the largest one's size left out.
  const size = (m: AmountMark) => m.box[2] * m.box[3];
  const largest = Math.max(...marks.map(size));
  const kept = marks.filter((m) => 4 * size(m) >= largest);
  return kept.length < marks.length ? placeMarks(digits, kept) : undefined;
}

/** {@link amountText} with every mark taken as written. */
function placeMarks(digits: DigitResult[], marks: AmountMark[]): string | undefined {
  if (digits.length === 0) return undefined;
  const centre = (b: Box) => b[0] + b[2] / 2;
  const groups: string[] = [digits[0].value];
  const between: AmountMark[] = [];
  for (let j = 1; j < digits.length; j++) {
    const [a, b] = [centre(digits[j - 1].box), centre(digits[j].box)];
    const here = marks.filter((m) => centre(m.box) > a && centre(m.box) < b);
    // Of two or more marks there, one twice the size of any other is the separator (the rest specks).
    const size = (m: AmountMark) => m.box[2] * m.box[3];
    const big = here.length > 1 ? here.reduce((x, y) => (size(y) > size(x) ? y : x)) : here[0];
    if (here.length > 1 && here.some((m) => m !== big && 2 * size(m) > size(big))) return undefined;
    if (big) {
      between.push(big);
      groups.push('');
    }
    groups[groups.length - 1] += digits[j].value;
  }
  if (!amountGroups(groups)) return undefined;
  const seps = oneStyle(between, groups);
  return groups.map((g, i) => (i > 0 ? seps[i - 1] : '') + g).join('');
}

/**
 * The separators of an amount whose groups ({@link amountGroups}) say what each one is, written in one
 * style: thousands separators all alike, and unlike the decimal point (`1,234.56` or `1.234,56`). When
 * the marks as their shapes read break that (`56.673.20`: a comma with a short tail read as a point),
 * the style their shapes' comma-likeness (`comma`) favours most, summed, is taken. Two groups (`12.50`,
 * `1,234`) say nothing of a style and are left as read.
 */
function oneStyle(marks: AmountMark[], groups: string[]): string[] {
  const read = marks.map((m) => m.as);
  if (groups.length < 3) return read;
  const decimal = groups[groups.length - 1].length === 2;
  const style = (thousands: ',' | '.') => marks.map((_, i) => (decimal && i === marks.length - 1 ? (thousands === ',' ? '.' : ',') : thousands));
  const fits = (s: string[]) => s.every((c, i) => c === read[i]);
  const [us, eu] = [style(','), style('.')];
  if (fits(us) || fits(eu)) return read;
  // Summed comma-likeness of the marks each style calls commas, less that of those it calls points.
  const score = (s: string[]) => marks.reduce((t, m, i) => t + (s[i] === ',' ? 1 : -1) * (m.comma ?? (m.as === ',' ? 1 : -1)), 0);
  return score(us) >= score(eu) ? us : eu;
}

/**
 * The thousands separator the amounts of one page are written with, when those that show it agree:
 * an amount with two separators or more shows its style (`1,234.56` and `12,345,678` a comma;
 * `1.234,56` a point); amounts with one separator or none show nothing. Undefined when none shows it,
 * or two disagree.
 *
 * @example
 * pageThousands(['1,234.56', '7.875', '12.50']); // ','
 * pageThousands(['7.875', '12.50']); // undefined
 */
export function pageThousands(texts: string[]): ',' | '.' | undefined {
  const seen = new Set<',' | '.'>();
  for (const t of texts) {
    const seps = t.replace(/[^.,]/g, '');
    if (seps.length < 2) continue;
    const last = t.slice(t.search(/[.,][^.,]*$/) + 1);
    // Two digits last: the last separator is the decimal point, the others thousands.
    seen.add(last.length === 2 ? (seps[seps.length - 1] === '.' ? ',' : '.') : (seps[0] as ',' | '.'));
  }
  return seen.size === 1 ? [...seen][0] : undefined;
}

/**
 * An amount's text with one separator written in its page's style (`thousands`, see
 * {@link pageThousands}): one writer writes a page's amounts alike, and with two groups the text alone
 * cannot tell a comma with a short tail from a point. Three digits after it: a thousands separator
 * (`7.875` on a page of `1,234.56`s is `7,875`); two: the decimal point. Texts with no separator, or
 * two or more (which show their own style), are left as they are.
 *
 * @example
 * inPageStyle('7.875', ','); // '7,875'
 * inPageStyle('12,50', ','); // '12.50'
 */
export function inPageStyle(text: string, thousands: ',' | '.'): string {
  const at = text.search(/[.,]/);
  if (at < 0 || /[.,]/.test(text.slice(at + 1))) return text;
  const after = text.length - at - 1;
  const sep = after === 3 ? thousands : after === 2 ? (thousands === ',' ? '.' : ',') : text[at];
  return text.slice(0, at) + sep + text.slice(at + 1);
}
