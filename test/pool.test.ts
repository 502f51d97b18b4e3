import { balancedChunk } from '../src/classify/pool';

describe('balancedChunk', () => {
  test.each([
    [20000, 4096, 2],
    [20000, 4096, 1],
    [100000, 4096, 2],
    [5000, 1024, 3],
    [7, 1024, 2],
    [1, 1024, 2],
  ])('%i rows, at most %i a chunk, %i workers: equal chunks, a multiple of the workers', (count, max, workers) => {
    const c = balancedChunk(count, max, workers);
    expect(c).toBeLessThanOrEqual(max);
    const pieces = Math.ceil(count / c);
    // every worker gets the same number of chunks, within one (and only when count is tiny)
    if (count >= workers) expect(pieces % workers).toBe(0);
    // the last chunk is not much smaller than the others
    expect(count - (pieces - 1) * c).toBeGreaterThan(c - pieces);
  });

  test('20,000 digits on 2 workers: 6 chunks of 3,334, not 4,096 x 4 + 3,616', () => {
    expect(balancedChunk(20000, 4096, 2)).toBe(3334);
  });
});
