import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { Rng } from '../rng';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import { gaussianOracle } from './gaussian_oracle';
import { getPath } from './paths';
import { generateReflowPairs, straightness } from './reflow';
import { sampleFlow, type SampleOptions } from './solvers';

const rf = getPath('rf');
const OPTS: SampleOptions = { path: rf, prediction: 'v', sampler: 'rk4', steps: 32, guidance: 1, nullLabel: 0 };
const N = 512;

describeBackends('reflow', () => {
  it('generateReflowPairs couples the noise with the deterministic sample from it', () => {
    const model = gaussianOracle(rf, 'v', 0.5, 0.4);
    const noise = tf.tensor2d(new Rng(1).normals(2 * 8), [8, 2]);
    const y = tf.zeros([8], 'int32') as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const { x1, x0, nfe } = generateReflowPairs(model, noise, y, OPTS);
    const ref = sampleFlow(model, noise, y, OPTS);
    expectClose(x1.dataSync(), noise.dataSync(), 0);
    expectClose(x0.dataSync(), ref.x.dataSync(), 0);
    expect(nfe).toBe(32 * 4);
    tf.dispose([x1, x0, ref.x]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => generateReflowPairs(model, noise, y, { ...OPTS, sampler: 'euler-ancestral', rng: new Rng(1) })).toThrow(/^sampler:/);
    tf.dispose([noise, y]);
  });

  it('straightness is 0 for straight flows (point-mass data)', () => {
    // Euler is exact on straight lines and, unlike RK4, never evaluates t = 0, where this oracle is 0/0.
    const model = gaussianOracle(rf, 'v', 0.7, 0);
    const noise = tf.tensor2d(new Rng(2).normals(N), [N, 1]);
    const y = tf.zeros([N], 'int32') as tf.Tensor1D;
    const { x1, x0 } = generateReflowPairs(model, noise, y, { ...OPTS, sampler: 'euler', steps: 4 });
    expect(straightness(model, x1, x0, y, 16)).toBeLessThan(1e-9);
    tf.dispose([noise, y, x1, x0]);
  });

  it('straightness matches a float64 quadrature, and reflow pairs are straighter than independent pairs (Liu et al. 2022)', () => {
    const mu = 0.5;
    const s = 0.4;
    const nT = 16;
    const model = gaussianOracle(rf, 'v', mu, s);
    const z = new Rng(3).normals(N);
    const data = Float32Array.from(new Rng(4).normals(N), (e) => mu + s * e);
    const noise = tf.tensor2d(z, [N, 1]);
    const y = tf.zeros([N], 'int32') as tf.Tensor1D;
    const { x1, x0 } = generateReflowPairs(model, noise, y, OPTS);
    const independent = tf.tensor2d(data, [N, 1]);
    const sReflow = straightness(model, x1, x0, y, nT);
    const sIndependent = straightness(model, x1, independent, y, nT);
    // The oracle's v at x on rf, and S by the same midpoint rule in float64.
    const v = (x: number, t: number) => {
      const a = 1 - t;
      const m2 = a * a * s * s + t * t;
      return -(mu + ((a * s * s) / m2) * (x - a * mu)) + (t / m2) * (x - a * mu);
    };
    const reference = (pairs: ArrayLike<number>) => {
      let acc = 0;
      for (let k = 0; k < nT; k++) {
        const t = (k + 0.5) / nT;
        for (let i = 0; i < N; i++) acc += (v((1 - t) * pairs[i] + t * z[i], t) - (z[i] - pairs[i])) ** 2;
      }
      return acc / (nT * N);
    };
    expect(sReflow).toBeCloseTo(reference(x0.dataSync()), 4);
    expect(sIndependent).toBeCloseTo(reference(data), 3);
    // The 1-rectified field along the straight lines of its own coupling (0.23 here) against independent
    // pairs (0.63): the coupling the 2-rectified flow is trained on is already much straighter.
    expect(sReflow).toBeLessThan(sIndependent / 2);
    tf.dispose([noise, y, x1, x0, independent]);
  });

  it('rejects a bad quadrature size', () => {
    const model = gaussianOracle(rf, 'v', 0, 1);
    tf.tidy(() => {
      const x = tf.zeros([2, 1]);
      expect(() => straightness(model, x, x, tf.zeros([2]) as tf.Tensor1D, 0)).toThrow(/^nT:/);
    });
  });
});
