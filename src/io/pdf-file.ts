/**
 * A PDF's objects read from the file as they are needed: the cross-reference sections (tables and
 * streams, following `/Prev`), then each object by its offset or from its object stream, and a
 * stream's bytes only when asked for. A scanned PDF's pages are read this way one at a time, so a
 * 500-page PDF is never held in memory whole (pdf-lib parses a whole file, copying every stream).
 *
 * Only what reading scanned pages needs: no encryption (an encrypted file throws), no repair of a
 * damaged cross-reference (it throws; the caller leaves the file to pdfjs, which repairs).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/** Where the bytes come from: a file read at offsets, or bytes in memory. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end). */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

/** A file read at offsets; `bytesRead` counts what was read. */
export class FileSource implements ByteSource {
  readonly size: number;
  bytesRead = 0;
  private fd: number | null;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(position: number, length: number): Uint8Array {
    if (this.fd === null) throw new Error('file closed');
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, buf, got, n - got, position + got);
      if (r <= 0) break;
      got += r;
    }
    this.bytesRead += got;
    return got === n ? buf : buf.subarray(0, got);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Bytes in memory as a {@link ByteSource}. */
export class BytesSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  read(position: number, length: number): Uint8Array {
    return this.bytes.subarray(position, Math.min(this.bytes.length, position + length));
  }

  close(): void {}
}

/** A PDF name (`/Type`), interned: the same name is the same object. */
export class PdfName {
  private static readonly names = new Map<string, PdfName>();
  private constructor(readonly name: string) {}

  static of(name: string): PdfName {
    let n = PdfName.names.get(name);
    if (!n) PdfName.names.set(name, (n = new PdfName(name)));
    return n;
  }
}

/** An indirect reference (`12 0 R`). */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

/** A stream: its dictionary, and where its (still encoded) bytes are in the file. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly start: number,
    readonly length: number,
  ) {}
}

/** A dictionary, keys without their slash. */
export type PdfDict = Map<string, PdfValue>;
/** A PDF value; strings are their bytes. */
export type PdfValue = number | boolean | null | Uint8Array | PdfName | PdfRef | PdfValue[] | PdfDict | PdfStream;

/** The parse ran past the bytes read: read more and try again. */
class Truncated extends Error {}

const WHITE = new Set([0, 9, 10, 12, 13, 32]);
const DELIM = new Set([40, 41, 60, 62, 91, 93, 123, 125, 47, 37]);

