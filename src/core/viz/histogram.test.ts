import { describe, expect, it } from 'vitest';
import { countsToDensity, histogram } from './histogram';

describe('histogram', () => {
  it('bins values, puts hi in the last bin and skips values outside', () => {
    expect([...histogram([0, 0.1, 0.5, 0.99, 1, -0.1, 1.1, NaN], 4)]).toEqual([2, 0, 1, 2]);
  });
  it('adds into existing counts', () => {
    const c = histogram([0.1], 2);
    histogram([0.2, 0.8], 2, 0, 1, c);
    expect([...c]).toEqual([2, 1]);
  });
  it('density integrates to 1 and is zero when empty', () => {
    const d = countsToDensity([1, 3, 0, 4]);
    expect(d.reduce((a, b) => a + b, 0) * 0.25).toBeCloseTo(1, 12);
    expect([...countsToDensity([0, 0])]).toEqual([0, 0]);
  });
  it('a uniform sample has density near 1 everywhere', () => {
    const xs = Array.from({ length: 10000 }, (_, i) => (i + 0.5) / 10000);
    for (const v of countsToDensity(histogram(xs, 10))) expect(v).toBeCloseTo(1, 6);
  });
});
