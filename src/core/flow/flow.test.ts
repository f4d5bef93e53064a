import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import { makeFlow, T_EPS, type FlowSpec, type ModelFn } from './flow';
import { getPath, PATH_NAMES } from './paths';
import { PREDICTIONS } from './prediction';

const SPEC: FlowSpec = { path: 'rf', prediction: 'v', timesteps: 'uniform', shift: 1, weighting: 'none' };

describe('makeFlow', () => {
  it('validates every field and names it in the error', () => {
    expect(() => makeFlow({ ...SPEC, path: 've' as never })).toThrow(/^path:/);
    expect(() => makeFlow({ ...SPEC, prediction: 'score' as never })).toThrow(/^prediction:/);
    expect(() => makeFlow({ ...SPEC, timesteps: 'normal' })).toThrow(/^timesteps:/);
    expect(() => makeFlow({ ...SPEC, shift: -1 })).toThrow(/^shift:/);
    expect(() => makeFlow({ ...SPEC, shift: NaN })).toThrow(/^shift:/);
    expect(() => makeFlow({ ...SPEC, weighting: 'p2' })).toThrow(/^weighting:/);
  });

  it('sampleT draws from the shifted density', () => {
    const plain = makeFlow({ ...SPEC, timesteps: 'logit-normal:0,1' });
    const shifted = makeFlow({ ...SPEC, timesteps: 'logit-normal:0,1', shift: 3 });
    const mean = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(Math.abs(mean(plain.sampleT(new Rng(1), 20000)) - 0.5)).toBeLessThan(0.01);
    expect(mean(shifted.sampleT(new Rng(1), 20000))).toBeGreaterThan(0.65);
    expect(shifted.sampler.density(0.9)).toBeCloseTo(shiftedDensityByHand(0.9), 10);
    function shiftedDensityByHand(t: number) {
      const u = t / (3 - 2 * t);
      return plain.sampler.density(u) * (3 / (3 - 2 * t) ** 2);
    }
  });
});

// A fixed affine "network" out = 0.3·x_in + 0.1·t (per sample), so the expected loss is computable by hand.
const affine: ModelFn = (x, t) => tf.add(tf.mul(x, 0.3), tf.mul(t.reshape([-1, 1]), 0.1));

describeBackends('Flow.lossPerSample', () => {
  it.each(PATH_NAMES.flatMap((p) => PREDICTIONS.map((q) => [p, q] as const)))('%s / %s: equals the loss computed by hand', (path, prediction) => {
    const flow = makeFlow({ ...SPEC, path, prediction });
    const rng = new Rng(7);
    const B = 6;
    const D = 3;
    const x0 = rng.normals(B * D);
    const eps = rng.normals(B * D);
    const t = Float32Array.from([0, 1e-3, 0.3, 0.6, 0.95, 1]); // the endpoints are clamped to [T_EPS, 1 − T_EPS]
    const got = tf.tidy(() => flow.lossPerSample(affine, tf.tensor2d(x0, [B, D]), tf.tensor2d(eps, [B, D]), tf.tensor1d(t), tf.zeros([B], 'int32') as tf.Tensor1D).dataSync());
    const p = getPath(path);
    const want = Array.from(t, (ti, i) => {
      const tc = Math.min(1 - T_EPS, Math.max(T_EPS, Math.fround(ti)));
      const c = p.coefs(tc);
      let s = 0;
      for (let d = 0; d < D; d++) {
        const a = x0[i * D + d];
        const e = eps[i * D + d];
        const xt = c.alpha * a + c.sigma * e;
        const target = prediction === 'x0' ? a : prediction === 'eps' ? e : (c.dAlpha * a + c.dSigma * e) / c.vScale;
        const out = 0.3 * c.cIn * xt + 0.1 * tc;
        s += (out - target) ** 2;
      }
      return s / D;
    });
    expectClose(got, want, 1e-4, path === 'edm' ? 2e-3 : 1e-4);
  });

  it('applies the weighting per sample', () => {
    const rng = new Rng(8);
    const x0 = tf.tensor2d(rng.normals(8), [4, 2]);
    const eps = tf.tensor2d(rng.normals(8), [4, 2]);
    const t = tf.tensor1d([0.1, 0.4, 0.6, 0.9]);
    const y = tf.zeros([4], 'int32') as tf.Tensor1D;
    const plain = makeFlow({ ...SPEC, prediction: 'eps' });
    const weighted = makeFlow({ ...SPEC, prediction: 'eps', weighting: 'min-snr:5' });
    const a = tf.tidy(() => plain.lossPerSample(affine, x0, eps, t, y).dataSync());
    const b = tf.tidy(() => weighted.lossPerSample(affine, x0, eps, t, y).dataSync());
    expectClose(b, Array.from(a, (v, i) => v * weighted.weight([0.1, 0.4, 0.6, 0.9][i])), 1e-6, 1e-5);
    tf.dispose([x0, eps, t, y]);
  });

  it('is differentiable and leaks no tensors inside tidy / variableGrads', () => {
    const w = tf.variable(tf.scalar(0.5));
    const model: ModelFn = (x) => tf.mul(x, w);
    const rng = new Rng(9);
    const x0 = tf.tensor4d(rng.normals(2 * 3 * 4 * 4), [2, 3, 4, 4]);
    const eps = tf.tensor4d(rng.normals(2 * 3 * 4 * 4), [2, 3, 4, 4]);
    const t = tf.tensor1d([0.2, 0.7]);
    const y = tf.tensor1d([1, 2], 'int32');
    for (const path of PATH_NAMES) {
      for (const weighting of ['none', 'min-snr:5', 'density:cosmap']) {
        const flow = makeFlow({ ...SPEC, path, prediction: 'v', weighting });
        const before = tf.memory().numTensors;
        const g = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => flow.lossPerSample(model, x0, eps, t, y).mean() as tf.Scalar, [w]);
          expect(value.shape).toEqual([]);
          return grads[w.name].dataSync()[0];
        });
        expect(Number.isFinite(g) && g !== 0).toBe(true);
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    tf.dispose([w, x0, eps, t, y]);
  });

  it('rejects mismatched shapes, naming them', () => {
    const flow = makeFlow(SPEC);
    tf.tidy(() => {
      const x = tf.zeros([2, 3]);
      expect(() => flow.lossPerSample(affine, x, tf.zeros([2, 4]), tf.zeros([2]) as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D)).toThrow(/eps/);
      expect(() => flow.lossPerSample(affine, x, x, tf.zeros([3]) as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D)).toThrow(/t must be \[2\]/);
    });
  });
});
