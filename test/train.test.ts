import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../src/classify/train';
import { tmp } from './helpers';

describe('training (data-parallel workers)', () => {
  const out = join(tmp(), 'compact');

  test('a short seeded run clearly beats chance and saves a usable model with metadata', async () => {
    const r = await train({ arch: 'compact', epochs: 1, limit: 4000, batchSize: 64, seed: 3, out, workers: 2, testAtEnd: true });
    expect(r.interrupted).toBe(false);
    expect(r.history).toHaveLength(1);
    expect(r.history[0].valAccuracy!).toBeGreaterThan(0.7); // chance is 0.1
    expect(r.testAccuracy!).toBeGreaterThan(0.7);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    const meta = json.userDefinedMetadata;
    expect(meta.arch).toBe('compact');
    expect(meta.normalization.fit).toBe(20);
    expect(meta.training.recipe.batchSize).toBe(64);
    expect(meta.training.seed).toBe(3);
    expect(meta.metrics.mnistTestAccuracy).toBeCloseTo(r.testAccuracy!, 6);
    expect(meta.data.source).toBe('mnist');
    expect(existsSync(join(out, 'checkpoint', 'state.json'))).toBe(true);
  });

  test('an interrupted run leaves a checkpoint that --resume continues', async () => {
    const dir = join(tmp(), 'interrupted');
    const signal = { stopped: false };
    const r = await train({
      arch: 'compact', epochs: 2, limit: 3000, batchSize: 100, seed: 4, out: dir, workers: 2, testAtEnd: false, signal,
      onProgress: (p) => { if (p.epoch === 1 && p.step === 10) signal.stopped = true; },
    });
    expect(r.interrupted).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, 'checkpoint', 'state.json'), 'utf8'));
    expect(state.epoch).toBe(0);
    expect(state.step).toBe(10);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    const steps: number[] = [];
    const resumed = await train({ out: dir, resume: true, workers: 2, testAtEnd: false, onProgress: (p) => steps.push(p.step) });
    expect(resumed.interrupted).toBe(false);
    expect(steps[0]).toBe(11); // continued where it stopped, not from the start
    expect(resumed.history).toHaveLength(2);
    expect(resumed.history[1].valAccuracy!).toBeGreaterThan(0.7);
  });

  test('the same seed gives the same result', async () => {
    const a = await train({ arch: 'compact', epochs: 1, limit: 1000, batchSize: 50, seed: 7, out: join(tmp(), 'a'), workers: 2, testAtEnd: false });
    const b = await train({ arch: 'compact', epochs: 1, limit: 1000, batchSize: 50, seed: 7, out: join(tmp(), 'b'), workers: 2, testAtEnd: false });
    expect(b.history[0].loss).toBeCloseTo(a.history[0].loss, 5);
    expect(b.history[0].valAccuracy).toBe(a.history[0].valAccuracy);
  });

  test('bad options are refused with a clear message', async () => {
    await expect(train({ arch: 'nope', out: join(tmp(), 'x') })).rejects.toThrow(/unknown --arch "nope"/);
    await expect(train({ arch: 'compact', augment: 'wild', out: join(tmp(), 'x') })).rejects.toThrow(/unknown --augment "wild"/);
    await expect(train({ out: join(tmp(), 'none'), resume: true })).rejects.toThrow(/no checkpoint/);
  });
});
