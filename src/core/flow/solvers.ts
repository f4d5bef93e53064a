// Samplers from noise (t near 1) to data (t = 0) for any path × prediction, with classifier-free guidance.
//
// The ODE is the probability-flow ODE of the path, dx/dt = u(x, t) = α'·x̂0 + σ'·ε̂ (the marginal velocity,
// SD3 §2), with u obtained from any prediction by the exact conversion in prediction.ts. Euler, Heun,
// midpoint and RK4 step in the path's solver variable s (paths.ts): s = t, or s = σ/α on edm, where
// dx/ds = u/(ds/dt) is Karras et al.'s dx/dσ = (x − x̂0)/σ. The grid is in t either way.
//
// Endpoints. The network is never evaluated where a conversion it needs is undefined:
// - Start: if the path or prediction is singular at tMax (eps where α(1) = 0 on rf and cosine; edm, where
//   σ(1) = ∞), sampling starts at log-SNR −2·ln 80 (σ/α = 80, Karras et al.'s σ_max) instead.
//   The start state is x = √(α² + σ²)·noise, the marginal scale for unit-variance data, which drops the
//   α·x0 term: exact where α = 0, a small mismatch on vp (α(1) = 0.069) and on a moved start.
// - End: a step that would evaluate the field at a time where it is infinite (t = 0 on vp and edm, where
//   σ' = ∞, or with x0-prediction, where σ = 0) is taken as a DDIM step (Song et al. 2021) from its start:
//   x = α(t₁)·x̂0 + σ(t₁)·ε̂, which at σ = 0 returns x̂0, as Karras et al. 2022 do with a first-order last step.
//
// NFE counts network evaluations per sample: a guided evaluation (guidance ∉ {0, 1}) counts 2 (conditional
// and unconditional, run as one batched call); guidance 1 (conditional) and 0 (unconditional) count 1.

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { ModelFn } from './flow';
import { timeGrid64, type GridKind, type GridOptions } from './grid';
import type { Path } from './paths';
import { applyCoefs, conversionCoefs, type Prediction } from './prediction';

export type SamplerName = 'euler' | 'heun' | 'midpoint' | 'rk4' | 'dpmpp-2m' | 'euler-ancestral';
export const SAMPLER_NAMES: readonly SamplerName[] = ['euler', 'heun', 'midpoint', 'rk4', 'dpmpp-2m', 'euler-ancestral'];

/** The log-SNR where sampling starts when tMax is singular: σ/α = 80. */
export const START_LOGSNR = -2 * Math.log(80);

export interface SampleOptions {
  path: Path;
  prediction: Prediction;
  sampler: SamplerName;
  steps: number;
  /** Time grid (default 'uniform'); its tMax is lowered to the path's safe start. */
  grid?: GridKind | ArrayLike<number>;
  gridOptions?: GridOptions;
  /** CFG scale w: v = v_u + w·(v_c − v_u). 1 = conditional only, 0 = unconditional only. */
  guidance: number;
  /** The label used for the unconditional branch. */
  nullLabel: number;
  /** Randomness of euler-ancestral (required there). */
  rng?: Rng;
  /** Also return x at every grid time (steps + 1 tensors, the start first). */
  keepTrajectory?: boolean;
}

export interface SampleResult {
  x: tf.Tensor;
  nfe: number;
  /** The time grid actually used. */
  grid: Float64Array;
  trajectory?: tf.Tensor[];
}

export function parseSampler(s: string): SamplerName {
  if (!(SAMPLER_NAMES as readonly string[]).includes(s)) throw new Error(`sampler: expected one of ${SAMPLER_NAMES.join(' | ')}, got ${JSON.stringify(s)}`);
  return s as SamplerName;
}

const finite = (...xs: number[]) => xs.every((x) => Number.isFinite(x));

