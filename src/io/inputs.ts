/** Expanding command-line inputs (files, folders searched recursively, glob patterns) into files. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { imagePageCount } from './image';
import { pdfPageCount } from './pdf';

/** Extensions read as inputs when a folder is given. */
export const INPUT_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.gif', '.bmp', '.avif', '.heic', '.heif', '.hif', '.pnm', '.pbm', '.pgm', '.ppm', '.pdf']);

/** One expanded input: a file, or an input that matched nothing and why (reported, not fatal). */
export type ExpandedInput = { file: string } | { missing: string; why: string };

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (INPUT_EXTENSIONS.has(extname(name).toLowerCase())) out.push(p);
  }
}

/**
 * Expands inputs in order: an existing file as itself, a folder recursively (known image and PDF
 * extensions, sorted), anything else as a glob pattern. An input that matches nothing is returned
 * as `{ missing }` so the caller can report it and go on.
 */
export function expandInputs(inputs: string[]): ExpandedInput[] {
  const out: ExpandedInput[] = [];
  for (const input of inputs) {
    if (existsSync(input)) {
      if (statSync(input).isDirectory()) {
        const files: string[] = [];
        walk(input, files);
        if (files.length === 0) out.push({ missing: input, why: `a folder with no images or PDFs in it (looked for ${[...INPUT_EXTENSIONS].join(' ')})` });
        files.forEach((file) => out.push({ file }));
      } else {
        out.push({ file: input });
      }
      continue;
    }
    const pattern = /[*?[{]/.test(input);
    const matches = pattern ? globSync(input, { onlyFiles: true, expandDirectories: false }).sort() : [];
    if (matches.length === 0) out.push({ missing: input, why: pattern ? 'no files match this pattern' : 'no such file or folder' });
    matches.forEach((file) => out.push({ file }));
  }
  return out;
}

/** Number of pages of an input (PDF pages, TIFF pages; 1 for other images). Throws an `InputError`. */
export async function pageCount(file: string): Promise<number> {
  return extname(file).toLowerCase() === '.pdf' ? pdfPageCount(file) : imagePageCount(file);
}
