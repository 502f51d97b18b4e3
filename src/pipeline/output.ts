/** Output formats of `digitscan scan`: json (a document per input), jsonl (a line per page), csv (a row per field). */
import type { DocumentResult, FieldResult, PageResult } from './document';

export type OutputFormat = 'json' | 'jsonl' | 'csv';

/**
 * The columns `--format csv` can write (`--columns`), in any order and any number:
 * - `source`, `page`, `field`, `value`, `confidence` (six decimals), `needs_review` (`true`/`false`):
 *   the default, {@link CSV_HEADER}.
 * - `text`: an amount's or a date's text, separators included (`4,250.97`, `3/14/2021`); empty for
 *   other fields and when the marks seen make no amount or date (see {@link FieldResult.text}).
 * - `reasons`: why the field needs review, `; `-separated; empty when it does not.
 * - `x`, `y`, `w`, `h`: the field's box in page pixels.
 * - `digit_confidences`: each digit's confidence, left to right, space-separated (four decimals).
 * - `digit_boxes`: each digit's box, `x y w h`, `;`-separated, left to right.
 * - `alternatives`: with `--alternatives K`, the next values as `value:confidence`, space-separated.
 *
 * @example
 * ```sh
 * digitscan scan cheques/ --field-type amount --format csv --columns source,page,field,text,confidence,needs_review
 * ```
 */
export const CSV_COLUMNS = ['source', 'page', 'field', 'value', 'text', 'confidence', 'needs_review', 'reasons', 'x', 'y', 'w', 'h', 'digit_confidences', 'digit_boxes', 'alternatives'] as const;

/** A column of {@link CSV_COLUMNS}. */
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The columns written when none are asked for: those of {@link CSV_HEADER}. */
export const DEFAULT_CSV_COLUMNS: readonly CsvColumn[] = ['source', 'page', 'field', 'value', 'confidence', 'needs_review'];

/** CSV header of {@link csvRows} with the default columns. It stays as it is. */
export const CSV_HEADER = DEFAULT_CSV_COLUMNS.join(',');

/**
 * The columns of a `--columns` list (`"source,field,text"`: names of {@link CSV_COLUMNS}, comma- or
 * space-separated). Throws an error naming any unknown column and the known ones.
 */
export function parseCsvColumns(list: string): CsvColumn[] {
  const names = list.split(/[\s,]+/).filter((n) => n !== '');
  if (names.length === 0) throw new Error(`no columns given: choose from ${CSV_COLUMNS.join(', ')}`);
  const unknown = names.filter((n) => !(CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}: choose from ${CSV_COLUMNS.join(', ')}`);
  return names as CsvColumn[];
}

/** The CSV header line of these columns. */
export function csvHeader(columns: readonly CsvColumn[] = DEFAULT_CSV_COLUMNS): string {
  return columns.join(',');
}

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function cell(source: string, page: PageResult, f: FieldResult, c: CsvColumn): string | number | boolean {
  switch (c) {
    case 'source': return source;
    case 'page': return page.page;
    case 'field': return f.name;
    case 'value': return f.value;
    case 'text': return f.text ?? '';
    case 'confidence': return f.confidence.toFixed(6);
    case 'needs_review': return f.needsReview;
    case 'reasons': return f.reasons.join('; ');
    case 'x': return f.box[0];
    case 'y': return f.box[1];
    case 'w': return f.box[2];
    case 'h': return f.box[3];
    case 'digit_confidences': return f.digits.map((d) => d.confidence.toFixed(4)).join(' ');
    case 'digit_boxes': return f.digits.map((d) => d.box.join(' ')).join(';');
    case 'alternatives': return (f.alternatives ?? []).map((a) => `${a.value}:${a.confidence.toFixed(6)}`).join(' ');
  }
}

/** CSV rows (no header) of one page: one per field, with these columns (default: {@link CSV_HEADER}'s). */
export function csvRows(source: string, page: PageResult, columns: readonly CsvColumn[] = DEFAULT_CSV_COLUMNS): string[] {
  return page.fields.map((f) => columns.map((c) => csvCell(cell(source, page, f, c))).join(','));
}

/** The JSONL line of one page. */
export function jsonlLine(source: string, page: PageResult): string {
  return JSON.stringify({ source, ...page });
}

/** The JSON of one document (one line). */
export function jsonDocument(doc: DocumentResult): string {
  return JSON.stringify(doc);
}
