import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { createShapes, renderShape, SHAPE_CLASSES } from './shapes';
import { expectBalanced, expectDeterministic, expectWellFormed } from './test_helpers';

describe.each([16, 32] as const)('shapes%i', (size) => {
  const ds = createShapes(size);

  it('describes itself', () => {
    expect(ds.name).toBe(`shapes${size}`);
    expect(ds.kind).toBe('image');
    expect(ds.shape).toEqual([size, size, 3]);
    expect(ds.classNames).toEqual(SHAPE_CLASSES);
    expect(ds.numClasses).toBeGreaterThanOrEqual(4);
    expect(ds.size).toBe(Infinity);
  });

  it('gives well-formed RGB images in [-1, 1]', () => expectWellFormed(ds, ds.sample(new Rng(1), 64), 64, 1));

  it('is deterministic from the seed; heldOut is fixed', () => expectDeterministic(ds, 8));

  it('draws classes evenly', () => expectBalanced(ds.sample(new Rng(2), 2000).y, ds.numClasses));

  it('every image shows a shape that stands out from its background', () => {
    const n = 200, { x } = ds.sample(new Rng(3), n), d = size * size * 3;
    for (let i = 0; i < n; i++) {
      // Pixel (0, 0) is (nearly) all background; some pixel is fully the shape colour.
      let far = 0;
      for (let p = 0; p < size * size; p++) {
        const o = i * d + p * 3;
        far = Math.max(far, Math.hypot(x[o] - x[i * d], x[o + 1] - x[i * d + 1], x[o + 2] - x[i * d + 2]));
      }
      expect(far).toBeGreaterThan(0.75); // contrast ≥ 0.5 in [0, 1] units is ≥ 1 in [-1, 1]
    }
  });
});

describe('renderShape', () => {
  const size = 32, s = 10;
  const render = (cls: number) => {
    const x = new Float32Array(size * size * 3);
    renderShape(x, 0, size, { cls, cx: 16.3, cy: 16.45, s, bg: [0, 0, 0], fg: [1, 1, 1] });
    return x;
  };
  // With a black background and a white shape, (v + 1) / 2 is the covered fraction.
  const area = (x: Float32Array) => x.reduce((a, v, i) => (i % 3 === 0 ? a + (v + 1) / 2 : a), 0);

  it.each([
    ['circle', Math.PI * s * s],
    ['square', (1.6 * s) ** 2],
    ['triangle', ((3 * Math.sqrt(3)) / 4) * s * s],
    ['cross', 2 * (2 * s) * (0.6 * s) - (0.6 * s) ** 2],
  ])('%s covers its area (anti-aliased)', (name, expected) => {
    const x = render(SHAPE_CLASSES.indexOf(name as (typeof SHAPE_CLASSES)[number]));
    expect(Math.abs(area(x) - expected) / expected).toBeLessThan(0.02);
    const partial = x.filter((v, i) => i % 3 === 0 && v > -1 && v < 1).length;
    expect(partial).toBeGreaterThan(10); // edges are blended, not hard
  });

  it('draws the triangle apex up and the shapes where asked', () => {
    const x = render(2);
    const at = (px: number, py: number) => x[(py * size + px) * 3];
    expect(at(16, 7)).toBeGreaterThan(-1);  // near the apex (y = 6.45)
    expect(at(16, 23)).toBe(-1);            // below the base (y = 21.45)
    expect(at(10, 20)).toBe(1);             // inside, near the base
    expect(at(0, 0)).toBe(-1);
  });
});
