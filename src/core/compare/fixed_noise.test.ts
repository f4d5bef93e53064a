import { describe, expect, it } from 'vitest';
import { makeConfig } from '../config';
import { balancedLabels, fingerprint, gridNoise } from './fixed_noise';

describe('fixed noise of sample grids', () => {
  it('two runs differing only in one setting get identical grid noise; another seed gets other noise', () => {
    const a = makeConfig({ dataset: 'mnist', timesteps: 'uniform', seed: '7' });
    const b = makeConfig({ dataset: 'mnist', timesteps: 'logit-normal:0,1', seed: '7' });
    const c = makeConfig({ dataset: 'mnist', timesteps: 'uniform', seed: '8' });
    const na = gridNoise(a.seed, 40, [28, 28, 1]);
    const nb = gridNoise(b.seed, 40, [28, 28, 1]);
    expect(Buffer.from(na.buffer).equals(Buffer.from(nb.buffer))).toBe(true);
    expect(fingerprint(na)).toBe(fingerprint(nb));
    expect(fingerprint(gridNoise(c.seed, 40, [28, 28, 1]))).not.toBe(fingerprint(na));
  });

  it('is standard normal, and a smaller grid is a prefix of a larger one', () => {
    const z = gridNoise(0, 500, [8, 8, 1]);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(z.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / z.length));
    expect(Array.from(gridNoise(0, 10, [8, 8, 1]))).toEqual(Array.from(z.subarray(0, 640)));
  });

  it('matches the stream the app used so far (Rng(seed + 0x5eed)): sample grids stay the same across the switch', async () => {
    const { Rng } = await import('../rng');
    expect(Array.from(gridNoise(5, 3, [2]))).toEqual(Array.from(new Rng(5 + 0x5eed).normals(6)));
  });

  it('balanced labels cycle through the classes; fingerprints see single-bit changes', () => {
    expect(Array.from(balancedLabels(7, 3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    const x = new Float32Array([1, 2, 3]);
    const y = new Float32Array([1, 2, 3.0000002]);
    expect(fingerprint(x)).toMatch(/^[0-9a-f]{8}$/);
    expect(fingerprint(x)).not.toBe(fingerprint(y));
    expect(() => gridNoise(0, -1, [2])).toThrow(/n:/);
    expect(() => gridNoise(0, 1, [0])).toThrow(/shape:/);
  });
});
