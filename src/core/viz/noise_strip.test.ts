import { describe, expect, it } from 'vitest';
import { displayScaled, noisedForDisplay } from './noise_strip';

describe('noise strip', () => {
  it('is α·x0 + σ·ε on rf and the noise itself at σ = ∞', () => {
    expect([...noisedForDisplay([1, -1], [0.5, 2], 0.7, 0.3)]).toEqual([0.7 + 0.15, -0.7 + 0.6].map((v) => expect.closeTo(v, 6)));
    expect([...noisedForDisplay([1, -1], [0.5, 2], 1, Infinity)]).toEqual([0.5, 2]);
    expect(displayScaled(0.7, 0.3)).toBe(false);
    expect(displayScaled(Math.fround(Math.cos(0.3)), Math.fround(Math.sin(0.3)))).toBe(false); // a float32 table of a VP path
  });
  it('scales a variance-exploding x_t to unit norm coefficients', () => {
    const [v] = noisedForDisplay([0], [1], 1, 10);
    expect(v).toBeCloseTo(10 / Math.hypot(1, 10), 6);
    expect(displayScaled(1, 10)).toBe(true);
  });
});
