import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { frechetDistance, frechetFromStats, gaussianStats } from './frechet';
import { randomPsd } from './test_helpers';

/** n samples of N(mean, diag(variance)), row-major. */
function diagonalGaussian(n: number, mean: readonly number[], variance: readonly number[], rng: Rng): Float32Array {
  const d = mean.length;
  const z = rng.normals(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = mean[j] + Math.sqrt(variance[j]) * z[i * d + j];
  return z;
}

const stats = (mean: number[], cov: ArrayLike<number>) => ({ dim: mean.length, mean: Float64Array.from(mean), cov: Float64Array.from(cov) });

describe('frechetDistance', () => {
  it('is 0 for identical sets (64-dimensional features, fewer samples than dimensions too)', () => {
    const rng = new Rng(0);
    for (const n of [500, 40]) {
      const a = rng.normals(n * 64).map((v, i) => v * (1 + (i % 64) / 16) + (i % 7));
      const fd = frechetDistance(a, a, 64);
      // Tr Σ ≈ 64·2.6: round-off of the eigen-solver leaves ~1e-12 of that.
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(fd).toBeLessThan(1e-9);
    }
  });

  it('of a set and its shift by c is ‖c‖² (the covariances are identical)', () => {
    const rng = new Rng(1);
    const d = 16;
    const a = rng.normals(300 * d);
    const c = Array.from({ length: d }, (_, j) => 0.25 * (j - 7));
    const b = a.map((v, i) => v + c[i % d]);
    const want = c.reduce((s, x) => s + x * x, 0);
    // float32 storage of the shifted set rounds each value by ~1e-7 relative.
    expect(frechetDistance(a, b, d)).toBeCloseTo(want, 4);
  });

  it('of diagonal Gaussians is the closed form Σ(√a − √b)² + ‖Δμ‖²', () => {
    const a = [0.5, 1, 2, 4];
    const b = [1, 1, 0.25, 9];
    const mu1 = [0, 1, 2, 3];
    const mu2 = [1, 1, 0, 3];
    const diag = (v: number[]) => v.flatMap((x, i) => v.map((_, j) => (i === j ? x : 0)));
    const want = a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0) + mu1.reduce((s, m, i) => s + (m - mu2[i]) ** 2, 0);
    expect(frechetFromStats(stats(mu1, diag(a)), stats(mu2, diag(b)))).toBeCloseTo(want, 12);
  });

  it('of non-commuting 2×2 covariances matches Tr√M = √(Tr M + 2√det M)', () => {
    // For 2×2 PSD M = Σ₁^½ Σ₂ Σ₁^½: Tr M = Tr(Σ₁Σ₂), det M = det Σ₁·det Σ₂; (√λ₁ + √λ₂)² = Tr M + 2√det M.
    const rng = new Rng(2);
    for (let trial = 0; trial < 5; trial++) {
      const s1 = randomPsd([0.2 + trial, 1.5], rng);
      const s2 = randomPsd([3, 0.1 + 0.5 * trial], rng);
      const tr12 = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
      const det = (m: Float64Array) => m[0] * m[3] - m[1] * m[2];
      const trSqrt = Math.sqrt(tr12 + 2 * Math.sqrt(det(s1) * det(s2)));
      const want = 0.5 ** 2 + (s1[0] + s1[3] + s2[0] + s2[3] - 2 * trSqrt);
      expect(frechetFromStats(stats([0, 0], s1), stats([0.5, 0], s2))).toBeCloseTo(want, 10);
    }
  });

  it('is symmetric', () => {
    const rng = new Rng(3);
    const a = randomPsd([0.1, 1, 2, 5, 8], rng);
    const b = randomPsd([3, 0.5, 0.5, 1, 0.01], rng);
    const sa = stats([0, 1, 0, 1, 0], a);
    const sb = stats([1, 0, 0, 0, 2], b);
    const ab = frechetFromStats(sa, sb);
    expect(frechetFromStats(sb, sa)).toBeCloseTo(ab, 10);
    const x = rng.normals(200 * 8);
    const y = rng.normals(150 * 8).map((v, i) => v * 2 + (i % 3));
    expect(frechetDistance(x, y, 8)).toBeCloseTo(frechetDistance(y, x, 8), 9);
  });

  it('estimated from samples of shifted Gaussians meets the closed form within the sampling error', () => {
    // N = 20,000 samples per set, d = 8. To first order the estimate's standard deviation is
    //   σ² ≈ 4·Σ Δμ_i²(a_i + b_i)/N + 2·Σ (a_i + b_i)(√a_i − √b_i)²/N
    // (the mean difference has covariance diag(a + b)/N; a sample variance has variance 2a²/N), and its bias
    // is positive and at most (Σ(a_i + b_i) + d²·max(a, b))/N (‖Δμ̂‖² adds Σ(a + b)/N; the spurious
    // off-diagonal covariances add O(d²/N)). We accept |FD̂ − FD| ≤ 6σ + bias: σ ≈ 0.06, bias ≤ 0.005.
    const N = 20000;
    const a = [0.5, 1, 1.5, 2, 0.5, 1, 1.5, 2];
    const b = [1, 1, 3, 0.5, 2, 1, 1, 1];
    const mu1 = [0, 0, 0, 0, 0, 0, 0, 0];
    const mu2 = [1, -1, 0.5, 0, 1, 0, -0.5, 1];
    const d = a.length;
    const exact = a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2 + (mu1[i] - mu2[i]) ** 2, 0);
    let var_ = 0;
    for (let i = 0; i < d; i++) var_ += (4 * (mu1[i] - mu2[i]) ** 2 * (a[i] + b[i]) + 2 * (a[i] + b[i]) * (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2) / N;
    const bias = (a.reduce((s, x, i) => s + x + b[i], 0) + d * d * Math.max(...a, ...b)) / N;
    const tol = 6 * Math.sqrt(var_) + bias;
    expect(tol).toBeLessThan(0.5); // the bound is tight enough to mean something (exact ≈ 6.3)
    const rng = new Rng(4);
    const x = diagonalGaussian(N, mu1, a, rng);
    const y = diagonalGaussian(N, mu2, b, rng);
    const fd = frechetDistance(x, y, d);
    expect(Math.abs(fd - exact)).toBeLessThan(tol);
    // And a wrong answer is caught: dropping the covariance term misses by Σ(√a − √b)² ≈ 1.3 ≫ tol.
    expect(Math.abs(fd - (exact - a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0)))).toBeGreaterThan(tol);
  });

  it('gaussianStats: unbiased covariance (1/(n − 1)), errors name the argument', () => {
    const s = gaussianStats([1, 2, 3, 6], 1); // values 1, 2, 3, 6: mean 3, Σ(x − 3)² = 14
    expect(s.mean[0]).toBe(3);
    expect(s.cov[0]).toBeCloseTo(14 / 3, 12);
    expect(() => gaussianStats([1, 2, 3], 2)).toThrow(/features: length 3/);
    expect(() => gaussianStats([1, 2], 2)).toThrow(/at least 2 vectors/);
    expect(() => frechetFromStats(gaussianStats([1, 2, 3, 4], 2), gaussianStats([1, 2, 3], 1))).toThrow(/dim/);
  });
});
