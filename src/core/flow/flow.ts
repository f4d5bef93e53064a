// The flow: a path, a prediction target, a training timestep density and a loss weighting, wrapped around
// any network (minRF / DiT habit: the flow takes the model as an argument and never the reverse).

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { getPath, type Path, type PathName } from './paths';
import { col, parsePrediction, targetOf, type Prediction } from './prediction';
import { parseTimesteps, shiftSampler, type TimestepSampler } from './timesteps';
import { parseWeighting, type Weighting } from './weighting';

/**
 * A network: (x_t·cIn(t), t, y) → prediction (for v: prediction/vScale(t)). On rf both scales are 1 and the
 * output is the prediction itself; see paths.ts for the preconditioning of the other paths.
 */
export type ModelFn = (xt: tf.Tensor, t: tf.Tensor1D, y: tf.Tensor1D) => tf.Tensor;

export interface FlowSpec {
  path: PathName;
  prediction: Prediction;
  timesteps: string;
  shift: number;
  weighting: string;
}

export interface Flow {
  spec: FlowSpec;
  path: Path;
  prediction: Prediction;
  /** Training timesteps: `timesteps` pushed through `shift`. */
  sampler: TimestepSampler;
  weighting: Weighting;
  sampleT(rng: Rng, n: number): Float32Array;
  /** The loss weight at time t (for plots). */
  weight(t: number): number;
  /**
   * Per-sample (weighted) loss: mean over non-batch dims of (model(x_t·cIn, t, y) − target)², the target in
   * prediction space (divided by vScale for v). t is clamped to [T_EPS, 1 − T_EPS] first, for the
   * coefficients and for the network alike. Differentiable; pure tensor fn (wrap in tidy / variableGrads).
   */
  lossPerSample(model: ModelFn, x0: tf.Tensor, eps: tf.Tensor, t: tf.Tensor1D, y: tf.Tensor1D): tf.Tensor1D;
}

/** Training times are kept this far from 0 and 1, where σ, σ' or 1/σ are infinite on some paths. */
export const T_EPS = 1e-5;

/** Validates a flow spec; each error names its field. */
export function makeFlow(spec: FlowSpec): Flow {
  const path = getPath(spec.path);
  const prediction = parsePrediction(spec.prediction);
  const sampler = shiftSampler(parseTimesteps(spec.timesteps), spec.shift);
  const weighting = parseWeighting(spec.weighting);
  const ctx = { path, prediction, sampler };
  return {
    spec: { ...spec },
    path,
    prediction,
    sampler,
    weighting,
    sampleT: (rng, n) => sampler.sample(rng, n),
    weight: (t) => weighting.weight(t, ctx),
    lossPerSample(model, x0, eps, t, y) {
      if (x0.shape.join() !== eps.shape.join()) throw new Error(`lossPerSample: x0 ${x0.shape} and eps ${eps.shape} differ in shape`);
      if (t.rank !== 1 || t.shape[0] !== x0.shape[0]) throw new Error(`lossPerSample: t must be [${x0.shape[0]}], got [${t.shape}]`);
      const tc = tf.clipByValue(t, T_EPS, 1 - T_EPS) as tf.Tensor1D;
      const r = x0.rank;
      const c = path.coefsT(tc);
      const xt = tf.add(tf.mul(x0, col(c.alpha, r)), tf.mul(eps, col(c.sigma, r)));
      let target = targetOf(prediction, x0, eps, c.dAlpha, c.dSigma);
      if (prediction === 'v' && !path.identityVScale) target = tf.div(target, col(c.vScale, r));
      const input = path.identityCIn ? xt : tf.mul(xt, col(c.cIn, r));
      const out = model(input, tc, y);
      if (out.shape.join() !== x0.shape.join()) throw new Error(`lossPerSample: the model returned shape [${out.shape}], expected [${x0.shape}]`);
      const axes = Array.from({ length: r - 1 }, (_, i) => i + 1);
      const perSample = (r > 1 ? tf.mean(tf.squaredDifference(out, target), axes) : tf.squaredDifference(out, target)) as tf.Tensor1D;
      const w = weighting.weightT(tc, ctx);
      return w ? (tf.mul(perSample, w) as tf.Tensor1D) : perSample;
    },
  };
}
