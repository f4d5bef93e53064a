// Fréchet distance between the Gaussian fits of two feature sets (Dowson & Landau 1982; FID, Heusel et al.
// 2017, with the features of a small MNIST classifier instead of Inception's):
//   FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2·(Σ₁^½ Σ₂ Σ₁^½)^½)
// Tr((Σ₁^½ Σ₂ Σ₁^½)^½) is the sum of the singular values of Σ₂^½ Σ₁^½ (its Gram matrix is Σ₁^½ Σ₂ Σ₁^½),
// so no non-symmetric square root (scipy's sqrtm in pytorch-fid) is needed, and singular covariances (fewer
// samples than features, dead ReLU units) lose no accuracy: the square roots of the Gram matrix's
// eigenvalues would turn round-off ε into √ε on every null direction. All in float64.
// Covariances use the unbiased 1/(n − 1), as numpy's np.cov does in pytorch-fid.

import { matMul64, singularValues, sqrtPsd, trace } from './linalg';

export interface GaussianStats {
  dim: number;
  n: number; // samples the statistics came from
  mean: Float64Array; // [dim]
  cov: Float64Array; // [dim, dim] row-major
}

/** Mean and unbiased covariance of n feature vectors (row-major n×dim). Needs n ≥ 2. */
export function gaussianStats(features: ArrayLike<number>, dim: number): GaussianStats {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim: expected an integer ≥ 1, got ${dim}`);
  if (features.length % dim !== 0) throw new Error(`features: length ${features.length} is not a multiple of dim ${dim}`);
  const n = features.length / dim;
  if (n < 2) throw new Error(`features: need at least 2 vectors for a covariance, got ${n}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += features[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = features[i * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { dim, n, mean, cov };
}

/** FD between two Gaussians given by their statistics (see the header). */
export function frechetFromStats(a: Pick<GaussianStats, 'dim' | 'mean' | 'cov'>, b: Pick<GaussianStats, 'dim' | 'mean' | 'cov'>): number {
  const n = a.dim;
  if (b.dim !== n) throw new Error(`dim: the two statistics have dimensions ${a.dim} and ${b.dim}`);
  if (a.mean.length !== n || b.mean.length !== n) throw new Error(`mean: expected ${n} values`);
  if (a.cov.length !== n * n || b.cov.length !== n * n) throw new Error(`cov: expected ${n}·${n} values`);
  let dmu = 0;
  for (let d = 0; d < n; d++) dmu += (a.mean[d] - b.mean[d]) ** 2;
  const prod = matMul64(sqrtPsd(b.cov, n), sqrtPsd(a.cov, n), n); // Σ₂^½ Σ₁^½
  let trSqrt = 0;
  for (const sv of singularValues(prod, n)) trSqrt += sv;
  const scale = trace(a.cov, n) + trace(b.cov, n);
  const fd = dmu + scale - 2 * trSqrt;
  // Identical sets give 0 up to round-off of the order of 1e-12·Tr Σ, which is clipped; anything more
  // negative is a numerical failure and is left visible rather than hidden.
  return fd < 0 && fd > -1e-9 * scale ? 0 : fd;
}

/** FD between two feature sets (row-major n×dim and m×dim). */
export function frechetDistance(featsA: ArrayLike<number>, featsB: ArrayLike<number>, dim: number): number {
  return frechetFromStats(gaussianStats(featsA, dim), gaussianStats(featsB, dim));
}
