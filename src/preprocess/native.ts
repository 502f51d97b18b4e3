/**
 * The native image kernels (native/src/image.cc, in the addon that `npm install` builds when the
 * machine has a compiler): thresholding against per-cell levels (of the page, and of the page as
 * deskewing rotates it), the paper's histogram and cell sums, and finding ink runs, the page-size
 * loops of preprocessing. They give the same results as the TypeScript loops in steps.ts, which run
 * without the addon (not built, or `DIGITSCAN_NATIVE=0`), and they cost the same from the first
 * page, where the loops run unoptimized until V8 has compiled them. Labelling connected components
 * stands in for OpenCV's (the same labels), in about a tenth of its time.
 */
import { nativeAddon } from '../native';

/** The addon's image functions. */
export interface NativeImage {
  /** `out[i]` = 1 where `gray[i] < thresholds[y * cells + floor(x / cell)]` (cells = ceil(width / cell)), else 0. */
  thresholdCells(gray: Uint8Array, width: number, height: number, cell: number, thresholds: Int32Array, out: Uint8Array): void;
  /** Runs of nonzero pixels along rows, as triples y, start, end (see `rowRuns` in steps.ts). */
  rowRuns(data: Uint8Array, width: number, height: number): Int32Array;
  /** Runs of nonzero pixels down columns, as triples x, start, end, in the order of steps.ts's `columnRuns`. */
  columnRuns(data: Uint8Array, width: number, height: number): Int32Array;
  /**
   * Adds to `hist` (256 bins) every `step`th row's pixels times their cell's gain, `gains[(y / step) *
   * cells + x / cell]` in 16.16 fixed point, as JavaScript's `(v * gain) >> 16` (over 255: 255; negative: not counted).
   */
  paperHistogram(gray: Uint8Array, width: number, height: number, cell: number, gains: Int32Array, step: number, hist: Int32Array): void;
  /**
   * Adds to `sums` the gray levels of each cell (`ceil(width / cell)` a row) over every `step`th row;
   * with a `mask`, only where it is 0, counted in `counts` when given.
   */
  cellSums(gray: Uint8Array, width: number, height: number, cell: number, mask: Uint8Array | null, step: number, sums: Float64Array, counts: Int32Array | null): void;
  /**
   * Samples chunks of rows of `src` rotated (bilinear, 16.16 fixed point, as steps.ts's rotation) and
   * thresholds them at one level (`out0`) or two (`out1`): chunk k is `chunks[6k..6k+5]` = y, x0, x1,
   * fx, fy (the source of (x0, y)), t (`tables[t + x / cell]` the first level's threshold at x,
   * `tables[t + cells + x / cell]` the second's, cells = ceil(width / cell)); each pixel steps the
   * source by `dx`, `dy`.
   */
  rotateThreshold(src: Uint8Array, width: number, height: number, chunks: Int32Array, dx: number, dy: number, cell: number, tables: Int32Array, out0: Uint8Array, out1: Uint8Array | null): void;
  /**
   * Labels the 8-connected components of `data` (nonzero = ink) into `labels` (0 = none), numbered as
   * OpenCV's `connectedComponentsWithStats` numbers them; returns left, top, width, height, area of
   * each, five a component.
   */
  labelComponents(data: Uint8Array, width: number, height: number, labels: Int32Array): Int32Array;
}

let loaded: NativeImage | null | undefined;

/** The native image kernels, or null (the TypeScript loops are used). */
export function nativeImage(): NativeImage | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const addon = nativeAddon().addon as Partial<NativeImage> | null;
  // An addon built before these kernels existed has none of them (the TypeScript loops are used).
  if (addon && ['thresholdCells', 'rowRuns', 'columnRuns', 'paperHistogram', 'cellSums', 'rotateThreshold', 'labelComponents'].every((f) => typeof addon[f as keyof NativeImage] === 'function')) loaded = addon as NativeImage;
  return loaded;
}

/**
 * Turns the native image kernels off (`false`) or back on (`true`, when built): for tests that
 * compare the two.
 * @internal
 */
export function useNativeImage(on: boolean): void {
  loaded = on ? undefined : null;
}
