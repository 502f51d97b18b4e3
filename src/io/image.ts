/**
 * Decoding raster images with sharp into {@link GrayImage}s. PNG, JPEG, TIFF (every page), WebP,
 * GIF, AVIF and whatever else the installed sharp reads.
 */
import sharp from 'sharp';
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
}

function problemOf(e: unknown): string {
  const msg = (e as Error).message ?? String(e);
  if (/unsupported image format/i.test(msg)) return 'not an image sharp can decode (unsupported or corrupt format)';
  if (/ENOENT|no such file/i.test(msg)) return 'file not found';
  if (/pixel limit/i.test(msg)) return `image exceeds the pixel limit (${msg})`;
  return `cannot decode image (${msg.replace(/\s+/g, ' ').trim()})`;
}

/** Number of pages in an image file (1 for single-page formats). */
export async function imagePageCount(input: string | Buffer, name = String(input)): Promise<number> {
  try {
    const meta = await sharp(input, { limitInputPixels: false }).metadata();
    return meta.pages ?? 1;
  } catch (e) {
    throw new InputError(name, undefined, problemOf(e));
  }
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
  const page = options.page ?? 0;
  const limit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  try {
    const { data, info } = await sharp(input, { page, limitInputPixels: limit })
      .flatten({ background: '#ffffff' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) {
      // greyscale() on an image with alpha still yields one channel after flatten; be safe anyway.
      const n = info.width * info.height;
      const g = new Uint8Array(n);
      for (let i = 0; i < n; i++) g[i] = data[i * info.channels];
      return { width: info.width, height: info.height, data: g };
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    throw new InputError(name, options.page !== undefined ? page + 1 : undefined, problemOf(e));
  }
}
