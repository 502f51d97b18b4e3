/**
 * Which pages of each input to read (`--pages 1,3-5,8-`): 1-based page ranges. Multi-page files
 * shared among workers are shared by their wanted pages: the `k`-th of `n` workers reads every
 * `n`-th wanted page from the `k`-th.
 */

/** 1-based inclusive page ranges; `to` is `Infinity` for "to the last page". */
export type PageRanges = Array<[from: number, to: number]>;

/**
 * Parses a page list: page numbers and ranges separated by commas, `8-` for page 8 to the last.
 * Throws an error naming the list when it is not one.
 *
 * @example
 * parsePages('1,3-5,8-'); // [[1, 1], [3, 5], [8, Infinity]]
 */
export function parsePages(spec: string): PageRanges {
  const ranges: PageRanges = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = !m ? NaN : m[2] === undefined ? from : m[3] === '' ? Infinity : Number(m[3]);
    if (!m || from < 1 || to < from) throw new Error(`--pages "${spec}": expected page numbers and ranges from 1 up, such as 1,3-5,8-`);
    ranges.push([from, to]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

/** `pages` as ranges: a list to parse, ranges as they are, or undefined (every page). */
export function pageRanges(pages: string | PageRanges | undefined): PageRanges | undefined {
  return typeof pages === 'string' ? parsePages(pages) : pages;
}

/** Whether 1-based page `n` is wanted (every page is, with no ranges). */
export function pageWanted(ranges: PageRanges | undefined, n: number): boolean {
  return !ranges || ranges.some(([from, to]) => n >= from && n <= to);
}

/** The first wanted page at or after `n` (`n` with no ranges); `Infinity` when there is none. */
export function nextWanted(ranges: PageRanges | undefined, n: number): number {
  if (!ranges) return n;
  let best = Infinity;
  for (const [from, to] of ranges) if (n <= to) best = Math.min(best, Math.max(n, from));
  return best;
}

/** How many pages are wanted at most (`Infinity` when a range is open or there are none). */
export function wantedCount(ranges: PageRanges | undefined): number {
  if (!ranges) return Infinity;
  let n = 0;
  let upTo = 0;
  for (const [from, to] of ranges) {
    // Overlapping ranges count once.
    if (to > upTo) n += to - Math.max(from, upTo + 1) + 1;
    upTo = Math.max(upTo, to);
  }
  return n;
}

/**
 * A reader's share of a file's pages: page `n` (1-based) is read by the reader that takes every
 * `step`-th wanted page from the `first`-th (0-based). Call in page order.
 *
 * @example
 * const mine = shareOf(parsePages('2-'), 0, 2); // pages 2, 4, 6, …
 * for (let n = 1; n <= count; n++) if (mine(n)) read(n);
 */
export function shareOf(ranges: PageRanges | undefined, first: number, step: number): (n: number) => boolean {
  let wanted = 0;
  return (n) => {
    if (!pageWanted(ranges, n)) return false;
    const i = wanted++;
    return i >= first && (i - first) % step === 0;
  };
}

/**
 * Ranges as a page list (`parsePages`' input).
 *
 * @example
 * formatPages([[1, 1], [3, 5], [8, Infinity]]); // '1,3-5,8-'
 */
export function formatPages(ranges: PageRanges): string {
  return ranges.map(([from, to]) => (to === from ? `${from}` : to === Infinity ? `${from}-` : `${from}-${to}`)).join(',');
}

/**
 * The problem of a file of `count` pages none of whose pages is wanted (`--pages 5` on a
 * three-page file), or null when one is (or every page is wanted).
 */
export function noneWanted(ranges: PageRanges | undefined, count: number): string | null {
  if (!ranges || count < 1 || nextWanted(ranges, 1) <= count) return null;
  return `none of the pages asked for (${formatPages(ranges)}) is in it: it has ${count} page${count === 1 ? '' : 's'}`;
}
