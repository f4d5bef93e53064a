import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { MODE_SCALE_MAX, parseTimesteps, resolutionShift, shiftSampler, shiftTime, unshiftTime, type TimestepSampler } from './timesteps';

// ∫_a^b f(t) dt by the midpoint rule after t = (1 − cos πu)/2, which clusters points at both ends and
// makes the integrable endpoint singularities here (t^(a−1) with a ≥ 0.5, (1 − t)^(−1/2)) bounded.
function integrate(f: (t: number) => number, a = 0, b = 1, n = 100_000): number {
  const ua = Math.acos(1 - 2 * a) / Math.PI;
  const ub = Math.acos(1 - 2 * b) / Math.PI;
  const h = (ub - ua) / n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const u = ua + (i + 0.5) * h;
    s += f((1 - Math.cos(Math.PI * u)) / 2) * (Math.PI / 2) * Math.sin(Math.PI * u);
  }
  return s * h;
}

/** Kolmogorov–Smirnov statistic sup |F_n − F| of a sample against a cdf. */
function ks(sample: Float32Array, cdf: (t: number) => number): number {
  const x = Float64Array.from(sample).sort();
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

const N = 50_000;
const KS_BOUND = 1.95 / Math.sqrt(N); // the 0.1% critical value of the KS statistic (≈ 0.0087)

const SPECS = ['uniform', 'logit-normal:0,1', 'logit-normal:-0.5,0.7', 'mode:0', 'mode:1.29', 'mode:-1', 'mode:1.6', 'cosmap', 'beta:2,3', 'beta:0.7,1.4', 'beta:1,1'];
const SHIFTED: [string, number][] = [['uniform', 3], ['logit-normal:0,1', 0.5], ['mode:1.29', 2], ['cosmap', 3], ['beta:0.7,1.4', 3]];

function checkSampler(s: TimestepSampler, seed: number) {
  expect(integrate(s.density)).toBeCloseTo(1, 4);
  // The density is the derivative of the cdf, and the cdf is its integral.
  for (const t of [0.03, 0.2, 0.5, 0.77, 0.96]) {
    const h = 1e-5;
    const dcdf = (s.cdf(t + h) - s.cdf(t - h)) / (2 * h);
    expect(Math.abs(dcdf - s.density(t))).toBeLessThan(1e-5 * Math.max(1, s.density(t)));
    expect(integrate(s.density, 0, t)).toBeCloseTo(s.cdf(t), 4);
  }
  expect(s.cdf(0)).toBe(0);
  expect(s.cdf(1)).toBeCloseTo(1, 12);
  const x = s.sample(new Rng(seed), N);
  expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
  expect(ks(x, s.cdf)).toBeLessThan(KS_BOUND);
}

describe('timestep samplers', () => {
  it.each(SPECS)('%s: density integrates to 1, is the cdf’s derivative, and its sampler passes KS', (spec) => {
    checkSampler(parseTimesteps(spec), 1);
  });

  it.each(SHIFTED)('%s shifted by %d: the pushed-forward density integrates to 1 and matches its sampler', (spec, a) => {
    const s = shiftSampler(parseTimesteps(spec), a);
    expect(s.shift).toBe(a);
    checkSampler(s, 2);
  });

  it('the KS check has power: uniform draws fail against the logit-normal cdf', () => {
    const x = parseTimesteps('uniform').sample(new Rng(3), N);
    expect(ks(x, parseTimesteps('logit-normal:0,1').cdf)).toBeGreaterThan(10 * KS_BOUND);
  });

  it('mode sampling with s = 0 is the uniform density', () => {
    const m = parseTimesteps('mode:0');
    for (let t = 0; t <= 1; t += 0.01) {
      expect(m.density(t)).toBeCloseTo(1, 12);
      expect(m.cdf(t)).toBeCloseTo(t, 12);
    }
  });

  it('mode sampling concentrates mass in the middle for s > 0 (SD3 Fig. 11): density at ½ = 1/(1 + s − sπ/2)', () => {
    const s = 1.29;
    expect(parseTimesteps(`mode:${s}`).density(0.5)).toBeCloseTo(1 / (1 + s - (s * Math.PI) / 2), 10);
  });

  it('logit-normal and cosmap have the closed forms of SD3 §3.1', () => {
    const ln = parseTimesteps('logit-normal:0,1');
    expect(ln.density(0.5)).toBeCloseTo(4 / Math.sqrt(2 * Math.PI), 12);
    const cm = parseTimesteps('cosmap');
    expect(cm.density(0.5)).toBeCloseTo(4 / Math.PI, 12);
    expect(cm.cdf(0.5)).toBeCloseTo(0.5, 12);
  });

  it('shift: a = 1 is the identity, shifts compose multiplicatively, and t′ inverts', () => {
    const base = parseTimesteps('logit-normal:0.3,0.8');
    expect(shiftSampler(base, 1)).toBe(base);
    expect(shiftTime(0.3, 1)).toBe(0.3);
    const twice = shiftSampler(shiftSampler(base, 2), 3);
    const once = shiftSampler(base, 6);
    for (const t of [0.1, 0.4, 0.9]) {
      expect(twice.density(t)).toBeCloseTo(once.density(t), 10);
      expect(unshiftTime(shiftTime(t, 2.5), 2.5)).toBeCloseTo(t, 14);
    }
    expect(twice.shift).toBe(6);
    expect(shiftTime(0.5, 3)).toBe(0.75); // more noise for a > 1
  });

  it('resolutionShift is √(m/n): 1024² against SD3’s 256² base (4096 vs 256 tokens) gives 4', () => {
    expect(resolutionShift(4096)).toBe(4);
    expect(resolutionShift(256)).toBe(1);
    expect(resolutionShift(49, 196)).toBe(0.5);
    expect(() => resolutionShift(0)).toThrow(/^shift:/);
  });

  it('parse errors name the field `timesteps` and the accepted forms', () => {
    const forms = /uniform \| logit-normal:M,S \| mode:S \| cosmap \| beta:A,B/;
    expect(() => parseTimesteps('lognormal')).toThrow(/^timesteps: expected one of/);
    expect(() => parseTimesteps('lognormal')).toThrow(forms);
    expect(() => parseTimesteps('logit-normal:0')).toThrow(/^timesteps: logit-normal takes 2 numbers \(logit-normal:M,S\)/);
    expect(() => parseTimesteps('logit-normal:0,-1')).toThrow(/^timesteps: logit-normal scale S must be > 0/);
    expect(() => parseTimesteps('mode:2')).toThrow(/^timesteps: mode scale S must lie in \[-1, 1\.7519\]/);
    expect(() => parseTimesteps('mode:x')).toThrow(/^timesteps:/);
    expect(() => parseTimesteps('beta:0,1')).toThrow(/^timesteps: beta parameters A and B must be > 0/);
    expect(() => parseTimesteps('uniform:1')).toThrow(/^timesteps: uniform takes no parameters/);
    expect(() => shiftSampler(parseTimesteps('uniform'), 0)).toThrow(/^shift:/);
    expect(parseTimesteps(`mode:${MODE_SCALE_MAX}`).spec).toBe(`mode:${MODE_SCALE_MAX}`);
  });
});
