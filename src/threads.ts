/** Where compiled worker-thread scripts are, and how many threads to use by default. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';

/**
 * The compiled script `rel` (e.g. `classify/worker.js`). Code running from `dist/` finds it next to
 * itself; tests run from sources and use `dist/` (built by `npm test` first).
 */
export function compiledScript(rel: string): string {
  const here = join(__dirname, rel);
  if (existsSync(here)) return here;
  const dist = resolve(__dirname, '..', 'dist', rel);
  if (!existsSync(dist)) throw new Error(`worker script not found: run "npm run build" first (${dist})`);
  return dist;
}

/** Default thread count: the machine's cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}
