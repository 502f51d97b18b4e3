/** Loading OpenCV.js (4.12, WebAssembly) once per thread, when first used, and moving images in and out of it. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryImage, Box, GrayImage } from '../types';
import { nativeImage } from './native';

// The package's typings describe the module object; its runtime needs onRuntimeInitialized first.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CV = any;

// The emscripten module is a thenable: resolving a Promise with it would recurse into its own
// then(). It travels wrapped in a plain object.
let loading: Promise<{ cv: CV }> | null = null;
/** Whether the module has been instantiated in this thread. */
let instantiated = false;

/**
 * Whether OpenCV.js has been instantiated in this thread: {@link loadOpenCV} defers it until a
 * member of the module is first used.
 */
export function openCVLoaded(): boolean {
  return instantiated;
}

/**
 * The folder where `native/opencv-split.js` cut OpenCV.js into its emscripten factory and its
 * binary at install time, when both are there and were cut from the installed file; null otherwise.
 */
function splitDir(): string | null {
  try {
    const dir = join(__dirname, '..', '..', 'native', 'opencv');
    const stamp = JSON.parse(readFileSync(join(dir, 'source.json'), 'utf8')) as { size: number; mtimeMs: number };
    const { size, mtimeMs } = statSync(require.resolve('@techstark/opencv-js'));
    if (stamp.size !== size || stamp.mtimeMs !== mtimeMs) return null;
    return existsSync(join(dir, 'opencv-glue.js')) && existsSync(join(dir, 'opencv.wasm')) ? dir : null;
  } catch {
    return null;
  }
}

/** The split's factory and binary (see {@link splitDir}). */
function readSplit(dir: string): { create: (module: object) => CV; wasm: ArrayBuffer } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const create = require(join(dir, 'opencv-glue.js'));
  if (typeof create !== 'function') throw new Error(`${join(dir, 'opencv-glue.js')} is not an emscripten factory (run node native/opencv-split.js)`);
  const bytes = readFileSync(join(dir, 'opencv.wasm'));
  // An ArrayBuffer: emscripten wraps it in a Uint8Array, which would copy a Buffer byte by byte.
  const wasm = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { create, wasm };
}

/**
 * The OpenCV module from the install-time split, instantiated synchronously: the binary compiled
 * and the runtime initialized within the call (~0.3 s).
 */
function instantiateSplit(split: { create: (module: object) => CV; wasm: ArrayBuffer }): CV {
  // Node's WebAssembly API (the project's TypeScript libraries do not describe it).
  const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: ArrayBuffer) => object; Instance: new (module: object, imports: object) => { exports: object } } }).WebAssembly;
  let ready = false;
  const cv = split.create({
    wasmBinary: split.wasm,
    instantiateWasm(imports: object, receive: (instance: { exports: object }) => void) {
      const instance = new wasm.Instance(new wasm.Module(split.wasm), imports);
      receive(instance);
      return instance.exports;
    },
    onRuntimeInitialized() {
      ready = true;
    },
  });
  if (!ready || !cv.Mat) throw new Error('OpenCV.js did not initialize synchronously');
  delete cv.then;
  instantiated = true;
  return cv;
}

/**
 * A stand-in for the OpenCV module that instantiates it the first time one of its members is
 * used. A page's preprocessing needs none on the common path (see `grid.ts`), so a scan worker
 * that never meets a step that still uses OpenCV (CLAHE, adaptive threshold, a reduction by other
 * than 2) never pays its ~0.3 s.
 */
function lazyOpenCV(dir: string): CV {
  let cv: CV = null;
  // A module that failed to load fails the same way at every later use, without trying again.
  let failure: Error | null = null;
  const real = () => {
    if (cv) return cv;
    if (failure) throw failure;
    try {
      cv = instantiateSplit(readSplit(dir));
    } catch (e) {
      failure = new Error(`OpenCV.js could not be loaded: ${(e as Error).message}`);
      throw failure;
    }
    return cv;
  };
  return new Proxy(
    {},
    {
      // Not a thenable: awaiting the stand-in must not load the module.
      get: (_, key) => (key === 'then' ? undefined : real()[key]),
      set: (_, key, value) => {
        real()[key] = value;
        return true;
      },
      has: (_, key) => key in real(),
    },
  );
}

