/**
 * One speed run of the scan bench in a process of its own, as a user's `digitscan scan` runs:
 * reads JSON `{ inputs, concurrency }` from argv[2], scans the inputs with --auto-fields (results
 * dropped) and prints `{ pages, seconds, peakMB }`. Timed from the call to `scanInputs` (worker start-up
 * included, Node's own start and the module loading not); `peakMB`: the process's peak resident memory
 * (its worker threads' included; Linux's VmHWM, which starts afresh in a new process: getrusage's
 * maximum is inherited from the parent across fork and exec, the bench's own).
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
// The build benched: dist/, or another (DIGITSCAN_BENCH_DIST, a folder in the project), as in the bench.
const { scanInputs } = require(join(__dirname, '..', process.env.DIGITSCAN_BENCH_DIST || 'dist', 'pipeline', 'scan'));

/** Peak resident memory in MB: VmHWM where /proc has it, else getrusage's maximum. */
function peakMB() {
  try {
    const kb = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // No /proc (not Linux).
  }
  return process.resourceUsage().maxRSS / 1024;
}

(async () => {
  const { inputs, concurrency } = JSON.parse(process.argv[2]);
  const t0 = performance.now();
  let pages = 0;
  await scanInputs(inputs, { autoFields: true, concurrency }, () => {}, () => void pages++);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ pages, seconds, peakMB: peakMB() }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
