/**
 * Registration: lines a template up with a scan through printed registration marks (solid squares
 * near the page corners, as on OMR and census forms). Each mark is looked for near where the
 * template puts it (or, for a page photographed smaller than the picture, anywhere on it); the marks
 * found give a transform from template to page (1 mark: a shift; 2: shift, scale and rotation; 3 or
 * more: affine; 4 or more that no affine map fits, as on a page photographed at an angle: a
 * homography), and the template's fields are mapped through it.
 */
import type { BinaryImage, Box } from '../types';
import type { CV } from '../preprocess/opencv';
import { components, cropBinary } from './components';
import { DEFAULT_MARK_SIZE, Template } from './fields';

/** A point `[x, y]` in pixels. */
export type Point = [number, number];

/** `x' = a*x + b*y + c`, `y' = d*x + e*y + f`, as `[a, b, c, d, e, f]`. */
export type Affine = [number, number, number, number, number, number];

/**
 * A homography (a plane seen in perspective): `x' = (a*x + b*y + c) / (g*x + h*y + 1)`,
 * `y' = (d*x + e*y + f) / (g*x + h*y + 1)`, as `[a, b, c, d, e, f, g, h]`.
 */
export type Homography = [number, number, number, number, number, number, number, number];

/** A registration's transform: an affine map, or a homography. */
export type Transform = Affine | Homography;

/** The identity transform. */
export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** Applies `t` (an affine map or a homography) to a point. */
export function applyAffine(t: Transform, [x, y]: Point): Point {
  const q = t.length === 8 ? t[6] * x + t[7] * y + 1 : 1;
  return [(t[0] * x + t[1] * y + t[2]) / q, (t[3] * x + t[4] * y + t[5]) / q];
}

/** The affine map that `t` is near point `p` (its derivative there): `t` itself for an affine map. */
export function localAffine(t: Transform, p: Point): Affine {
  if (t.length === 6) return t;
  const [x, y] = p;
  const q = t[6] * x + t[7] * y + 1;
  const [u, v] = applyAffine(t, p);
  const [a, b, d, e] = [(t[0] - u * t[6]) / q, (t[1] - u * t[7]) / q, (t[3] - v * t[6]) / q, (t[4] - v * t[7]) / q];
  return [a, b, u - a * x - b * y, d, e, v - d * x - e * y];
}

/** The area scale factor's square root: how much `t` enlarges lengths (1 = same size); for a homography, near `at`. */
export function affineScale(t: Transform, at: Point = [0, 0]): number {
  const l = localAffine(t, at);
  return Math.sqrt(Math.abs(l[0] * l[4] - l[1] * l[3]));
}

/** The axis-aligned box around the four mapped corners of `box`. */
export function mapBox(t: Transform, [x, y, w, h]: Box): Box {
  const pts = [applyAffine(t, [x, y]), applyAffine(t, [x + w, y]), applyAffine(t, [x, y + h]), applyAffine(t, [x + w, y + h])];
  const x0 = Math.min(...pts.map((p) => p[0]));
  const y0 = Math.min(...pts.map((p) => p[1]));
  const x1 = Math.max(...pts.map((p) => p[0]));
  const y1 = Math.max(...pts.map((p) => p[1]));
  return [Math.round(x0), Math.round(y0), Math.round(x1 - x0), Math.round(y1 - y0)];
}

/**
 * Finds a solid square mark of about `side` pixels whose centre is within `radius` of `expected`:
 * a component whose box is `side` (`sizes`, default 0.6..1.6x), nearly square and at least 75%
 * inked. The nearest such one, or null.
 */
export function findMark(cv: CV, bin: BinaryImage, expected: Point, side: number, radius: number, sizes: [number, number] = [0.6, 1.6]): Point | null {
  const x0 = Math.max(0, Math.round(expected[0] - radius));
  const y0 = Math.max(0, Math.round(expected[1] - radius));
  const x1 = Math.min(bin.width, Math.round(expected[0] + radius));
  const y1 = Math.min(bin.height, Math.round(expected[1] + radius));
  if (x1 - x0 < side / 2 || y1 - y0 < side / 2) return null;
  const win = cropBinary(bin, [x0, y0, x1 - x0, y1 - y0]);
  let best: Point | null = null;
  let bestDist = Infinity;
  for (const c of components(cv, win).list) {
    const [cx, cy, w, h] = c.box;
    if (w < sizes[0] * side || h < sizes[0] * side || w > sizes[1] * side || h > sizes[1] * side) continue;
    if (Math.max(w, h) > 1.35 * Math.min(w, h) || c.area < 0.75 * w * h) continue;
    const p: Point = [x0 + cx + w / 2, y0 + cy + h / 2];
    const d = Math.hypot(p[0] - expected[0], p[1] - expected[1]);
    if (d <= radius && d < bestDist) {
      best = p;
      bestDist = d;
    }
  }
  return best;
}

