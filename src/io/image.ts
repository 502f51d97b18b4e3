/**
 * Decoding raster images with sharp into {@link GrayImage}s. PNG, JPEG, TIFF (every page), WebP,
 * GIF, AVIF and whatever else the installed sharp reads; BMP (which libvips does not read, and older
 * scanning software writes) by Skia, through @napi-rs/canvas; HEIC (phones' photos; every image) by
 * libheif in WebAssembly (see `heif`); PNM (binary, as SANE scans; or plain ASCII) by a few
 * lines here.
 */
import { readFileSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { nativeAddon } from '../native';
import { decodeHeic, heicPageCount, isHeic } from './heif';
import { BytesSource, FileSource, type ByteSource } from './pdf-file';
import type { GrayImage } from '../types';

/** Raised for an input that cannot be read; the message names the file (and page) and the problem. */
export class InputError extends Error {
  constructor(
    readonly source: string,
    readonly page: number | undefined,
    readonly problem: string,
  ) {
    super(`${source}${page !== undefined ? ` (page ${page})` : ''}: ${problem}`);
    this.name = 'InputError';
  }
}

/** Default limit on decoded pixels per page (width x height), as sharp's. */
export const DEFAULT_PIXEL_LIMIT = 268_402_689;

/** Options for {@link decodeImage}. */
export interface DecodeOptions {
  /** 0-based page of a multi-page image (TIFF, GIF). Default 0. */
  page?: number;
  /** Refuse pages with more pixels than this. Default {@link DEFAULT_PIXEL_LIMIT}. */
  pixelLimit?: number;
  /**
   * Reduce a page whose shorter side is longer than this to that size as it is decoded (sharp's
   * resize, before the conversion to gray: a 300-dpi letter page read at 150 dpi costs a quarter of
   * the conversion; a page exactly twice the size is halved by the native addon, see `grayOf`). The pixel limit applies to the page as stored. Default: the page's own size.
   *
   * @example
   * const { image, size } = await decodePage('scan.png', { maxShortSide: 1275 });
   */
  maxShortSide?: number;
}

/** A decoded page and the size it is stored at (boxes found on `image` map back to `size`). */
export interface DecodedPage {
  image: GrayImage;
  size: { width: number; height: number };
  /**
   * Pixels per inch of `image`, when the file says (PNG pHYs, JPEG and TIFF resolution) and it is
   * plausible for a scan (see {@link scanPpi}); the pipeline then knows the page's scale whatever
   * its size (a check, a postcard), not only for letter and A4 pages.
   */
  ppi?: number;
}

/** The longest side of a page whose stated resolution is believed, in inches (A3 and tabloid: 16.5 and 17). */
export const MAX_PAGE_INCHES = 17.5;

/** Resolutions software writes when it knows none (Mac and Windows defaults): not a scan's. */
export const DEFAULT_PPIS: readonly number[] = [72, 96];

/** The lowest stated resolution believed for a scan, in pixels per inch. */
export const MIN_SCAN_PPI = 25;

/**
 * A resolution a file declares for a `width` x `height` image, if it is plausible for a scan:
 * 25 dpi or more but not 72 or 96 (what software writes when it knows nothing: {@link DEFAULT_PPIS}),
 * and the page at most 17.5 inches long (an image saved at an arbitrary "300 dpi" from a 5000-pixel
 * photo is not a 17-inch page); else undefined. A page scanned at 50 or 100 dpi, or sent as a fax,
 * says so; a 50-dpi letter page (425 x 550) of unknown resolution is under 600 px a side, and read
 * first as a field cut out of a page (then as a page if it reads poorly so: see `SMALL_PAGE`).
 *
 * @example
 * scanPpi(300, 1800, 825); // 300: a check scanned at 300 dpi
 * scanPpi(50, 425, 550); // 50: a letter page scanned at 50 dpi
 * scanPpi(72, 3024, 4032); // undefined: a photo's default
 */
export function scanPpi(ppi: number | undefined, width: number, height: number): number | undefined {
  if (!ppi || !Number.isFinite(ppi) || ppi < MIN_SCAN_PPI || DEFAULT_PPIS.some((d) => Math.abs(ppi - d) < 0.5)) return undefined;
  return Math.max(width, height) / ppi <= MAX_PAGE_INCHES ? ppi : undefined;
}

function problemOf(e: unknown, input: string | Buffer): string {
  const msg = (e as Error).message ?? String(e);
  if (/unsupported image format/i.test(msg)) return isEmpty(input) ? 'empty file (0 bytes)' : 'not an image sharp can decode (unsupported or corrupt format)';
  if (/ENOENT|no such file/i.test(msg)) return 'file not found';
  if (/pixel limit/i.test(msg)) return `image exceeds the pixel limit (${msg})`;
  return `cannot decode image (${msg.replace(/\s+/g, ' ').trim()})`;
}

/** Whether an input is a file or buffer of no bytes. */
function isEmpty(input: string | Buffer): boolean {
  try {
    return typeof input === 'string' ? statSync(input).size === 0 : input.length === 0;
  } catch {
    return false;
  }
}

/** A file or buffer read at offsets (see `pdf-file`); a file is opened, to be closed. */
function sourceOf(input: string | Buffer): ByteSource {
  return typeof input === 'string' ? new FileSource(input) : new BytesSource(input);
}

/** The first `n` bytes of a file or buffer (fewer if it is shorter). */
function headOf(input: string | Buffer, n: number): Uint8Array {
  const source = sourceOf(input);
  try {
    return source.read(0, n);
  } finally {
    source.close();
  }
}

/** What the first bytes of an input say it is, of the formats sharp's libvips does not read: BMP, PNM (P1 to P6), HEIC; else null. */
function sniff(input: string | Buffer): 'bmp' | 'pnm' | 'heic' | null {
  let head: Uint8Array;
  try {
    head = headOf(input, 64);
  } catch {
    return null; // sharp reports what is wrong
  }
  if (isHeic(head)) return 'heic';
  const s = Buffer.from(head.subarray(0, 3)).toString('latin1');
  if (s.startsWith('BM') && s.length === 3) return 'bmp';
  return /^P[1-6]\s$/.test(s) ? 'pnm' : null;
}

/** A BMP decoded by Skia (@napi-rs/canvas) to RGBA, as a sharp pipeline; over `limit` pixels is an error. */
async function bmpPipeline(input: string | Buffer, limit: number): Promise<ReturnType<typeof sharp>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createCanvas, loadImage } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
  let img: Awaited<ReturnType<typeof loadImage>>;
  try {
    img = await loadImage(input);
  } catch {
    throw new Error('a BMP that Skia cannot decode');
  }
  const { width, height } = img;
  if (width * height > limit) throw new Error(`Input image exceeds pixel limit (${width}x${height})`);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } });
}

