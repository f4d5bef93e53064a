import { describe, expect, it } from 'vitest';
import { trajectoryStraightness } from './straightness';

/** K + 1 frames of n = 1 sample in 2D, from a function of the frame index. */
const frames2d = (K: number, at: (k: number) => [number, number]) => Array.from({ length: K + 1 }, (_, k) => Float32Array.from(at(k)));
const uniformTimes = (K: number) => Array.from({ length: K + 1 }, (_, k) => 1 - k / K);

describe('trajectoryStraightness', () => {
  it('is 0 with chord/length 1 for straight constant-speed paths (several samples, any dimension)', () => {
    const K = 8;
    const n = 3;
    const d = 5;
    const start = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i));
    const end = Float32Array.from({ length: n * d }, (_, i) => Math.cos(3 * i));
    const frames = Array.from({ length: K + 1 }, (_, k) => start.map((s, i) => s + ((end[i] - s) * k) / K));
    const r = trajectoryStraightness(frames, uniformTimes(K), n);
    expect(r.straightness).toBeLessThan(1e-12);
    expect(r.pathRatio).toBeCloseTo(1, 6);
  });

  it('of a circular arc is the closed form: chord/length = sin(θ/2)/(K·sin(θ/2K)), S = (2Kr·sin(θ/2K))² − (2r·sin(θ/2))²', () => {
    // K equal steps of angle θ/K on a circle of radius r over t ∈ [1, 0]: each secant has length
    // 2r·sin(θ/2K) and speed K·2r·sin(θ/2K); the mean of the secant velocities is the chord, so
    // S = mean‖v_k‖² − ‖v̄‖².
    const r = 2;
    for (const [theta, K] of [[Math.PI / 2, 4], [Math.PI, 16], [0.3, 3]] as const) {
      const frames = frames2d(K, (k) => [r * Math.cos((theta * k) / K), r * Math.sin((theta * k) / K)]);
      const out = trajectoryStraightness(frames, uniformTimes(K), 1);
      const seg = 2 * r * Math.sin(theta / (2 * K));
      const chord = 2 * r * Math.sin(theta / 2);
      expect(out.pathRatio).toBeCloseTo(chord / (K * seg), 6);
      expect(out.straightness).toBeCloseTo((K * seg) ** 2 - chord ** 2, 5);
    }
  });

  it('sees speed changes along a straight line (S > 0, chord/length 1), weighting steps by their Δt', () => {
    // x(t) on a line: 0 → 0.9 in the first half (Δt 0.5), → 1 in the second; v̄ = 1 over T = 1.
    // S = 0.5·(1.8 − 1)² + 0.5·(0.2 − 1)² = 0.64.
    const frames = [[0], [0.9], [1]].map((v) => Float32Array.from(v));
    const out = trajectoryStraightness(frames, [1, 0.5, 0], 1);
    expect(out.straightness).toBeCloseTo(0.64, 6);
    expect(out.pathRatio).toBeCloseTo(1, 6);
    // The same positions on a non-uniform grid with constant speed are straight.
    const even = trajectoryStraightness(frames, [1, 0.1, 0], 1);
    expect(even.straightness).toBeCloseTo(0, 6);
  });

  it('rejects malformed input naming the argument', () => {
    const f = [new Float32Array(4), new Float32Array(4)];
    expect(() => trajectoryStraightness([f[0]], [1], 1)).toThrow(/frames: need at least 2/);
    expect(() => trajectoryStraightness(f, [1, 0.5, 0], 1)).toThrow(/times: 3 grid times for 2 frames/);
    expect(() => trajectoryStraightness(f, [1, 0], 3)).toThrow(/not a multiple of n = 3/);
    expect(() => trajectoryStraightness(f, [1, 1], 2)).toThrow(/do not differ/);
    expect(() => trajectoryStraightness([f[0], new Float32Array(2)], [1, 0], 2)).toThrow(/frame 1 has 2 values/);
  });
});