/** The solver variable s(t): t, or σ/α = e^(−λ/2) where path.solverVar is 'noise'. */
function solverVar(path: Path) {
  if (path.solverVar === 'time') return { s: (t: number) => t, t: (s: number) => s, dsdt: () => 1 };
  return {
    s: (t: number) => Math.exp(-path.logSnr(t) / 2),
    t: (s: number) => path.tOfLogSnr(-2 * Math.log(s)),
    dsdt: (t: number) => {
      const c = path.coefs(t);
      return (c.alpha * c.dSigma - c.sigma * c.dAlpha) / (c.alpha * c.alpha); // d(σ/α)/dt
    },
  };
}

/** Scalar coefficients of dx/ds = cx·x + cp·p for a prediction p at time t. */
function fieldCoefs(path: Path, prediction: Prediction, t: number): { cx: number; cp: number } {
  const { cx, cp } = conversionCoefs(path, prediction, 'v', t);
  const k = solverVar(path).dsdt(t);
  return k === 1 ? { cx, cp } : { cx: cx / k, cp: cp / k };
}

/** Whether the network can be evaluated at t and its output turned into the ODE field and x̂0. */
export function fieldDefined(path: Path, prediction: Prediction, t: number): boolean {
  const c = path.coefs(t);
  if (!finite(c.cIn, c.alpha, c.sigma) || (prediction === 'v' && !finite(c.vScale))) return false;
  const f = fieldCoefs(path, prediction, t);
  const x0 = conversionCoefs(path, prediction, 'x0', t);
  return finite(f.cx, f.cp, x0.cx, x0.cp);
}

/** The latest time sampling may start from for this path and prediction (see the header). */
export function sampleStart(path: Path, prediction: Prediction): number {
  const t = path.tMax;
  if (fieldDefined(path, prediction, t)) return t;
  return Math.min(t, path.tOfLogSnr(START_LOGSNR));
}

/** The grid sampleFlow uses: the requested one, with tMax lowered to the safe start. */
export function samplingGrid(opts: Pick<SampleOptions, 'path' | 'prediction' | 'steps' | 'grid' | 'gridOptions'>): Float64Array {
  const start = sampleStart(opts.path, opts.prediction);
  const kind = opts.grid ?? 'uniform';
  if (typeof kind !== 'string') {
    const g = timeGrid64(kind, opts.steps);
    if (g[0] > start + 1e-12) {
      throw new Error(`grid: path ${opts.path.name} with ${opts.prediction}-prediction can start no later than t = ${start}, got ${g[0]}`);
    }
    return g;
  }
  const tMax = Math.min(opts.gridOptions?.tMax ?? 1, start);
  return timeGrid64(kind, opts.steps, { path: opts.path, ...opts.gridOptions, tMax });
}

/** Evaluates the (guided) network at one time for the whole batch; returns the prediction-space output. */
function makePredictor(model: ModelFn, y: tf.Tensor1D, o: SampleOptions, count: (n: number) => void) {
  const { path, prediction, guidance: w } = o;
  const B = y.shape[0];
  const yNull = tf.fill([B], o.nullLabel, y.dtype) as tf.Tensor1D;
  const guided = w !== 0 && w !== 1;
  const y2 = guided ? (tf.concat([y, yNull]) as tf.Tensor1D) : null;
  const predict = (x: tf.Tensor, t: number): tf.Tensor => {
    const c = path.coefs(t);
    const input = path.identityCIn ? x : tf.mul(x, c.cIn);
    let out: tf.Tensor;
    if (!guided) {
      out = model(input, tf.fill([B], t) as tf.Tensor1D, w === 1 ? y : yNull);
      count(1);
    } else {
      const both = model(tf.concat([input, input]), tf.fill([2 * B], t) as tf.Tensor1D, y2 as tf.Tensor1D);
      const [cond, uncond] = tf.split(both, 2, 0);
      out = tf.add(uncond, tf.mul(tf.sub(cond, uncond), w)); // the combination is affine, so any target space gives the same velocity
      count(2);
    }
    return prediction === 'v' && !path.identityVScale ? tf.mul(out, c.vScale) : out;
  };
  const dispose = () => {
    yNull.dispose();
    y2?.dispose();
  };
  return { predict, dispose };
}

