// Noise paths x_t = α(t)·x0 + σ(t)·ε with t = 0 data and t = 1 noise (SD3, Esser et al. 2024, eq. 2).
// One Path type, four instances. Each formula is written once over `Ops` (numbers or [B] tensors).
//
// Besides α and σ a path carries its preconditioning (Karras et al. 2022, §5 and Table 1), applied by the
// flow around any network and identity on rf, where the network output is the prediction itself:
//   cIn(t)    scales the network input x_t;
//   vScale(t) scales a v-network's output: the network predicts v / vScale. It is 1 on rf (v = ε − x0),
//             dφ/dt on the variance-preserving paths (φ = atan(σ/α)), so that the network's target is the
//             v of Salimans & Ho (2022), α·ε − σ·x0, and dσ/dt on edm, where v-prediction is then ε-prediction.

import * as tf from '@tensorflow/tfjs';
import { numOps, tensorOps, type Ops } from './ops';
import { normCdf } from './special';

export type PathName = 'rf' | 'cosine' | 'vp' | 'edm';
export const PATH_NAMES: readonly PathName[] = ['rf', 'cosine', 'vp', 'edm'];

/** The coefficients of a path at one time. */
export interface PathCoefs {
  alpha: number;
  sigma: number;
  dAlpha: number;
  dSigma: number;
  logSnr: number; // log(α²/σ²)
  cIn: number;
  vScale: number;
}

export interface Path {
  name: PathName;
  alpha(t: number): number;
  sigma(t: number): number;
  dAlpha(t: number): number;
  dSigma(t: number): number;
  /** log SNR = log(α²/σ²): +Infinity where σ = 0, −Infinity where α = 0. */
  logSnr(t: number): number;
  cIn(t: number): number;
  vScale(t: number): number;
  coefs(t: number): PathCoefs;
  /** The time with the given log-SNR (clamped to [0, 1]); used for Karras grids. */
  tOfLogSnr(logSnr: number): number;
  /** The latest time a sampler may start from: 1, or on edm the time where σ = 80 (Karras et al. 2022). */
  tMax: number;
  /**
   * The variable the ODE solvers step in: 'time' (t itself) or 'noise' (σ/α, as Karras et al. 2022 do),
   * for a path whose t-parametrisation is too steep near its ends for an explicit solver (edm: dσ/dt ≈ 2·10⁷
   * at σ = 80).
   */
  solverVar: 'time' | 'noise';
  /** cIn ≡ 1 and vScale ≡ 1 (lets the flow skip the multiplications). */
  identityCIn: boolean;
  identityVScale: boolean;
  // Tensor versions on [B] times in the open interval (0, 1) (the loss clamps t away from the endpoints).
  /** All seven at once, sharing subexpressions (pure tensor fn: wrap in tidy). */
  coefsT(t: tf.Tensor1D): { [K in keyof PathCoefs]: tf.Tensor1D };
  alphaT(t: tf.Tensor1D): tf.Tensor1D;
  sigmaT(t: tf.Tensor1D): tf.Tensor1D;
  dAlphaT(t: tf.Tensor1D): tf.Tensor1D;
  dSigmaT(t: tf.Tensor1D): tf.Tensor1D;
  logSnrT(t: tf.Tensor1D): tf.Tensor1D;
  cInT(t: tf.Tensor1D): tf.Tensor1D;
  vScaleT(t: tf.Tensor1D): tf.Tensor1D;
}

type Coefs<T> = { [K in keyof PathCoefs]: T };
interface PathDef {
  name: PathName;
  /** All coefficients at once, sharing subexpressions (one formula for numbers and tensors). */
  coefs: <T>(o: Ops<T>, t: T) => Coefs<T>;
  // Exact values at the endpoints, where the formulas would give 0/0 or round off (e.g. cos(π/2) ≠ 0).
  at0: PathCoefs;
  at1: PathCoefs | null; // null: the formula is fine at t = 1
  tOfLogSnr(l: number): number;
  tMax: number;
  solverVar: 'time' | 'noise';
  identityCIn: boolean;
  identityVScale: boolean;
}

const HALF_PI = Math.PI / 2;
const INF = Infinity;

const rf: PathDef = {
  name: 'rf',
  coefs: (o, t) => ({
    alpha: o.sub(1, t),
    sigma: o.mul(t, 1), // a new value, never the caller's tensor
    dAlpha: o.fill(t, -1),
    dSigma: o.fill(t, 1),
    logSnr: o.mul(2, o.sub(o.log(o.sub(1, t)), o.log(t))),
    cIn: o.fill(t, 1),
    vScale: o.fill(t, 1),
  }),
  at0: { alpha: 1, sigma: 0, dAlpha: -1, dSigma: 1, logSnr: INF, cIn: 1, vScale: 1 },
  at1: { alpha: 0, sigma: 1, dAlpha: -1, dSigma: 1, logSnr: -INF, cIn: 1, vScale: 1 },
  tOfLogSnr: (l) => 1 / (1 + Math.exp(l / 2)), // σ/α = t/(1−t) = e^(−λ/2)
  tMax: 1,
  solverVar: 'time',
  identityCIn: true,
  identityVScale: true,
};

