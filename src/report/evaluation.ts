/**
 * The evaluation report: an HTML page with PNG plots of the training curves, the confusion matrix
 * and a grid of misclassified digits with their true and predicted labels.
 */
import sharp, { OverlayOptions } from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation } from '../classify/evaluate';
import type { ModelMetadata } from '../classify/model-io';
import { renderPng } from './plot';

interface HistoryRow {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

async function curves(history: HistoryRow[], dir: string): Promise<string | null> {
  if (history.length === 0) return null;
  const values: Array<{ epoch: number; metric: string; split: string; value: number }> = [];
  for (const h of history) {
    values.push({ epoch: h.epoch, metric: 'loss', split: 'train', value: h.loss });
    values.push({ epoch: h.epoch, metric: 'accuracy', split: 'train', value: h.accuracy });
    if (h.valLoss != null) values.push({ epoch: h.epoch, metric: 'loss', split: 'validation', value: h.valLoss });
    if (h.valAccuracy != null) values.push({ epoch: h.epoch, metric: 'accuracy', split: 'validation', value: h.valAccuracy });
  }
  const file = 'training-curves.png';
  await renderPng(
    {
      data: { values },
      facet: { column: { field: 'metric', type: 'nominal', title: null } },
      spec: {
        width: 300,
        height: 200,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', scale: { zero: false } },
          color: { field: 'split', type: 'nominal' },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
    join(dir, file),
  );
  return file;
}

async function confusion(ev: Evaluation, dir: string): Promise<string> {
  const values: Array<{ true: string; predicted: string; count: number }> = [];
  ev.metrics.confusion.forEach((row, t) => row.forEach((count, p) => values.push({ true: String(t), predicted: String(p), count })));
  const file = 'confusion-matrix.png';
  await renderPng(
    {
      data: { values },
      width: 360,
      height: 360,
      encoding: {
        x: { field: 'predicted', type: 'ordinal', title: 'predicted' },
        y: { field: 'true', type: 'ordinal', title: 'true' },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { type: 'symlog', scheme: 'blues' } } } },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.count > 200', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    join(dir, file),
  );
  return file;
}

/** A grid of misclassified digits (up to `max`), each labeled `true→predicted (confidence)`. */
async function misclassifiedGrid(ev: Evaluation, dir: string, max = 100): Promise<{ file: string; shown: number } | null> {
  const wrong: number[] = [];
  for (let i = 0; i < ev.dataset.count && wrong.length < max; i++) if (ev.predicted[i] !== ev.dataset.labels[i]) wrong.push(i);
  if (wrong.length === 0) return null;
  const cols = 10;
  const cell = 64;
  const label = 18;
  const rows = Math.ceil(wrong.length / cols);
  const W = cols * cell;
  const H = rows * (cell + label);
  const tiles: OverlayOptions[] = [];
  let text = '';
  for (let k = 0; k < wrong.length; k++) {
    const i = wrong[k];
    const x = (k % cols) * cell;
    const y = Math.floor(k / cols) * (cell + label);
    const px = Buffer.from(ev.dataset.images.subarray(i * 784, (i + 1) * 784));
    const tile = await sharp(px, { raw: { width: 28, height: 28, channels: 1 } })
      .negate()
      .resize(cell - 8, cell - 8, { kernel: 'nearest' })
      .extend({ top: 4, bottom: 4, left: 4, right: 4, background: '#ffffff' })
      .png()
      .toBuffer();
    tiles.push({ input: tile, left: x, top: y });
    text += `<text x="${x + cell / 2}" y="${y + cell + 13}" text-anchor="middle">${ev.dataset.labels[i]}→${ev.predicted[i]} (${ev.confidence[i].toFixed(2)})</text>`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g font-family="DejaVu Sans, sans-serif" font-size="11" fill="#b00">${text}</g></svg>`;
  const file = 'misclassified.png';
  await sharp({ create: { width: W, height: H, channels: 3, background: '#ffffff' } })
    .composite([...tiles, { input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toFile(join(dir, file));
  return { file, shown: wrong.length };
}

/** Writes `index.html` and its PNGs into `dir`; returns the HTML path. */
export async function writeEvaluationReport(ev: Evaluation, metadata: ModelMetadata, modelPath: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const history = ((metadata.metrics?.history as HistoryRow[] | undefined) ?? []).filter((h) => typeof h.epoch === 'number');
  const curvesFile = await curves(history, dir);
  const confFile = await confusion(ev, dir);
  const grid = await misclassifiedGrid(ev, dir);
  const m = ev.metrics;
  const rows = m.perClass
    .map((c) => `<tr><td>${c.label}</td><td>${pct(c.precision)}</td><td>${pct(c.recall)}</td><td>${pct(c.f1)}</td><td>${c.support}</td></tr>`)
    .join('');
  const pairs = m.confusedPairs.map((p) => `<tr><td>${p.true}</td><td>${p.predicted}</td><td>${p.count}</td></tr>`).join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>digitscan evaluation</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>
<h1>Evaluation</h1>
<p>Model <code>${esc(modelPath)}</code> (arch <b>${esc(metadata.arch)}</b>, trained ${esc(metadata.date || 'unknown')}), data <code>${esc(ev.data)}</code>.</p>
<h2>Accuracy ${pct(m.accuracy)} on ${m.count} digits</h2>
<p>Macro precision ${pct(m.macro.precision)}, recall ${pct(m.macro.recall)}, F1 ${pct(m.macro.f1)}.</p>
<h2>Per class</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${rows}</table>
<h2>Most confused pairs</h2><table><tr><th>true</th><th>predicted</th><th>count</th></tr>${pairs || '<tr><td colspan=3>none</td></tr>'}</table>
<h2>Confusion matrix</h2><img src="${confFile}" alt="confusion matrix">
${curvesFile ? `<h2>Training curves</h2><img src="${curvesFile}" alt="training curves">` : '<p>No training history in the model metadata.</p>'}
${grid ? `<h2>Misclassified digits (first ${grid.shown}; true→predicted, confidence)</h2><img src="${grid.file}" alt="misclassified digits">` : '<p>No misclassified digits.</p>'}
</body></html>`;
  const path = join(dir, 'index.html');
  writeFileSync(path, html);
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ data: ev.data, model: modelPath, ...m }, null, 1));
  return path;
}
