/** Plots: Vega-Lite specs rendered to SVG by Vega, then to PNG by sharp. */
import sharp from 'sharp';

// vega and vega-lite have no bundled types for their CommonJS builds here; the surface used is tiny.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vega = require('vega') as {
  View: new (runtime: unknown, opts: { renderer: string }) => { toSVG(scale?: number): Promise<string> };
  parse: (spec: unknown) => unknown;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vl = require('vega-lite') as { compile: (spec: unknown) => { spec: unknown } };

/** A Vega-Lite specification (data inline). */
export type VegaLiteSpec = Record<string, unknown>;

/** Renders a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', background: 'white', ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  return view.toSVG();
}

/** Renders a Vega-Lite spec to a PNG file. */
export async function renderPng(spec: VegaLiteSpec, file: string, scale = 2): Promise<void> {
  const svg = await renderSvg(spec);
  await sharp(Buffer.from(svg), { density: 72 * scale }).png().toFile(file);
}
