// Procedural coloured shapes: one shape on a plain background per image, random colours,
// position and size; the class is the shape. Anti-aliased by supersampling.
import type { Rng } from '../rng';
import { proceduralDataset } from './common';
import type { Dataset, DatasetInfo } from './types';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross'] as const;

/** Sub-samples per pixel along each axis (4×4 = 16 per pixel). */
const SUPERSAMPLE = 4;
/** Half-extent of a shape as a fraction of the image side. */
const MIN_HALF = 0.25, MAX_HALF = 0.42;
/** Least RGB distance (in [0, 1] units) between shape and background, so every shape is visible. */
const MIN_CONTRAST = 0.5;
const MAX_COLOUR_TRIES = 32;

const SQRT3 = Math.sqrt(3);

/** Whether the offset (dx, dy) from the centre lies inside a shape of half-extent s (y points down). */
function inside(cls: number, dx: number, dy: number, s: number): boolean {
  switch (cls) {
    case 0: return dx * dx + dy * dy <= s * s;
    case 1: return Math.abs(dx) <= 0.8 * s && Math.abs(dy) <= 0.8 * s;
    // Equilateral, apex up, inscribed in the circle of radius s.
    case 2: return dy <= 0.5 * s && SQRT3 * Math.abs(dx) <= dy + s;
    default: {
      const t = 0.3 * s; // arm half-width
      const ax = Math.abs(dx), ay = Math.abs(dy);
      return (ax <= s && ay <= t) || (ax <= t && ay <= s);
    }
  }
}

function shapesInfo(size: number): DatasetInfo {
  return {
    name: `shapes${size}`, kind: 'image', shape: [size, size, 3],
    numClasses: SHAPE_CLASSES.length, classNames: [...SHAPE_CLASSES],
    description: `Coloured shapes ${size}×${size} RGB: ${SHAPE_CLASSES.join(', ')} on a plain background, random colour, place and size`,
  };
}

export const SHAPES16_INFO = shapesInfo(16);
export const SHAPES32_INFO = shapesInfo(32);

function colour(rng: Rng): [number, number, number] {
  return [rng.uniform(), rng.uniform(), rng.uniform()];
}

export function createShapes(size: 16 | 32): Dataset {
  return proceduralDataset(size === 16 ? SHAPES16_INFO : SHAPES32_INFO, (rng, x, o) => {
    const cls = rng.int(SHAPE_CLASSES.length);
    const s = size * (MIN_HALF + (MAX_HALF - MIN_HALF) * rng.uniform());
    const cx = s + (size - 2 * s) * rng.uniform();
    const cy = s + (size - 2 * s) * rng.uniform();
    const bg = colour(rng);
    let fg = colour(rng);
    for (let tries = 1; dist(fg, bg) < MIN_CONTRAST; tries++) {
      // Rarely reached: the colour opposite the background is always far enough.
      fg = tries < MAX_COLOUR_TRIES ? colour(rng) : [1 - bg[0], 1 - bg[1], bg[2] < 0.5 ? 1 : 0];
    }
    renderShape(x, o, size, { cls, cx, cy, s, bg, fg });
    return cls;
  });
}

export interface ShapeSpec {
  cls: number;                 // index into SHAPE_CLASSES
  cx: number; cy: number;      // centre in pixels (pixel p spans [p, p + 1))
  s: number;                   // half-extent in pixels
  bg: readonly number[]; fg: readonly number[]; // RGB in [0, 1]
}

/** Draws one shape into x[o ..] as size×size×3 HWC in [-1, 1], each pixel blended by its covered fraction. */
export function renderShape(x: Float32Array, o: number, size: number, { cls, cx, cy, s, bg, fg }: ShapeSpec): void {
  const ss = SUPERSAMPLE, inv = 1 / (ss * ss);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < ss; sy++) {
        const dy = py + (sy + 0.5) / ss - cy;
        for (let sx = 0; sx < ss; sx++) if (inside(cls, px + (sx + 0.5) / ss - cx, dy, s)) hits++;
      }
      const a = hits * inv;
      const p = o + (py * size + px) * 3;
      for (let c = 0; c < 3; c++) x[p + c] = 2 * (bg[c] + (fg[c] - bg[c]) * a) - 1;
    }
  }
}

function dist(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