/** A solid square found anywhere on the page that may be a registration mark: its centre and side. */
export interface MarkCandidate {
  centre: Point;
  side: number;
}

/**
 * Every solid square on the page whose side is from `minSide` to `maxSide` pixels: components nearly
 * square (to 1.35, as a mark seen at an angle still is) and at least 85% inked (more than
 * {@link findMark} asks near a mark's place: a bold letter of a heading, a P or an a, is 75-83 %;
 * marks on the desk bench's photographs 89-98 %). At most `limit` (the most solid first).
 */
export function markCandidates(cv: CV, bin: BinaryImage, minSide: number, maxSide: number, limit = 60): MarkCandidate[] {
  const out: Array<MarkCandidate & { fill: number }> = [];
  for (const c of components(cv, bin).list) {
    const [x, y, w, h] = c.box;
    if (w < minSide || h < minSide || w > maxSide || h > maxSide) continue;
    if (Math.max(w, h) > 1.35 * Math.min(w, h) || c.area < 0.85 * w * h) continue;
    out.push({ centre: [x + w / 2, y + h / 2], side: (w + h) / 2, fill: c.area / (w * h) });
  }
  return out
    .sort((a, b) => b.fill - a.fill)
    .slice(0, limit)
    .map(({ centre, side }) => ({ centre, side }));
}

/**
 * The template's marks (`expected`, page pixels, each of `side`) among solid squares found anywhere
 * on the page (`candidates`), for a page that lies smaller and elsewhere in the image than the
 * template says (a form photographed on a desk, filling two thirds of the picture): every choice of
 * three candidates for the three marks spanning the largest triangle gives an affine map, kept when
 * it is a plausible view of the page (lengths scaled by 0.3 to 1.25, alike both ways to 30 %, axes
 * square to 15 degrees, turned by under 25, not mirrored, each candidate the size the map makes a
 * mark) and scored by the other marks it puts within a tenth of the marks' spread (as mapped) of a
 * candidate of that size; the choice with the most marks, then the least distance, whose squares
 * are alike in size (to 35 %: marks are printed alike). The candidate
 * found for each mark, or null; null when no choice places three.
 */
export function matchMarks(expected: Point[], side: number, candidates: MarkCandidate[]): Array<Point | null> | null {
  if (expected.length < 3 || candidates.length < 3) return null;
  // The three marks spanning the largest triangle anchor the map.
  let anchor = [0, 1, 2];
  let area = -1;
  for (let i = 0; i < expected.length; i++)
    for (let j = i + 1; j < expected.length; j++)
      for (let k = j + 1; k < expected.length; k++) {
        const [a, b, c] = [expected[i], expected[j], expected[k]];
        const s = Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]));
        if (s > area) [area, anchor] = [s, [i, j, k]];
      }
  let spread = 0;
  for (const a of expected) for (const b of expected) spread = Math.max(spread, Math.hypot(a[0] - b[0], a[1] - b[1]));
  const from = anchor.map((i) => expected[i]);
  const sized = (c: MarkCandidate, scale: number) => c.side >= 0.6 * scale * side && c.side <= 1.6 * scale * side;
  let best: { found: Array<Point | null>; count: number; distance: number } | null = null;
  const n = candidates.length;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      for (let c = 0; c < n; c++) {
        if (c === a || c === b) continue;
        const chosen = [candidates[a], candidates[b], candidates[c]];
        const t = fitTransform(from, chosen.map((m) => m.centre));
        const [sx, sy] = [Math.hypot(t[0], t[3]), Math.hypot(t[1], t[4])];
        const det = t[0] * t[4] - t[1] * t[3];
        if (det <= 0) continue;
        const scale = Math.sqrt(det);
        if (scale < 0.3 || scale > 1.25 || Math.max(sx, sy) > 1.3 * Math.min(sx, sy)) continue;
        if (Math.abs(t[0] * t[1] + t[3] * t[4]) / (sx * sy) > Math.sin((15 * Math.PI) / 180)) continue;
        if (Math.abs(Math.atan2(t[3], t[0])) > (25 * Math.PI) / 180) continue;
        if (!chosen.every((m) => sized(m, scale))) continue;
        const found: Array<Point | null> = expected.map(() => null);
        anchor.forEach((i, k) => (found[i] = chosen[k].centre));
        let count = 3;
        let distance = 0;
        const reach = 0.1 * spread * scale;
        const sides = chosen.map((m) => m.side);
        expected.forEach((e, i) => {
          if (found[i]) return;
          const q = applyAffine(t, e);
          let near: MarkCandidate | null = null;
          let d = reach;
          for (const m of candidates) {
            const dm = Math.hypot(m.centre[0] - q[0], m.centre[1] - q[1]);
            if (dm <= d && sized(m, scale) && !found.includes(m.centre)) [near, d] = [m, dm];
          }
          if (near) {
            found[i] = near.centre;
            sides.push(near.side);
            count++;
            distance += d;
          }
        });
        // Marks are printed alike: the squares taken for them are of one size (to 35 %, a view in
        // perspective shrinks the far ones), not a mark and a bold letter.
        if (Math.max(...sides) > 1.35 * Math.min(...sides)) continue;
        if (!best || count > best.count || (count === best.count && distance < best.distance)) best = { found, count, distance };
      }
    }
  return best ? best.found : null;
}

