/**
 * Printed currency signs as the scan pipeline cuts them, to train a model that tells them from
 * digits (`models/signs`): amounts are printed after a `$` (or `€`, `£`, `¥`), inside their box on
 * many checks and forms, and a digit model reads a `$` as a 5. Each sign is drawn by
 * @napi-rs/canvas in one of the fonts it has, in a random style, size, slant and tilt, sometimes
 * bent as a hand would draw it, thresholded to ink and normalized as the pipeline normalizes a
 * component.
 */
import { join, dirname } from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { allocDataset, REJECT_LABEL, type DigitDataset } from '../classify/data/dataset';
import { Rng } from '../classify/data/random';
import { normalizeDigit } from '../segment/normalize';

/** The signs drawn, and how often (of 1). */
export const SIGNS: Array<[sign: string, share: number]> = [['$', 0.55], ['€', 0.2], ['£', 0.13], ['¥', 0.12]];

/** Font families never drawn from: symbol, math and dingbat fonts, whose `$` is not a currency sign's shape or is missing. */
const NOT_TEXT = /symbol|dingbat|math|D050000L|emoji/i;

let registered = false;

/**
 * The font families a sign can be drawn in: Liberation Sans, which pdfjs-dist ships (so every
 * install has a font), and whatever text fonts the system has.
 */
export function signFonts(): string[] {
  if (!registered) {
    const dir = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts');
    for (const style of ['Regular', 'Bold', 'Italic', 'BoldItalic']) GlobalFonts.registerFromPath(join(dir, `LiberationSans-${style}.ttf`), 'Liberation Sans');
    registered = true;
  }
  return [...new Set(GlobalFonts.families.map((f) => f.family))].filter((f) => !NOT_TEXT.test(f)).sort();
}

/** Options of {@link makeSignSet}. */
export interface SignSetOptions {
  /** Number of signs. */
  count: number;
  /** Seed of every random choice. */
  seed?: number;
  /** Font families to draw in (default {@link signFonts}). */
  fonts?: string[];
}

const SIZE = 96;

/**
 * `count` currency signs as 28x28 crops labelled {@link REJECT_LABEL} ("not a digit"), to be
 * joined with digits (`train --data 'mnist,SIGNS'`). A sign a font lacks (drawn as the font's
 * empty box) is drawn in another.
 *
 * @example
 * const set = makeSignSet({ count: 6000, seed: 1 }); saveIdxSet(set, 'runs/signs');
 */
export function makeSignSet(options: SignSetOptions): DigitDataset {
  const rng = new Rng(options.seed ?? 1);
  const fonts = options.fonts ?? signFonts();
  if (!fonts.length) throw new Error('no font to draw signs in');
  const set = allocDataset(options.count, `signs (${fonts.length} fonts)`);
  const canvas = createCanvas(SIZE, SIZE);
  const ctx = canvas.getContext('2d');
  const missing = new Map<string, Uint8Array | null>();
  /** The mask of `text` drawn in `font` at `px`, tilted and slanted; null when no ink. */
  const draw = (text: string, font: string, px: number, tilt: number, slant: number): Uint8Array => {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.setTransform(Math.cos(tilt), Math.sin(tilt), -Math.sin(tilt) + slant, Math.cos(tilt), SIZE / 2, SIZE / 2);
    ctx.fillStyle = '#000';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.font = font.replace('PX', `${px}px`);
    ctx.fillText(text, 0, 0);
    const d = ctx.getImageData(0, 0, SIZE, SIZE).data;
    const g = new Uint8Array(SIZE * SIZE);
    for (let i = 0; i < g.length; i++) g[i] = d[4 * i];
    return g;
  };
  /** Whether `sign` in `family` is drawn as the font's empty box (the glyph of a private-use character). */
  const lacks = (sign: string, family: string): boolean => {
    const key = `"${family}"`;
    if (!missing.has(key)) missing.set(key, draw('\uE000', `PX ${key}`, 60, 0, 0));
    const none = missing.get(key)!;
    const g = draw(sign, `PX ${key}`, 60, 0, 0);
    let same = true;
    let ink = 0;
    for (let i = 0; i < g.length; i++) {
      if (g[i] < 128) ink++;
      if (g[i] < 128 !== none[i] < 128) same = false;
    }
    return same || ink === 0;
  };
  const have = new Map<string, string[]>(SIGNS.map(([s]) => [s, fonts.filter((f) => !lacks(s, f))]));
  for (let n = 0; n < options.count; n++) {
    let r = rng.next();
    const sign = SIGNS.find(([, share]) => (r -= share) < 0)?.[0] ?? '$';
    const families = have.get(sign)!.length ? have.get(sign)! : fonts;
    const family = families[rng.int(families.length)];
    const style = `${rng.next() < 0.3 ? 'italic ' : ''}${rng.next() < 0.35 ? 'bold ' : ''}`;
    let g = draw(sign, `${style}PX "${family}"`, Math.round(rng.uniform(40, 64)), rng.uniform(-0.12, 0.12), rng.uniform(-0.15, 0.15));
    // A third bent as a hand draws it: a smooth random displacement of a few pixels.
    if (rng.next() < 0.35) g = bend(g, rng, rng.uniform(1.5, 4));
    // Ink as the pipeline thresholds it, at a random level (thinner or bolder strokes), never so
    // low that a thin stroke (a light font's $ bar) is lost.
    const level = rng.uniform(120, 200);
    const data = new Uint8Array(g.length);
    for (let i = 0; i < g.length; i++) data[i] = g[i] < level ? 255 : 0;
    const crop = normalizeDigit({ width: SIZE, height: SIZE, data }, { polarity: 'light-on-dark' });
    for (let i = 0; i < 784; i++) set.images[n * 784 + i] = Math.round(crop.pixels[i] * 255);
    set.labels[n] = REJECT_LABEL;
  }
  return set;
}

/** `g` (SIZE x SIZE grey) displaced by a smooth random field of about `amount` pixels (bilinear). */
function bend(g: Uint8Array, rng: Rng, amount: number): Uint8Array {
  // A coarse grid of random offsets, interpolated: smooth over a quarter of the image.
  const N = 5;
  const dx = Array.from({ length: N * N }, () => rng.uniform(-amount, amount));
  const dy = Array.from({ length: N * N }, () => rng.uniform(-amount, amount));
  const at = (f: number[], x: number, y: number) => {
    const gx = (x / (SIZE - 1)) * (N - 1);
    const gy = (y / (SIZE - 1)) * (N - 1);
    const x0 = Math.min(N - 2, Math.floor(gx));
    const y0 = Math.min(N - 2, Math.floor(gy));
    const [fx, fy] = [gx - x0, gy - y0];
    return (1 - fy) * ((1 - fx) * f[y0 * N + x0] + fx * f[y0 * N + x0 + 1]) + fy * ((1 - fx) * f[(y0 + 1) * N + x0] + fx * f[(y0 + 1) * N + x0 + 1]);
  };
  const out = new Uint8Array(g.length).fill(255);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const sx = x + at(dx, x, y);
      const sy = y + at(dy, x, y);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= SIZE - 1 || y0 >= SIZE - 1) continue;
      const [fx, fy] = [sx - x0, sy - y0];
      const p = (xx: number, yy: number) => g[yy * SIZE + xx];
      out[y * SIZE + x] = Math.round((1 - fy) * ((1 - fx) * p(x0, y0) + fx * p(x0 + 1, y0)) + fy * ((1 - fx) * p(x0, y0 + 1) + fx * p(x0 + 1, y0 + 1)));
    }
  }
  return out;
}
