import { describe, expect, it } from 'vitest';
import { logUnit, mergeColumns, viridis } from './heatmap';

describe('heat map', () => {
  const col = (step: number, sum: number[], count: number[]) => ({ step, sum, count });
  it('merges columns by summing before averaging', () => {
    const g = mergeColumns([col(10, [2, 0], [2, 0]), col(20, [6, 3], [2, 1]), col(30, [1, 1], [1, 1])], 2);
    expect(g.cols).toBe(2);
    expect(g.bins).toBe(2);
    expect([...g.step]).toEqual([10, 30]);
    expect(g.value[0]).toBe(1); // column 0 holds the first input column only
    expect(Number.isNaN(g.value[1])).toBe(true);
    expect(g.value[2]).toBeCloseTo(7 / 3, 12); // (6 + 1) / (2 + 1)
    expect(g.value[3]).toBeCloseTo((3 + 1) / (1 + 1), 12);
    expect(g.min).toBe(1);
    expect(g.max).toBeCloseTo(7 / 3, 12);
  });
  it('keeps every column when there is room', () => {
    expect(mergeColumns([col(1, [1], [1]), col(2, [2], [1])], 10).cols).toBe(2);
    expect(mergeColumns([], 10).cols).toBe(0);
  });
  it('viridis runs from dark purple to yellow and clamps', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(2)).toEqual(viridis(1));
    expect(viridis(NaN)).toEqual(viridis(0));
  });
  it('logUnit places values on a log scale', () => {
    expect(logUnit(0.1, 0.01, 1)).toBeCloseTo(0.5, 12);
    expect(logUnit(5, 0.01, 1)).toBe(1);
  });
});