/** Reads PDF values from bytes at a position (see {@link Truncated}). */
class Lexer {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    private readonly complete: boolean,
  ) {}

  private byte(at = this.pos): number {
    if (at >= this.buf.length) {
      if (this.complete) throw new Error('unexpected end of PDF data');
      throw new Truncated();
    }
    return this.buf[at];
  }

  /** Steps over white space and comments; whether anything follows (for complete data only). */
  more(): boolean {
    for (;;) {
      if (this.pos >= this.buf.length) return false;
      const c = this.buf[this.pos];
      if (WHITE.has(c)) this.pos++;
      else if (c === 37) while (this.pos < this.buf.length && this.buf[this.pos] !== 10 && this.buf[this.pos] !== 13) this.pos++;
      else return true;
    }
  }

  skipSpace(): void {
    for (;;) {
      const c = this.byte();
      if (WHITE.has(c)) this.pos++;
      else if (c === 37) while (this.byte() !== 10 && this.byte() !== 13) this.pos++;
      else return;
    }
  }

  /** Steps over an end of line (CR LF, LF or CR): where a stream's data starts after its keyword. */
  endOfLine(): void {
    if (this.byte() === 13) this.pos++;
    if (this.byte() === 10) this.pos++;
  }

  /** Steps over regular characters (to the next white space or delimiter, or the end of complete data). */
  private regular(): void {
    while (!(this.complete && this.pos >= this.buf.length) && !WHITE.has(this.byte()) && !DELIM.has(this.byte())) this.pos++;
  }

  /** A keyword or number's characters. */
  word(): string {
    this.skipSpace();
    const s = this.pos;
    this.regular();
    return String.fromCharCode(...this.buf.subarray(s, this.pos));
  }

  private peekInt(): number | null {
    const save = this.pos;
    try {
      const w = this.word();
      if (/^\d+$/.test(w)) return Number(w);
    } catch (e) {
      if (e instanceof Truncated) throw e;
    }
    this.pos = save;
    return null;
  }

  value(): PdfValue {
    this.skipSpace();
    const c = this.byte();
    if (c === 47) return this.name();
    if (c === 91) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (this.byte() === 93) {
          this.pos++;
          return arr;
        }
        arr.push(this.value());
      }
    }
    if (c === 60 && this.byte(this.pos + 1) === 60) {
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skipSpace();
        if (this.byte() === 62 && this.byte(this.pos + 1) === 62) {
          this.pos += 2;
          return dict;
        }
        const key = this.value();
        if (!(key instanceof PdfName)) throw new Error('dictionary key is not a name');
        dict.set(key.name, this.value());
      }
    }
    if (c === 60) return this.hexString();
    if (c === 40) return this.literalString();
    const w = this.word();
    if (w === '') throw new Error(`unexpected character ${String.fromCharCode(c)} in PDF`);
    if (w === 'true' || w === 'false') return w === 'true';
    if (w === 'null') return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) throw new Error(`unexpected keyword ${w} in PDF`);
    if (/^\d+$/.test(w)) {
      // `num gen R`: a reference.
      const save = this.pos;
      const gen = this.peekInt();
      if (gen !== null && this.word() === 'R') return new PdfRef(Number(w), gen);
      this.pos = save;
    }
    return Number(w);
  }

  private name(): PdfName {
    this.pos++;
    const s = this.pos;
    this.regular();
    const raw = String.fromCharCode(...this.buf.subarray(s, this.pos));
    return PdfName.of(raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
  }

  private hexString(): Uint8Array {
    this.pos++;
    const digits: number[] = [];
    for (;;) {
      const c = this.byte();
      this.pos++;
      if (c === 62) break;
      if (!WHITE.has(c)) digits.push(parseInt(String.fromCharCode(c), 16));
    }
    if (digits.length % 2) digits.push(0);
    const out = new Uint8Array(digits.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i] << 4) | digits[2 * i + 1];
    return out;
  }

  /** A literal string's bytes (escapes kept as written: this reader compares none). */
  private literalString(): Uint8Array {
    this.pos++;
    const s = this.pos;
    let depth = 1;
    for (;;) {
      const c = this.byte();
      this.pos++;
      if (c === 92) this.pos++;
      else if (c === 40) depth++;
      else if (c === 41 && --depth === 0) return this.buf.slice(s, this.pos - 1);
    }
  }
}

/** One operator of a content stream, with its operands. */
export interface ContentOp {
  op: string;
  operands: PdfValue[];
}

/** Bytes that start an operand rather than an operator: `/ [ < (` (numbers apart). */
const OPERAND_START = new Set([...'/[<('].map((c) => c.charCodeAt(0)));
/** Bytes that start a number: digits, signs and the point. */
const NUMBER_START = new Set([...'0123456789+-.'].map((c) => c.charCodeAt(0)));

/**
 * A content stream's operators in order, each with its operands (numbers, names, strings, arrays,
 * dictionaries). Throws on bytes it cannot read. An inline image (`BI`) ends the list: its data is
 * not PDF syntax.
 *
 * @example
 * for (const { op, operands } of contentOps(data)) if (op === 'Do') console.log(operands[0]);
 */
export function* contentOps(data: Uint8Array): Generator<ContentOp> {
  const lx = new Lexer(data, 0, true);
  let operands: PdfValue[] = [];
  while (lx.more()) {
    const c = data[lx.pos];
    if (NUMBER_START.has(c)) {
      // A number (content streams hold no references to look ahead for).
      const w = lx.word();
      const v = Number(w);
      if (w === '' || Number.isNaN(v)) throw new Error(`bad number ${w} in content`);
      operands.push(v);
      continue;
    }
    if (OPERAND_START.has(c)) {
      operands.push(lx.value());
      continue;
    }
    const w = lx.word();
    if (w === '') throw new Error(`unexpected character ${String.fromCharCode(data[lx.pos])} in content`);
    if (w === 'true' || w === 'false' || w === 'null') {
      operands.push(w === 'null' ? null : w === 'true');
      continue;
    }
    yield { op: w, operands };
    if (w === 'BI') return;
    operands = [];
  }
}

