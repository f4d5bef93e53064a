import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { createCheckerboard, createGaussians8, createMoons, createSpirals } from './toys';
import { expectBalanced, expectDeterministic, expectWellFormed } from './test_helpers';

const N = 20_000;
const TOYS = { checkerboard: createCheckerboard, moons: createMoons, '8gaussians': createGaussians8, spirals: createSpirals };

function moments(x: Float32Array): { mean: number[]; std: number[] } {
  const n = x.length / 2, mean = [0, 0], sq = [0, 0];
  for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) { mean[j] += x[2 * i + j] / n; sq[j] += x[2 * i + j] ** 2 / n; }
  return { mean, std: mean.map((m, j) => Math.sqrt(sq[j] - m * m)) };
}

describe.each(Object.entries(TOYS))('%s', (name, create) => {
  const ds = create();
  const b = ds.sample(new Rng(1), N);

  it('describes itself as 2D points', () => {
    expect(ds.name).toBe(name);
    expect(ds.kind).toBe('points');
    expect(ds.shape).toEqual([2]);
    expect(ds.size).toBe(Infinity);
    expect(ds.needsAsset).toBeUndefined();
  });

  it('gives well-formed batches of roughly unit scale, centred', () => {
    expectWellFormed(ds, b, N, 3);
    const { mean, std } = moments(b.x);
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(0.1);
    for (const s of std) { expect(s).toBeGreaterThan(0.4); expect(s).toBeLessThan(1.3); }
    expectWellFormed(ds, ds.sample(new Rng(1), 0), 0);
  });

  it('is deterministic from the seed; heldOut is fixed', () => expectDeterministic(ds, 64));

  it('draws classes evenly', () => expectBalanced(b.y, ds.numClasses));

  it('rejects a bad count', () => {
    expect(() => ds.sample(new Rng(1), -1)).toThrow(/sample.*non-negative integer/);
    expect(() => ds.heldOut(1.5)).toThrow(/heldOut.*non-negative integer/);
  });
});

describe('shapes of the toys', () => {
  it('checkerboard: every point in one of the 8 dark unit squares of [-2, 2]², evenly', () => {
    const { x } = createCheckerboard().sample(new Rng(2), N);
    const cells = new Map<string, number>();
    let ok = true;
    for (let i = 0; i < N; i++) {
      const fx = Math.floor(x[2 * i]), fy = Math.floor(x[2 * i + 1]);
      ok &&= Math.abs(x[2 * i]) <= 2 && Math.abs(x[2 * i + 1]) <= 2 && (((fx + fy) % 2) + 2) % 2 === 0;
      cells.set(`${fx},${fy}`, (cells.get(`${fx},${fy}`) ?? 0) + 1);
    }
    expect(ok).toBe(true);
    expect(cells.size).toBe(8);
    for (const c of cells.values()) expect(Math.abs(c / N - 1 / 8)).toBeLessThan(0.015);
  });

  it('moons: each point lies near the unit circle of its own moon', () => {
    const { x, y } = createMoons().sample(new Rng(3), 2000);
    const centres = [[-0.5, -0.25], [0.5, 0.25]];
    for (let i = 0; i < 2000; i++) {
      const [cx, cy] = centres[y[i]];
      expect(Math.abs(Math.hypot(x[2 * i] - cx, x[2 * i + 1] - cy) - 1)).toBeLessThan(0.3);
      // The upper moon bulges up, the lower one down.
      expect(y[i] === 0 ? x[2 * i + 1] - cy : cy - x[2 * i + 1]).toBeGreaterThan(-0.25);
    }
  });

  it('8 Gaussians: label k sits at angle k·45° on the circle of radius √2', () => {
    const { x, y } = createGaussians8().sample(new Rng(4), 2000);
    for (let i = 0; i < 2000; i++) {
      const a = (y[i] * Math.PI) / 4;
      expect(Math.hypot(x[2 * i] - Math.SQRT2 * Math.cos(a), x[2 * i + 1] - Math.SQRT2 * Math.sin(a))).toBeLessThan(0.7);
    }
  });

  it('spirals: each point lies on its own arm (and the arms are apart)', () => {
    const { x, y } = createSpirals().sample(new Rng(5), 500);
    const arm = (l: number, px: number, py: number) => {
      let best = Infinity;
      for (let k = 0; k <= 2000; k++) {
        const u = k / 2000, a = 3 * Math.PI * u + l * Math.PI;
        best = Math.min(best, Math.hypot(px - 2 * u * Math.cos(a), py - 2 * u * Math.sin(a)));
      }
      return best;
    };
    let own = 0, other = 0;
    for (let i = 0; i < 500; i++) {
      const d = arm(y[i], x[2 * i], x[2 * i + 1]);
      expect(d).toBeLessThan(0.3);
      own += d / 500;
      other += arm(1 - y[i], x[2 * i], x[2 * i + 1]) / 500;
    }
    expect(other).toBeGreaterThan(4 * own);
  });
});
