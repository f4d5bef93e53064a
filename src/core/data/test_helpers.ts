// Checks every dataset test shares (test-only; not imported by the app).
import { expect } from 'vitest';
import { Rng } from '../rng';
import type { Batch, Dataset } from './types';

/** Shape, finiteness, value range and label range of a batch. */
export function expectWellFormed(ds: Dataset, b: Batch, n: number, range = Infinity): void {
  const d = ds.shape.reduce((a, c) => a * c, 1);
  expect(b.x).toBeInstanceOf(Float32Array);
  expect(b.y).toBeInstanceOf(Int32Array);
  expect(b.x.length).toBe(n * d);
  expect(b.y.length).toBe(n);
  let finite = true, inRange = true, labels = true;
  for (const v of b.x) { finite &&= Number.isFinite(v); inRange &&= v >= -range && v <= range; }
  for (const l of b.y) labels &&= Number.isInteger(l) && l >= 0 && l < ds.numClasses;
  expect(finite).toBe(true);
  expect(inRange).toBe(true);
  expect(labels).toBe(true);
  expect(ds.classNames.length).toBe(ds.numClasses);
}

/** Same seed, same batch; another seed, another batch; heldOut fixed, prefix-stable and untouched by sampling. */
export function expectDeterministic(ds: Dataset, n: number): void {
  const a = ds.sample(new Rng(5), n), b = ds.sample(new Rng(5), n), c = ds.sample(new Rng(6), n);
  expectSameArray(a.x, b.x);
  expectSameArray(a.y, b.y);
  expect(c.x.some((v, i) => v !== a.x[i])).toBe(true);
  const h1 = ds.heldOut(n);
  ds.sample(new Rng(9), n);
  const h2 = ds.heldOut(2 * n);
  const d = ds.shape.reduce((p, q) => p * q, 1);
  expectSameArray(h2.x.subarray(0, n * d), h1.x);
  expectSameArray(h2.y.subarray(0, n), h1.y);
}

/** Each class's share of n labels is within 5 standard errors of 1/k. */
export function expectBalanced(y: Int32Array, k: number): void {
  const counts = new Array(k).fill(0);
  for (const l of y) counts[l]++;
  const p = 1 / k, se = Math.sqrt((p * (1 - p)) / y.length);
  for (const c of counts) expect(Math.abs(c / y.length - p)).toBeLessThanOrEqual(5 * se);
}

/** Element-wise equality of two typed arrays, fast on large ones (vitest's toEqual walks them slowly). */
export function expectSameArray(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  let first = -1;
  for (let i = 0; i < a.length && first < 0; i++) if (!Object.is(a[i], b[i])) first = i;
  expect(first === -1 ? 'equal' : `first difference at ${first}: ${a[first]} vs ${b[first]}`).toBe('equal');
}
