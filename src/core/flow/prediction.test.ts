import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import { getPath, PATH_NAMES } from './paths';
import { conversionCoefs, convertPrediction, parsePrediction, predictionTarget, PREDICTIONS, type Prediction } from './prediction';

const TS = [0.02, 0.25, 0.5, 0.75, 0.98];

/** The exact target of (x0, ε) in float64. */
function target(name: string, p: Prediction, x0: number, eps: number, t: number): number {
  const c = getPath(name).coefs(t);
  return p === 'x0' ? x0 : p === 'eps' ? eps : c.dAlpha * x0 + c.dSigma * eps;
}

describe('prediction conversions', () => {
  it.each(PATH_NAMES)('%s: every target converts exactly into every other (float64)', (name) => {
    const path = getPath(name);
    const rng = new Rng(4);
    for (const t of TS) {
      const c = path.coefs(t);
      for (let k = 0; k < 5; k++) {
        const x0 = rng.normal();
        const eps = rng.normal();
        const xt = c.alpha * x0 + c.sigma * eps;
        for (const from of PREDICTIONS) {
          for (const to of PREDICTIONS) {
            const { cx, cp } = conversionCoefs(path, from, to, t);
            const want = target(name, to, x0, eps, t);
            const got = cx * xt + cp * target(name, from, x0, eps, t);
            expect(Math.abs(got - want)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want), Math.abs(cx * xt)));
          }
        }
      }
    }
  });

  it('conversions are undefined exactly where the target carries no information', () => {
    const rf = getPath('rf');
    const bad = (from: Prediction, to: Prediction, t: number) => {
      const { cx, cp } = conversionCoefs(rf, from, to, t);
      return !Number.isFinite(cx) || !Number.isFinite(cp);
    };
    expect(bad('eps', 'x0', 1)).toBe(true); // α = 0: ε tells nothing about x0
    expect(bad('x0', 'eps', 0)).toBe(true); // σ = 0: x0 tells nothing about ε
    expect(bad('v', 'x0', 1)).toBe(false);
    expect(bad('v', 'eps', 0)).toBe(false);
    expect(conversionCoefs(rf, 'v', 'v', 0.3)).toEqual({ cx: 0, cp: 1 });
  });

  it('parsePrediction names the field', () => {
    expect(parsePrediction('eps')).toBe('eps');
    expect(() => parsePrediction('score')).toThrow(/^prediction: expected one of v \| eps \| x0, got "score"/);
  });
});

describeBackends('prediction tensors', () => {
  it.each(PATH_NAMES)('%s: per-sample conversions round-trip in float32 without leaks', (name) => {
    const path = getPath(name);
    const rng = new Rng(5);
    const B = TS.length;
    const x0 = tf.tensor2d(rng.normals(3 * B), [B, 3]);
    const eps = tf.tensor2d(rng.normals(3 * B), [B, 3]);
    const t = tf.tensor1d(TS);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const c = path.coefsT(t);
      const xt = tf.add(tf.mul(x0, c.alpha.reshape([B, 1])), tf.mul(eps, c.sigma.reshape([B, 1])));
      for (const from of PREDICTIONS) {
        const p = predictionTarget(path, from, x0, eps, t);
        for (const to of PREDICTIONS) {
          const want = predictionTarget(path, to, x0, eps, t).dataSync();
          const got = convertPrediction(path, from, to, xt, p, t).dataSync();
          const scale = Math.max(...Array.from(want, Math.abs), 1);
          expectClose(got, want, 2e-4 * scale);
        }
      }
      // A scalar time converts the whole batch the same way.
      const row = tf.slice(x0, [2, 0], [1, 3]);
      const rowEps = tf.slice(eps, [2, 0], [1, 3]);
      const c2 = path.coefs(TS[2]);
      const rowXt = tf.add(tf.mul(row, c2.alpha), tf.mul(rowEps, c2.sigma));
      expectClose(convertPrediction(path, 'eps', 'x0', rowXt, rowEps, TS[2]).dataSync(), row.dataSync(), 1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x0, eps, t]);
  });
});
