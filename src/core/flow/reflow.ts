// Reflow (Liu et al. 2022, "Flow Straight and Fast"): sample a trained model from fixed noise to get
// coupled pairs (x1 = noise, x0 = sample); training on those pairs with the ordinary rf loss
// (Flow.lossPerSample with the given x0 and eps = x1) gives the 2-rectified flow, whose paths are
// straighter. `straightness` measures that.

import * as tf from '@tensorflow/tfjs';
import type { ModelFn } from './flow';
import { getPath, type Path } from './paths';
import { applyCoefs, conversionCoefs, type Prediction } from './prediction';
import { sampleFlow, type SampleOptions } from './solvers';

/** Noise x1 and the model's deterministic samples x0 from it (use an ODE sampler, not euler-ancestral). */
export function generateReflowPairs(model: ModelFn, noise: tf.Tensor, y: tf.Tensor1D, sampleOpts: SampleOptions): { x1: tf.Tensor; x0: tf.Tensor; nfe: number } {
  if (sampleOpts.sampler === 'euler-ancestral') throw new Error('sampler: reflow pairs need a deterministic sampler, not euler-ancestral');
  const { x, nfe } = sampleFlow(model, noise, y, { ...sampleOpts, keepTrajectory: false });
  return { x1: noise.clone(), x0: x, nfe };
}

export interface StraightnessOptions {
  path?: Path; // default rf
  prediction?: Prediction; // default 'v'
}

/**
 * S = E ∫₀¹ ‖v̂(x_t, t) − (α'·x0 + σ'·x1)‖² dt with x_t = α·x0 + σ·x1 (Liu et al. 2022, eq. for S(Z);
 * on rf the target is x1 − x0), by the midpoint rule on nT points (t_k = (k + ½)/nT, never an endpoint);
 * ‖·‖² sums over the non-batch dimensions and E averages over the batch. No guidance.
 */
export function straightness(model: ModelFn, x1: tf.Tensor, x0: tf.Tensor, y: tf.Tensor1D, nT: number, opts: StraightnessOptions = {}): number {
  if (!Number.isInteger(nT) || nT < 1) throw new Error(`nT: expected an integer ≥ 1, got ${nT}`);
  const path = opts.path ?? getPath('rf');
  const prediction = opts.prediction ?? 'v';
  const B = x0.shape[0];
  const total = tf.tidy(() => {
    let acc: tf.Tensor = tf.scalar(0);
    for (let k = 0; k < nT; k++) {
      const t = (k + 0.5) / nT;
      const c = path.coefs(t);
      const xt = tf.add(tf.mul(x0, c.alpha), tf.mul(x1, c.sigma));
      const input = path.identityCIn ? xt : tf.mul(xt, c.cIn);
      let p = model(input, tf.fill([B], t) as tf.Tensor1D, y);
      if (prediction === 'v' && !path.identityVScale) p = tf.mul(p, c.vScale);
      const { cx, cp } = conversionCoefs(path, prediction, 'v', t);
      const v = applyCoefs(xt, p, cx, cp);
      const target = tf.add(tf.mul(x0, c.dAlpha), tf.mul(x1, c.dSigma));
      acc = tf.add(acc, tf.sum(tf.squaredDifference(v, target)));
    }
    return tf.div(acc, nT * B);
  });
  const s = total.dataSync()[0];
  total.dispose();
  return s;
}