// Nichol & Dhariwal (2021) without their offset s: α = cos(πt/2), σ = sin(πt/2) (as in SD3 §3.1).
const cosine: PathDef = {
  name: 'cosine',
  coefs: (o, t) => {
    const c = o.sin(o.mul(HALF_PI, o.sub(1, t))); // = cos(πt/2), without float32 cancellation near t = 1
    const s = o.sin(o.mul(HALF_PI, t));
    return {
      alpha: c,
      sigma: s,
      dAlpha: o.mul(-HALF_PI, s),
      dSigma: o.mul(HALF_PI, c),
      logSnr: o.mul(2, o.log(o.div(c, s))),
      cIn: o.fill(t, 1),
      vScale: o.fill(t, HALF_PI), // dφ/dt with φ = πt/2
    };
  },
  at0: { alpha: 1, sigma: 0, dAlpha: 0, dSigma: HALF_PI, logSnr: INF, cIn: 1, vScale: HALF_PI },
  at1: { alpha: 0, sigma: 1, dAlpha: -HALF_PI, dSigma: 0, logSnr: -INF, cIn: 1, vScale: HALF_PI },
  tOfLogSnr: (l) => Math.atan(Math.exp(-l / 2)) / HALF_PI, // tan(πt/2) = σ/α
  tMax: 1,
  solverVar: 'time',
  identityCIn: true,
  identityVScale: false,
};

// LDM-linear ("scaled linear") schedule of Rombach et al. (2022), as compared in SD3 §3.1: T = 1000
// discrete steps with √β_i linear from √0.00085 to √0.012 and ᾱ_i = Π_{j≤i} (1 − β_j). Made continuous as
// the VP-SDE of Song et al. (2021): β(s) = T·(a + b·s)² with a = √β_0, b = √β_{T−1} − √β_0, and
//   log ᾱ(t) = −∫_0^t β(s) ds = −T·((a + b·t)³ − a³) / (3b),   α = √ᾱ,   σ = √(1 − ᾱ),
// so t = (i + 1)/T matches step i up to the replacements Σ → ∫ and −log(1 − β) → β (paths.test.ts bounds
// the difference). α(0) = 1, σ(0) = 0, but α(1) = 0.069 > 0 (the LDM schedule's non-zero terminal SNR), and
// σ ~ √t near 0, so dσ/dt → ∞ at t = 0.
export const VP_T = 1000;
export const VP_BETA0 = 0.00085;
export const VP_BETA1 = 0.012;
const VA = Math.sqrt(VP_BETA0);
const VB = Math.sqrt(VP_BETA1) - Math.sqrt(VP_BETA0);
const vp: PathDef = {
  name: 'vp',
  coefs: (o, t) => {
    const u = o.add(VA, o.mul(VB, t));
    const u2 = o.square(u);
    const logAbar = o.mul(-VP_T / (3 * VB), o.sub(o.mul(u2, u), VA ** 3));
    const beta = o.mul(VP_T, u2); // β(t), so d log α/dt = −β/2
    const alpha = o.exp(o.mul(0.5, logAbar));
    const sigma2 = o.mul(-1, o.expm1(logAbar));
    const sigma = o.sqrt(sigma2);
    const dAlpha = o.mul(-0.5, o.mul(beta, alpha));
    const vScale = o.div(o.mul(0.5, o.mul(beta, alpha)), sigma); // dφ/dt = −α'/σ
    return {
      alpha,
      sigma,
      dAlpha,
      dSigma: o.mul(vScale, alpha), // σσ' = −αα'
      logSnr: o.sub(logAbar, o.log(sigma2)),
      cIn: o.fill(t, 1), // α² + σ² = 1
      vScale,
    };
  },
  at0: { alpha: 1, sigma: 0, dAlpha: -0.5 * VP_T * VP_BETA0, dSigma: INF, logSnr: INF, cIn: 1, vScale: INF },
  at1: null,
  tOfLogSnr: (l) => {
    // ᾱ = sigmoid(λ), then invert the cubic.
    const logAbar = -Math.log1p(Math.exp(-l));
    const u3 = VA ** 3 - (3 * VB * logAbar) / VP_T;
    return clamp01((Math.cbrt(u3) - VA) / VB);
  },
  tMax: 1,
  solverVar: 'time',
  identityCIn: true,
  identityVScale: false,
};

