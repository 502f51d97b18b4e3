import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, mnistTest, ROOT, runCli, tmp, writeDigitPng } from './helpers';

const dir = tmp();
const model = join(dir, 'model');
const labels: Record<string, number> = {};

beforeAll(async () => {
  const r = runCli(['train', '--arch', 'compact', '--epochs', '1', '--limit', '6000', '--batch-size', '64', '--out', model, '--workers', '1'], 170000);
  if (r.status !== 0) throw new Error(`train failed: ${r.stderr}`);
  for (let i = 0; i < 6; i++) labels[`d${i}.png`] = await writeDigitPng(i, join(dir, `d${i}.png`), 3, true);
  labels['inverted.png'] = await writeDigitPng(7, join(dir, 'inverted.png'), 2, false); // light ink on dark
  writeFileSync(join(dir, 'corrupt.png'), 'this is not a PNG');
}, 180000);

describe('digitscan CLI', () => {
  test('--help lists the commands', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['classify', 'evaluate', 'train', 'zoo']) expect(r.stdout).toContain(`digitscan ${c}`);
  });

  test('classify: JSON lines per image; a bad file is reported by name and the batch goes on', () => {
    const r = runCli(['classify', join(dir, 'd0.png'), join(dir, 'corrupt.png'), join(dir, 'missing.png'), join(dir, 'd1.png'), join(dir, 'inverted.png'), '--model', model, '--format', 'json']);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    const ok = lines.filter((l) => !l.error);
    expect(ok).toHaveLength(3);
    for (const l of ok) {
      expect(Object.keys(l).sort()).toEqual(['confidence', 'digit', 'probabilities', 'source']);
      expect(l.probabilities).toHaveLength(10);
      expect(l.confidence).toBeCloseTo(Math.max(...l.probabilities), 5);
    }
    expect(r.stderr).toMatch(/corrupt\.png: not an image/);
    expect(r.stderr).toMatch(/missing\.png: no such file/);
    expect(lines[1]).toEqual({ source: join(dir, 'corrupt.png'), error: expect.stringMatching(/corrupt\.png/) });
  });

  test('classify: reads digits of either polarity (a trained model gets most right)', () => {
    const files = Object.keys(labels).map((f) => join(dir, f));
    const r = runCli(['classify', ...files, '--model', model, '--format', 'json']);
    expect(r.status).toBe(0);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const right = got.filter((g) => g.digit === labels[g.source.split('/').pop()]).length;
    expect(right).toBeGreaterThanOrEqual(5); // of 7
  });

  test('output piped into a reader that stops early (| head -1) ends quietly, with no EPIPE trace', () => {
    const zip = join(ROOT, 'samples', 'forms', 'zip-code.png');
    const r = spawnSync('sh', ['-c', `node "${CLI}" scan "${zip}" "${zip}" "${zip}" --auto-fields --concurrency 1 --format csv | head -1`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('source,page,field,value,confidence,needs_review');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  }, 60000);
  test('a missing model is a clear error', () => {
    const r = runCli(['classify', join(dir, 'd0.png'), '--model', join(dir, 'no-model')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no-model\/model\.json: model not found/);
  });

  test('scan with a missing or corrupt model: a clear error before any output, on one thread and on workers', () => {
    const zip = join(ROOT, 'samples', 'forms', 'zip-code.png');
    const bad = join(dir, 'bad-scan-model');
    mkdirSync(bad);
    writeFileSync(join(bad, 'model.json'), '{ not json');
    // One file is read in this thread; two are shared among worker threads, each loading the model.
    for (const files of [[zip], [zip, zip]]) {
      let r = runCli(['scan', ...files, '--model', join(dir, 'no-model'), '--format', 'csv', '--concurrency', '2']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/no-model\/model\.json: model not found/);
      expect(r.stdout).toBe(''); // not even the CSV header
      r = runCli(['scan', ...files, '--model', bad, '--format', 'csv', '--concurrency', '2']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/bad-scan-model\/model\.json: corrupt model: not valid JSON/);
      expect(r.stdout).toBe('');
    }
  }, 60000);

  test('a corrupt model is a clear error', () => {
    const bad = join(dir, 'bad-json');
    mkdirSync(bad);
    writeFileSync(join(bad, 'model.json'), '{ not json');
    let r = runCli(['classify', join(dir, 'd0.png'), '--model', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad-json\/model\.json: corrupt model: not valid JSON/);
    const short = join(dir, 'short-weights');
    mkdirSync(short);
    copyFileSync(join(model, 'model.json'), join(short, 'model.json'));
    writeFileSync(join(short, 'weights.bin'), readFileSync(join(model, 'weights.bin')).subarray(0, 1000));
    r = runCli(['classify', join(dir, 'd0.png'), '--model', short]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/corrupt model: weights are 1000 bytes, the manifest needs 150440/);
  });

  test('unknown --arch and unknown --backend are usage errors', () => {
    let r = runCli(['train', '--arch', 'resnet50', '--out', join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown --arch "resnet50": choose one of tf-cnn, lenet5, compact, edu-cnn, vgg-bn/);
    r = runCli(['classify', join(dir, 'd0.png'), '--backend', 'gpu']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Invalid values/);
  });

  test('evaluate on a folder of class folders: JSON and an HTML report with plots', () => {
    const data = join(dir, 'data');
    const d = mnistTest();
    for (let i = 0; i < 60; i++) {
      const c = d.labels[100 + i];
      mkdirSync(join(data, String(c)), { recursive: true });
    }
    return (async () => {
      for (let i = 0; i < 60; i++) await writeDigitPng(100 + i, join(data, String(d.labels[100 + i]), `${i}.png`), 2, true);
      const report = join(dir, 'report');
      const r = runCli(['evaluate', '--model', model, '--data', data, '--format', 'json', '--report', report]);
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.count).toBe(60);
      expect(j.accuracy).toBeGreaterThan(0.6);
      expect(j.accuracy).toBeLessThanOrEqual(1);
      expect(j.confusion).toHaveLength(10);
      for (const f of ['index.html', 'confusion-matrix.png', 'training-curves.png', 'metrics.json']) expect(existsSync(join(report, f))).toBe(true);
      const html = readFileSync(join(report, 'index.html'), 'utf8');
      expect(html).toContain(`${(100 * j.accuracy).toFixed(2)}%`);
      const t = runCli(['evaluate', '--model', model, '--data', data]);
      expect(t.stdout).toMatch(/accuracy \d+\.\d\d% of 60/);
    })();
  });
});
