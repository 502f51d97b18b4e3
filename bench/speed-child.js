/**
 * One speed run of the scan bench in a process of its own, as a user's `digitscan scan` runs:
 * reads JSON `{ inputs, concurrency }` from argv[2], scans the inputs with --auto-fields (results
 * dropped) and prints `{ pages, seconds }`. Timed from the call to `scanInputs` (worker start-up
 * included, Node's own start and the module loading not).
 */
const { join } = require('node:path');
const { scanInputs } = require(join(__dirname, '..', 'dist', 'pipeline', 'scan'));

(async () => {
  const { inputs, concurrency } = JSON.parse(process.argv[2]);
  const t0 = performance.now();
  let pages = 0;
  await scanInputs(inputs, { autoFields: true, concurrency }, () => {}, () => void pages++);
  console.log(JSON.stringify({ pages, seconds: (performance.now() - t0) / 1000 }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
