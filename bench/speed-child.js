/**
 * One speed run of the scan bench in a process of its own, as a user's `digitscan scan` runs:
 * reads JSON `{ inputs, concurrency }` from argv[2], scans the inputs with --auto-fields (results
 * dropped) and prints `{ pages, seconds, peakMB }`. Timed from the call to `scanInputs` (worker start-up
 * included, Node's own start and the module loading not); `peakMB`: the process's peak resident memory
 * (its worker threads' included).
 */
const { join } = require('node:path');
const { scanInputs } = require(join(__dirname, '..', 'dist', 'pipeline', 'scan'));

(async () => {
  const { inputs, concurrency } = JSON.parse(process.argv[2]);
  const t0 = performance.now();
  let pages = 0;
  await scanInputs(inputs, { autoFields: true, concurrency }, () => {}, () => void pages++);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ pages, seconds, peakMB: process.resourceUsage().maxRSS / 1024 }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