/** One image of a HEIC (see `heif`), decoded to RGB by libheif, as a sharp pipeline. */
async function heicPipeline(input: string | Buffer, page: number, limit: number): Promise<ReturnType<typeof sharp>> {
  const { data, width, height } = await decodeHeic(input, page, limit);
  return sharp(data, { raw: { width, height, channels: 3 } });
}

/**
 * A PNM as a sharp pipeline of 8-bit samples: binary (as SANE's `scanimage` writes scans by default:
 * P4 bitonal, P5 grey, P6 RGB; 8 or 16 bits a sample) or plain, in ASCII digits (P1, P2, P3, as
 * netpbm's `-plain` and some teaching tools write them); over `limit` pixels is an error.
 */
function pnmPipeline(input: string | Buffer, limit: number): ReturnType<typeof sharp> {
  const bytes = typeof input === 'string' ? readFileSync(input) : input;
  // The header: magic, width, height and (but for P4) the largest sample, separated by white space
  // and comments, then one white-space byte before the samples.
  let at = 2;
  const next = (): number => {
    for (;;) {
      while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at]))) at++;
      if (bytes[at] !== 0x23) break;
      while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++;
    }
    const start = at;
    while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) at++;
    if (at === start) throw new Error('a PNM whose header is damaged or cut short');
    return Number(bytes.toString('latin1', start, at));
  };
  const kind = bytes[1] - 0x30; // 1 to 6
  const [width, height] = [next(), next()];
  const max = kind === 4 || kind === 1 ? 1 : next();
  if (kind >= 4) at++; // the one white-space byte
  if (width < 1 || height < 1 || max < 1 || max > 65535) throw new Error('a PNM whose header is damaged or cut short');
  if (width * height > limit) throw new Error(`Input image exceeds pixel limit (${width}x${height})`);
  if (kind <= 3) {
    // Samples in ASCII digits, separated by white space (a P1's bits may also run together: 1 black).
    const channels = kind === 3 ? 3 : 1;
    const out = Buffer.alloc(width * height * channels);
    for (let i = 0; i < out.length; i++) {
      if (kind === 1) {
        while (at < bytes.length && bytes[at] !== 0x30 && bytes[at] !== 0x31) {
          if (bytes[at] === 0x23) while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++;
          else if (!/\s/.test(String.fromCharCode(bytes[at]))) throw new Error('a PNM whose data is damaged');
          else at++;
        }
        if (at >= bytes.length) throw new Error('a PNM whose data is shorter than its size');
        out[i] = bytes[at++] === 0x31 ? 0 : 255;
      } else {
        if (at >= bytes.length) throw new Error('a PNM whose data is shorter than its size');
        out[i] = Math.round((Math.min(next(), max) * 255) / max);
      }
    }
    return sharp(out, { raw: { width, height, channels } });
  }
  if (kind === 4) {
    // Rows of bits padded to bytes, a set bit black.
    if (bytes.length < at + ((width + 7) >> 3) * height) throw new Error('a PNM whose data is shorter than its size');
    return sharp(Buffer.from(bitsToGray(bytes.subarray(at), width, height, 0).buffer), { raw: { width, height, channels: 1 } });
  }
  const channels = kind === 6 ? 3 : 1;
  const n = width * height * channels;
  const wide = max > 255;
  if (bytes.length < at + n * (wide ? 2 : 1)) throw new Error('a PNM whose data is shorter than its size');
  const out = Buffer.alloc(n);
  if (max === 255) bytes.copy(out, 0, at, at + n);
  else for (let i = 0; i < n; i++) out[i] = Math.round(((wide ? bytes.readUInt16BE(at + 2 * i) : bytes[at + i]) * 255) / max);
  return sharp(out, { raw: { width, height, channels } });
}