// EDM as compared in SD3 §3.1: x_t = x0 + b_t·ε with b_t = exp(F⁻¹_N(t | P_m, P_s²)), the quantile of the
// normal with mean P_m = −1.2, std P_s = 1.2, so uniform t gives the log-normal σ of Karras et al. (2022)
// and λ_t ~ N(−2P_m, (2P_s)²). α ≡ 1 (variance exploding); σ → ∞ as t → 1, so samplers start at σ = 80.
export const EDM_PM = -1.2;
export const EDM_PS = 1.2;
export const EDM_SIGMA_DATA = 0.5; // Karras et al. 2022, used in c_in = 1/√(σ² + σ_data²)
export const EDM_SIGMA_MAX = 80;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const edm: PathDef = {
  name: 'edm',
  coefs: (o, t) => {
    const z = o.ndtri(t);
    const logSigma = o.add(EDM_PM, o.mul(EDM_PS, z));
    const sigma = o.exp(logSigma);
    // dσ/dt = σ·P_s·dz/dt with z = Φ⁻¹(t): dz/dt = 1/φ(z) = √(2π)·exp(z²/2).
    const dSigma = o.mul(sigma, o.mul(EDM_PS * SQRT_2PI, o.exp(o.mul(0.5, o.square(z)))));
    return {
      alpha: o.fill(t, 1),
      sigma,
      dAlpha: o.fill(t, 0),
      dSigma,
      logSnr: o.mul(-2, logSigma),
      cIn: o.div(1, o.sqrt(o.add(o.square(sigma), EDM_SIGMA_DATA ** 2))),
      vScale: dSigma,
    };
  },
  at0: { alpha: 1, sigma: 0, dAlpha: 0, dSigma: INF, logSnr: INF, cIn: 1 / EDM_SIGMA_DATA, vScale: INF },
  at1: { alpha: 1, sigma: INF, dAlpha: 0, dSigma: INF, logSnr: -INF, cIn: 0, vScale: INF },
  tOfLogSnr: (l) => normCdf((-l / 2 - EDM_PM) / EDM_PS), // σ = e^(−λ/2)
  tMax: normCdf((Math.log(EDM_SIGMA_MAX) - EDM_PM) / EDM_PS),
  solverVar: 'noise',
  identityCIn: false,
  identityVScale: false,
};

function clamp01(t: number): number {
  return Math.min(1, Math.max(0, t));
}

function build(d: PathDef): Path {
  const coefs = (t: number): PathCoefs => {
    if (t <= 0) return { ...d.at0 };
    if (t >= 1 && d.at1) return { ...d.at1 };
    return d.coefs(numOps, Math.min(t, 1));
  };
  const coefsT = (t: tf.Tensor1D) => d.coefs(tensorOps, t as tf.Tensor) as Coefs<tf.Tensor1D>;
  const pick = (k: keyof PathCoefs) => (t: tf.Tensor1D) => tf.tidy(() => coefsT(t)[k]);
  const p: Path = {
    name: d.name,
    alpha: (t) => coefs(t).alpha,
    sigma: (t) => coefs(t).sigma,
    dAlpha: (t) => coefs(t).dAlpha,
    dSigma: (t) => coefs(t).dSigma,
    logSnr: (t) => coefs(t).logSnr,
    cIn: (t) => coefs(t).cIn,
    vScale: (t) => coefs(t).vScale,
    coefs,
    tOfLogSnr: (l) => (l === Infinity ? 0 : l === -Infinity ? 1 : clamp01(d.tOfLogSnr(l))),
    tMax: d.tMax,
    solverVar: d.solverVar,
    identityCIn: d.identityCIn,
    identityVScale: d.identityVScale,
    coefsT,
    alphaT: pick('alpha'),
    sigmaT: pick('sigma'),
    dAlphaT: pick('dAlpha'),
    dSigmaT: pick('dSigma'),
    logSnrT: pick('logSnr'),
    cInT: pick('cIn'),
    vScaleT: pick('vScale'),
  };
  return Object.freeze(p);
}

const PATHS: Record<PathName, Path> = { rf: build(rf), cosine: build(cosine), vp: build(vp), edm: build(edm) };

/** The path registered under a stable name; the error names the field `path` and the accepted values. */
export function getPath(name: string): Path {
  if (!Object.prototype.hasOwnProperty.call(PATHS, name)) {
    throw new Error(`path: expected one of ${PATH_NAMES.join(' | ')}, got ${JSON.stringify(name)}`);
  }
  return PATHS[name as PathName];
}
