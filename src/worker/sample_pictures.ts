// The sample pictures, composed in the worker so that the page only blits them: the grid (one column per
// class) and the strip of x_t along the ODE.

import { imageGrid } from '../core/formats/image_grid';
import type { RgbaImage } from './protocol';

/** Rows of the trajectory strip: the first sample of each class, at most this many. */
export const TRAJECTORY_IMAGES = 8;

/** At most `max` evenly spaced indices of 0..n−1, first and last included. */
export function spread(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}

/** Standard deviation of the values (0 for a blank grid). */
export function stdDev(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - m) ** 2;
  return Math.sqrt(v / x.length);
}

/** The sample grid with one column per class (labels run class by class), so a wide screen shows every class. */
export function classGrid(x: Float32Array, labels: Int32Array, shape: readonly number[]): RgbaImage {
  const n = labels.length;
  const classes = Math.max(1, new Set(labels).size);
  const perClass = Math.ceil(n / classes);
  const per = shape.reduce((a, b) => a * b, 1);
  const cols = classes === 1 ? Math.min(8, n) : classes;
  const rows = Math.ceil(n / cols);
  const reordered = new Float32Array(rows * cols * per);
  for (let i = 0; i < n; i++) {
    const slot = classes === 1 ? i : (i % perClass) * classes + Math.floor(i / perClass);
    reordered.set(x.subarray(i * per, (i + 1) * per), slot * per);
  }
  return imageGrid(reordered, rows * cols, shape, cols, { pad: 1 });
}

/** x_t of the first sample of each class (at most TRAJECTORY_IMAGES) at the chosen frames: rows are samples. */
export function trajectoryStrip(full: Float32Array[], frames: number[], labels: Int32Array, shape: readonly number[]): RgbaImage & { rows: number } {
  const per = shape.reduce((a, b) => a * b, 1);
  let index = [...labels.keys()].filter((i) => i === 0 || labels[i - 1] !== labels[i]).slice(0, TRAJECTORY_IMAGES);
  if (index.length < Math.min(4, labels.length)) index = spread(labels.length, Math.min(TRAJECTORY_IMAGES, labels.length));
  const all = new Float32Array(index.length * frames.length * per);
  index.forEach((i, r) => frames.forEach((f, j) => all.set(full[f].subarray(i * per, (i + 1) * per), (r * frames.length + j) * per)));
  return { ...imageGrid(all, index.length * frames.length, shape, frames.length, { pad: 1 }), rows: index.length };
}
