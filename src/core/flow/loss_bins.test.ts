import { describe, expect, it } from 'vitest';
import { binLossByT, emptyLossBins, meanLossByBin, mergeLossBins } from './loss_bins';

describe('loss by timestep', () => {
  it('bins (t, loss) pairs on equal-width bins; t = 1 falls in the last bin; bad values are skipped', () => {
    const b = binLossByT([0, 0.05, 0.1, 0.55, 1, 1.5, 0.3], [1, 2, 3, 4, 5, 6, NaN], 10);
    expect(Array.from(b.edges)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(Array.from(b.count)).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(b.sum)).toEqual([3, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
    const m = meanLossByBin(b);
    expect(m[0]).toBe(1.5);
    expect(m[2]).toBeNaN();
  });

  it('merges streams: merging two batches equals binning them together', () => {
    const t1 = [0.01, 0.5, 0.99];
    const t2 = [0.02, 0.7];
    const merged = mergeLossBins(binLossByT(t1, [1, 2, 3]), binLossByT(t2, [4, 5]));
    const together = binLossByT([...t1, ...t2], [1, 2, 3, 4, 5]);
    expect(merged).toEqual(together);
    expect(mergeLossBins(emptyLossBins(), together)).toEqual(together);
  });

  it('rejects mismatched inputs, naming them', () => {
    expect(() => binLossByT([0.1], [1, 2])).toThrow(/^loss: expected 1 values/);
    expect(() => binLossByT([0.1], [1], 0)).toThrow(/^bins:/);
    expect(() => mergeLossBins(emptyLossBins(10), emptyLossBins(20))).toThrow(/^bins:/);
  });
});
