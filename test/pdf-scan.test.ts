/**
 * Scanned PDF pages decoded from their stored image (src/io/pdf-scan): the same pixels as the
 * image itself, and every page that is not a plain scan left to pdfjs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { PDFDocument, BlendMode, rgb, rectangle, clip, endPath, setLineWidth, moveTo, lineTo, stroke, pushGraphicsState, popGraphicsState, concatTransformationMatrix, drawObject, degrees, StandardFonts, TextRenderingMode, beginText, endText, setFontAndSize, setTextRenderingMode, moveText, showText } from 'pdf-lib';
import { decodeImage, toGray } from '../src/io/image';
import { decodeScan, placement, ScanPdf, singleImageDraw } from '../src/io/pdf-scan';
import { Rng } from '../src/classify/data/random';
import { FileSource, PdfFile, type PdfDict, type PdfStream } from '../src/io/pdf-file';
import { ROOT, tmp } from './helpers';
import { tiffStrip } from '../src/samples/forms';

/** A 300 x 200 gray test image: gradients, noise and a dark block (every PNG filter gets used). */
async function grayPng(): Promise<{ png: Buffer; raw: Uint8Array }> {
  const w = 300;
  const h = 200;
  const rng = new Rng(7);
  const raw = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = x > 100 && x < 140 && y > 50 && y < 90 ? 20 : Math.min(255, Math.round(((x + y) * 255) / (w + h) + rng.uniform(0, 40)));
  const png = await sharp(Buffer.from(raw), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png({ adaptiveFiltering: true }).toBuffer();
  return { png, raw };
}

/** The IDAT payload of a PNG: one zlib stream of PNG-predicted rows (as img2pdf embeds PNGs). */
function idat(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') parts.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  return Buffer.concat(parts);
}

/** A one-page PDF drawing `bytes` (an image stream with `dict`) over the whole page. */
async function pdfWithImage(bytes: Uint8Array, dict: Record<string, unknown>, extra?: (doc: PDFDocument) => void): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([216, 144]);
  const ref = doc.context.register(doc.context.stream(bytes, { Type: 'XObject', Subtype: 'Image', BitsPerComponent: 8, ...dict } as never));
  const name = page.node.newXObject('Scan', ref);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(216, 0, 0, 144, 0, 0), drawObject(name), popGraphicsState());
  extra?.(doc);
  return doc.save();
}

/**
 * A one-page scan with a text layer, as OCR software writes a searchable PDF: "12345" in render
 * mode `mode` (3: invisible) in the page's content, or in a form XObject the page draws (as ocrmypdf grafts it).
 */
async function searchable(png: Buffer, inForm: boolean, mode = TextRenderingMode.Invisible): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([216, 144]);
  page.drawImage(await doc.embedPng(png), { x: 0, y: 0, width: 216, height: 144 });
  const key = page.node.newFontDictionary(font.name, font.ref);
  const text = [beginText(), setFontAndSize(key, 12), setTextRenderingMode(mode), moveText(10, 10), showText(font.encodeText('12345')), endText()];
  if (!inForm) page.pushOperators(...text);
  else {
    const form = doc.context.formXObject(text, { BBox: [0, 0, 216, 144], Resources: { Font: { [key.asString().slice(1)]: font.ref } } } as never);
    const name = page.node.newXObject('TextLayer', doc.context.register(form));
    page.pushOperators(pushGraphicsState(), drawObject(name), popGraphicsState());
  }
  return doc.save();
}

/** A page as `readPdfPages` gives it: its size and grey pixels. */
type ReadPage = { w: number; h: number; data: Buffer };

/**
 * A PDF's pages as `readPdfPages` reads them with `options` (`fast`), and as pdfjs renders every one
 * of them (`whole`: the same file with its startxref damaged, which this reader declines and pdfjs
 * repairs). In a child process: pdfjs is an ES module jest does not load.
 */
function readBothWays(bytes: Uint8Array, name: string, options: object): { fast: ReadPage[]; whole: ReadPage[] } {
  const dir = tmp();
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  const rendered = join(dir, `${name}-rendered.pdf`);
  writeFileSync(rendered, Buffer.from(Buffer.from(bytes).toString('latin1').replace(/startxref\s+\d+/, 'startxref\n999999999'), 'latin1'));
  const read = (f: string) => {
    const script = `(async () => { const out = []; for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(f)}, ${JSON.stringify(options)})) out.push([p.image.width, p.image.height, Buffer.from(p.image.data).toString('base64')]); process.stdout.write(JSON.stringify(out)); })()`;
    return (JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Array<[number, number, string]>).map(([w, h, d]) => ({ w, h, data: Buffer.from(d, 'base64') }));
  };
  return { fast: read(file), whole: read(rendered) };
}

