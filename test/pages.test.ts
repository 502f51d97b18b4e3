/** Page lists (`--pages`, src/io/pages): parsing, and how a file's wanted pages are shared among readers. */
import { formatPages, nextWanted, noneWanted, pageWanted, parsePages, shareOf, wantedCount } from '../src/io/pages';

describe('page lists', () => {
  test('numbers and ranges, open to the last page, sorted; anything else is an error naming the list', () => {
    expect(parsePages('1')).toEqual([[1, 1]]);
    expect(parsePages('8-, 3-5,1')).toEqual([[1, 1], [3, 5], [8, Infinity]]);
    for (const bad of ['', '0', '3-2', 'x', '1,,2', '-4', '1.5']) expect(() => parsePages(bad)).toThrow(`--pages "${bad}"`);
  });

  test('which pages are wanted, the next one wanted, and how many', () => {
    const r = parsePages('2,4-5,9-');
    expect([1, 2, 3, 4, 5, 6, 9, 100].map((n) => pageWanted(r, n))).toEqual([false, true, false, true, true, false, true, true]);
    expect([1, 2, 3, 6, 10].map((n) => nextWanted(r, n))).toEqual([2, 2, 4, 9, 10]);
    expect(nextWanted(parsePages('1-3'), 4)).toBe(Infinity);
    expect([wantedCount(parsePages('1,3-5,4-6')), wantedCount(r), wantedCount(undefined)]).toEqual([5, Infinity, Infinity]);
    expect(pageWanted(undefined, 7)).toBe(true);
  });

  test('a list is written back as it parses; a file none of whose pages is wanted has a problem saying so', () => {
    expect(formatPages(parsePages('8-, 3-5,1'))).toBe('1,3-5,8-');
    expect(noneWanted(parsePages('2,5-'), 3)).toBeNull();
    expect(noneWanted(parsePages('4-6'), 3)).toBe('none of the pages asked for (4-6) is in it: it has 3 pages');
    expect(noneWanted(parsePages('2'), 1)).toBe('none of the pages asked for (2) is in it: it has 1 page');
    expect(noneWanted(undefined, 1)).toBeNull();
  });

  test("readers share a file's wanted pages in turn: each wanted page read once", () => {
    const r = parsePages('2,4-7');
    const shares = [0, 1, 2].map((first) => {
      const mine = shareOf(r, first, 3);
      return Array.from({ length: 10 }, (_, i) => i + 1).filter((n) => mine(n));
    });
    expect(shares).toEqual([[2, 6], [4, 7], [5]]);
    const all = shareOf(undefined, 1, 2);
    expect([1, 2, 3, 4, 5].filter((n) => all(n))).toEqual([2, 4]);
  });
});
