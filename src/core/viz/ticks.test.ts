import { describe, expect, it } from 'vitest';
import { extent, logTicks, niceTicks } from './ticks';

describe('niceTicks', () => {
  it('picks steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1.27, 1.93, 4)).toEqual([1.4, 1.6, 1.8]);
    expect(niceTicks(0, 2000, 4)).toEqual([0, 500, 1000, 1500, 2000]);
  });
  it('handles reversed, equal and non-finite ranges', () => {
    expect(niceTicks(10, 0, 2)).toEqual([0, 5, 10]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(NaN, 1)).toEqual([]);
  });
  it('returns the ends for a span below the values\' precision instead of looping', () => {
    expect(niceTicks(1e9, 1e9 + 1e-7, 3)).toEqual([1e9, 1e9 + 1e-7]);
  });
});

describe('logTicks', () => {
  it('gives decades over a wide range and 1-2-5 over a narrow one', () => {
    expect(logTicks(0.001, 100000)).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000]);
    expect(logTicks(0.15, 4)).toEqual([0.2, 0.5, 1, 2]);
  });
  it('is empty for non-positive ranges', () => {
    expect(logTicks(0, 1)).toEqual([]);
  });
});

describe('extent', () => {
  it('skips non-finite values and pads the span', () => {
    expect(extent([1, NaN, 3, Infinity], false, 0.5)).toEqual([0, 4]);
    expect(extent([NaN])).toBeNull();
  });
  it('skips non-positive values on a log axis and pads by a ratio', () => {
    const [lo, hi] = extent([0, 1, 100], true, 0.5)!;
    expect(lo).toBeCloseTo(0.1, 12);
    expect(hi).toBeCloseTo(1000, 9);
  });
});
