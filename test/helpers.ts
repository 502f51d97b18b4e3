/** Shared test helpers: temp folders, MNIST digits as image files, running the CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { loadMnist } from '../src/classify/data/dataset';
import type { GrayImage } from '../src/types';

export const ROOT = resolve(__dirname, '..');
export const CLI = join(ROOT, 'bin', 'digitscan.js');

const made: string[] = [];

/** A new temp folder, removed after the test file's tests ({@link removeTemps}, run by `test/setup.ts`). */
export function tmp(prefix = 'digitscan-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the temp folders {@link tmp} made. */
export function removeTemps(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

let test: ReturnType<typeof loadMnist> | null = null;
export function mnistTest() {
  return (test ??= loadMnist('test'));
}

/**
 * Writes MNIST test digit `i` as a scan-like PNG: dark ink on white, enlarged `scale` times.
 * Returns its label.
 */
export async function writeDigitPng(i: number, file: string, scale = 3, invert = true): Promise<number> {
  const d = mnistTest();
  const px = Buffer.from(d.images.subarray(i * 784, (i + 1) * 784));
  let img = sharp(px, { raw: { width: 28, height: 28, channels: 1 } });
  if (invert) img = img.negate();
  await img.resize(28 * scale, 28 * scale, { kernel: 'lanczos3' }).png().toFile(file);
  return d.labels[i];
}

/** A light page with dark filled rectangles (x, y, w, h). */
export function page(width: number, height: number, rects: Array<[number, number, number, number]>, ink = 20, paper = 235): GrayImage {
  const data = new Uint8Array(width * height).fill(paper);
  for (const [x0, y0, w, h] of rects) for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = ink;
  return { width, height, data };
}

/** Runs the CLI; returns exit status and output. */
export function runCli(args: string[], timeout = 120000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
