/**
 * Reader for the IDX format of the original MNIST files, validating everything it relies on.
 */
import { readFileSync } from 'node:fs';

/** An IDX array of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Raised for a malformed IDX file; the message names the file and the problem. */
export class IdxError extends Error {}

/**
 * Parses an IDX buffer of unsigned bytes (type 0x08): magic number, dimension count, dimensions,
 * and a length that matches them exactly.
 *
 * @param expectedRank - when given, the number of dimensions the file must have (3 for images, 1 for labels).
 */
export function parseIdx(buf: Uint8Array, name = 'IDX data', expectedRank?: number): IdxArray {
  if (buf.length < 4) throw new IdxError(`${name}: file is ${buf.length} bytes, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new IdxError(`${name}: bad magic number (first bytes ${buf[0]}, ${buf[1]}; expected 0, 0): not an IDX file`);
  }
  if (buf[2] !== 0x08) {
    throw new IdxError(`${name}: data type 0x${buf[2].toString(16)} is not supported (expected 0x08, unsigned byte)`);
  }
  const rank = buf[3];
  if (rank === 0) throw new IdxError(`${name}: zero dimensions`);
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new IdxError(`${name}: has ${rank} dimensions, expected ${expectedRank}`);
  }
  const header = 4 + 4 * rank;
  if (buf.length < header) throw new IdxError(`${name}: truncated header (${buf.length} bytes, need ${header})`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = header + count;
  if (buf.length < expected) {
    throw new IdxError(
      `${name}: truncated: ${buf.length} bytes, dimensions ${dims.join('x')} need ${expected}`,
    );
  }
  if (buf.length > expected) {
    throw new IdxError(`${name}: ${buf.length - expected} trailing bytes after dimensions ${dims.join('x')}`);
  }
  return { dims, data: buf.subarray(header) };
}

/** Reads and validates an IDX file. */
export function readIdx(path: string, expectedRank?: number): IdxArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new IdxError(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseIdx(buf, path, expectedRank);
}