/** Solves the small linear system `m x = v` (Gaussian elimination with pivoting); null if singular. */
function solve(m: number[][], v: number[]): number[] | null {
  const n = v.length;
  const a = m.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-9) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

/** Least-squares fit of `rows · params ≈ targets` (normal equations). */
function leastSquares(rows: number[][], targets: number[]): number[] | null {
  const k = rows[0].length;
  const m = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[i] * r[j], 0)));
  const v = Array.from({ length: k }, (_, i) => rows.reduce((s, r, n) => s + r[i] * targets[n], 0));
  return solve(m, v);
}

/**
 * The transform taking `from` to `to` (pairs of points): a shift for one pair, a similarity
 * (shift, uniform scale, rotation) for two, an affine map for three or more; least squares.
 */
export function fitTransform(from: Point[], to: Point[]): Affine {
  const n = from.length;
  if (n === 0) return IDENTITY;
  if (n === 1) return [1, 0, to[0][0] - from[0][0], 0, 1, to[0][1] - from[0][1]];
  if (n === 2) {
    // x' = a x - b y + c, y' = b x + a y + d
    const rows: number[][] = [];
    const t: number[] = [];
    from.forEach(([x, y], i) => {
      rows.push([x, -y, 1, 0]);
      t.push(to[i][0]);
      rows.push([y, x, 0, 1]);
      t.push(to[i][1]);
    });
    const s = leastSquares(rows, t);
    if (!s) return fitTransform(from.slice(0, 1), to.slice(0, 1));
    return [s[0], -s[1], s[2], s[1], s[0], s[3]];
  }
  const rows = from.map(([x, y]) => [x, y, 1]);
  const px = leastSquares(rows, to.map((p) => p[0]));
  const py = leastSquares(rows, to.map((p) => p[1]));
  if (!px || !py) return fitTransform(from.slice(0, 2), to.slice(0, 2));
  return [px[0], px[1], px[2], py[0], py[1], py[2]];
}

/**
 * The homography taking `from` to `to` (four pairs or more; least squares beyond four), or null when
 * the points do not determine one (three of them in a line). Fitted on coordinates scaled to about 1.
 */
export function fitHomography(from: Point[], to: Point[]): Homography | null {
  if (from.length < 4) return null;
  const k = Math.max(1, ...from.flat().map(Math.abs), ...to.flat().map(Math.abs));
  const rows: number[][] = [];
  const t: number[] = [];
  from.forEach(([x0, y0], i) => {
    const [x, y, u, v] = [x0 / k, y0 / k, to[i][0] / k, to[i][1] / k];
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    t.push(u);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    t.push(v);
  });
  const s = from.length === 4 ? solve(rows, t) : leastSquares(rows, t);
  if (!s || !s.every(Number.isFinite)) return null;
  return [s[0], s[1], s[2] * k, s[3], s[4], s[5] * k, s[6] / k, s[7] / k];
}

/** How a page was registered. */
export interface Registration {
  /** Marks in the template. */
  marks: number;
  /** Marks found on the page. */
  found: number;
  /** Template (page pixels) -> page pixels: an affine map, or a homography (see {@link register}). */
  transform: Transform;
  /** Root-mean-square distance, in pixels, between the marks found and where the transform puts them. */
  error: number;
}

/** Options of {@link register}. */
export interface RegisterOptions {
  /** Mark side in pixels. */
  side: number;
  /** How far from its template position a mark is looked for, in pixels. */
  radius: number;
}

/**
 * Finds the template's marks (`expected`, page pixels) on `bin` and fits the transform; marks not
 * found within `radius` are looked for again within twice that, around where the others put them
 * and of the size they make a mark (0.8..1.25x). With 4+
 * marks that an affine map does not fit (one off by over an eighth of a mark), they are a page
 * photographed at an angle when a homography fits them (to an eighth of a mark; four always fit)
 * and it is a plausible view of a page: its perspective changes the scale across the marks by under
 * a quarter (8 % of the page in at one corner changes it by 16 %). Otherwise, when one is off by
 * more than half a mark, the mark that disagrees most is dropped and an affine map fitted to the
 * others. A fit that scales by less than 0.8 or more than 1.25 (at any mark) is refused. When
 * fewer than three marks are found so (or their fit is refused), the page may lie smaller and
 * elsewhere in the image than the template says, as a form photographed on a desk does: the marks
 * are looked for among every solid square of the page ({@link matchMarks}), and a fit of those that
 * scales the page by 0.3 to 1.25 is kept when it places more marks. None: identity, 0 found.
 */