/**
 * 8-bit gray from rows of bits (most significant first, each row padded to a byte): a set bit is
 * `set` (0: black, as PBM; 255: white), a clear one the other.
 */
export function bitsToGray(bits: Uint8Array | Uint8ClampedArray, width: number, height: number, set: 0 | 255): Uint8Array {
  const out = new Uint8Array(width * height);
  const stride = (width + 7) >> 3;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = bits[y * stride + (x >> 3)] & (0x80 >> (x & 7)) ? set : 255 - set;
  return out;
}

/** Number of pages in an image file (1 for single-page formats). */
export async function imagePageCount(input: string | Buffer, name = String(input)): Promise<number> {
  try {
    const kind = sniff(input);
    if (kind === 'heic') return await heicPageCount(input);
    if (kind) return 1;
    const meta = await sharp(input, { limitInputPixels: false }).metadata();
    return meta.pages ?? 1;
  } catch (e) {
    throw new InputError(name, undefined, problemOf(e, input));
  }
}

/**
 * 8-bit gray from `channels` interleaved 8-bit channels (gray, gray+alpha, RGB, RGBA): Rec. 601
 * luma, transparency flattened onto white.
 */
export function toGray(data: Uint8Array | Uint8ClampedArray, n: number, channels: number): Uint8Array {
  if (channels === 1) return new Uint8Array(data.buffer, data.byteOffset, n);
  const g = new Uint8Array(n);
  if (channels === 3) {
    // The common case (colour scans), kept branch-free: about 3x the general loop.
    for (let i = 0, j = 0; i < n; i++, j += 3) g[i] = (data[j] * 19595 + data[j + 1] * 38470 + data[j + 2] * 7471 + 32768) >>> 16;
    return g;
  }
  const alpha = channels === 2 || channels === 4;
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    let v = channels >= 3 ? (data[j] * 19595 + data[j + 1] * 38470 + data[j + 2] * 7471 + 32768) >> 16 : data[j];
    if (alpha) {
      const a = data[j + channels - 1];
      v = (v * a + 255 * (255 - a) + 127) / 255;
    }
    g[i] = v;
  }
  return g;
}