/**
 * Resolves with the OpenCV module. With OpenCV.js split at install time (the normal case), this is
 * a stand-in that loads it, synchronously, the first time one of its members is used (~0.3 s once
 * per thread); otherwise the module itself, loaded and initialized (about 0.5 s the first time).
 */
export async function loadOpenCV(): Promise<CV> {
  loading ??= new Promise((resolve, reject) => {
    try {
      const dir = splitDir();
      if (dir) {
        resolve({ cv: lazyOpenCV(dir) });
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const cv = require('@techstark/opencv-js');
      const ready = () => {
        // Once initialized, its then() has no use left; without it the module is a plain value.
        delete cv.then;
        instantiated = true;
        resolve({ cv });
      };
      if (cv.Mat) ready();
      else cv.onRuntimeInitialized = ready;
    } catch (e) {
      reject(e);
    }
  });
  return (await loading).cv;
}

/** Copies an 8-bit image into a new single-channel Mat (the caller deletes it). */
export function toMat(cv: CV, img: GrayImage | BinaryImage) {
  const m = new cv.Mat(img.height, img.width, cv.CV_8UC1);
  m.data.set(img.data);
  return m;
}

/** Copies a single-channel 8-bit Mat out as a plain image. */
export function fromMat(m: { rows: number; cols: number; data: Uint8Array }): GrayImage {
  return { width: m.cols, height: m.rows, data: new Uint8Array(m.data) };
}

/** One 8-connected blob of ink. */
export interface Component {
  /** Label in {@link Components.labels}. */
  label: number;
  box: Box;
  area: number;
}

/** Connected components of a binary image, as plain values. */
export interface Components {
  list: Component[];
  /** Per-pixel label (0 = background), same size as the image. */
  labels: Int32Array;
  width: number;
  height: number;
}

/**
 * The 8-connected components of `bin` labelled by the native addon (the same labels, in the same
 * order, as OpenCV's; about a tenth of its time on a page), or null when it is not built.
 */
function nativeComponents(bin: BinaryImage): { list: Component[]; labels: Int32Array } | null {
  const native = nativeImage();
  if (!native) return null;
  const labels = new Int32Array(bin.width * bin.height);
  if (labels.length === 0) return { list: [], labels };
  const stats = native.labelComponents(bin.data, bin.width, bin.height, labels);
  const list: Component[] = [];
  for (let i = 0, k = 0; k < stats.length; i++, k += 5) list.push({ label: i + 1, box: [stats[k], stats[k + 1], stats[k + 2], stats[k + 3]], area: stats[k + 4] });
  return { list, labels };
}

/**
 * Labels the 8-connected components of `bin` (1 = ink) and hands them to `use` with the label
 * image, valid only during the call (with OpenCV, a view into its memory: no copy of a page of
 * labels). Labels are numbered as OpenCV numbers them, natively when the addon is built.
 */
export function labelComponents<T>(cv: CV, bin: BinaryImage, use: (list: Component[], labels: Int32Array) => T): T {
  const native = nativeComponents(bin);
  if (native) return use(native.list, native.labels);
  const src = toMat(cv, bin);
  const labels = new cv.Mat();
  const stats = new cv.Mat();
  const cents = new cv.Mat();
  try {
    const n = cv.connectedComponentsWithStats(src, labels, stats, cents, 8, cv.CV_32S);
    const list: Component[] = [];
    for (let i = 1; i < n; i++) {
      list.push({
        label: i,
        box: [stats.intAt(i, cv.CC_STAT_LEFT), stats.intAt(i, cv.CC_STAT_TOP), stats.intAt(i, cv.CC_STAT_WIDTH), stats.intAt(i, cv.CC_STAT_HEIGHT)],
        area: stats.intAt(i, cv.CC_STAT_AREA),
      });
    }
    return use(list, labels.data32S as Int32Array);
  } finally {
    src.delete();
    labels.delete();
    stats.delete();
    cents.delete();
  }
}

/** Labels the 8-connected components of `bin` (1 = ink), as plain values. */
export function components(cv: CV, bin: BinaryImage): Components {
  const native = nativeComponents(bin);
  if (native) return { ...native, width: bin.width, height: bin.height };
  return labelComponents(cv, bin, (list, labels) => ({ list, labels: new Int32Array(labels), width: bin.width, height: bin.height }));
}
