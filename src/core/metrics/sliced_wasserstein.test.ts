import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { slicedWasserstein, wasserstein2Squared1d } from './sliced_wasserstein';

describe('slicedWasserstein', () => {
  it('is exactly 0 for identical sets, in any dimension and order', () => {
    const a = new Rng(1).normals(3 * 500);
    const shuffled = new Float32Array(a.length);
    const perm = new Rng(2).permutation(500);
    perm.forEach((j, i) => shuffled.set(a.subarray(3 * j, 3 * j + 3), 3 * i));
    expect(slicedWasserstein(a, a, 3, { rng: new Rng(3) })).toBe(0);
    expect(slicedWasserstein(a, shuffled, 3, { rng: new Rng(3), projections: 16 })).toBeLessThan(1e-12);
  });

  it('1-D: equals the exact W₂, also between sets of different sizes', () => {
    // Quantile functions of {0, 1} and {0, ½, 1} differ by ½ on (1/3, 2/3): W₂² = ¼·⅓ = 1/12.
    expect(wasserstein2Squared1d(Float64Array.from([1, 0]), Float64Array.from([0, 0.5, 1]))).toBeCloseTo(1 / 12, 14);
    expect(slicedWasserstein(Float32Array.from([1, 0]), Float32Array.from([0, 0.5, 1]), 1, { rng: new Rng(1), projections: 3 })).toBeCloseTo(Math.sqrt(1 / 12), 7);
  });

  it('1-D Gaussians: W₂(N(m₁, s₁²), N(m₂, s₂²)) = √((m₁ − m₂)² + (s₁ − s₂)²) within 0.02 from 20 000 draws', () => {
    const n = 20_000;
    const a = Float32Array.from(new Rng(4).normals(n), (z) => 0.3 + 1.0 * z);
    const b = Float32Array.from(new Rng(5).normals(n), (z) => -0.2 + 1.5 * z);
    const exact = Math.hypot(0.5, 0.5);
    expect(Math.abs(slicedWasserstein(a, b, 1, { rng: new Rng(6), projections: 1 }) - exact)).toBeLessThan(0.02);
  });

  it('a shifted set: SW₂² = E(θ·δ)² = |δ|²/d, within 6% from 2000 directions', () => {
    const d = 4;
    const delta = [0.5, -1, 0.25, 2];
    const a = new Rng(7).normals(d * 300);
    const b = a.map((v, i) => v + delta[i % d]);
    const sw = slicedWasserstein(a, b, d, { rng: new Rng(8), projections: 2000 });
    const want = Math.sqrt(delta.reduce((s, v) => s + v * v, 0) / d);
    expect(Math.abs(sw / want - 1)).toBeLessThan(0.06);
  });

  it('rejects malformed input, naming it', () => {
    const rng = new Rng(1);
    expect(() => slicedWasserstein(new Float32Array(5), new Float32Array(4), 2, { rng })).toThrow(/^points:/);
    expect(() => slicedWasserstein(new Float32Array(0), new Float32Array(4), 2, { rng })).toThrow(/^points:/);
    expect(() => slicedWasserstein(new Float32Array(4), new Float32Array(4), 0, { rng })).toThrow(/^dim:/);
    expect(() => slicedWasserstein(new Float32Array(4), new Float32Array(4), 2, { rng, projections: 0 })).toThrow(/^projections:/);
  });
});
