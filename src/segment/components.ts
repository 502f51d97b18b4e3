/** Connected components of a binary image (labelled with OpenCV), and cropping. */
import type { BinaryImage, Box } from '../types';

export { components } from '../preprocess/opencv';
export type { Component, Components } from '../preprocess/opencv';

/** Crops a box out of a binary image. */
export function cropBinary(bin: BinaryImage, [x, y, w, h]: Box): BinaryImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(bin.width, Math.ceil(x + w));
  const y1 = Math.min(bin.height, Math.ceil(y + h));
  const cw = Math.max(0, x1 - x0);
  const ch = Math.max(0, y1 - y0);
  const data = new Uint8Array(cw * ch);
  for (let r = 0; r < ch; r++) data.set(bin.data.subarray((y0 + r) * bin.width + x0, (y0 + r) * bin.width + x0 + cw), r * cw);
  return { width: cw, height: ch, data };
}