/** One cross-reference entry: at an offset, or the `index`-th object of object stream `stream`. */
type XrefEntry = { offset: number } | { stream: number; index: number };

/**
 * A PDF opened for reading objects as needed. Throws when the file is not one this reader reads
 * (no `startxref`, a damaged cross-reference, encryption).
 */
export class PdfFile {
  /** Each object's newest entry; null: free (an older section's entry for it no longer counts). */
  private readonly xref = new Map<number, XrefEntry | null>();
  private readonly objects = new Map<number, PdfValue>();
  private readonly objectStreams = new Map<number, { data: Uint8Array; offsets: Map<number, number> }>();
  readonly trailer: PdfDict;
  /** Where the newest cross-reference section starts (the file's `startxref`). */
  readonly startxref: number;

  constructor(readonly source: ByteSource) {
    const tail = Buffer.from(source.read(Math.max(0, source.size - 4096), 4096)).toString('latin1');
    const at = tail.lastIndexOf('startxref');
    if (at < 0) throw new Error('no startxref');
    let offset = Number(/startxref\s+(\d+)/.exec(tail.slice(at))?.[1] ?? NaN);
    if (!Number.isFinite(offset)) throw new Error('bad startxref');
    this.startxref = offset;
    let trailer: PdfDict | null = null;
    const seen = new Set<number>();
    while (Number.isFinite(offset) && !seen.has(offset)) {
      seen.add(offset);
      const t = this.readSection(offset);
      trailer ??= t;
      const prev = t.get('Prev');
      offset = typeof prev === 'number' ? prev : NaN;
    }
    if (!trailer) throw new Error('no trailer');
    if (trailer.has('Encrypt')) throw new Error('encrypted PDF');
    this.trailer = trailer;
  }

  /** Parses a value at `position`, reading more of the file as needed. */
  private parseAt<T>(position: number, parse: (lx: Lexer) => T): T {
    for (let size = 1024; ; size *= 4) {
      const buf = this.source.read(position, size);
      const complete = position + buf.length >= this.source.size;
      try {
        return parse(new Lexer(buf, 0, complete));
      } catch (e) {
        if (!(e instanceof Truncated) || complete || size > 1 << 26) throw e instanceof Truncated ? new Error('object too long') : e;
      }
    }
  }

