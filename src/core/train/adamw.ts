// AdamW (Loshchilov & Hutter 2019): Adam moments with bias correction and decoupled weight decay,
// written out so its state (m, v) is ours to checkpoint and to fuse on WebGPU.
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//   θ ← θ − lr·( m̂ / (√v̂ + ε) + λ·θ ),  m̂ = m/(1−β1^k), v̂ = v/(1−β2^k), k = step + 1

import * as tf from '@tensorflow/tfjs';

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWHyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 };

export interface AdamWSlot {
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
}

/** One AdamW update of every slot with gradients `grads` (same order), scaled by `gradScale` (clipping). */
export function adamwUpdate(slots: AdamWSlot[], grads: tf.Tensor[], gradScale: tf.Scalar | number, lr: number, step: number, h: AdamWHyper): void {
  const k = step + 1;
  const c1 = 1 / (1 - Math.pow(h.beta1, k));
  const c2 = 1 / (1 - Math.pow(h.beta2, k));
  tf.tidy(() => {
    slots.forEach((s, i) => {
      const g = grads[i].mul(gradScale);
      const m = s.m.mul(h.beta1).add(g.mul(1 - h.beta1));
      const v = s.v.mul(h.beta2).add(g.square().mul(1 - h.beta2));
      let update = m.mul(c1).div(v.mul(c2).sqrt().add(h.eps));
      if (h.weightDecay > 0) update = update.add(s.param.mul(h.weightDecay));
      s.m.assign(m);
      s.v.assign(v);
      s.param.assign(s.param.sub(update.mul(lr)));
    });
  });
}
