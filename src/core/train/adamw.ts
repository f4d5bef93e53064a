// AdamW (Loshchilov & Hutter 2019): Adam moments with bias correction and decoupled weight decay,
// written out so its state (m, v) is ours to checkpoint and to fuse (src/core/ops/fused_adamw.ts).
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//   θ ← θ − lr·( m̂ / (√v̂ + ε) + λ·θ ),  m̂ = m/(1−β1^k), v̂ = v/(1−β2^k), k = step + 1

import * as tf from '@tensorflow/tfjs';
import { fusedAdamWStep } from '../ops/fused_adamw';

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

/**
 * Σ of many tensors as a tree of binary adds. (tf.addN binds every input as its own storage buffer on
 * WebGPU; past the per-stage limit of 8 the pipeline is invalid and the result silently wrong.)
 */
export function sumPairwise(xs: tf.Tensor[]): tf.Tensor {
  if (xs.length === 0) throw new Error('sumPairwise: empty list');
  let level = xs;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? tf.add(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

export interface AdamWStepOptions {
  lr: number;
  step: number; // 0-based
  hyper: AdamWHyper;
  gradClip: number; // global-norm clip; 0 turns clipping off
  ema?: { decay: number; targets: tf.Variable[] }; // EMA copies of the slots' params, same order
}

/**
 * One optimizer step over every slot: ‖g‖, global-norm clipping (scale = min(1, clip / ‖g‖), on the device,
 * no readback), AdamW, then the EMA of the new weights. Fused kernels where the backend has them (one call
 * per tensor on wasm, three dispatches for all parameters on webgpu), the tfjs composite elsewhere.
 * Returns ‖g‖ before clipping (a scalar the caller disposes).
 */
export function adamwStep(slots: AdamWSlot[], grads: tf.Tensor[], o: AdamWStepOptions): tf.Scalar {
  const ema = o.ema;
  const fused = fusedAdamWStep(
    slots.map((s, i) => ({ ...s, ema: ema?.targets[i] })),
    grads,
    { ...o.hyper, lr: o.lr, step: o.step, gradClip: o.gradClip, emaDecay: ema?.decay ?? 0 },
  );
  if (fused) return fused;
  return tf.tidy(() => {
    const gradNorm = sumPairwise(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar;
    const scale = o.gradClip > 0 ? (tf.minimum(1, tf.div(o.gradClip, gradNorm.add(1e-6))) as tf.Scalar) : 1;
    adamwUpdate(slots, grads, scale, o.lr, o.step, o.hyper);
    if (ema) {
      const d = ema.decay;
      slots.forEach((s, i) => ema.targets[i].assign(ema.targets[i].mul(d).add(s.param.mul(1 - d))));
    }
    return gradNorm;
  });
}
