import { describe, expect, it } from 'vitest';
import { Rng, RunRng, type StreamStates } from './rng';

describe('Rng', () => {
  it('same seed gives the same stream; different seeds differ', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('state round-trips: a restored stream continues exactly', () => {
    const a = new Rng(7);
    a.normals(11);
    const b = new Rng(a.state());
    expect(Array.from(b.uniforms(8))).toEqual(Array.from(a.uniforms(8)));
  });

  it('uniforms lie in (0,1) with mean 1/2 and variance 1/12', () => {
    const u = new Rng(1).uniforms(200_000);
    let m = 0, v = 0;
    let inside = true;
    for (const x of u) { inside &&= x > 0 && x < 1; m += x; }
    expect(inside).toBe(true);
    m /= u.length;
    for (const x of u) v += (x - m) ** 2;
    v /= u.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.002);
  });

  it('normals have mean 0, variance 1 and kurtosis 3', () => {
    const z = new Rng(2).normals(200_001);
    let m = 0, v = 0, k = 0;
    for (const x of z) m += x;
    m /= z.length;
    for (const x of z) { v += (x - m) ** 2; k += (x - m) ** 4; }
    v /= z.length; k /= z.length * v * v;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.01);
    expect(Math.abs(k - 3)).toBeLessThan(0.05);
  });

  it('permutation contains each index once', () => {
    const p = new Rng(3).permutation(1000);
    expect(new Set(p).size).toBe(1000);
    expect(Math.min(...p)).toBe(0);
    expect(Math.max(...p)).toBe(999);
  });

  it('rejects a bad seed and a bad state, naming them', () => {
    expect(() => new Rng(NaN)).toThrow(/seed/);
    expect(() => new Rng([1, 2, 3] as unknown as [number, number, number, number])).toThrow(/rng state/);
  });
});

describe('RunRng', () => {
  it('gives independent, reproducible streams whose states round-trip', () => {
    const a = new RunRng(5);
    const b = new RunRng(5);
    a.get('time').uniforms(100); // drawing more from one stream...
    expect(Array.from(a.get('data').uniforms(4))).toEqual(Array.from(b.get('data').uniforms(4))); // ...leaves the others alone
    expect(Array.from(a.get('data').uniforms(4))).not.toEqual(Array.from(a.get('noise').uniforms(4)));
    const c = new RunRng(a.state());
    expect(Array.from(c.get('noise').normals(6))).toEqual(Array.from(a.get('noise').normals(6)));
    expect(() => new RunRng({ data: [1, 2, 3, 4] } as unknown as StreamStates)).toThrow(/stream init is missing/);
  });
});