/**
 * Integrates from noise to data with the chosen solver. Returns x at the last grid time, the NFE per
 * sample and, if asked, the trajectory. Tensors not returned are disposed.
 */
export function sampleFlow(model: ModelFn, noise: tf.Tensor, y: tf.Tensor1D, opts: SampleOptions): SampleResult {
  const { path, prediction, sampler } = opts;
  parseSampler(sampler);
  if (!Number.isFinite(opts.guidance)) throw new Error(`guidance: expected a finite number, got ${opts.guidance}`);
  if (y.shape[0] !== noise.shape[0]) throw new Error(`sampleFlow: ${y.shape[0]} labels for ${noise.shape[0]} samples`);
  if (sampler === 'euler-ancestral' && !opts.rng) throw new Error('rng: euler-ancestral needs an rng');
  const grid = samplingGrid(opts);
  let nfe = 0;
  const { predict, dispose } = makePredictor(model, y, opts, (n) => (nfe += n));
  const sv = solverVar(path);
  const field = (x: tf.Tensor, t: number) => {
    const { cx, cp } = fieldCoefs(path, prediction, t);
    return applyCoefs(x, predict(x, t), cx, cp);
  };
  const denoised = (x: tf.Tensor, t: number) => {
    const p = predict(x, t);
    const a = conversionCoefs(path, prediction, 'x0', t);
    const e = conversionCoefs(path, prediction, 'eps', t);
    return { x0: applyCoefs(x, p, a.cx, a.cp), eps: applyCoefs(x, p, e.cx, e.cp) };
  };
  const ddim = (x: tf.Tensor, t0: number, t1: number) => {
    const d = denoised(x, t0);
    return tf.add(tf.mul(d.x0, path.alpha(t1)), tf.mul(d.eps, path.sigma(t1)));
  };

  const c0 = path.coefs(grid[0]);
  let x = tf.mul(noise, Math.sqrt(c0.alpha * c0.alpha + c0.sigma * c0.sigma));
  const trajectory: tf.Tensor[] | undefined = opts.keepTrajectory ? [x.clone()] : undefined;
  let prevX0: tf.Tensor | null = null; // dpmpp-2m: x̂0 of the previous step
  let prevH = NaN;

  for (let i = 0; i + 1 < grid.length; i++) {
    const t0 = grid[i];
    const t1 = grid[i + 1];
    const s0 = sv.s(t0);
    const h = sv.s(t1) - s0; // negative
    const tMid = sv.t(s0 + h / 2);
    const endOk = fieldDefined(path, prediction, t1);
    const xOld = x;
    if (sampler === 'dpmpp-2m') {
      const res = tf.tidy(() => dpmpp2mStep(path, x, t0, t1, prevH, prevX0, (xx, tt) => denoised(xx, tt).x0));
      prevX0?.dispose();
      prevX0 = res.x0;
      prevH = res.h;
      x = res.x;
    } else {
      x = tf.tidy(() => {
        switch (sampler) {
          case 'euler':
            return tf.add(x, tf.mul(field(x, t0), h));
          case 'midpoint': {
            const k1 = field(x, t0);
            return tf.add(x, tf.mul(field(tf.add(x, tf.mul(k1, h / 2)), tMid), h));
          }
          case 'heun': {
            if (!endOk) return ddim(x, t0, t1);
            const k1 = field(x, t0);
            const k2 = field(tf.add(x, tf.mul(k1, h)), t1);
            return tf.add(x, tf.mul(tf.add(k1, k2), h / 2));
          }
          case 'rk4': {
            if (!endOk) return ddim(x, t0, t1);
            const k1 = field(x, t0);
            const k2 = field(tf.add(x, tf.mul(k1, h / 2)), tMid);
            const k3 = field(tf.add(x, tf.mul(k2, h / 2)), tMid);
            const k4 = field(tf.add(x, tf.mul(k3, h)), t1);
            return tf.add(x, tf.mul(tf.addN([k1, tf.mul(k2, 2), tf.mul(k3, 2), k4]), h / 6));
          }
          case 'euler-ancestral':
            return ancestralStep(path, x, t0, t1, denoised, opts.rng as Rng);
          default:
            throw new Error(`sampler: ${sampler as string} is not implemented`);
        }
      });
    }
    xOld.dispose();
    if (trajectory) trajectory.push(x.clone());
  }
  prevX0?.dispose();
  dispose();
  return { x, nfe, grid, trajectory };
}

