import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import type { ModelFn } from './flow';
import { gaussianFlowMap, gaussianOracle } from './gaussian_oracle';
import { getPath, PATH_NAMES, type Path } from './paths';
import { PREDICTIONS, type Prediction } from './prediction';
import { sampleFlow, sampleStart, samplingGrid, START_LOGSNR, type SampleOptions, type SamplerName } from './solvers';

// Gaussian data x0 ~ N(μ, s²): the oracle is the exact network and gaussianFlowMap the exact ODE solution.
const MU = 0.5;
const S = 0.4;
const Z = [-2.2, -1, -0.3, 0, 0.7, 1.5, 2.2];

function run(path: Path, prediction: Prediction, sampler: SamplerName, steps: number, extra: Partial<SampleOptions> = {}, z: ArrayLike<number> = Z) {
  const n = z.length;
  const noise = tf.tensor2d(Float32Array.from(z), [n, 1]);
  const y = tf.zeros([n], 'int32') as tf.Tensor1D;
  try {
    const res = sampleFlow(gaussianOracle(path, prediction, MU, S), noise, y, { path, prediction, sampler, steps, guidance: 1, nullLabel: 0, ...extra });
    const x = Float64Array.from(res.x.dataSync());
    res.x.dispose();
    return { x, nfe: res.nfe, grid: res.grid };
  } finally {
    tf.dispose([noise, y]);
  }
}

/** Max error against the exact flow map from the grid's first time to its last. */
function mapError(path: Path, out: Float64Array, grid: Float64Array, z: ArrayLike<number> = Z): number {
  const c0 = path.coefs(grid[0]);
  const scale = Math.hypot(c0.alpha, c0.sigma); // the sampler starts from √(α² + σ²)·noise
  let e = 0;
  for (let i = 0; i < z.length; i++) e = Math.max(e, Math.abs(out[i] - gaussianFlowMap(path, MU, S, z[i] * scale, grid[0], grid[grid.length - 1])));
  return e;
}

/** Least-squares slope of log(error) against log(1/steps). */
function order(steps: number[], errs: number[]): number {
  const x = steps.map(Math.log);
  const y = errs.map((e) => -Math.log(e));
  const mx = x.reduce((a, b) => a + b) / x.length;
  const my = y.reduce((a, b) => a + b) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return num / den;
}

const DETERMINISTIC: SamplerName[] = ['euler', 'heun', 'midpoint', 'rk4', 'dpmpp-2m'];

// Theoretical order and step counts in the asymptotic range whose errors stay above float32 noise
// (~1e-6). DPM-Solver++(2M) reaches its asymptotic order only once λ-steps are small (≥ 32 steps here).
const ORDERS: Record<string, { p: number; steps: number[] }> = {
  euler: { p: 1, steps: [16, 32, 64] },
  heun: { p: 2, steps: [8, 16, 32] },
  midpoint: { p: 2, steps: [8, 16, 32] },
  rk4: { p: 4, steps: [4, 8, 16] },
  'dpmpp-2m': { p: 2, steps: [32, 64, 128] },
};

