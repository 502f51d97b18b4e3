/**
 * What the benches measured now against what a commit had measured: every figure of every
 * `bench/results/*.json` (their `rows`, and accuracy.json's `images` and `real`) that differs from the
 * same file at REV (default HEAD), timings aside (pages/s, samples/s, s, MB, ms: this machine's
 * timings swing by 20-35 % from hour to hour; compare them in alternated runs).
 *
 *   npm run bench -- compare [REV]
 *
 * Run the benches a change may touch, then this: a reading that moved where nothing was meant to
 * move shows here (session 57's change to disputed fields cost 12 real check amounts in the default
 * mode, seen only when the orand bench was run again). Prints the results files not rerun since REV
 * too. Exits 1 when a figure moved.
 */
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const TIMING = new Set(['/s', 'pages/s', 'samples/s', 'digits/s', 's', 'ms', 'MB', 'min']);

/** label -> {figure, unit} of a results object's rows (the parts that keep rows elsewhere included). */
function figures(result) {
  const out = new Map();
  for (const key of ['rows', 'images', 'real']) {
    const rows = result[key];
    if (!Array.isArray(rows)) continue;
    for (const r of rows) if (r && typeof r.label === 'string' && typeof r.figure === 'number') out.set(`${key === 'rows' ? '' : key + ': '}${r.label}`, r);
  }
  if (typeof result.mnistTest === 'number') out.set('MNIST test', { figure: 100 * result.mnistTest, unit: '%' });
  return out;
}

function compare(rev = 'HEAD') {
  const root = join(__dirname, '..');
  const dir = join(__dirname, 'results');
  const moved = [];
  const notRerun = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const now = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    let then;
    try {
      then = JSON.parse(execFileSync('git', ['show', `${rev}:bench/results/${file}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }));
    } catch {
      console.log(`${file}: not at ${rev} (new)`);
      continue;
    }
    if (now.date === then.date) {
      notRerun.push(file.replace(/\.json$/, ''));
      continue;
    }
    const [a, b] = [figures(then), figures(now)];
    for (const [label, r] of b) {
      if (TIMING.has(r.unit)) continue;
      const old = a.get(label);
      if (!old) moved.push({ file, label, before: '(none)', after: r.figure, unit: r.unit });
      else if (Math.abs(old.figure - r.figure) > 1e-9) moved.push({ file, label, before: old.figure, after: r.figure, unit: r.unit });
    }
    for (const [label, r] of a) if (!b.has(label) && !TIMING.has(r.unit)) moved.push({ file, label, before: r.figure, after: '(none)', unit: r.unit });
  }
  const fmt = (v) => (typeof v === 'number' ? String(Number(v.toFixed(2))) : v);
  if (moved.length) {
    console.log(`\nFigures that moved since ${rev} (timings left out):\n`);
    console.log('| results | measurement | before | after |\n|---|---|---|---|');
    for (const m of moved) console.log(`| ${m.file} | ${m.label} | ${fmt(m.before)} ${m.unit} | ${fmt(m.after)} ${m.unit} |`);
  } else console.log(`\nNo figure moved since ${rev} in the results rerun (timings left out).`);
  if (notRerun.length) console.log(`\nNot rerun since ${rev}: ${notRerun.join(', ')}`);
  return moved.length === 0;
}

module.exports = { compare, figures };

if (require.main === module) process.exit(compare(process.argv[2]) ? 0 : 1);
