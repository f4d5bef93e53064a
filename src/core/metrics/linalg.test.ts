import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matMul64, singularValues, sqrtPsd, symmetricEigen } from './linalg';
import { randomPsd } from './test_helpers';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('symmetricEigen (Jacobi)', () => {
  it('finds the eigenvalues of a 2×2 matrix in closed form: [[2, 1], [1, 2]] → 1, 3', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect([...values].sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
    // Eigenvectors are (1, ±1)/√2.
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('recovers prescribed eigenvalues of a random 40×40 PSD matrix and reconstructs it', () => {
    const lambda = Array.from({ length: 40 }, (_, i) => (i < 5 ? 0 : 0.1 * i * i));
    const a = randomPsd(lambda, new Rng(1));
    const { values, vectors: V } = symmetricEigen(a, 40);
    const sorted = [...values].sort((x, y) => x - y);
    expect(maxAbsDiff(sorted, lambda)).toBeLessThan(1e-9);
    const rebuilt = new Float64Array(1600);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) for (let k = 0; k < 40; k++) rebuilt[i * 40 + j] += V[i * 40 + k] * values[k] * V[j * 40 + k];
    expect(maxAbsDiff(rebuilt, a)).toBeLessThan(1e-9);
  });

  it('rejects a wrong size and non-finite values', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/matrix: expected 2·2/);
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/non-finite/);
  });
});

describe('sqrtPsd', () => {
  it('squares back to the matrix, singular ones included', () => {
    const lambda = [0, 0, 1e-3, 0.5, 2, 9];
    const a = randomPsd(lambda, new Rng(2));
    const s = sqrtPsd(a, 6);
    expect(maxAbsDiff(matMul64(s, s, 6), a)).toBeLessThan(1e-12 * 10);
    expect(maxAbsDiff(s, Array.from(s).map((_, k) => s[(k % 6) * 6 + Math.floor(k / 6)]))).toBe(0); // symmetric
  });

  it('of a diagonal matrix is the element-wise square root', () => {
    expect(Array.from(sqrtPsd([4, 0, 0, 9], 2))).toEqual([2, 0, 0, 3]);
  });
});

describe('singularValues (one-sided Jacobi)', () => {
  it('of Q·diag(σ) (Q orthogonal) are σ, tiny and zero ones to absolute accuracy ~ε‖A‖', () => {
    const sigma = [0, 0, 1e-9, 1e-4, 0.3, 1, 7, 20];
    const n = sigma.length;
    const q = symmetricEigen(randomPsd([1, 2, 3, 4, 5, 6, 7, 8], new Rng(5)), n).vectors; // orthogonal
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = q[i * n + j] * sigma[j];
    const sv = [...singularValues(a, n)].sort((x, y) => x - y);
    expect(maxAbsDiff(sv, sigma)).toBeLessThan(1e-13);
  });

  it('of a non-symmetric 2×2 matrix: [[3, 0], [4, 5]] → √45, √5', () => {
    const sv = [...singularValues([3, 0, 4, 5], 2)].sort((x, y) => x - y);
    expect(sv[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(sv[1]).toBeCloseTo(Math.sqrt(45), 12);
  });
});
