import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { describeBackends, expectClose, expectNoLeak } from '../../test_utils/tf_backends';
import { adamwUpdate } from './adamw';

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
