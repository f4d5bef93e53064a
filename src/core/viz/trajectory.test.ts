import { describe, expect, it } from 'vitest';
import { meanDisplacement, nearestTime, positionsAt } from './trajectory';

describe('trajectory', () => {
  const frames = [Float32Array.from([0, 0]), Float32Array.from([1, 2]), Float32Array.from([3, 2])];
  const times = [1, 0.5, 0];
  it('interpolates between the frames around t and clamps outside', () => {
    expect([...positionsAt(frames, times, 0.75)]).toEqual([0.5, 1]);
    expect([...positionsAt(frames, times, 0.25)]).toEqual([2, 2]);
    expect([...positionsAt(frames, times, 2)]).toEqual([0, 0]);
    expect([...positionsAt(frames, times, -1)]).toEqual([3, 2]);
  });
  it('finds the nearest recorded time', () => {
    expect(nearestTime(times, 0.3)).toBe(1);
    expect(nearestTime(times, 0.1)).toBe(2);
  });
  it('measures how far the particles travelled', () => {
    expect(meanDisplacement(frames)).toBeCloseTo(Math.hypot(3, 2), 6);
    expect(meanDisplacement([frames[0]])).toBe(0);
  });
  it('rejects frames without times', () => {
    expect(() => positionsAt(frames, [1], 0.5)).toThrow(/3 frames for 1 times/);
  });
});
