/** Output formats of `digitscan scan`: json (a document per input), jsonl (a line per page), csv (a row per field). */
import type { DocumentResult, PageResult } from './document';

export type OutputFormat = 'json' | 'jsonl' | 'csv';

/** CSV header of {@link csvRows}. */
export const CSV_HEADER = 'source,page,field,value,confidence,needs_review';

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV rows (no header) of one page: one per field. */
export function csvRows(source: string, page: PageResult): string[] {
  return page.fields.map((f) => [source, page.page, f.name, f.value, f.confidence.toFixed(6), f.needsReview].map(csvCell).join(','));
}

/** The JSONL line of one page. */
export function jsonlLine(source: string, page: PageResult): string {
  return JSON.stringify({ source, ...page });
}

/** The JSON of one document (one line). */
export function jsonDocument(doc: DocumentResult): string {
  return JSON.stringify(doc);
}
