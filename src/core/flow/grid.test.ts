import { describe, expect, it } from 'vitest';
import { timeGrid, timeGrid64 } from './grid';
import { getPath } from './paths';

const decreasing = (g: ArrayLike<number>) => Array.from(g).every((v, i, a) => i === 0 || v < a[i - 1]);

describe('timeGrid', () => {
  it('uniform: steps + 1 times from 1 to 0 (or a given range)', () => {
    expect(Array.from(timeGrid64('uniform', 4))).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(Array.from(timeGrid64('uniform', 2, { tMax: 0.9, tMin: 0.1 }))).toEqual([0.9, 0.5, 0.1]);
    expect(timeGrid('uniform', 3)).toBeInstanceOf(Float32Array);
  });

  it('shifted: the SD3 shift of a uniform grid; a = 1 is uniform, a > 1 spends more steps near noise', () => {
    expect(Array.from(timeGrid64('shifted', 4, { shift: 1 }))).toEqual(Array.from(timeGrid64('uniform', 4)));
    const g = timeGrid64('shifted', 4, { shift: 3 });
    expect(g[0]).toBe(1);
    expect(g[4]).toBe(0);
    expect(g[2]).toBeCloseTo(0.75, 12); // 3·½/(1 + 2·½)
    expect(g[1] - g[2]).toBeLessThan(g[3] - g[4]);
  });

  it('karras: ρ-spaced noise levels (Karras et al. 2022 eq. 5) mapped back to t, then 0', () => {
    const edm = getPath('edm');
    const n = 6;
    const g = timeGrid64('karras', n, { path: edm, tMax: edm.tMax });
    expect(g.length).toBe(n + 1);
    expect(g[n]).toBe(0);
    const a = 80 ** (1 / 7);
    const b = 0.002 ** (1 / 7);
    for (let i = 0; i < n; i++) expect(edm.sigma(g[i]) / (a + (i / (n - 1)) * (b - a)) ** 7).toBeCloseTo(1, 8);
    expect(decreasing(g)).toBe(true);
  });

  it('karras on rf starts at t = 1 (pure noise) and then follows σ/α from 80 down', () => {
    const rf = getPath('rf');
    const g = timeGrid64('karras', 8, { path: rf });
    expect(g[0]).toBe(1);
    const a = 80 ** (1 / 7);
    const b = 0.002 ** (1 / 7);
    expect(g[1] / (1 - g[1])).toBeCloseTo((a + (b - a) / 7) ** 7, 8);
    expect(decreasing(g)).toBe(true);
  });

  it('custom lists are validated; bad inputs name the field', () => {
    expect(Array.from(timeGrid64([1, 0.5, 0], 99))).toEqual([1, 0.5, 0]);
    expect(() => timeGrid64([1, 1, 0], 2)).toThrow(/^grid: custom times must decrease strictly/);
    expect(() => timeGrid64([1.2, 0], 1)).toThrow(/^grid: custom times must lie in \[0, 1\]/);
    expect(() => timeGrid64([0.5], 1)).toThrow(/^grid:/);
    expect(() => timeGrid64('uniform', 0)).toThrow(/^steps:/);
    expect(() => timeGrid64('cosine' as never, 4)).toThrow(/^grid: expected one of uniform \| shifted \| karras/);
    expect(() => timeGrid64('shifted', 4, { shift: 0 })).toThrow(/^shift:/);
  });
});
