import { describe, expect, it } from 'vitest';
import { betaInc, erfc, invertMonotone, logBeta, logGamma, normCdf, normQuantile } from './special';

describe('special functions', () => {
  it('erfc and Φ match tabulated values in the body and the tails', () => {
    // Abramowitz & Stegun table 7.1 / standard normal tables.
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
    expect(erfc(2)).toBeCloseTo(0.004677734981047266, 15);
    expect(Math.abs(erfc(3) / 2.209049699858544e-5 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1e-12);
    expect(erfc(-1)).toBeCloseTo(2 - 0.15729920705028513, 14);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(Math.abs(normCdf(-8) / 6.220960574271785e-16 - 1)).toBeLessThan(1e-10);
  });

  it('normQuantile inverts normCdf to near machine precision, with infinite endpoints', () => {
    for (const p of [1e-300, 1e-12, 1e-5, 0.02, 0.02425, 0.3, 0.5, 0.7, 0.97575, 0.999, 1 - 1e-12]) {
      const z = normQuantile(p);
      const back = p < 0.5 ? normCdf(z) : 1 - normCdf(-z);
      expect(Math.abs(back - p) / Math.min(p, 1 - p)).toBeLessThan(1e-12);
    }
    expect(normQuantile(0)).toBe(-Infinity);
    expect(normQuantile(1)).toBe(Infinity);
    expect(normQuantile(0.5)).toBe(0);
  });

  it('logGamma and logBeta match factorials and Γ(1/2) = √π', () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });

  it('betaInc matches closed forms', () => {
    for (const x of [0.01, 0.3, 0.5, 0.9]) {
      expect(betaInc(x, 1, 1)).toBeCloseTo(x, 13);
      expect(betaInc(x, 2.5, 1)).toBeCloseTo(x ** 2.5, 12);
      expect(betaInc(x, 1, 3.5)).toBeCloseTo(1 - (1 - x) ** 3.5, 12);
      expect(betaInc(x, 2, 3)).toBeCloseTo(6 * x ** 2 - 8 * x ** 3 + 3 * x ** 4, 12); // 12∫₀ˣ t(1−t)² dt
    }
    expect(betaInc(0.5, 7.3, 7.3)).toBeCloseTo(0.5, 13);
    expect(betaInc(0, 2, 2)).toBe(0);
    expect(betaInc(1, 2, 2)).toBe(1);
  });

  it('invertMonotone solves increasing and decreasing maps, also where Newton would leave the bracket', () => {
    const cube = (x: number) => x ** 3;
    expect(invertMonotone(cube, (x) => 3 * x * x, 0.125, 0, 1)).toBeCloseTo(0.5, 14);
    expect(invertMonotone(cube, (x) => 3 * x * x, 1e-9, 0, 1, 1)).toBeCloseTo(1e-3, 12); // f' = 0 at 0
    const dec = (x: number) => 1 - Math.sqrt(x);
    expect(invertMonotone(dec, (x) => -0.5 / Math.sqrt(x), 0.75, 0, 1)).toBeCloseTo(0.0625, 14);
  });
});