/**
 * Decodes one page of an image to 8-bit grayscale; transparency is flattened onto white.
 *
 * @example
 * const img = await decodeImage('scan.tiff', { page: 2 });
 */
export async function decodeImage(
  input: string | Buffer,
  options: DecodeOptions = {},
  name = typeof input === 'string' ? input : '<buffer>',
): Promise<GrayImage> {
  return (await decodePage(input, options, name)).image;
}

/**
 * Decodes one page of an image to 8-bit grayscale, reduced to `maxShortSide` if asked, with the
 * size the page is stored at.
 *
 * @example
 * const { image, size } = await decodePage('scan.png', { maxShortSide: 1275 });
 */
export async function decodePage(
  input: string | Buffer,
  options: DecodeOptions = {},
  name = typeof input === 'string' ? input : '<buffer>',
): Promise<DecodedPage> {
  const page = options.page ?? 0;
  const limit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  try {
    // Decoded as stored (8 bits a channel, sRGB) and brought to gray here: sharp's greyscale()
    // goes through linear light and costs more than the decoding itself on a colour page.
    const kind = sniff(input);
    let pipeline =
      kind === 'bmp' ? await bmpPipeline(input, limit) : kind === 'pnm' ? pnmPipeline(input, limit) : kind === 'heic' ? await heicPipeline(input, page, limit) : sharp(input, { page, limitInputPixels: limit });
    const meta = await pipeline.metadata();
    // A grey image stays grey: sharp's output is sRGB unless told otherwise, and would triple it
    // (with transparency, toGray flattens it onto white).
    if ((meta.space === 'b-w' || meta.space === 'grey16') && !meta.hasAlpha) pipeline = pipeline.toColourspace('b-w');
    // An EXIF orientation (cameras, some scanners and phone apps store the pixels turned and say so)
    // is applied, so the page is the one every viewer shows, and boxes are in its pixels.
    const orientation = meta.orientation ?? 1;
    if (orientation > 1) pipeline = pipeline.autoOrient();
    const [w, h] = [meta.width ?? 0, meta.height ?? 0];
    const turned = orientation >= 5;
    const size = turned ? { width: h, height: w } : { width: w, height: h };
    // Pixels that are not square (a fax at 204 x 98 dpi stores each pixel twice as tall as wide) are
    // made square, the short way stretched, so digits keep their shape; `size`, the page as stored,
    // is what boxes map back to.
    const res = meta.format === 'tiff' ? tiffResolution(input, page) : null;
    const stored = squarePixels(w, h, res ? res.x / res.y : 1);
    // sharp's density is the horizontal one; pixels made square take the finer of the two.
    const density = meta.density && res ? (meta.density * Math.max(res.x, res.y)) / res.x : meta.density;
    const withPpi = (image: GrayImage, square: { width: number; height: number }): DecodedPage => {
      const ppi = density ? scanPpi((density * image.width) / square.width, image.width, image.height) : undefined;
      return { image, size, ...(ppi ? { ppi } : {}) };
    };
    if (!stored && !(options.maxShortSide && options.maxShortSide > 0)) return withPpi(await grayOf(pipeline), size);
    const square = stored ? (turned ? { width: stored.height, height: stored.width } : stored) : size;
    return withPpi(await grayOf(pipeline, square, options.maxShortSide, stored !== null), square);
  } catch (e) {
    throw new InputError(name, options.page !== undefined ? page + 1 : undefined, problemOf(e, input));
  }
}

