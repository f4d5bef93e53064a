// Loss weightings w(t), multiplied into the per-sample loss. The loss is the squared error of the network
// output, i.e. in prediction space divided by the path's vScale for v (identity on rf).

import * as tf from '@tensorflow/tfjs';
import { numOps, tensorOps, type Ops } from './ops';
import type { Path } from './paths';
import type { Prediction } from './prediction';
import type { TimestepSampler } from './timesteps';
import { parseWeightingSpec } from './weighting_spec';

export interface WeightContext {
  path: Path;
  prediction: Prediction;
  /** The training timestep sampler (its density q(t) is what `density:` weights divide by). */
  sampler: TimestepSampler;
}

export interface Weighting {
  spec: string;
  kind: 'none' | 'min-snr' | 'density';
  weight(t: number, ctx: WeightContext): number;
  /** [B] weights, or null for `none`. Pure tensor function; `density` reads t back from the device. */
  weightT(t: tf.Tensor1D, ctx: WeightContext): tf.Tensor1D | null;
}

export { WEIGHTING_FORMS } from './weighting_spec';

/**
 * Min-SNR-γ (Hang et al. 2023): weight min(SNR, γ) on the x0-space error ‖x̂0 − x0‖². A network error in
 * another space is c²·‖x̂0 − x0‖² at fixed x_t, so its weight is min(SNR, γ)/c²:
 *   x0: c² = 1;   eps: c² = SNR;   v (raw network output v/vScale): c² = D²/(σ²·vScale²), D = α·σ' − σ·α'.
 * This gives Hang et al.'s min(SNR, γ)/SNR for ε and min(SNR, γ)/(SNR + 1) for the v of Salimans & Ho on
 * the variance-preserving paths, and min(SNR, γ)·t² on rf.
 */
function minSnrGeneric<T>(o: Ops<T>, gamma: number, prediction: Prediction, p: Path, t: T, coefs: (t: T) => { alpha: T; sigma: T; dAlpha: T; dSigma: T; logSnr: T; vScale: T }): T {
  const c = coefs(t);
  if (prediction === 'eps') return o.min(o.mul(gamma, o.exp(o.mul(-1, c.logSnr))), 1); // min(1, γ/SNR)
  const m = o.min(o.exp(c.logSnr), gamma);
  if (prediction === 'x0') return m;
  const d = o.sub(o.mul(c.alpha, c.dSigma), o.mul(c.sigma, c.dAlpha));
  const ratio = p.identityVScale ? o.div(c.sigma, d) : o.div(o.mul(c.sigma, c.vScale), d);
  return o.mul(m, o.square(ratio));
}

function minSnr(spec: string, gamma: number): Weighting {
  return {
    spec,
    kind: 'min-snr',
    weight: (t, { path, prediction }) => minSnrGeneric(numOps, gamma, prediction, path, t, (x) => path.coefs(x)),
    weightT: (t, { path, prediction }) => minSnrGeneric<tf.Tensor>(tensorOps, gamma, prediction, path, t, (x) => path.coefsT(x as tf.Tensor1D)) as tf.Tensor1D,
  };
}

/**
 * The weighting implied by a timestep density π: w(t) = π(t)/q(t) with q the training sampler's density,
 * so that E_q[w·L] = E_π[L]; with uniform training timesteps w = π. Where q(t) = 0, w = 0 (never drawn).
 */
function density(spec: string, target: TimestepSampler): Weighting {
  const weight = (t: number, { sampler }: WeightContext) => {
    const q = sampler.density(t);
    return q > 0 ? target.density(t) / q : 0;
  };
  return {
    spec,
    kind: 'density',
    weight,
    weightT: (t, ctx) => {
      const ts = t.dataSync();
      const w = new Float32Array(ts.length);
      for (let i = 0; i < ts.length; i++) w[i] = weight(ts[i], ctx);
      return tf.tensor1d(w);
    },
  };
}

/** Parses a weighting spec (src/core/flow/weighting_spec.ts) into its functions. */
export function parseWeighting(spec: string): Weighting {
  const p = parseWeightingSpec(spec);
  const s = spec.trim();
  if (p.kind === 'none') return { spec: s, kind: 'none', weight: () => 1, weightT: () => null };
  if (p.kind === 'min-snr') return minSnr(s, p.gamma);
  return density(s, p.sampler);
}