describeBackends('sampleFlow on Gaussian data (exact oracle)', () => {
  // The convergence order is measured on [0.1, 0.9], where every path's field is smooth; the endpoints
  // hold the singularities that the samplers handle separately (start clamp, DDIM last step). The band is
  // [p − 0.3, p + 1.1]: the explicit midpoint rule converges at order 3 for this particular field on rf/edm.
  it.each(PATH_NAMES.flatMap((p) => DETERMINISTIC.map((s) => [p, s] as const)))('%s / %s: error falls at the solver’s order', (name, sampler) => {
    const path = getPath(name);
    const { p, steps } = ORDERS[sampler];
    const errs = steps.map((n) => {
      const grid = Array.from({ length: n + 1 }, (_, i) => 0.9 - (0.8 * i) / n);
      const r = run(path, 'v', sampler, n, { grid });
      return mapError(path, r.x, r.grid);
    });
    const slope = order(steps, errs);
    expect(slope, `errors ${errs.map((e) => e.toExponential(2)).join(', ')}`).toBeGreaterThan(p - 0.3);
    expect(slope, `errors ${errs.map((e) => e.toExponential(2)).join(', ')}`).toBeLessThan(p + 1.1);
  });

  it('dpmpp-2m reproduces Lu et al. 2022 Algorithm 2, evaluated in float64, on a non-uniform grid', () => {
    // The Karras grid (step ratios far from 1) from noise to t = 0, including the first-order first and last steps.
    for (const name of PATH_NAMES) {
      const path = getPath(name);
      for (const prediction of PREDICTIONS) {
        const r = run(path, prediction, 'dpmpp-2m', 12, { grid: 'karras' });
        const g = r.grid;
        const x0hat = (x: number, t: number) => {
          const c = path.coefs(t);
          return MU + ((c.alpha * S * S) / (c.alpha ** 2 * S * S + c.sigma ** 2)) * (x - c.alpha * MU);
        };
        const c0 = path.coefs(g[0]);
        const want = Z.map((z) => {
          let x = z * Math.hypot(c0.alpha, c0.sigma);
          let prev = NaN;
          let hPrev = NaN;
          for (let i = 0; i + 1 < g.length; i++) {
            const [a, b] = [path.coefs(g[i]), path.coefs(g[i + 1])];
            const h = (b.logSnr - a.logSnr) / 2; // λ = log(α/σ)
            const d0 = x0hat(x, g[i]);
            const k = h / (2 * hPrev); // 1/(2r) with r = h₋₁/h; 0 after a first step from λ = −∞
            const D = i === 0 || b.sigma === 0 ? d0 : (1 + k) * d0 - k * prev;
            x = b.sigma === 0 ? b.alpha * D : (b.sigma / a.sigma) * x - b.alpha * Math.expm1(-h) * D;
            prev = d0;
            hPrev = h;
          }
          return x;
        });
        expectClose(r.x, want, 2e-4);
      }
    }
  });

  it('euler-ancestral: one step from a fixed x has mean α₁·x̂0 + √(σ₁² − c²)·ε̂ and spread c, c² = σ₁²(1 − SNR₀/SNR₁)', () => {
    const path = getPath('cosine');
    const [t0, t1] = [0.7, 0.5];
    const n = 20000;
    const c0 = path.coefs(t0);
    const x = 0.8 * Math.hypot(c0.alpha, c0.sigma); // a start value; the sampler scales noise by √(α₀² + σ₀²)
    const r = run(path, 'eps', 'euler-ancestral', 1, { grid: [t0, t1], rng: new Rng(9) }, new Float32Array(n).fill(0.8));
    const m2 = c0.alpha ** 2 * S * S + c0.sigma ** 2;
    const x0 = MU + ((c0.alpha * S * S) / m2) * (x - c0.alpha * MU);
    const eps = (c0.sigma / m2) * (x - c0.alpha * MU);
    const c1 = path.coefs(t1);
    const c2 = c1.sigma ** 2 * (1 - Math.exp(c0.logSnr - c1.logSnr));
    const mean = r.x.reduce((a, b) => a + b) / n;
    const std = Math.sqrt(r.x.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    // 20 000 draws: standard errors c/√n (mean) and 0.5% (std); bounds at about 4 of them.
    expect(Math.abs(mean - (c1.alpha * x0 + Math.sqrt(c1.sigma ** 2 - c2) * eps))).toBeLessThan((4 * Math.sqrt(c2)) / Math.sqrt(n));
    expect(Math.abs(std / Math.sqrt(c2) - 1)).toBeLessThan(0.02);
  });

  it('starts where the prediction is defined: σ/α = 80 for ε on rf and cosine, σ = 80 on edm, else t = 1', () => {
    for (const name of PATH_NAMES) {
      const path = getPath(name);
      for (const prediction of PREDICTIONS) {
        const t0 = sampleStart(path, prediction);
        if (name === 'edm') expect(path.sigma(t0)).toBeCloseTo(80, 6);
        else if (prediction === 'eps' && name !== 'vp') expect(path.logSnr(t0)).toBeCloseTo(START_LOGSNR, 9);
        else expect(t0).toBe(1);
      }
    }
    expect(sampleStart(getPath('rf'), 'eps')).toBeCloseTo(80 / 81, 12);
    const g = samplingGrid({ path: getPath('rf'), prediction: 'eps', steps: 4, grid: 'uniform' });
    expect(g[0]).toBeCloseTo(80 / 81, 12);
    expect(() => samplingGrid({ path: getPath('rf'), prediction: 'eps', steps: 2, grid: [1, 0.5, 0] })).toThrow(/^grid: path rf with eps-prediction can start no later than/);
  });

  it('counts NFE per sample: 1 per evaluation, 2 per guided evaluation', () => {
    const rf = getPath('rf');
    const cases: [SamplerName, number][] = [['euler', 1], ['heun', 2], ['midpoint', 2], ['rk4', 4], ['dpmpp-2m', 1], ['euler-ancestral', 1]];
    for (const [sampler, perStep] of cases) {
      // rf with v is defined at t = 0, so no step is replaced by a DDIM step.
      expect(run(rf, 'v', sampler, 5, { rng: new Rng(1) }).nfe).toBe(5 * perStep);
      expect(run(rf, 'v', sampler, 5, { rng: new Rng(1), guidance: 3 }).nfe).toBe(10 * perStep);
      expect(run(rf, 'v', sampler, 5, { rng: new Rng(1), guidance: 0 }).nfe).toBe(5 * perStep);
    }
    // With x0-prediction the last Heun step lands where σ = 0: it becomes a one-evaluation DDIM step.
    expect(run(rf, 'x0', 'heun', 5).nfe).toBe(4 * 2 + 1);
  });

  it('classifier-free guidance: v = v_u + w·(v_c − v_u) with the null label for v_u', () => {
    const rf = getPath('rf');
    const cond = gaussianOracle(rf, 'v', 1.5, S);
    const uncond = gaussianOracle(rf, 'v', -0.5, S);
    const model: ModelFn = (x, t, y) => tf.tidy(() => tf.where(tf.equal(y, 7).reshape([-1, 1]), uncond(x, t, y), cond(x, t, y)));
    const z = Float32Array.from(Z);
    const sample = (w: number) =>
      tf.tidy(() => {
        const r = sampleFlow(model, tf.tensor2d(z, [z.length, 1]), tf.fill([z.length], 3, 'int32') as tf.Tensor1D, { path: rf, prediction: 'v', sampler: 'euler', steps: 1, guidance: w, nullLabel: 7 });
        return Array.from(r.x.dataSync());
      });
    // One Euler step from t = 1: x0 = x − v(x, 1), where the oracle's v at t = 1 is x − μ.
    for (const w of [0, 1, 2.5]) expectClose(sample(w), Array.from(z, () => -0.5 + w * (1.5 + 0.5)), 1e-5);
  });

  it('keeps the trajectory on request and leaks nothing else', () => {
    const path = getPath('vp');
    for (const sampler of [...DETERMINISTIC, 'euler-ancestral'] as SamplerName[]) {
      const noise = tf.tensor2d(Float32Array.from(Z), [Z.length, 1]);
      const y = tf.zeros([Z.length], 'int32') as tf.Tensor1D;
      const before = tf.memory().numTensors;
      const r = sampleFlow(gaussianOracle(path, 'eps', MU, S), noise, y, { path, prediction: 'eps', sampler, steps: 6, guidance: 2, nullLabel: 1, rng: new Rng(3), keepTrajectory: true });
      expect(r.trajectory?.length).toBe(7);
      expectClose(r.trajectory![6].dataSync(), r.x.dataSync(), 0);
      expect(tf.memory().numTensors).toBe(before + 1 + 7);
      tf.dispose([r.x, ...r.trajectory!]);
      const r2 = sampleFlow(gaussianOracle(path, 'eps', MU, S), noise, y, { path, prediction: 'eps', sampler, steps: 3, guidance: 1, nullLabel: 1, rng: new Rng(3) });
      expect(r2.trajectory).toBeUndefined();
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([r2.x, noise, y]);
    }
  });

  it('rejects bad options, naming them', () => {
    const rf = getPath('rf');
    expect(() => run(rf, 'v', 'euler-ancestral', 4, { rng: undefined })).toThrow(/^rng:/);
    expect(() => run(rf, 'v', 'ddim' as SamplerName, 4)).toThrow(/^sampler:/);
    expect(() => run(rf, 'v', 'euler', 4, { guidance: NaN })).toThrow(/^guidance:/);
    expect(() => run(rf, 'v', 'euler', 0)).toThrow(/^steps:/);
  });
});

// The same checks over the whole range, on wasm only (the cpu backend takes ~10x longer on 4000 samples).
describeBackends('sampleFlow from noise to data (exact oracle)', () => {
  // From noise all the way to data on the Karras grid (32 steps), for every target: the exact map for a few
  // noise values, then mean and std over 4000 draws. Tolerances are the measured errors with ~2× margin.
  const MAP_TOL: Record<string, number> = { euler: 0.12, heun: 0.03, midpoint: 0.01, rk4: 1e-3, 'dpmpp-2m': 0.03, 'euler-ancestral': NaN };
  it.each(PATH_NAMES.flatMap((p) => PREDICTIONS.map((q) => [p, q] as const)))('%s / %s: every solver lands on N(μ, s²)', (name, prediction) => {
    const path = getPath(name);
    const noise = new Rng(11).normals(4000);
    for (const sampler of [...DETERMINISTIC, 'euler-ancestral'] as SamplerName[]) {
      const ancestral = sampler === 'euler-ancestral';
      const extra: Partial<SampleOptions> = { grid: 'karras', rng: new Rng(12) };
      if (!ancestral) {
        const r = run(path, prediction, sampler, 32, extra);
        expect(r.grid[r.grid.length - 1]).toBe(0);
        expect(mapError(path, r.x, r.grid), sampler).toBeLessThan(MAP_TOL[sampler]);
      }
      const all = run(path, prediction, sampler, ancestral ? 64 : 32, extra, noise);
      const mean = all.x.reduce((a, b) => a + b) / all.x.length;
      const std = Math.sqrt(all.x.reduce((a, b) => a + (b - mean) ** 2, 0) / all.x.length);
      // 4000 draws: standard errors 0.006 (mean) and 0.005 (std); vp's start drops α(1)·x0 (bias ≈ 0.014).
      const tol = sampler === 'euler' || ancestral ? 0.05 : 0.03;
      expect(Math.abs(mean - MU), `${sampler} mean ${mean}`).toBeLessThan(tol);
      expect(Math.abs(std - S), `${sampler} std ${std}`).toBeLessThan(tol);
    }
  });

}, ['wasm']);

describe('euler-ancestral', () => {
  it('is the DDPM posterior step: seeded, and different from the deterministic samplers', async () => {
    const { useBackend } = await import('../../test_utils/tf_backends');
    await useBackend('cpu');
    const rf = getPath('rf');
    const a = run(rf, 'v', 'euler-ancestral', 8, { rng: new Rng(5) });
    const b = run(rf, 'v', 'euler-ancestral', 8, { rng: new Rng(5) });
    const c = run(rf, 'v', 'euler-ancestral', 8, { rng: new Rng(6) });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });
});