/** The native addon's halving of an 8-bit image (see `halveToGray`), or null when it is not built. */
type Halve = (src: Uint8Array, width: number, height: number, channels: number, out: Uint8Array) => void;

function nativeHalve(): Halve | null {
  const f = nativeAddon().addon?.halveCubic;
  return typeof f === 'function' ? (f as Halve) : null;
}

/** Pages up to this many pixels are halved after decoding whole (see `grayOf`); larger ones stream through sharp. */
const HALVE_WHOLE_LIMIT = 50_000_000;

/** Whether {@link halveToGray} halves a `width` x `height` image: the addon built, an even size, not over 50 megapixels. */
function halvable(width: number, height: number): boolean {
  return nativeHalve() !== null && width % 2 === 0 && height % 2 === 0 && width * height <= HALVE_WHOLE_LIMIT;
}

/** Whether a page of `size` is reduced to exactly half of it for `maxShortSide` and can be halved natively. */
export function halvedFor(size: { width: number; height: number }, maxShortSide?: number): boolean {
  const to = reducedSize(size, maxShortSide);
  return 2 * to.width === size.width && 2 * to.height === size.height && halvable(size.width, size.height);
}

/** The size a page of `size` is reduced to for `maxShortSide` (see {@link DecodeOptions}); its own size when it is not. */
function reducedSize(size: { width: number; height: number }, maxShortSide?: number): { width: number; height: number } {
  const short = Math.min(size.width, size.height);
  if (!(maxShortSide && maxShortSide > 0 && short > maxShortSide)) return size;
  const k = maxShortSide / short;
  return { width: Math.max(1, Math.round(size.width * k)), height: Math.max(1, Math.round(size.height * k)) };
}

/**
 * `data` (`width` x `height` pixels of `channels` interleaved 8-bit channels: gray, gray+alpha, RGB,
 * RGBA) halved and brought to gray by the native addon: the cubic kernel in libvips' fixed point, so
 * the bytes sharp's `resize` (kernel `cubic`) then {@link toGray} make (with transparency, flattened
 * onto white first), in about a third of the time. Null when the addon is not built, the size is
 * odd, or the image is over 50 megapixels (sharp streams those).
 *
 * @example
 * const half = halveToGray(rgb, 2550, 3300, 3); // 1275 x 1650 gray, or null
 */
export function halveToGray(data: Uint8Array, width: number, height: number, channels: number): GrayImage | null {
  const halve = nativeHalve();
  if (!halve || !halvable(width, height)) return null;
  const opaque = channels === 1 || channels === 3;
  const src = opaque ? data : toGray(data, width * height, channels);
  const ch = opaque ? channels : 1;
  const [w, h] = [width / 2, height / 2];
  const out = new Uint8Array(w * h * ch);
  halve(src, width, height, ch, out);
  return { width: w, height: h, data: toGray(out, w * h, ch) };
}

/**
 * A sharp pipeline's image as 8-bit gray, reduced first when its shorter side (of `size`, the
 * image's) is longer than `maxShortSide`. libvips box-shrinks by the whole part of the factor, then
 * resamples the rest: within a few grey levels of OpenCV's area reduction (cubic: at most 8 on a
 * 300-dpi form; linear: 24). `resample`: `size` is not the image's own (its pixels made square), so
 * it is resized to it (times the reduction) whatever its size. A page exactly twice the size asked
 * for (a letter page at 300 dpi read at the default 150) is decoded whole and halved natively
 * ({@link halveToGray}): the same bytes for 8-bit pages without transparency; a 16-bit page (brought
 * to 8 bits first) or one with transparency (flattened first) within a grey level of sharp's.
 */
