// Helpers shared by the dataset implementations (not part of the public surface).
import { Rng } from '../rng';
import type { Batch, Dataset, DatasetInfo } from './types';

/** Seed of the fixed stream behind `heldOut` for procedural datasets: a stream of its own, never the training one. */
export const HELD_OUT_SEED = 0x6e1d0;

/** byte q → q / 127.5 − 1, so 0 ↦ −1 and 255 ↦ 1. */
export const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, q) => q / 127.5 - 1);

export const rowSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: expected a non-negative integer sample count, got ${n}`);
}

/** Writes one sample into `x` at `offset` and returns its label. */
export type Draw = (rng: Rng, x: Float32Array, offset: number) => number;

/** A dataset that is an endless stream of procedural draws (2D toys, shapes). */
export function proceduralDataset(info: DatasetInfo, draw: Draw): Dataset {
  const d = rowSize(info.shape);
  const fill = (rng: Rng, n: number): Batch => {
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = draw(rng, x, i * d);
    return { x, y };
  };
  return {
    ...info,
    size: Infinity,
    sample(rng, n) { checkCount(n, `${info.name}.sample`); return fill(rng, n); },
    // A fresh stream from a fixed seed each call, so every call gives the same samples
    // and heldOut(m) is a prefix of heldOut(n).
    heldOut(n) { checkCount(n, `${info.name}.heldOut`); return fill(new Rng(HELD_OUT_SEED), n); },
  };
}

/**
 * A dataset over a finite table of 8-bit rows (`pixels`: one row of prod(shape) bytes per item,
 * mapped to [-1, 1]): `train` indices are sampled with replacement, `held` is the fixed held-out order.
 */
export function byteTableDataset(
  info: DatasetInfo & { readonly size: number },
  labels: ArrayLike<number>,
  pixels: Uint8Array,
  train: Int32Array,
  held: Int32Array,
): Dataset {
  const d = rowSize(info.shape);
  const gather = (n: number, pick: (i: number) => number): Batch => {
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = pick(i);
      for (let j = 0, p = k * d, o = i * d; j < d; j++) x[o + j] = BYTE_TO_UNIT[pixels[p + j]];
      y[i] = labels[k];
    }
    return { x, y };
  };
  return {
    ...info,
    sample(rng, n) {
      checkCount(n, `${info.name}.sample`);
      return gather(n, () => train[rng.int(train.length)]);
    },
    heldOut(n) {
      checkCount(n, `${info.name}.heldOut`);
      return gather(n, (i) => held[i % held.length]);
    },
  };
}

/** Orders indices round-robin over classes (class 0's first, class 1's first, …), so any prefix is as balanced as it can be. */
export function interleaveByClass(byClass: readonly (readonly number[])[]): Int32Array {
  const total = byClass.reduce((a, c) => a + c.length, 0);
  const out = new Int32Array(total);
  let k = 0;
  for (let r = 0; k < total; r++) {
    for (const c of byClass) if (r < c.length) out[k++] = c[r];
  }
  return out;
}
