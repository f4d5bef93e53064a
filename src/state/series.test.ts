import { describe, expect, it } from 'vitest';
import type { MetricsBatch } from '../worker/protocol';
import { appendMetrics, emptySeries, LOSS_BINS } from './series';

const batch = (steps: number[], t: number[], loss: number[]): MetricsBatch => ({
  step: Int32Array.from(steps),
  loss: Float32Array.from(steps, () => 1),
  gradNorm: Float32Array.from(steps, () => 2),
  lr: Float32Array.from(steps, () => 0.1),
  msPerStep: 5,
  imgPerSec: 100,
  t: Float32Array.from(t),
  lossPerSample: Float32Array.from(loss),
  numTensors: 7,
  numBytes: 1024,
  elapsedMs: 10,
});

describe('series', () => {
  it('appends steps, one flush entry per batch, the t histogram and a loss-by-t column', () => {
    const s = emptySeries();
    appendMetrics(s, batch([1, 2], [0.01, 0.99, 0.5, 0.51], [4, 1, 2, NaN]));
    appendMetrics(s, batch([3], [0.02, 0.03], [3, 5]));
    expect(s.step).toEqual([1, 2, 3]);
    expect(s.flushStep).toEqual([2, 3]);
    expect(s.numTensors).toEqual([7, 7]);
    expect(s.tCount).toBe(6);
    expect(s.tHist.reduce((a, b) => a + b, 0)).toBe(6);
    expect(s.lossByT).toHaveLength(2);
    const c0 = s.lossByT[0];
    expect(c0.step).toBe(2);
    expect(c0.sum.length).toBe(LOSS_BINS);
    expect(c0.count[0]).toBe(1);
    expect(c0.sum[LOSS_BINS - 1]).toBe(1);
    expect(c0.count[10]).toBe(1); // t = 0.51; t = 0.5's NaN loss is skipped
    expect(s.lossByT[1].sum[0]).toBe(8);
  });
});