describe('scanned PDF pages', () => {
  test('a PNG-predicted gray scan decodes to exactly the image', async () => {
    const { png, raw } = await grayPng();
    const pdf = await pdfWithImage(idat(png), {
      Width: 300,
      Height: 200,
      ColorSpace: 'DeviceGray',
      Filter: 'FlateDecode',
      DecodeParms: { Predictor: 15, Colors: 1, BitsPerComponent: 8, Columns: 300 },
    });
    const s = (await ScanPdf.open(pdf))!;
    const scan = s.scanOf(0)!;
    expect([scan.kind, scan.png, scan.channels, scan.points.width, scan.points.height]).toEqual(['raw', true, 1, 216, 144]);
    const img = await decodeScan(scan);
    expect([img.width, img.height]).toEqual([300, 200]);
    expect(Buffer.from(img.data).equals(Buffer.from(raw))).toBe(true);
    // Reduced as it is decoded: the shorter side to 100.
    const small = await decodeScan(scan, 100);
    expect([small.width, small.height]).toEqual([150, 100]);
  });

  test("a scan whose pixels are not square (a fax at 204 x 98 dpi filling a letter page) is stretched to the page's shape", async () => {
    // 204 x 98 dpi on a 612 x 792 pt page: 1734 x 1078 pixels, each twice as tall as wide.
    const [w, h] = [1734, 1078];
    const png = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 240, g: 240, b: 240 } } }).png().toBuffer();
    const doc = await PDFDocument.create();
    doc.addPage([612, 792]).drawImage(await doc.embedPng(png), { x: 0, y: 0, width: 612, height: 792 });
    const scan = (await ScanPdf.open(await doc.save()))!.scanOf(0)!;
    expect([scan.width, scan.height]).toEqual([w, h]);
    const img = await decodeScan(scan);
    expect(img.width).toBe(w);
    expect(Math.abs(img.height - (w * 792) / 612)).toBeLessThanOrEqual(1);
    // Reduced as it is decoded, in the page's shape.
    const small = await decodeScan(scan, 612);
    expect([small.width, small.height]).toEqual([612, 792]);
  });

  test('an RGB scan (pdf-lib embedPng: zlib, no predictor) and a JPEG scan decode as the images themselves do', async () => {
    const { png } = await grayPng();
    const colour = await sharp(png).toColourspace('srgb').tint({ r: 200, g: 120, b: 60 }).png().toBuffer();
    const jpeg = await sharp(colour).jpeg({ quality: 85 }).toBuffer();
    const doc = await PDFDocument.create();
    for (const img of [await doc.embedPng(colour), await doc.embedJpg(jpeg)]) doc.addPage([216, 144]).drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
    const s = (await ScanPdf.open(await doc.save()))!;
    const [a, b] = [s.scanOf(0)!, s.scanOf(1)!];
    expect([a.kind, a.channels, b.kind, b.channels]).toEqual(['raw', 3, 'jpeg', 3]);
    expect(Buffer.from((await decodeScan(a)).data).equals(Buffer.from((await decodeImage(colour)).data))).toBe(true);
    expect(Buffer.from((await decodeScan(b)).data).equals(Buffer.from((await decodeImage(jpeg)).data))).toBe(true);
    // A JPEG deflated again, as Ghostscript (and ocrmypdf through it) writes them.
    const deflated = await pdfWithImage(deflateSync(jpeg), { Width: 300, Height: 200, ColorSpace: 'DeviceRGB', Filter: ['FlateDecode', 'DCTDecode'] });
    const c = (await ScanPdf.open(deflated))!.scanOf(0)!;
    expect(c.kind).toBe('jpeg');
    expect(Buffer.from((await decodeScan(c)).data).equals(Buffer.from((await decodeImage(jpeg)).data))).toBe(true);
  });

  test('pages that are not one upright full-page image are left to pdfjs', async () => {
    const { png } = await grayPng();
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    doc.addPage([216, 144]).drawImage(img, { x: 0, y: 0, width: 216, height: 144 }); // a scan
    const marked = doc.addPage([216, 144]);
    marked.drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
    marked.drawRectangle({ x: 10, y: 10, width: 5, height: 5, color: rgb(0, 0, 0) });
    doc.addPage([216, 144]).drawImage(img, { x: 20, y: 0, width: 150, height: 100, rotate: degrees(5) }); // turned by 5 degrees
    const rotated = doc.addPage([216, 144]);
    rotated.drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
    rotated.setRotation(degrees(90));
    const text = doc.addPage([216, 144]);
    text.drawText('12345', { x: 10, y: 10 });
    const s = (await ScanPdf.open(await doc.save()))!;
    // (The page turned by its /Rotate is a scan, shown turned.)
    expect([0, 1, 2, 3, 4].map((i) => s.scanOf(i) !== null)).toEqual([true, false, false, true, false]);
    // An image with a decode array (inverted gray), or in CMYK, is declined too.
    const pixels = Buffer.from(deflateSync(Buffer.alloc(16)));
    const inverted = await pdfWithImage(pixels, { Width: 2, Height: 2, ColorSpace: 'DeviceGray', Filter: 'FlateDecode', Decode: [1, 0] });
    const cmyk = await pdfWithImage(pixels, { Width: 2, Height: 2, ColorSpace: 'DeviceCMYK', Filter: 'FlateDecode' });
    const plain = await pdfWithImage(pixels, { Width: 2, Height: 2, ColorSpace: 'DeviceGray', Filter: 'FlateDecode' });
    expect(await Promise.all([inverted, cmyk, plain].map(async (p) => (await ScanPdf.open(p))!.scanOf(0) !== null))).toEqual([false, false, true]);
  });

  test('a PDF is read object by object: a page of a 12-page file reads a small part of it, with a cross-reference table or stream alike', async () => {
    const dir = tmp();
    const rng = new Rng(9);
    const doc = await PDFDocument.create();
    const images: Buffer[] = [];
    for (let i = 0; i < 12; i++) {
      const noise = Buffer.alloc(200 * 150);
      for (let k = 0; k < noise.length; k++) noise[k] = Math.floor(rng.uniform(0, 256));
      images.push(await sharp(noise, { raw: { width: 200, height: 150, channels: 1 } }).jpeg({ quality: 95 }).toBuffer());
      doc.addPage([200, 150]).drawImage(await doc.embedJpg(images[i]), { x: 0, y: 0, width: 200, height: 150 });
    }
    for (const useObjectStreams of [true, false]) {
      const file = join(dir, `pages-${useObjectStreams}.pdf`);
      writeFileSync(file, await doc.save({ useObjectStreams }));
      const source = new FileSource(file);
      const pdf = new PdfFile(source);
      const pages = pdf.pages();
      expect(pages).toHaveLength(12);
      const xobjects = pdf.get(pdf.get(pages[7], 'Resources') as PdfDict, 'XObject') as PdfDict;
      const image = pdf.get(xobjects, [...xobjects.keys()][0]) as PdfStream;
      expect(Buffer.from(pdf.streamBytes(image)).equals(images[7])).toBe(true);
      expect(source.bytesRead).toBeLessThan(0.2 * source.size);
      pdf.close();
      // The scan path reads the file so too, and finds the same scans as from the bytes in memory.
      const [fromFile, fromBytes] = [(await ScanPdf.open(file))!, (await ScanPdf.open(readFileSync(file)))!];
      expect(fromFile.pageCount).toBe(12);
      expect(Buffer.from(fromFile.scanOf(11)!.bytes).equals(images[11])).toBe(true);
      expect(fromFile.scanOf(3)).toEqual(fromBytes.scanOf(3));
      fromFile.close();
    }
  });

  test('pages pdfjs renders are read from the file at offsets too: one page of a 12-page file reads a small part of it', async () => {
    const file = join(tmp(), 'marked.pdf');
    const rng = new Rng(11);
    const doc = await PDFDocument.create();
    for (let i = 0; i < 12; i++) {
      const noise = Buffer.alloc(800 * 600);
      for (let k = 0; k < noise.length; k++) noise[k] = Math.floor(rng.uniform(0, 256));
      const page = doc.addPage([200, 150]);
      // Not a scan (a black rectangle drawn before the image, which falls short of the page's right side): rendered.
      page.drawRectangle({ x: 10, y: 10, width: 5, height: 5, color: rgb(0, 0, 0) });
      page.drawImage(await doc.embedJpg(await sharp(noise, { raw: { width: 800, height: 600, channels: 1 } }).jpeg({ quality: 95 }).toBuffer()), { x: 0, y: 0, width: 190, height: 150 });
    }
    writeFileSync(file, await doc.save());
    // In a child process (pdfjs is an ES module jest does not load), counting what the reader reads.
    const script = `const fs = require('fs'); let read = 0; const r = fs.readSync; fs.readSync = (...a) => { const n = r(...a); read += n; return n; };
      (async () => { for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(file)}, { dpi: 72, pages: { first: 7, step: 100 } })) process.stdout.write(JSON.stringify({ page: p.page, size: [p.image.width, p.image.height], read })); })()`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { page: number; size: number[]; read: number };
    expect(out.page).toBe(8);
    expect(out.size).toEqual([200, 150]);
    expect(out.read).toBeGreaterThan(0);
    expect(out.read).toBeLessThan(0.2 * readFileSync(file).length);
  });

  test('not a PDF, or a damaged one: no fast path (pdfjs reports the problem)', async () => {
    expect(await ScanPdf.open(Buffer.from('%PDF-1.4 garbage'))).toBeNull();
  });

  test('content streams: one image under transforms is found; anything drawn besides is not', () => {
    expect(singleImageDraw('q 612 0 0 792 0 0 cm /Im0 Do Q')).toMatchObject({ name: 'Im0', ctm: [612, 0, 0, 792, 0, 0] });
    expect(singleImageDraw('q 1 0 0 1 0 0 cm q 2 0 0 2 0 0 cm 306 0 0 396 0 0 cm /Im0 Do Q Q')).toMatchObject({ name: 'Im0', ctm: [612, 0, 0, 792, 0, 0] });
    expect(singleImageDraw('q 612 0 0 792 0 0 cm /Im0 Do Q 0 0 10 10 re f')).toBeNull();
    expect(singleImageDraw('/Im0 Do /Im1 Do')).toBeNull();
    expect(singleImageDraw('BT /F1 12 Tf (1) Tj ET')).toBeNull();
  });

  test('content streams: text drawn invisibly (an OCR text layer) is not drawing, in the page or in a form it draws', () => {
    const scan = { name: 'Im0', ctm: [612, 0, 0, 792, 0, 0] };
    const image = 'q 612 0 0 792 0 0 cm /Im0 Do Q ';
    expect(singleImageDraw(image + 'BT 3 Tr /F1 12 Tf 1 0 0 1 72 700 Tm (1\\) \\(2 (3)) Tj [<0034> -120 (5)] TJ 0 -14 Td (6) \' ET')).toMatchObject(scan);
    expect(singleImageDraw('3 Tr /P <</MCID 0>> BDC ' + image + 'BT (7) Tj ET EMC % a comment\n')).toMatchObject(scan);
    expect(singleImageDraw(image + 'BT /F1 12 Tf (1) Tj ET')).toBeNull(); // visible text
    expect(singleImageDraw(image + 'BT 7 Tr (1) Tj ET')).toBeNull(); // text added to the clip
    expect(singleImageDraw(image + 'q 3 Tr Q BT (1) Tj ET')).toBeNull(); // the mode was restored to fill
    expect(singleImageDraw(image + 'BI /W 1 /H 1 ID x EI')).toBeNull(); // an inline image
    const forms = (name: string) => ({ Text: Buffer.from('BT 3 Tr (12) Tj ET'), Inherits: Buffer.from('BT (12) Tj ET'), Visible: Buffer.from('BT 0 Tr (12) Tj ET'), Draws: Buffer.from('/Im0 Do'), Damaged: null })[name];
    expect(singleImageDraw(image + 'q /Text Do Q', forms)).toMatchObject(scan);
    expect(singleImageDraw('3 Tr ' + image + '/Inherits Do', forms)).toMatchObject(scan);
    for (const f of ['Inherits', 'Visible', 'Draws', 'Damaged']) expect(singleImageDraw(`${image}/${f} Do`, forms)).toBeNull();
    // The fill colour at the image (an image mask is painted in it): black unless set otherwise, in force until Q.
    const fills = ['', '0 g ', '0.5 g ', '0 0 0 rg ', '1 0 0 rg ', 'q 1 g Q ', '/CS0 cs 1 sc '];
    expect(fills.map((f) => singleImageDraw(f + image)?.blackFill)).toEqual([true, true, false, true, false, true, false]);
  });

  test('content streams: a clipping rectangle is said, and a page whose clip holds all of it is a scan; other clips and paths are not', async () => {
    const image = '612 0 0 792 0 0 cm /Im0 Do Q';
    expect(singleImageDraw('q 0 0 612 792 re W n ' + image)).toMatchObject({ name: 'Im0', clip: [0, 0, 612, 792] });
    // As Quartz writes a page: its frame flipped, the image drawn flipped again, a clip round the page.
    expect(singleImageDraw('q Q q 0 0 612 792 re W n 1 0 0 -1 0 792 cm q 612 0 0 -792 0 792 cm /Im0 Do Q Q')).toMatchObject({ ctm: [612, 0, 0, 792, 0, 0], clip: [0, 0, 612, 792] });
    // Clips intersect; a clip of two rectangles, a path that is filled, or a curve, is not read.
    expect(singleImageDraw('q 0 0 612 792 re W n 0 0 300 900 re W* n ' + image)?.clip).toEqual([0, 0, 300, 792]);
    expect(singleImageDraw('q 0 0 612 792 re 0 0 10 10 re W n ' + image)).toBeNull();
    expect(singleImageDraw('q 0 0 612 792 re f ' + image)).toBeNull();
    expect(singleImageDraw('q 0 0 m 612 792 l W n ' + image)).toBeNull();
    // In a PDF: the clip holding the page is no clip; one that hides part of the scan sends the page to pdfjs.
    const { png, raw } = await grayPng();
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    for (const width of [216, 150]) {
      const page = doc.addPage([216, 144]);
      const name = page.node.newXObject('Scan', img.ref);
      page.pushOperators(pushGraphicsState(), rectangle(0, 0, width, 144), clip(), endPath(), concatTransformationMatrix(216, 0, 0, 144, 0, 0), drawObject(name), popGraphicsState());
    }
    const s = (await ScanPdf.open(await doc.save()))!;
    expect(Buffer.from((await decodeScan(s.scanOf(0)!)).data).equals(Buffer.from(raw))).toBe(true);
    expect(s.scanOf(1)).toBeNull();
  });

  test('a scan drawn smaller than its page (a check scanned onto a letter page, an image printed to PDF with margins) is placed on the blank page at its own resolution: the pixels pdfjs renders', async () => {
    // Content streams: a background filled in white before the image is no drawing; any other fill, or one after it, is.
    const image = 'q 144 0 0 96 36 24 cm /Im0 Do Q';
    expect(singleImageDraw('1 g 0 0 612 792 re f ' + image)).toMatchObject({ ctm: [144, 0, 0, 96, 36, 24], filled: true });
    expect(singleImageDraw('q 1 1 1 rg 0 0 m 0 792 l 612 792 l 612 0 l h f Q ' + image)).toMatchObject({ filled: true });
    expect(singleImageDraw('0.5 g 0 0 612 792 re f ' + image)).toBeNull();
    expect(singleImageDraw(image + ' 1 g 0 0 612 792 re f')).toBeNull();
    expect(singleImageDraw('1 g 0 0 612 792 re S ' + image)).toBeNull(); // stroked
    const { png, raw } = await grayPng();
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const page = (background: boolean, height = 96, text = false) => {
      const p = doc.addPage([216, 144]);
      if (background) p.drawRectangle({ x: 0, y: 0, width: 216, height: 144, color: rgb(1, 1, 1) });
      p.drawImage(img, { x: 36, y: 24, width: 144, height });
      if (text) p.drawText('Page 5', { x: 150, y: 8, size: 9, font });
    };
    page(false);
    page(true); // a printer driver's white background first
    page(false, 96, true); // a page number over it
    page(true, 96, true); // both: the background would be painted over the scan with the page number (rendered whole)
    page(false, 100); // drawn 4 % taller than its shape: pdfjs draws it so
    const bytes = await doc.save();
    const s = (await ScanPdf.open(bytes))!;
    expect([0, 1, 2, 3, 4].map((i) => [s.scanOf(i)?.on ?? null, s.scanUnderOf(i) !== null])).toEqual([
      [{ page: { width: 216, height: 144 }, x: 36, y: 24 }, false],
      [{ page: { width: 216, height: 144 }, x: 36, y: 24 }, false],
      [null, true],
      [null, false],
      [{ page: { width: 216, height: 144 }, x: 36, y: 20 }, false],
    ]);
    // At 150 dpi the image is drawn at its own 300 x 200 pixels; the page is 450 x 300.
    const { fast, whole } = readBothWays(bytes, 'within', { dpi: 150 });
    for (const [k, p] of fast.entries()) {
      expect([p.w, p.h]).toEqual([450, 300]);
      let off = 0;
      for (let i = 0; i < p.data.length; i++) if (Math.abs(p.data[i] - whole[k].data[i]) > 1) off++;
      expect(off).toBe(0);
    }
    // The scan's own pixels where it lies (36 pt = 75 px from the left, 144 - 24 - 96 = 24 pt = 50 px from the top), blank around it.
    for (const k of [0, 1]) {
      const d = fast[k].data;
      expect(Buffer.from(Array.from({ length: 200 }, (_, y) => Array.from(d.subarray((50 + y) * 450 + 75, (50 + y) * 450 + 375))).flat()).equals(Buffer.from(raw))).toBe(true);
      expect(d.subarray(0, 450 * 50).every((v) => v === 255)).toBe(true);
    }
  });

  test('content streams: with `over`, what is painted after the scan is allowed and said; before it, or the scan drawn again, is not', () => {
    const image = 'q 612 0 0 792 0 0 cm /Im0 Do Q ';
    const stamp = 'BT /F1 9 Tf 40 20 Td (Page 1) Tj ET';
    expect(singleImageDraw(image + stamp)).toBeNull();
    expect(singleImageDraw(image + stamp, undefined, true)).toMatchObject({ name: 'Im0', ctm: [612, 0, 0, 792, 0, 0], over: true });
    expect(singleImageDraw(image + 'q 1 0 0 rg 0 0 10 10 re f Q /Stamp Do', undefined, true)).toMatchObject({ over: true });
    // Nothing painted after it: a plain scan (scanOf's), not one with more over it; an OCR layer in a form neither.
    expect(singleImageDraw(image + 'BT 3 Tr (12) Tj ET q 0.5 g Q', undefined, true)?.over).toBeUndefined();
    const forms = (name: string) => ({ Text: Buffer.from('BT 3 Tr (12) Tj ET'), Visible: Buffer.from('BT (12) Tj ET') })[name];
    expect(singleImageDraw(image + 'q /Text Do Q', forms, true)?.over).toBeUndefined();
    expect(singleImageDraw(image + 'q /Visible Do Q', forms, true)?.over).toBe(true);
    // Invisible text, then visible text once the mode is restored.
    expect(singleImageDraw(image + 'q BT 3 Tr (12) Tj ET Q BT (3) Tj ET', undefined, true)?.over).toBe(true);
    expect(singleImageDraw('0 0 10 10 re f ' + image + stamp, undefined, true)).toBeNull(); // painted under the scan
    expect(singleImageDraw(image + stamp + ' /Im0 Do', undefined, true)).toBeNull(); // the scan again
    expect(singleImageDraw(image + 'BI /W 1 /H 1 ID x EI', undefined, true)).toBeNull(); // an inline image: the rest is unseen
  });

  test('a scan with a stamp, a page number or a mark over it is its stored scan with what lies over it rendered and painted on it: the pixels pdfjs renders', async () => {
    const { png, raw } = await grayPng();
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const img = await doc.embedPng(png);
    const page = doc.addPage([216, 144]);
    page.drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
    page.drawText('Page 12', { x: 150, y: 8, size: 9, font, color: rgb(0, 0, 0) });
    page.drawRectangle({ x: 20, y: 100, width: 40, height: 20, color: rgb(0.8, 0.1, 0.1) }); // a red stamp
    page.drawRectangle({ x: 90, y: 60, width: 50, height: 30, color: rgb(0, 0, 0.6), opacity: 0.4 }); // see-through
    doc.addPage([216, 144]).drawImage(img, { x: 0, y: 0, width: 216, height: 144 }); // a plain scan
    // A highlight that multiplies the scan under it: painted alone over the scan it would hide it.
    const multiply = doc.addPage([216, 144]);
    multiply.drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
    multiply.drawRectangle({ x: 20, y: 20, width: 100, height: 20, color: rgb(1, 1, 0), blendMode: BlendMode.Multiply });
    const bytes = await doc.save();
    const s = (await ScanPdf.open(bytes))!;
    expect([0, 1, 2].map((i) => [s.scanOf(i) !== null, s.scanUnderOf(i) !== null])).toEqual([[false, true], [true, false], [false, false]]);
    // At 100 dpi the page is the scan's 300 x 200.
    const { fast, whole } = readBothWays(bytes, 'stamped', { dpi: 100 });
    // Every page of both (pdfjs keeps an image drawn on several pages among the document's objects,
    // where the page's scan was once waited for in vain: the read ended silently after page 1).
    expect([fast.length, whole.length]).toEqual([3, 3]);
    for (const p of [...fast, ...whole]) expect([p.w, p.h]).toEqual([300, 200]);
    const [a, b] = [fast[0].data, whole[0].data];
    let painted = 0;
    let off = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== raw[i]) painted++;
      if (Math.abs(a[i] - b[i]) > 1) off++;
    }
    // What lies over the scan changed it (the stamp alone is 56 x 28 px), and as pdfjs paints it, to a grey level.
    expect(painted).toBeGreaterThan(56 * 28 + 69 * 42);
    expect(off).toBe(0);
    // The stamp's red: 0.8, 0.1, 0.1 in Rec. 601 luma; the see-through blue over the dark block.
    expect(a[Math.round(200 - 110 * (200 / 144)) * 300 + Math.round(40 * (300 / 216))]).toBe(toGray(Uint8Array.from([204, 26, 26]), 1, 3)[0]);
    // The plain scan is its stored pixels, and the multiplied highlight rendered whole keeps the ink under it.
    expect(fast[1].data.equals(Buffer.from(raw))).toBe(true);
    expect(fast[2].data.equals(whole[2].data)).toBe(true);
  });

  test('annotations over a scan (handwriting drawn on a tablet is an ink annotation) are painted over it as pdfjs draws them; links and hidden ones are not; a highlight has the page rendered whole', async () => {
    const { png, raw } = await grayPng();
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    const annotated = (subtype: string, flags = 4) => {
      const page = doc.addPage([216, 144]);
      page.drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
      // Its appearance: two pen strokes, a 7 written across the page's lower left.
      const ap = doc.context.register(doc.context.formXObject([setLineWidth(3), moveTo(20, 60), lineTo(60, 60), lineTo(35, 15), stroke()], { BBox: [0, 0, 216, 144] } as never));
      const annot = doc.context.obj({ Type: 'Annot', Subtype: subtype, Rect: [0, 0, 216, 144], F: flags, AP: { N: ap }, ...(subtype === 'Ink' ? { InkList: [[20, 60, 60, 60, 35, 15]] } : {}), ...(subtype === 'Link' ? { Border: [0, 0, 0] } : {}) });
      page.node.addAnnot(doc.context.register(annot));
    };
    annotated('Ink');
    annotated('Link');
    annotated('Highlight');
    annotated('Ink', 2); // hidden
    const bytes = await doc.save();
    const s = (await ScanPdf.open(bytes))!;
    expect([0, 1, 2, 3].map((i) => [s.scanOf(i) !== null, s.scanUnderOf(i) !== null])).toEqual([[false, true], [true, false], [false, false], [true, false]]);
    const both = readBothWays(bytes, 'ink', { dpi: 100, pages: { first: 0, step: 1, only: [[1, 1]] } });
    const [fast, whole] = [both.fast[0].data, both.whole[0].data];
    let inked = 0;
    let off = 0;
    for (let i = 0; i < fast.length; i++) {
      if (fast[i] + 100 < raw[i]) inked++;
      if (Math.abs(fast[i] - whole[i]) > 1) off++;
    }
    // The strokes are drawn (3 pt wide, about 90 pt long: some 500 pixels at 100 dpi), as pdfjs draws them.
    expect(inked).toBeGreaterThan(350);
    expect(off).toBe(0);
  });

  test('a searchable scan (a text layer drawn invisibly over it) decodes as the scan alone, by this reader and through pdfjs', async () => {
    const { png, raw } = await grayPng();
    for (const inForm of [false, true]) {
      const pdf = await searchable(png, inForm);
      const scan = (await ScanPdf.open(pdf))!.scanOf(0);
      expect(scan).not.toBeNull();
      expect(Buffer.from((await decodeScan(scan!)).data).equals(Buffer.from(raw))).toBe(true);
      // A file this reader declines (its startxref damaged; pdfjs repairs it) takes the same pixels from pdfjs.
      const text = Buffer.from(pdf).toString('latin1');
      const damaged = join(tmp(), 'damaged.pdf');
      writeFileSync(damaged, Buffer.from(text.replace(/startxref\s+\d+/, 'startxref\n999999999'), 'latin1'));
      expect(await ScanPdf.open(damaged)).toBeNull();
      // pdfjs is an ES module jest does not load: the compiled reader runs in a child process.
      const script = `(async () => { for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(damaged)}, { dpi: 72 })) process.stdout.write(JSON.stringify([p.image.width, p.image.height, Buffer.from(p.image.data).toString('base64')])); })()`;
      const [w, h, data] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as [number, number, string];
      expect([w, h]).toEqual([300, 200]);
      expect(Buffer.from(data, 'base64').equals(Buffer.from(raw))).toBe(true);
    }
    // Text that shows is drawn on the page: the page is rendered.
    const visible = await searchable(png, false, TextRenderingMode.Fill);
    expect((await ScanPdf.open(visible))!.scanOf(0)).toBeNull();
  });

  test('a bitonal scan in CCITT Group 4 decodes natively to what pdfjs makes of it, whichever way its bits say black', async () => {
    const { png } = await grayPng();
    // One strip of Group 4 (sharp writes a strip of up to tileHeight rows), paper as CCITT's white runs.
    const tiff = await sharp(png).threshold(128).negate().toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1, tileHeight: 208 }).toBuffer();
    const g4 = tiffStrip(tiff).strip;
    const ink = (await sharp(png).threshold(128).toColourspace('b-w').raw().toBuffer()).map((v) => (v ? 255 : 0));
    const doc = await PDFDocument.create();
    const kinds: Array<[number, boolean, number[] | null]> = [[-1, false, null], [-1, true, null], [-1, false, [1, 0]], [-1, true, [1, 0]], [0, false, null]];
    for (const [K, BlackIs1, decode] of kinds) {
      const page = doc.addPage([216, 144]);
      const dict = { Type: 'XObject', Subtype: 'Image', Width: 300, Height: 200, BitsPerComponent: 1, ColorSpace: 'DeviceGray', Filter: 'CCITTFaxDecode', DecodeParms: { K, Columns: 300, Rows: 200, BlackIs1 }, ...(decode ? { Decode: decode } : {}) };
      const name = page.node.newXObject('Scan', doc.context.register(doc.context.stream(g4, dict as never)));
      page.pushOperators(pushGraphicsState(), concatTransformationMatrix(216, 0, 0, 144, 0, 0), drawObject(name), popGraphicsState());
    }
    // The same as image masks (painted in the fill colour): black by default or set so, red.
    for (const fill of ['', '0 g ', '1 0 0 rg ']) {
      const page = doc.addPage([216, 144]);
      const dict = { Type: 'XObject', Subtype: 'Image', Width: 300, Height: 200, ImageMask: true, Filter: 'CCITTFaxDecode', DecodeParms: { K: -1, Columns: 300, Rows: 200 } };
      const name = page.node.newXObject('Scan', doc.context.register(doc.context.stream(g4, dict as never)));
      page.node.addContentStream(doc.context.register(doc.context.stream(`${fill}q 216 0 0 144 0 0 cm /${name.asString().slice(1)} Do Q`)));
    }
    const pdf = await doc.save();
    const s = (await ScanPdf.open(pdf))!;
    const ours = [];
    for (let i = 0; i < 4; i++) ours.push(Buffer.from((await decodeScan(s.scanOf(i)!)).data));
    const masks = [5, 6, 7].map((i) => s.scanOf(i));
    expect(masks.map((m) => m?.kind ?? null)).toEqual(['ccitt', 'ccitt', null]);
    expect(Buffer.from((await decodeScan(masks[0]!)).data).equals(ink)).toBe(true);
    // BlackIs1 or a decode array [1 0] swaps black and white; both swap them back.
    expect(ours.map((d) => d.equals(ink))).toEqual([true, false, false, true]);
    expect(ours.map((d) => d.equals(ink.map((v) => 255 - v)))).toEqual([false, true, true, false]);
    expect(s.scanOf(4)).toBeNull(); // Group 3: left to pdfjs
    // pdfjs (on a copy this reader declines) makes the same pixels of each.
    const damaged = join(tmp(), 'damaged-g4.pdf');
    writeFileSync(damaged, Buffer.from(Buffer.from(pdf).toString('latin1').replace(/startxref\s+\d+/, 'startxref\n999999999'), 'latin1'));
    const script = `(async () => { const out = []; for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(damaged)}, { dpi: 72, pages: { first: 0, step: 1 } })) if (p.page <= 4) out.push(Buffer.from(p.image.data).toString('base64')); process.stdout.write(JSON.stringify(out)); })()`;
    const theirs = (JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[]).map((b) => Buffer.from(b, 'base64'));
    expect(theirs.map((d, i) => d.equals(ours[i]))).toEqual([true, true, true, true]);
  });

  test("a scan on a page turned by its /Rotate is turned as pdfjs shows it, and the page's size with it", async () => {
    // Pixels one to a point, so that pdfjs at 72 dpi draws the image as stored.
    const rng = new Rng(5);
    const raw = Buffer.alloc(216 * 144);
    for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(rng.uniform(0, 256));
    const png = await sharp(raw, { raw: { width: 216, height: 144, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    for (const turn of [90, 180, 270, -90]) {
      const page = doc.addPage([216, 144]);
      page.drawImage(img, { x: 0, y: 0, width: 216, height: 144 });
      page.setRotation(degrees(turn));
    }
    const pdf = await doc.save();
    const s = (await ScanPdf.open(pdf))!;
    const ours = [];
    for (let i = 0; i < 4; i++) ours.push(await decodeScan(s.scanOf(i)!));
    expect(ours.map((o) => [o.width, o.height])).toEqual([[144, 216], [216, 144], [144, 216], [144, 216]]);
    // Turned clockwise: the stored image's top-left pixel is at the top right after a quarter turn.
    expect([ours[0].data[143], ours[1].data[216 * 144 - 1], ours[2].data[215 * 144]]).toEqual([raw[0], raw[0], raw[0]]);
    expect(Buffer.from(ours[3].data).equals(Buffer.from(ours[2].data))).toBe(true);
    // readPdfPages (the fast path) and pdfjs rendering a copy this reader declines: the same pages, the same sizes.
    const file = join(tmp(), 'turned.pdf');
    writeFileSync(file, pdf);
    const damaged = join(tmp(), 'turned-damaged.pdf');
    writeFileSync(damaged, Buffer.from(Buffer.from(pdf).toString('latin1').replace(/startxref\s+\d+/, 'startxref\n999999999'), 'latin1'));
    const read = (f: string) => {
      const script = `(async () => { const out = []; for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(f)}, { dpi: 72 })) out.push([p.size.width, p.size.height, p.image.width, p.image.height, Buffer.from(p.image.data).toString('base64')]); process.stdout.write(JSON.stringify(out)); })()`;
      return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Array<[number, number, number, number, string]>;
    };
    const [fast, rendered] = [read(file), read(damaged)];
    expect(fast.map((p) => p.slice(0, 4))).toEqual(rendered.map((p) => p.slice(0, 4)));
    for (const [i, p] of fast.entries()) {
      expect(Buffer.from(p[4], 'base64').equals(Buffer.from(ours[i].data))).toBe(true);
      const theirs = Buffer.from(rendered[i][4], 'base64');
      let diff = 0;
      for (let k = 0; k < theirs.length; k++) diff += Math.abs(theirs[k] - ours[i].data[k]);
      expect(diff / theirs.length).toBeLessThan(2);
    }
  });

  test("the pixel limit bounds the pixels decoded or drawn, not the page's nominal size (an image saved without a resolution makes a huge page)", async () => {
    const { png } = await grayPng();
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    doc.addPage([216, 144]).drawImage(img, { x: 0, y: 0, width: 216, height: 144 }); // a scan: 300 x 200 stored
    const marked = doc.addPage([216, 144]); // rendered by pdfjs: the image turned by 3 degrees
    marked.drawImage(img, { x: 10, y: 0, width: 200, height: 133, rotate: degrees(3) });
    marked.drawRectangle({ x: 10, y: 10, width: 5, height: 5, color: rgb(0, 0, 0) });
    const file = join(tmp(), 'nominal.pdf');
    writeFileSync(file, await doc.save());
    // At 300 dpi each page is 900 x 600 = 540,000 pixels; the limit is 100,000.
    const read = (options: object) => {
      const script = `(async () => { const out = []; for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(file)}, ${JSON.stringify(options)})) out.push(p.error ? p.error.message : [p.size.width, p.size.height, p.image.width, p.image.height]); process.stdout.write(JSON.stringify(out)); })()`;
      return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as unknown[];
    };
    const whole = read({ dpi: 300, pixelLimit: 100000 });
    expect(whole[0]).toEqual([900, 600, 300, 200]);
    expect(whole[1]).toMatch(/nominal\.pdf \(page 2\): page is 900x600 at 300 dpi, over the pixel limit of 100000/);
    // Rendered at a working size, the page drawn is within the limit.
    expect(read({ dpi: 300, pixelLimit: 100000, maxShortSide: 200 })).toEqual([[900, 600, 300, 200], [900, 600, 300, 200]]);
  });

  test('PDFs as Tesseract, ocrmypdf and img2pdf write them take the fast path and give the pixels pdfjs gives', async () => {
    const dir = join(ROOT, 'test', 'fixtures', 'pdf');
    const files = ['tesseract', 'ocrmypdf', 'img2pdf-g4-rotated', 'ocrmypdf-g4-rotated'];
    const kinds = [];
    for (const f of files) {
      const s = (await ScanPdf.open(join(dir, `${f}.pdf`)))!;
      const scan = s.scanOf(0)!;
      kinds.push([scan.kind, scan.rotate ?? 0]);
      s.close();
    }
    expect(kinds).toEqual([['jpeg', 0], ['jpeg', 0], ['ccitt', 90], ['ccitt', 90]]);
    // Each read by readPdfPages (the fast path), and by pdfjs from a copy this reader declines, at the scans' 150 dpi.
    const read = (file: string) => {
      const script = `(async () => { for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(file)}, { dpi: 150 })) process.stdout.write(JSON.stringify([p.image.width, p.image.height, Buffer.from(p.image.data).toString('base64')])); })()`;
      const [w, h, data] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as [number, number, string];
      return { w, h, data: Buffer.from(data, 'base64') };
    };
    for (const f of files) {
      const damaged = join(tmp(), `${f}-damaged.pdf`);
      writeFileSync(damaged, Buffer.from(readFileSync(join(dir, `${f}.pdf`)).toString('latin1').replace(/startxref\s+\d+\s+%%EOF\s*$/, 'startxref\n999999999\n%%EOF\n'), 'latin1'));
      const [ours, theirs] = [read(join(dir, `${f}.pdf`)), read(damaged)];
      expect([ours.w, ours.h]).toEqual(f.includes('rotated') ? [550, 1275] : [1275, 550]);
      expect([theirs.w, theirs.h]).toEqual([ours.w, ours.h]);
      let diff = 0;
      for (let i = 0; i < ours.data.length; i++) diff += Math.abs(ours.data[i] - theirs.data[i]);
      // JPEG decoders round differently (libjpeg-turbo and pdfjs's); CCITT is exact.
      expect(diff / ours.data.length).toBeLessThan(f.includes('g4') ? 1e-9 : 0.05);
    }
  });

  test("what pdfjs draws from data it ships: a JPEG 2000 scan (OpenJPEG's WebAssembly), a standard font's outlines; a scan it cannot decode is the page's error", async () => {
    /** Each page of `file` read by readPdfPages in a child process (pdfjs is an ES module jest does not load): its pixels, or its error. */
    const pages = (file: string) => {
      const script = `(async () => { const out = []; for await (const p of require(${JSON.stringify(join(ROOT, 'dist', 'io', 'pdf'))}).readPdfPages(${JSON.stringify(file)}, { dpi: 150 })) out.push(p.error ? p.error.message : [p.image.width, p.image.height, Buffer.from(p.image.data).toString('base64')]); process.stdout.write(JSON.stringify(out)); })()`;
      return (JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Array<string | [number, number, string]>).map((p) => (typeof p === 'string' ? p : { width: p[0], height: p[1], data: Buffer.from(p[2], 'base64') }));
    };
    // The fixtures' crop in JPEG 2000 (opj_compress -r 40, then img2pdf): without OpenJPEG's wasm, pdfjs drew a blank page.
    const [jpx] = pages(join(ROOT, 'test', 'fixtures', 'pdf', 'jpx.pdf'));
    const crop = await sharp(join(ROOT, 'samples', 'forms', 'zip-code.png')).extract({ left: 0, top: 0, width: 2550, height: 1100 }).resize(1275, 550).toColourspace('b-w').raw().toBuffer();
    if (typeof jpx === 'string') throw new Error(jpx);
    expect([jpx.width, jpx.height]).toEqual([1275, 550]);
    let diff = 0;
    for (let i = 0; i < crop.length; i++) diff += Math.abs(crop[i] - jpx.data[i]);
    expect(diff / crop.length).toBeLessThan(0.5);
    // Bytes that are no JPEG 2000: an error naming the page, not a blank page read as empty.
    const garbage = join(tmp(), 'garbage-jpx.pdf');
    writeFileSync(garbage, await pdfWithImage(Uint8Array.from({ length: 4000 }, (_, i) => (i * 37) & 255), { Width: 300, Height: 200, ColorSpace: 'DeviceGray', Filter: 'JPXDecode' }));
    expect(pages(garbage)).toEqual([`${garbage} (page 1): its scanned image could not be decoded (damaged, or in a form pdfjs does not read)`]);
    // A capital I in Helvetica, which the file names but does not embed (as pdf-lib and many
    // forms' producers write it): drawn from the shipped outlines, a bar with no serifs (pdfjs's
    // fallback without them was a serif face: its I's foot three times its stem).
    const doc = await PDFDocument.create();
    doc.addPage([144, 144]).drawText('I', { x: 50, y: 30, size: 100, font: await doc.embedFont(StandardFonts.Helvetica) });
    const helvetica = join(tmp(), 'helvetica.pdf');
    writeFileSync(helvetica, await doc.save());
    const [page] = pages(helvetica);
    if (typeof page === 'string') throw new Error(page);
    const rows: number[] = [];
    for (let y = 0; y < page.height; y++) {
      let n = 0;
      for (let x = 0; x < page.width; x++) n += page.data[y * page.width + x] < 128 ? 1 : 0;
      if (n) rows.push(n);
    }
    expect(rows.length).toBeGreaterThan(130); // the cap height, 0.72 em: 150 px
    expect(rows[rows.length - 3]).toBeLessThanOrEqual(1.2 * rows[rows.length >> 1]);
  });

  test('an image filling the page turned by a quarter, a half or three quarters is found so; a mirrored or smaller one is not', () => {
    expect([
      placement([612, 0, 0, 792, 0, 0], 612, 792),
      placement([0, -612, 264, 0, 0, 612], 264, 612),
      placement([-612, 0, 0, -792, 612, 792], 612, 792),
      placement([0, 612, -264, 0, 264, 0], 264, 612),
      placement([-612, 0, 0, 792, 612, 0], 612, 792), // mirrored
      placement([600, 0, 0, 792, 0, 0], 612, 792), // short of the page
    ]).toEqual([0, 90, 180, 270, null, null]);
  });

  test('three-channel pages are Rec. 601 luma (the fast loop agrees with the general one)', () => {
    const rgbPx = Uint8Array.from([200, 100, 50, 0, 0, 0, 255, 255, 255, 10, 250, 3]);
    const rgba = Uint8Array.from([200, 100, 50, 255, 0, 0, 0, 255, 255, 255, 255, 255, 10, 250, 3, 255]);
    expect(Array.from(toGray(rgbPx, 4, 3))).toEqual(Array.from(toGray(rgba, 4, 4)));
    expect(Array.from(toGray(rgbPx, 4, 3))).toEqual([124, 0, 255, 150]);
  });
});