export async function grayOf(pipeline: ReturnType<typeof sharp>, size?: { width: number; height: number }, maxShortSide?: number, resample = false): Promise<GrayImage> {
  const to = size ? reducedSize(size, maxShortSide) : undefined;
  if (size && to && (to !== size || resample)) {
    if (!resample && halvedFor(size, maxShortSide)) {
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      const half = info.width === size.width && info.height === size.height ? halveToGray(data, info.width, info.height, info.channels) : null;
      if (half) return half;
      pipeline = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 } });
    }
    pipeline = pipeline.resize(to.width, to.height, { kernel: 'cubic', fit: 'fill' });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: toGray(data, info.width * info.height, info.channels) };
}

/**
 * The size a `width` x `height` image takes with square pixels, when each of its pixels is `tall`
 * times as tall as wide (x resolution / y resolution; a fax at 204 x 98 dpi: 2.08): the short way
 * stretched, nothing lost. Null when the pixels are square to 5 %.
 *
 * @example
 * squarePixels(1728, 1100, 204 / 98); // { width: 1728, height: 2290 }
 */
export function squarePixels(width: number, height: number, tall: number): { width: number; height: number } | null {
  if (!(tall > 0) || Math.abs(tall - 1) <= 0.05) return null;
  return { width: Math.round(width * Math.max(1, 1 / tall)), height: Math.round(height * Math.max(1, tall)) };
}

/**
 * A TIFF page's horizontal and vertical resolutions (its XResolution and YResolution tags), read from
 * the file's directory of that page: sharp reports one density, and a fax at 204 x 98 dpi ("standard"
 * resolution) stores pixels twice as tall as wide. Null when the input is not a classic TIFF, or the
 * page has not both.
 *
 * @example
 * tiffResolution('fax.tif'); // { x: 204, y: 98 }
 */
export function tiffResolution(input: string | Buffer, page = 0): { x: number; y: number } | null {
  let source: ByteSource | null = null;
  const read = (offset: number, length: number): Buffer => {
    const b = source!.read(offset, length);
    return Buffer.from(b.buffer, b.byteOffset, b.length);
  };
  try {
    source = sourceOf(input);
    const head = read(0, 8);
    const order = head.toString('latin1', 0, 2);
    if (head.length < 8 || (order !== 'II' && order !== 'MM')) return null;
    const le = order === 'II';
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    if (u16(head, 2) !== 42) return null;
    let ifd = u32(head, 4);
    // Page `page` is the page-th directory in the chain.
    for (let i = 0; i < page; i++) {
      const n = read(ifd, 2);
      if (n.length < 2) return null;
      const next = read(ifd + 2 + 12 * u16(n, 0), 4);
      if (next.length < 4 || !u32(next, 0)) return null;
      ifd = u32(next, 0);
    }
    const n = read(ifd, 2);
    if (n.length < 2) return null;
    const entries = read(ifd + 2, 12 * u16(n, 0));
    const res: Record<number, number> = {};
    for (let e = 0; e + 12 <= entries.length; e += 12) {
      const tag = u16(entries, e);
      // XResolution (282) and YResolution (283), RATIONAL (type 5): numerator and denominator at an offset.
      if ((tag === 282 || tag === 283) && u16(entries, e + 2) === 5) {
        const r = read(u32(entries, e + 8), 8);
        if (r.length === 8 && u32(r, 4) > 0) res[tag] = u32(r, 0) / u32(r, 4);
      }
    }
    return res[282] > 0 && res[283] > 0 ? { x: res[282], y: res[283] } : null;
  } catch {
    return null;
  } finally {
    source?.close();
  }
}
