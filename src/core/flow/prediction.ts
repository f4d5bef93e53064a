// Prediction targets and exact conversions between them on any path. Each target is linear in (x0, ε):
//   x0 = 1·x0 + 0·ε,   eps = 0·x0 + 1·ε,   v = dx_t/dt = α'·x0 + σ'·ε   (rf: v = ε − x0).
// With x_t = α·x0 + σ·ε, a prediction p = a·x0 + b·ε and x_t determine (x0, ε) by a 2×2 solve, so any
// target q = a'·x0 + b'·ε is  q = cx·x_t + cp·p  with
//   det = α·b − σ·a,   cx = (a'·b − b'·a) / det,   cp = (b'·α − a'·σ) / det.
// det vanishes where a target carries no information: eps where α = 0, x0 where σ = 0.

import * as tf from '@tensorflow/tfjs';
import { numOps, tensorOps, type Ops } from './ops';
import type { Path } from './paths';

export type Prediction = 'v' | 'eps' | 'x0';
export const PREDICTIONS: readonly Prediction[] = ['v', 'eps', 'x0'];

export function parsePrediction(s: string): Prediction {
  if (!(PREDICTIONS as readonly string[]).includes(s)) {
    throw new Error(`prediction: expected one of ${PREDICTIONS.join(' | ')}, got ${JSON.stringify(s)}`);
  }
  return s as Prediction;
}

interface Coefs<T> {
  alpha: T;
  sigma: T;
  dAlpha: T;
  dSigma: T;
}

function ab<T>(p: Prediction, c: Coefs<T>): [T | number, T | number] {
  return p === 'x0' ? [1, 0] : p === 'eps' ? [0, 1] : [c.dAlpha, c.dSigma];
}

function convertGeneric<T>(o: Ops<T>, from: Prediction, to: Prediction, c: Coefs<T>): { cx: T | number; cp: T | number } {
  if (from === to) return { cx: 0, cp: 1 };
  const [a, b] = ab(from, c);
  const [a2, b2] = ab(to, c);
  const det = o.sub(o.mul(c.alpha, b), o.mul(c.sigma, a));
  return {
    cx: o.div(o.sub(o.mul(a2, b), o.mul(b2, a)), det),
    cp: o.div(o.sub(o.mul(b2, c.alpha), o.mul(a2, c.sigma)), det),
  };
}

/** Scalar coefficients of `to = cx·x_t + cp·from` at time t (non-finite where the conversion is undefined). */
export function conversionCoefs(path: Path, from: Prediction, to: Prediction, t: number): { cx: number; cp: number } {
  const c = path.coefs(t);
  const r = convertGeneric(numOps, from, to, c);
  return { cx: r.cx as number, cp: r.cp as number };
}

/** Applies scalar conversion coefficients to tensors, skipping the trivial terms. */
export function applyCoefs(x: tf.Tensor, p: tf.Tensor, cx: number, cp: number): tf.Tensor {
  const px = cp === 1 ? p : tf.mul(p, cp);
  return cx === 0 ? (px === p ? p.clone() : px) : tf.add(tf.mul(x, cx), px);
}

/** Column view of a [B] tensor for broadcasting against [B, ...] samples. */
export function col(v: tf.Tensor, rank: number): tf.Tensor {
  return rank <= 1 ? v : v.reshape([v.shape[0], ...new Array(rank - 1).fill(1)]);
}

/**
 * Converts a prediction of one kind into another, exactly, on any path: at one time for the whole batch
 * (t a number) or per sample (t a [B] tensor in (0, 1)). Pure tensor function: wrap it in tf.tidy.
 */
export function convertPrediction(path: Path, from: Prediction, to: Prediction, xt: tf.Tensor, p: tf.Tensor, t: number | tf.Tensor1D): tf.Tensor {
  if (typeof t === 'number') {
    const { cx, cp } = conversionCoefs(path, from, to, t);
    return applyCoefs(xt, p, cx, cp);
  }
  if (from === to) return p.clone();
  const r = convertGeneric<tf.Tensor>(tensorOps, from, to, path.coefsT(t));
  const k = (v: tf.Tensor | number) => (typeof v === 'number' || v.rank === 0 ? v : col(v, xt.rank));
  return tf.add(tf.mul(xt, k(r.cx)), tf.mul(p, k(r.cp)));
}

/** a·x0 + b·ε for per-sample [B] coefficients α', σ' (returns x0 or eps itself for those targets). */
export function targetOf(prediction: Prediction, x0: tf.Tensor, eps: tf.Tensor, dAlpha: tf.Tensor, dSigma: tf.Tensor): tf.Tensor {
  if (prediction === 'x0') return x0;
  if (prediction === 'eps') return eps;
  return tf.add(tf.mul(x0, col(dAlpha, x0.rank)), tf.mul(eps, col(dSigma, x0.rank)));
}

/** The prediction-space target of (x0, ε) at per-sample times t ([B] tensor in (0, 1)); a new tensor. */
export function predictionTarget(path: Path, prediction: Prediction, x0: tf.Tensor, eps: tf.Tensor, t: tf.Tensor1D): tf.Tensor {
  if (prediction !== 'v') return (prediction === 'x0' ? x0 : eps).clone();
  return tf.tidy(() => {
    const c = path.coefsT(t);
    return targetOf(prediction, x0, eps, c.dAlpha, c.dSigma);
  });
}