export function register(cv: CV, bin: BinaryImage, expected: Point[], o: RegisterOptions): Registration {
  const found = expected.map((e) => findMark(cv, bin, e, o.side, o.radius));
  const pairsOf = (marks: Array<Point | null>) => expected.flatMap((e, i): Array<[Point, Point]> => (marks[i] ? [[e, marks[i]!]] : []));
  // A mark not found near its place is looked for again twice as far, around where the marks found
  // put it (a page photographed at an angle moves its corners the most), the nearest one there of
  // the size they make a mark (to a quarter: so wide a search meets bold print, whose letters are
  // smaller).
  const first = pairsOf(found);
  if (first.length < expected.length) {
    const guess = fitPairs(first);
    expected.forEach((e, i) => {
      found[i] ??= findMark(cv, bin, applyAffine(guess, e), o.side * affineScale(guess, e), 2 * o.radius, [0.8, 1.25]);
    });
  }
  const near = fitMarks(pairsOf(found), o.side, 0.8);
  if (near && near.found >= Math.min(3, expected.length)) return { marks: expected.length, ...near };
  // Too few near their places, or a fit of them that scales the page by under 0.8: the page may lie
  // smaller and elsewhere in the image (a form photographed on a desk); the marks are looked for
  // among the solid squares of the whole page.
  const wide = matchMarks(expected, o.side, markCandidates(cv, bin, 0.3 * 0.6 * o.side, 1.25 * 1.6 * o.side));
  const far = wide ? fitMarks(pairsOf(wide), o.side, 0.3) : null;
  const best = far && far.found > (near?.found ?? 0) ? far : near;
  return best ? { marks: expected.length, ...best } : { marks: expected.length, found: 0, transform: IDENTITY, error: 0 };
}

/** {@link fitTransform} of pairs (template point, page point). */
function fitPairs(pairs: Array<[Point, Point]>): Affine {
  return fitTransform(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
}

/**
 * The transform of `pairs` (template mark, mark found), as {@link register} fits it; null when it
 * scales the page by less than `smallest` or more than 1.25 at any mark.
 */
function fitMarks(pairs: Array<[Point, Point]>, side: number, smallest: number): Omit<Registration, 'marks'> | null {
  const residuals = (t: Transform, ps: Array<[Point, Point]>) => ps.map(([e, f]) => {
    const q = applyAffine(t, e);
    return Math.hypot(q[0] - f[0], q[1] - f[1]);
  });
  let t: Transform = fitPairs(pairs);
  let res = residuals(t, pairs);
  if (pairs.length >= 4 && Math.max(...res) > side / 8) {
    const h = fitHomography(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    const hres = h ? residuals(h, pairs) : [];
    const depth = h ? pairs.map(([[x, y]]) => h[6] * x + h[7] * y + 1) : [];
    if (h && Math.max(...hres) <= side / 8 && Math.min(...depth) > 0 && Math.max(...depth) <= 1.25 * Math.min(...depth)) {
      t = h;
      res = hres;
    } else if (Math.max(...res) > side / 2) {
      const worst = res.indexOf(Math.max(...res));
      pairs = pairs.filter((_, i) => i !== worst);
      t = fitPairs(pairs);
      res = residuals(t, pairs);
    }
  }
  const scales = (pairs.length ? pairs.map((p) => p[0]) : [[0, 0] as Point]).map((p) => affineScale(t, p));
  if (!scales.every((scale) => scale >= smallest && scale <= 1.25)) return null;
  const error = pairs.length ? Math.sqrt(res.reduce((s, r) => s + r * r, 0) / pairs.length) : 0;
  return { found: pairs.length, transform: t, error };
}

/**
 * Registers a template with marks on a `width` x `height` page (its binarization `bin`): each mark
 * of `markSize` (default {@link DEFAULT_MARK_SIZE}) is looked for within a tenth of the page width
 * of its place (at least 3 marks' sides). Null when the template has no marks.
 */
export function registerTemplate(cv: CV, bin: BinaryImage, t: Template): Registration | null {
  if (!t.marks?.length) return null;
  const side = (t.markSize ?? DEFAULT_MARK_SIZE) * bin.width;
  const centres = t.marks.map(([x, y]): Point => [x * bin.width, y * bin.height]);
  return register(cv, bin, centres, { side, radius: Math.max(3 * side, 0.1 * bin.width) });
}
