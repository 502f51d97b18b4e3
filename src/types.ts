/**
 * Plain values that the stages pass to each other. No stage reaches into another's internals:
 * io produces {@link GrayImage}s, preprocess turns them into {@link BinaryImage}s, segment cuts
 * {@link DigitCrop}s, classify labels them.
 */

/** An 8-bit grayscale image, row-major, one byte per pixel (0 = black, 255 = white). */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A binary image, row-major, 1 = ink, 0 = background. */
export interface BinaryImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An axis-aligned box in pixels: `[x, y, width, height]`. */
export type Box = [number, number, number, number];

/** A 28x28 MNIST-normalized digit image: float pixels in [0, 1], ink bright on dark, row-major. */
export interface DigitCrop {
  /** 784 values. */
  pixels: Float32Array;
  /** Where the digit was on its page, when it came from one. */
  box?: Box;
  /** Cut from a group of touching digits (the cut is a guess). */
  cut?: boolean;
}
