import { describe, expect, it } from 'vitest';
import { classGrid, spread, stdDev } from './sample_pictures';

describe('sample pictures', () => {
  it('stdDev is 0 for a constant and 1 for ±1', () => {
    expect(stdDev(new Float32Array(4).fill(3))).toBe(0);
    expect(stdDev(Float32Array.from([1, -1, 1, -1]))).toBe(1);
  });
  it('classGrid puts each class in its own column', () => {
    // 2 classes × 2 samples of 1×1 gray: class 0 = −1 (black), class 1 = +1 (white).
    const g = classGrid(Float32Array.from([-1, -1, 1, 1]), Int32Array.from([0, 0, 1, 1]), [1, 1, 1]);
    expect([g.width, g.height]).toEqual([5, 5]);
    const px = (x: number, y: number) => g.rgba[(y * g.width + x) * 4];
    expect([px(1, 1), px(3, 1), px(1, 3), px(3, 3)]).toEqual([0, 255, 0, 255]);
  });
});

describe('spread', () => {
  it('keeps the first and last index and at most max', () => {
    expect(spread(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(spread(33, 5)).toEqual([0, 8, 16, 24, 32]);
  });
});
