/**
 * HEIC: the HEIF images phones take photos in (an iPhone's default), their pictures compressed with
 * HEVC, which the libvips of sharp's prebuilt binaries does not decode (it reads HEIF's AVIF images
 * only). They are decoded by libheif compiled to WebAssembly (`libheif-js`, with the libde265
 * decoder), loaded the first time a HEIC file is met.
 */
import { readFileSync } from 'node:fs';

/** The ISO base-media brands of HEIF files whose pictures are HEVC (HEIC images and sequences). */
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);

/**
 * Whether the first bytes of a file are those of a HEIC: an ISO base-media `ftyp` box whose major
 * brand, or one of its compatible brands, is an HEVC one. AVIF files (brand `avif`, HEIF with AV1
 * pictures) are not: sharp reads them.
 *
 * @example
 * isHeic(readFileSync('IMG_0001.HEIC').subarray(0, 64)); // true
 */
export function isHeic(head: Uint8Array): boolean {
  if (head.length < 16) return false;
  const s = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
  if (s.slice(4, 8) !== 'ftyp') return false;
  const size = Math.min(head.length, ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0);
  // Major brand at 8, minor version at 12, compatible brands from 16 to the box's end.
  const brands = [s.slice(8, 12)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(s.slice(at, at + 4));
  if (brands[0] === 'avif' || brands[0] === 'avis') return false;
  return brands.some((b) => HEVC_BRANDS.has(b));
}

/** The part of libheif's Emscripten module used here. */
interface Libheif {
  ready: Promise<unknown>;
  heif_context_alloc(): unknown;
  heif_context_free(ctx: unknown): void;
  heif_context_read_from_memory(ctx: unknown, bytes: Uint8Array): HeifError;
  heif_js_context_get_list_of_top_level_image_IDs(ctx: unknown): number[] | HeifError;
  heif_js_context_get_image_handle(ctx: unknown, id: number): unknown;
  heif_image_handle_get_width(handle: unknown): number;
  heif_image_handle_get_height(handle: unknown): number;
  heif_image_handle_release(handle: unknown): void;
  heif_js_decode_image2(handle: unknown, colorspace: unknown, chroma: unknown): Promise<HeifDecoded | HeifError>;
  heif_image_release(image: unknown): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown };
}
interface HeifError {
  code: { value: number };
  message: string;
}
interface HeifDecoded {
  image: unknown;
  channels: Array<{ width: number; height: number; stride: number; data: Uint8Array }>;
}

let loaded: Promise<Libheif> | null = null;

/** libheif's WebAssembly module, compiled once per thread. */
function libheif(): Promise<Libheif> {
  if (!loaded) {
    loaded = (async () => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const wasmBinary = readFileSync(require.resolve('libheif-js/libheif-wasm/libheif.wasm'));
      const lib = (require('libheif-js/libheif-wasm/libheif.js') as (o: object) => Libheif)({ wasmBinary });
      /* eslint-enable @typescript-eslint/no-require-imports */
      await lib.ready;
      return lib;
    })();
  }
  return loaded;
}

function failed(x: unknown): x is HeifError {
  return typeof x === 'object' && x !== null && 'code' in x && 'message' in x && (x as HeifError).code?.value !== 0;
}

/** A HEIC file opened by libheif: its top-level images (the pages), to decode one at a time. */
async function open<T>(bytes: Uint8Array, use: (lib: Libheif, ctx: unknown, ids: number[]) => Promise<T>): Promise<T> {
  const lib = await libheif();
  const ctx = lib.heif_context_alloc();
  try {
    const read = lib.heif_context_read_from_memory(ctx, bytes);
    if (failed(read)) throw new Error(`a HEIC file that cannot be read (libheif: ${read.message})`);
    const ids = lib.heif_js_context_get_list_of_top_level_image_IDs(ctx);
    if (failed(ids) || !Array.isArray(ids) || ids.length === 0) throw new Error('a HEIC file with no image in it');
    return await use(lib, ctx, ids);
  } finally {
    lib.heif_context_free(ctx);
  }
}

/** Number of top-level images in a HEIC file (each is a page; a photo has one). */
export async function heicPageCount(input: string | Buffer): Promise<number> {
  return open(typeof input === 'string' ? readFileSync(input) : input, async (_lib, _ctx, ids) => ids.length);
}

/**
 * One image (0-based `page`) of a HEIC file, decoded to 8-bit RGB with its rotation and mirroring
 * (the `irot` and `imir` a phone stores) applied, as the photo is shown. Over `limit` pixels is an
 * error, before decoding.
 *
 * @example
 * const { data, width, height } = await decodeHeic('IMG_0001.HEIC', 0, 268_402_689);
 */
export async function decodeHeic(input: string | Buffer, page: number, limit: number): Promise<{ data: Buffer; width: number; height: number }> {
  return open(typeof input === 'string' ? readFileSync(input) : input, async (lib, ctx, ids) => {
    if (page >= ids.length) throw new Error(`a HEIC file of ${ids.length} image${ids.length === 1 ? '' : 's'} has no image ${page + 1}`);
    const handle = lib.heif_js_context_get_image_handle(ctx, ids[page]);
    if (failed(handle)) throw new Error(`a HEIC image that cannot be read (libheif: ${handle.message})`);
    try {
      const [w, h] = [lib.heif_image_handle_get_width(handle), lib.heif_image_handle_get_height(handle)];
      if (w * h > limit) throw new Error(`Input image exceeds pixel limit (${w}x${h})`);
      const img = await lib.heif_js_decode_image2(handle, lib.heif_colorspace.heif_colorspace_RGB, lib.heif_chroma.heif_chroma_interleaved_RGB);
      if (failed(img) || !('channels' in img)) throw new Error(`a HEIC image that cannot be decoded (libheif: ${(img as HeifError).message ?? 'no image'})`);
      try {
        const [plane] = img.channels;
        const { width, height, stride } = plane;
        // Rows are padded to the stride; copied out of WebAssembly's memory, packed.
        const data = Buffer.alloc(width * height * 3);
        for (let y = 0; y < height; y++) data.set(plane.data.subarray(y * stride, y * stride + width * 3), y * width * 3);
        return { data, width, height };
      } finally {
        lib.heif_image_release(img.image);
      }
    } finally {
      lib.heif_image_handle_release(handle);
    }
  });
}
