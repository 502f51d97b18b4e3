/** Connected components of a binary image (labelled with OpenCV, or from runs on sparse pages), and cropping. */
import type { BinaryImage, Box } from '../types';
import type { Component } from '../preprocess/opencv';

export { components, labelComponents } from '../preprocess/opencv';
export { componentBoxes, cropBinary } from '../preprocess/steps';
export type { Component, Components } from '../preprocess/opencv';

/** Right edge of a box (exclusive). */
export const boxRight = (b: Box): number => b[0] + b[2];
/** Bottom edge of a box (exclusive). */
export const boxBottom = (b: Box): number => b[1] + b[3];

/** The median of `v` (the upper one of an even count); sorts `v` in place. */
export function median(v: number[]): number {
  return v.sort((a, b) => a - b)[v.length >> 1];
}

/** The smallest box holding both. */
export function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a[0], b[0]);
  const y = Math.min(a[1], b[1]);
  return [x, y, Math.max(boxRight(a), boxRight(b)) - x, Math.max(boxBottom(a), boxBottom(b)) - y];
}

/** The area two boxes share. */
export function boxOverlap(a: Box, b: Box): number {
  const w = Math.min(boxRight(a), boxRight(b)) - Math.max(a[0], b[0]);
  const h = Math.min(boxBottom(a), boxBottom(b)) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Components read together: their union box, labels and ink. */
export interface ComponentGroup {
  box: Box;
  labels: number[];
  area: number;
}

/** Adds group `from` to group `into` (box, labels, area), in place. */
export function joinGroup(into: ComponentGroup, from: ComponentGroup): void {
  into.box = unionBox(into.box, from.box);
  into.labels.push(...from.labels);
  into.area += from.area;
}

/**
 * Groups components, ordered by left edge, merging any two whose boxes `join` says belong together
 * (e.g. the broken strokes of one digit, overlapping in x) until no pair joins. `join` gets the two
 * boxes and their overlap in x (negative: a gap).
 */
export function groupComponents(comps: Component[], join: (a: Box, b: Box, overlapX: number) => boolean): ComponentGroup[] {
  const groups: ComponentGroup[] = [...comps].sort((a, b) => a.box[0] - b.box[0]).map((c) => ({ box: c.box, labels: [c.label], area: c.area }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < groups.length && !merged; i++) {
      for (let j = i + 1; j < groups.length && !merged; j++) {
        const a = groups[i].box;
        const b = groups[j].box;
        if (join(a, b, Math.min(boxRight(a), boxRight(b)) - Math.max(a[0], b[0]))) {
          joinGroup(groups[i], groups[j]);
          groups.splice(j, 1);
          merged = true;
        }
      }
    }
  }
  return groups;
}
