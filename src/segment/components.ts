/** Connected components of a binary image, as plain values. */
import type { BinaryImage, Box } from '../types';
import type { CV } from '../preprocess/opencv';

/** One 8-connected blob of ink. */
export interface Component {
  /** Label in {@link Components.labels}. */
  label: number;
  box: Box;
  area: number;
}

export interface Components {
  list: Component[];
  /** Per-pixel label (0 = background), same size as the image. */
  labels: Int32Array;
  width: number;
  height: number;
}

/** Labels the 8-connected components of `bin` (1 = ink). */
export function components(cv: CV, bin: BinaryImage): Components {
  const src = new cv.Mat(bin.height, bin.width, cv.CV_8UC1);
  src.data.set(bin.data);
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
    return { list, labels: new Int32Array(labels.data32S), width: bin.width, height: bin.height };
  } finally {
    src.delete();
    labels.delete();
    stats.delete();
    cents.delete();
  }
}

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
