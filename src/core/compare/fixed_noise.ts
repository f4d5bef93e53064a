// The fixed inputs of a run's sample grid and of its evaluations: functions of the seed alone (never of
// the model, the flow or the training settings), so two runs that differ in one setting are compared on
// exactly the same noise and labels, and any difference between their samples comes from the setting.

import { Rng } from '../rng';

/** Offset of the noise stream from the run's seed: a stream of its own, never the training one. */
export const GRID_NOISE_OFFSET = 0x5eed;

/** n·prod(shape) standard normals for n samples of the given per-sample shape, from the seed alone. */
export function gridNoise(seed: number, n: number, shape: readonly number[]): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n: expected a non-negative integer, got ${n}`);
  if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`shape: expected positive integers, got [${shape}]`);
  const per = shape.reduce((a, b) => a * b, 1);
  return new Rng(seed + GRID_NOISE_OFFSET).normals(n * per);
}

/** Labels 0, 1, …, k−1, 0, 1, …: every prefix as balanced over the k classes as it can be. */
export function balancedLabels(n: number, numClasses: number): Int32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`numClasses: expected an integer ≥ 1, got ${numClasses}`);
  return Int32Array.from({ length: n }, (_, i) => i % numClasses);
}

/** FNV-1a (32-bit) of the bytes of a typed array, as 8 hex digits: a fingerprint of a run's fixed noise. */
export function fingerprint(data: Float32Array | Int32Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
