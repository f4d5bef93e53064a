// The exact ("ideal") network for Gaussian data x0 ~ N(μ, s²) per coordinate, on any path and target, and
// the exact solution of its probability-flow ODE. x0 and ε are jointly Gaussian given x_t, so with
// m² = α²s² + σ²:
//   E[x0 | x_t] = μ + (α s²/m²)·(x_t − αμ),   E[ε | x_t] = (σ/m²)·(x_t − αμ),
// and the ODE moves each point at a fixed standardised value z = (x_t − αμ)/m:  x_t = α(t)·μ + m(t)·z.
// Used by the solver tests and as a known-answer model for demos.

import * as tf from '@tensorflow/tfjs';
import type { ModelFn } from './flow';
import type { Path } from './paths';
import type { Prediction } from './prediction';

/** The network (with the path's preconditioning undone) whose output is the exact conditional mean. */
export function gaussianOracle(path: Path, prediction: Prediction, mu: number, s: number): ModelFn {
  return (xin, t) =>
    tf.tidy(() => {
      const r = xin.rank;
      const c = (v: tf.Tensor) => (r <= 1 ? v : v.reshape([v.shape[0], ...new Array(r - 1).fill(1)]));
      const k = path.coefsT(t);
      const a = c(k.alpha);
      const sg = c(k.sigma);
      const x = path.identityCIn ? xin : tf.div(xin, c(k.cIn));
      const m2 = tf.add(tf.mul(tf.square(a), s * s), tf.square(sg));
      const res = tf.sub(x, tf.mul(a, mu)); // x_t − αμ
      const x0 = tf.add(mu, tf.mul(tf.div(tf.mul(a, s * s), m2), res));
      const eps = tf.mul(tf.div(sg, m2), res);
      if (prediction === 'x0') return x0;
      if (prediction === 'eps') return eps;
      const v = tf.add(tf.mul(x0, c(k.dAlpha)), tf.mul(eps, c(k.dSigma)));
      return path.identityVScale ? v : tf.div(v, c(k.vScale));
    });
}

/** The exact ODE map of the oracle: x at time t1 from x at time t0 (numbers, float64). */
export function gaussianFlowMap(path: Path, mu: number, s: number, x: number, t0: number, t1: number): number {
  const m = (t: number) => Math.hypot(path.alpha(t) * s, path.sigma(t));
  const z = (x - path.alpha(t0) * mu) / m(t0);
  return path.alpha(t1) * mu + m(t1) * z;
}
