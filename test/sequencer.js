/**
 * The order jest starts test files in: the slowest first, so that its two workers finish together.
 * Jest's own order is by the durations it cached on the last run, or, on a clean clone (CI) where it
 * has none, by file size, which would start amount.test.ts (short, but ~3.5 minutes of reading real
 * check amounts) last and leave one worker alone at the end. These files lead, in this order; the rest
 * follow in jest's order.
 */
const { basename } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST = ['segment.test.ts', 'amount.test.ts', 'scan.test.ts'];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => { const i = SLOWEST.indexOf(basename(t.path)); return i < 0 ? SLOWEST.length : i; };
    return super.sort(tests).sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
