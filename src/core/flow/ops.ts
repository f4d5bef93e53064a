// One formula, two number types: path coefficients and weights are written once against `Ops<T>` and
// evaluated either on JavaScript numbers (float64, for solvers, grids and plots) or on [B] tensors
// (float32, inside the training loss), so the two can never drift apart.

import * as tf from '@tensorflow/tfjs';
import { ACKLAM, normQuantile } from './special';

export interface Ops<T> {
  fill(like: T, v: number): T;
  add(a: T | number, b: T | number): T;
  sub(a: T | number, b: T | number): T;
  mul(a: T | number, b: T | number): T;
  div(a: T | number, b: T | number): T;
  min(a: T, b: T | number): T;
  exp(a: T): T;
  expm1(a: T): T;
  log(a: T): T;
  sqrt(a: T): T;
  square(a: T): T;
  sin(a: T): T;
  cos(a: T): T;
  /** Standard normal quantile Φ⁻¹. */
  ndtri(a: T): T;
}

/** Scalar ops in float64. */
export const numOps: Ops<number> = {
  fill: (_like, v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  min: (a, b) => Math.min(a, b),
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (a) => a * a,
  sin: Math.sin,
  cos: Math.cos,
  ndtri: normQuantile,
};

type Tn = tf.Tensor;
export const tensorOps: Ops<Tn> = {
  fill: (like, v) => tf.fill(like.shape, v),
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  min: (a, b) => tf.minimum(a, b),
  exp: (a) => tf.exp(a),
  // tfjs has no expm1: a short Taylor series near 0 keeps σ² = −expm1(log ᾱ) accurate for small t.
  expm1: (a) => {
    const small = tf.less(tf.abs(a), 1e-2);
    const taylor = tf.mul(a, tf.add(1, tf.mul(tf.div(a, 2), tf.add(1, tf.mul(tf.div(a, 3), tf.add(1, tf.div(a, 4)))))));
    return tf.where(small, taylor, tf.sub(tf.exp(a), 1));
  },
  log: (a) => tf.log(a),
  sqrt: (a) => tf.sqrt(a),
  square: (a) => tf.square(a),
  sin: (a) => tf.sin(a),
  cos: (a) => tf.cos(a),
  ndtri: (p) => acklamTensor(p),
};

// Acklam's Φ⁻¹ on float32 tensors (relative error ~1e-9 before float32 rounding): the central rational
// function, and the tail one evaluated on min(p, 1 − p) and mirrored. tf.where evaluates both branches,
// so each one's input is kept inside its own domain.
function acklamTensor(p: Tn): Tn {
  const { A, B, C, D, pLow } = ACKLAM;
  const lower = tf.less(p, 0.5);
  const pt = tf.where(lower, p, tf.sub(1, p)); // the smaller tail, in (0, 1/2]
  const q = tf.sub(p, 0.5);
  const r = tf.square(q);
  const poly = (x: Tn, c: readonly number[], tail1: boolean) => {
    let acc: Tn = tf.fill(x.shape, c[0]);
    for (let i = 1; i < c.length; i++) acc = tf.add(tf.mul(acc, x), c[i]);
    return tail1 ? tf.add(tf.mul(acc, x), 1) : acc;
  };
  const central = tf.div(tf.mul(poly(r, A, false), q), poly(r, B, true));
  const qt = tf.sqrt(tf.mul(-2, tf.log(pt)));
  const low = tf.div(poly(qt, C, false), poly(qt, D, true));
  return tf.where(tf.less(pt, pLow), tf.where(lower, low, tf.neg(low)), central);
}