  /** A cross-reference section (table or stream) at `offset`; its entries are added where none is yet. Returns its trailer. */
  private readSection(offset: number): PdfDict {
    const head = Buffer.from(this.source.read(offset, 4)).toString('latin1');
    if (head === 'xref') {
      const { trailer, entries } = this.parseAt(offset, (lx) => {
        lx.word();
        const found: Array<[number, XrefEntry | null]> = [];
        for (;;) {
          const w = lx.word();
          if (w === 'trailer') break;
          const start = Number(w);
          const count = Number(lx.word());
          if (!Number.isInteger(start) || !Number.isInteger(count)) throw new Error('bad xref subsection');
          for (let i = 0; i < count; i++) {
            const off = Number(lx.word());
            lx.word();
            const kind = lx.word();
            found.push([start + i, kind === 'n' ? { offset: off } : null]);
          }
        }
        const t = lx.value();
        if (!(t instanceof Map)) throw new Error('bad trailer');
        return { trailer: t, entries: found };
      });
      for (const [num, e] of entries) if (!this.xref.has(num)) this.xref.set(num, e);
      // A hybrid file: an xref stream beside the table.
      const stm = trailer.get('XRefStm');
      if (typeof stm === 'number') this.readSection(stm);
      return trailer;
    }
    const { value } = this.objectAt(offset);
    if (!(value instanceof PdfStream) || value.dict.get('Type') !== PdfName.of('XRef')) throw new Error('no cross-reference at startxref');
    const dict = value.dict;
    const W = dict.get('W');
    const size = dict.get('Size');
    if (!Array.isArray(W) || W.length < 3 || typeof size !== 'number') throw new Error('bad xref stream');
    const widths = W.map(Number);
    const index = dict.get('Index');
    const ranges = Array.isArray(index) ? index.map(Number) : [0, size];
    const data = this.streamData(value);
    const row = widths.reduce((a, b) => a + b, 0);
    const field = (p: number, width: number, dflt: number) => {
      if (width === 0) return dflt;
      let v = 0;
      for (let k = 0; k < width; k++) v = v * 256 + data[p + k];
      return v;
    };
    let p = 0;
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      for (let i = 0; i < ranges[r + 1]; i++, p += row) {
        if (p + row > data.length) throw new Error('xref stream shorter than its index');
        const num = ranges[r] + i;
        const type = field(p, widths[0], 1);
        const a = field(p + widths[0], widths[1], 0);
        const b = field(p + widths[0] + widths[1], widths[2], 0);
        if (this.xref.has(num)) continue;
        if (type === 1) this.xref.set(num, { offset: a });
        else if (type === 2) this.xref.set(num, { stream: a, index: b });
        else if (type === 0) this.xref.set(num, null);
      }
    }
    return dict;
  }

  /** The object `n g obj ... endobj` at `offset`. */
  private objectAt(offset: number): { num: number; value: PdfValue } {
    const parsed = this.parseAt(offset, (lx) => {
      const num = Number(lx.word());
      lx.word();
      if (lx.word() !== 'obj') throw new Error(`no object at offset ${offset}`);
      const value = lx.value();
      if (!(value instanceof Map)) return { num, value, stream: -1 };
      lx.skipSpace();
      const save = lx.pos;
      if (lx.word() !== 'stream') {
        lx.pos = save;
        return { num, value, stream: -1 };
      }
      lx.endOfLine();
      return { num, value, stream: offset + lx.pos };
    });
    if (parsed.stream < 0) return { num: parsed.num, value: parsed.value };
    const dict = parsed.value as PdfDict;
    const length = this.resolve(dict.get('Length') ?? null);
    if (typeof length !== 'number' || length < 0 || parsed.stream + length > this.source.size) throw new Error('bad stream length');
    return { num: parsed.num, value: new PdfStream(dict, parsed.stream, length) };
  }

  /** Object `num` (null when the file does not have it). */
  object(num: number): PdfValue {
    if (this.objects.has(num)) return this.objects.get(num) ?? null;
    const e = this.xref.get(num) ?? null;
    let value: PdfValue = null;
    if (e && 'offset' in e) value = this.objectAt(e.offset).value;
    else if (e) value = this.fromObjectStream(e.stream, num);
    this.objects.set(num, value);
    return value;
  }

  private fromObjectStream(stream: number, num: number): PdfValue {
    let os = this.objectStreams.get(stream);
    if (!os) {
      const s = this.object(stream);
      if (!(s instanceof PdfStream)) throw new Error('bad object stream');
      const data = this.streamData(s);
      const n = s.dict.get('N');
      const first = s.dict.get('First');
      if (typeof n !== 'number' || typeof first !== 'number') throw new Error('bad object stream');
      const lx = new Lexer(data, 0, true);
      const offsets = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const on = Number(lx.word());
        offsets.set(on, first + Number(lx.word()));
      }
      this.objectStreams.set(stream, (os = { data, offsets }));
    }
    const at = os.offsets.get(num);
    if (at === undefined) return null;
    return new Lexer(os.data, at, true).value();
  }

  /** `v` with references followed. */
  resolve(v: PdfValue): PdfValue {
    for (let hops = 0; v instanceof PdfRef; hops++) {
      if (hops > 32) throw new Error('reference loop');
      v = this.object(v.num);
    }
    return v;
  }

  /** Entry `key` of a dictionary, references followed (undefined when absent). */
  get(dict: PdfDict, key: string): PdfValue | undefined {
    const v = dict.get(key);
    return v === undefined ? undefined : this.resolve(v);
  }

  /** A stream's bytes as stored (still encoded). */
  streamBytes(s: PdfStream): Uint8Array {
    return this.source.read(s.start, s.length);
  }

  /** A stream's data, decoded when it is Flate-encoded (PNG predictors undone); other filters throw. */
  streamData(s: PdfStream): Uint8Array {
    const raw = this.streamBytes(s);
    const filter = this.get(s.dict, 'Filter');
    const f = Array.isArray(filter) ? (filter.length === 1 ? this.resolve(filter[0]) : undefined) : filter;
    if (f === undefined || f === null) return raw;
    if (f !== PdfName.of('FlateDecode')) throw new Error('unsupported stream filter');
    const data = new Uint8Array(inflateSync(raw));
    let parms = this.get(s.dict, 'DecodeParms');
    if (Array.isArray(parms)) parms = this.resolve(parms[0]);
    const predictor = parms instanceof Map ? this.get(parms, 'Predictor') : undefined;
    if (typeof predictor !== 'number' || predictor < 10) return data;
    const columns = parms instanceof Map ? this.get(parms, 'Columns') : undefined;
    const stride = typeof columns === 'number' ? columns : 1;
    // One byte a sample (what cross-reference and object streams use).
    return unpredictPng(data, Math.floor(data.length / (stride + 1)), stride, 1);
  }

  /**
   * The leaf pages in order, each with its inheritable attributes (`Resources`, `MediaBox`,
   * `CropBox`, `Rotate`) filled in from its ancestors.
   */
  pages(): PdfDict[] {
    const root = this.get(this.trailer, 'Root');
    const top = root instanceof Map ? this.get(root, 'Pages') : undefined;
    if (!(top instanceof Map)) throw new Error('no page tree');
    const out: PdfDict[] = [];
    const walk = (node: PdfDict, inherited: PdfDict, depth: number) => {
      if (depth > 64) throw new Error('page tree too deep');
      const attrs: PdfDict = new Map(inherited);
      for (const k of ['Resources', 'MediaBox', 'CropBox', 'Rotate']) if (node.has(k)) attrs.set(k, node.get(k) ?? null);
      const kids = this.get(node, 'Kids');
      if (this.get(node, 'Type') === PdfName.of('Pages') || Array.isArray(kids)) {
        if (!Array.isArray(kids)) throw new Error('page tree node without kids');
        for (const k of kids) {
          const kid = this.resolve(k);
          if (kid instanceof Map) walk(kid, attrs, depth + 1);
        }
        return;
      }
      const page: PdfDict = new Map(node);
      for (const [k, v] of attrs) if (!page.has(k)) page.set(k, v);
      out.push(page);
    };
    walk(top, new Map(), 0);
    return out;
  }

  close(): void {
    this.source.close();
  }
}