/**
 * DPM-Solver++(2M) (Lu et al. 2022, arXiv:2211.01095, Algorithm 2) in data-prediction form with
 * λ = log(α/σ) (half the log-SNR), h = λ₁ − λ₀:
 *   x₁ = (σ₁/σ₀)·x₀ − α₁·(e^(−h) − 1)·D,  D = (1 + 1/(2r))·x̂0₀ − 1/(2r)·x̂0₋₁,  r = h₋₁/h,
 * first order (D = x̂0₀) on the first step and on the last step to σ = 0 (λ = ∞, where σ₁/σ₀ = 0 and the
 * step returns α₁·D), as in the reference implementation's lower_order_final.
 */
function dpmpp2mStep(path: Path, x: tf.Tensor, t0: number, t1: number, prevH: number, prevX0: tf.Tensor | null, x0Of: (x: tf.Tensor, t: number) => tf.Tensor) {
  const l0 = path.logSnr(t0) / 2;
  const l1 = path.logSnr(t1) / 2;
  const h = l1 - l0;
  const s0 = path.sigma(t0);
  const s1 = path.sigma(t1);
  const a1 = path.alpha(t1);
  const x0 = x0Of(x, t0);
  const firstOrder = prevX0 === null || !Number.isFinite(h) || !Number.isFinite(prevH);
  let d = x0;
  if (!firstOrder) {
    const r = prevH / h;
    d = tf.sub(tf.mul(x0, 1 + 1 / (2 * r)), tf.mul(prevX0 as tf.Tensor, 1 / (2 * r)));
  }
  const ratio = s1 === 0 ? 0 : s1 / s0;
  const decay = Number.isFinite(h) ? -Math.expm1(-h) : 1; // −(e^(−h) − 1), = 1 for h = ∞
  const xNew = ratio === 0 ? tf.mul(d, a1 * decay) : tf.add(tf.mul(x, ratio), tf.mul(d, a1 * decay));
  return { x: xNew, x0, h };
}

/**
 * Euler–ancestral (the k-diffusion sampler, Karras et al. 2022 style): a DDIM step to t₁ with part of the
 * noise replaced by fresh noise, so that it is the DDPM posterior step q(x₁ | x₀, x̂0):
 *   x₁ = α₁·x̂0 + √(σ₁² − c²)·ε̂ + c·z,   c² = σ₁²·(1 − SNR₀/SNR₁),   z ~ N(0, I) from the rng.
 * (In σ̃ = σ/α coordinates this is k-diffusion's σ_up/σ_down split with η = 1.)
 */
function ancestralStep(path: Path, x: tf.Tensor, t0: number, t1: number, denoised: (x: tf.Tensor, t: number) => { x0: tf.Tensor; eps: tf.Tensor }, rng: Rng): tf.Tensor {
  const d = denoised(x, t0);
  const s1 = path.sigma(t1);
  const a1 = path.alpha(t1);
  const snrRatio = Math.exp(path.logSnr(t0) - path.logSnr(t1)); // SNR₀/SNR₁ ∈ [0, 1]
  const c2 = s1 === 0 ? 0 : s1 * s1 * Math.max(0, 1 - (Number.isNaN(snrRatio) ? 0 : snrRatio));
  const keep = Math.sqrt(Math.max(0, s1 * s1 - c2));
  let out = tf.add(tf.mul(d.x0, a1), tf.mul(d.eps, keep));
  if (c2 > 0) out = tf.add(out, tf.mul(tf.tensor(rng.normals(x.size), x.shape), Math.sqrt(c2)));
  return out;
}
