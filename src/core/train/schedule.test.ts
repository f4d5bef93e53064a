import { describe, expect, it } from 'vitest';
import { emaDecay, getLr } from './schedule';

describe('learning-rate schedule', () => {
  const s = { lr: 1e-3, warmup: 10, steps: 110 };
  it('warms up linearly, peaks at the end of warmup, then follows the half cosine to lr/10', () => {
    expect(getLr(0, s)).toBeCloseTo(1e-3 / 11, 12);
    expect(getLr(4, s)).toBeCloseTo((5 * 1e-3) / 11, 12);
    expect(getLr(10, s)).toBeCloseTo(1e-3, 12);
    expect(getLr(60, s)).toBeCloseTo(1e-4 + 0.5 * (1e-3 - 1e-4), 12); // halfway: cos(π/2) = 0
    expect(getLr(110, s)).toBeCloseTo(1e-4, 12);
    expect(getLr(500, s)).toBeCloseTo(1e-4, 12);
    for (let k = 10; k < 110; k++) expect(getLr(k + 1, s)).toBeLessThanOrEqual(getLr(k, s));
  });
  it('EMA decay ramps up as (1+k)/(10+k) and is capped by the configured decay', () => {
    expect(emaDecay(0, 0.999)).toBeCloseTo(0.1, 12);
    expect(emaDecay(90, 0.999)).toBeCloseTo(91 / 100, 12);
    expect(emaDecay(1e6, 0.999)).toBe(0.999);
  });
});
