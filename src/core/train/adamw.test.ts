import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeBackends, expectClose, expectNoLeak, useBackend } from '../../test_utils/tf_backends';
import { setFusedOps } from '../ops/fused';
import { installWasmBatchMatMul } from '../ops/wasm_batch_matmul';
import { installSharedIdentity } from '../ops/wasm_identity';
import { ADAMW_DEFAULTS, adamwStep, adamwUpdate } from './adamw';
import { runSteps } from './adamw_agreement';

describeBackends('AdamW', () => {
  it('matches the closed form over three steps, with decoupled weight decay', async () => {
    const h = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
    const slot = { param: tf.variable(tf.tensor1d([1, -2])), m: tf.variable(tf.zeros([2])), v: tf.variable(tf.zeros([2])) };
    const gs = [[0.5, -1], [0.2, 0.3], [-0.4, 2]];
    const theta = [1, -2], m = [0, 0], v = [0, 0];
    await expectNoLeak(() => {
      gs.forEach((g, k) => {
        const gt = tf.tensor1d(g);
        adamwUpdate([slot], [gt], 0.5, 0.01, k, h); // gradScale 0.5 = clipping factor
        gt.dispose();
        for (let i = 0; i < 2; i++) {
          const gi = 0.5 * g[i];
          m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
          v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
          const mh = m[i] / (1 - h.beta1 ** (k + 1));
          const vh = v[i] / (1 - h.beta2 ** (k + 1));
          theta[i] -= 0.01 * (mh / (Math.sqrt(vh) + h.eps) + h.weightDecay * theta[i]);
        }
      });
    });
    expectClose(slot.param.dataSync(), theta, 1e-6);
    expectClose(slot.m.dataSync(), m, 1e-7);
    tf.dispose([slot.param, slot.m, slot.v]);
  });

  it('equals tf.train.adam when weight decay is 0', () => {
    const h = { beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: 0 };
    const ours = { param: tf.variable(tf.tensor1d([0.3, -0.7, 1.1])), m: tf.variable(tf.zeros([3])), v: tf.variable(tf.zeros([3])) };
    const ref = tf.variable(tf.tensor1d([0.3, -0.7, 1.1]));
    const opt = tf.train.adam(0.05, h.beta1, h.beta2, h.eps);
    for (let k = 0; k < 5; k++) {
      tf.tidy(() => {
        const g = ours.param.square().add(ours.param.mul(k)); // any deterministic gradient
        adamwUpdate([ours], [g], 1, 0.05, k, h);
        const gr = ref.square().add(ref.mul(k));
        opt.applyGradients([{ name: ref.name, tensor: gr }]);
      });
    }
    expectClose(ours.param.dataSync(), ref.dataSync(), 2e-5);
    opt.dispose();
    tf.dispose([ours.param, ours.m, ours.v, ref]);
  });
});

describe('adamwStep (clipping, AdamW, EMA in one step)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true); // the fused path runs with our GEMM only
    expect(installSharedIdentity()).toBe(true); // clones share data, as in the app
  });

  it('fused on wasm equals the tfjs composite: norms, weights, moments and EMA over three steps', async () => {
    const before = tf.memory().numTensors;
    const ref = await runSteps(false);
    const got = await runSteps(true);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(got.norms, ref.norms, 1e-5, 1e-5);
    expect(ref.norms[0]).toBeGreaterThan(1); // the first step was clipped
    for (const k of ['params', 'm', 'v', 'ema'] as const) ref[k].forEach((r, i) => expectClose(got[k][i], r, 1e-6, 1e-5));
  });

  it('the fused step runs no tfjs kernels on wasm, and the EMA (a clone of the weights) moves on its own', async () => {
    setFusedOps(true);
    const p = tf.variable(tf.tensor1d([1, 2, 3, 4, 5]));
    const refs = tf.engine().backend.refCount(p.dataId);
    const e = tf.variable(p.clone(), false); // shares p's data
    expect(tf.engine().backend.refCount(p.dataId)).toBe(refs + 2); // clone and EMA alias p: the in-place step must undo that
    const slot = { param: p, m: tf.variable(tf.zeros([5]), false), v: tf.variable(tf.zeros([5]), false) };
    const g = tf.ones([5]);
    adamwStep([slot], [g], { lr: 0.1, step: 0, hyper: ADAMW_DEFAULTS, gradClip: 0, ema: { decay: 0.5, targets: [e] } }).dispose(); // copy on write happens here
    const prof = await tf.profile(() => adamwStep([slot], [g], { lr: 0.1, step: 1, hyper: ADAMW_DEFAULTS, gradClip: 0, ema: { decay: 0.5, targets: [e] } }).dispose());
    expect(prof.kernels.map((k) => k.name)).toEqual([]);
    const pv = Array.from(p.dataSync());
    expectClose(pv, [0.8, 1.8, 2.8, 3.8, 4.8], 1e-5); // two steps of −lr·m̂/√v̂ = −0.1 each
    expectClose(e.dataSync(), [1, 2, 3, 4, 5].map((x, i) => 0.25 * x + 0.25 * (x - 0.1) + 0.5 * pv[i]), 1e-5);
    tf.dispose([p, e, slot.m, slot.v, g]);
  });
});
