// Sliced Wasserstein-2 distance between two point sets in R^d (Rabin et al. 2011; Bonneel et al. 2015):
//   SW₂(a, b) = ( E_θ W₂²(θ·a, θ·b) )^½,  θ uniform on the unit sphere,
// estimated with K random directions from the given Rng. Each 1-D W₂² between empirical measures (equal
// weights, sizes may differ) is computed exactly from their quantile functions.

import type { Rng } from '../rng';

export interface SlicedWassersteinOptions {
  rng: Rng;
  projections?: number; // K, default 128
}

/** Exact W₂² between two 1-D empirical measures with uniform weights, from sorted copies. */
export function wasserstein2Squared1d(a: Float64Array, b: Float64Array): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n = x.length;
  const m = y.length;
  // Walk the merged breakpoints i/n and j/m of the two quantile functions.
  let i = 0;
  let j = 0;
  let u = 0;
  let total = 0;
  while (i < n && j < m) {
    const next = Math.min((i + 1) / n, (j + 1) / m);
    const d = x[i] - y[j];
    total += (next - u) * d * d;
    u = next;
    if ((i + 1) / n <= next) i++;
    if ((j + 1) / m <= next) j++;
  }
  return total;
}

/**
 * SW₂ between point sets a (n×dim, row-major) and b (m×dim). Identical sets give exactly 0; in one
 * dimension the directions are ±1 and the result is the exact W₂.
 */
export function slicedWasserstein(a: Float32Array, b: Float32Array, dim: number, opts: SlicedWassersteinOptions): number {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim: expected an integer ≥ 1, got ${dim}`);
  if (a.length % dim !== 0 || b.length % dim !== 0) throw new Error(`points: lengths ${a.length} and ${b.length} are not multiples of dim ${dim}`);
  const n = a.length / dim;
  const m = b.length / dim;
  if (n === 0 || m === 0) throw new Error('points: both sets must be non-empty');
  const k = opts.projections ?? 128;
  if (!Number.isInteger(k) || k < 1) throw new Error(`projections: expected an integer ≥ 1, got ${k}`);
  const pa = new Float64Array(n);
  const pb = new Float64Array(m);
  let acc = 0;
  for (let p = 0; p < k; p++) {
    const theta = opts.rng.normals(dim);
    let norm = 0;
    for (const v of theta) norm += v * v;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += a[i * dim + d] * theta[d];
      pa[i] = s / norm;
    }
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += b[i * dim + d] * theta[d];
      pb[i] = s / norm;
    }
    acc += wasserstein2Squared1d(pa, pb);
  }
  return Math.sqrt(acc / k);
}