/** Undoes PNG row predictors in place order: `rows` of `stride` bytes, each after a filter byte. */
export function unpredictPng(src: Uint8Array, rows: number, stride: number, bpp: number): Uint8Array {
  if (src.length < rows * (stride + 1)) throw new Error('image data shorter than its size');
  const out = new Uint8Array(rows * stride);
  for (let y = 0; y < rows; y++) {
    const type = src[y * (stride + 1)];
    const inp = y * (stride + 1) + 1;
    const o = y * stride;
    const up = o - stride;
    switch (type) {
      case 0:
        out.set(src.subarray(inp, inp + stride), o);
        break;
      case 1:
        for (let x = 0; x < stride; x++) out[o + x] = src[inp + x] + (x >= bpp ? out[o + x - bpp] : 0);
        break;
      case 2:
        for (let x = 0; x < stride; x++) out[o + x] = src[inp + x] + (y > 0 ? out[up + x] : 0);
        break;
      case 3:
        for (let x = 0; x < stride; x++) out[o + x] = src[inp + x] + (((x >= bpp ? out[o + x - bpp] : 0) + (y > 0 ? out[up + x] : 0)) >> 1);
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[o + x - bpp] : 0;
          const b = y > 0 ? out[up + x] : 0;
          const c = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[o + x] = src[inp + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        throw new Error(`unknown PNG predictor ${type}`);
    }
  }
  return out;
}
