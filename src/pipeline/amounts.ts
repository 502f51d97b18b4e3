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
 * between (marks before the first digit or after the last, as the dash of `1.000.-`, are left out).
 * Undefined when the separators found do not make an amount ({@link amountGroups}: a speck taken for a
 * point, say), or two fall between the same two digits.
 *
 * @example
 * amountText(field.digits, separatorMarks(graph)); // '4,878.72' (value '487872')
 */
export function amountText(digits: DigitResult[], marks: AmountMark[]): string | undefined {
  if (digits.length === 0) return undefined;
  const centre = (b: Box) => b[0] + b[2] / 2;
  const groups: string[] = [digits[0].value];
  const seps: string[] = [];
  for (let j = 1; j < digits.length; j++) {
    const [a, b] = [centre(digits[j - 1].box), centre(digits[j].box)];
    const between = marks.filter((m) => centre(m.box) > a && centre(m.box) < b);
    if (between.length > 1) return undefined;
    if (between.length === 1) {
      seps.push(between[0].as);
      groups.push('');
    }
    groups[groups.length - 1] += digits[j].value;
  }
  if (!amountGroups(groups)) return undefined;
  return groups.map((g, i) => (i > 0 ? seps[i - 1] : '') + g).join('');
}
