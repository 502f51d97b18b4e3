/**
 * The optional native addon (native/, C++, built by `npm install` when the machine has a compiler):
 * convolution kernels for the classifier, page-size loops for preprocessing, the halving of pages
 * for decoding. Every stage that uses it has its own fallback, for when it is not built or turned off
 * (`DIGITSCAN_NATIVE=0`).
 */
import { join } from 'path';

/** Where `npm install` builds the addon (relative to dist/ or src/). */
export const NATIVE_ADDON_PATH = join(__dirname, '..', 'native', 'build', 'Release', 'digitscan_native.node');

let loaded: { addon: Record<string, unknown> | null; why: string } | undefined;

/**
 * The addon's exports, or null with the reason it is not loaded (`DIGITSCAN_NATIVE=0`, or not built
 * and the loader's message).
 */
export function nativeAddon(): { addon: Record<string, unknown> | null; why: string } {
  if (loaded) return loaded;
  if (process.env.DIGITSCAN_NATIVE === '0') loaded = { addon: null, why: 'DIGITSCAN_NATIVE=0' };
  else {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = { addon: require(NATIVE_ADDON_PATH) as Record<string, unknown>, why: 'built' };
    } catch (e) {
      loaded = { addon: null, why: `not built (${(e as Error).message.split('\n')[0]})` };
    }
  }
  return loaded;
}
