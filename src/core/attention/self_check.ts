// Agreement checks for the attention variants on whatever tfjs backend is active: the unit
// tests (cpu, wasm, WebGPU through Dawn in Node) and the browser test page use the same code.
//
// Every check draws seeded inputs, runs a variant and the reference, and reports the largest
// absolute difference of the output and of the gradients of Σ out ⊙ W (W random, so dO is
// not degenerate) with respect to q, k and v.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { attention, resolveAttention, type AttentionKind } from './index';
import { referenceAttention, type AttentionDims } from './reference';

export interface AgreementCase extends AttentionDims {
  blockSize?: number;
}

export interface SelfCheckRow {
  name: string;
  maxErr: number;
  ok: boolean;
}

export interface Errors {
  out: number;
  dq: number;
  dk: number;
  dv: number;
}

/** Default tolerance on float32 outputs and gradients. */
export const SELF_CHECK_TOL = 1e-4;

/**
 * Small cases for slow backends (SwiftShader runs at about 1 GFLOP/s): batch sizes, head
 * counts (MHA, GQA, MQA), head sizes and lengths that are not multiples of the block/tile.
 */
export const SELF_CHECK_CASES: readonly AgreementCase[] = [
  { B: 1, H: 1, Hkv: 1, N: 1, d: 4, blockSize: 8 },
  { B: 1, H: 2, Hkv: 2, N: 16, d: 8, blockSize: 8 },
  { B: 2, H: 4, Hkv: 2, N: 19, d: 8, blockSize: 8 },
  { B: 1, H: 4, Hkv: 1, N: 33, d: 16, blockSize: 16 },
  { B: 2, H: 3, Hkv: 3, N: 37, d: 12 },
  { B: 1, H: 2, Hkv: 1, N: 70, d: 32, blockSize: 32 },
];

export const caseName = (c: AgreementCase): string =>
  `B${c.B} H${c.H}/${c.Hkv} N${c.N} d${c.d}${c.blockSize ? ` blk${c.blockSize}` : ''}`;

export interface CaseInputs {
  q: tf.Tensor4D;
  k: tf.Tensor4D;
  v: tf.Tensor4D;
  w: tf.Tensor4D; // loss weights, the shape of the output
}

/** Seeded standard-normal q, k, v and loss weights W for a case (caller disposes). */
export function caseInputs(c: AttentionDims, seed = 1): CaseInputs {
  const rng = new Rng(seed);
  const { B, H, Hkv, N, d } = c;
  return {
    q: tf.tensor4d(rng.normals(B * H * N * d), [B, H, N, d]),
    k: tf.tensor4d(rng.normals(B * Hkv * N * d), [B, Hkv, N, d]),
    v: tf.tensor4d(rng.normals(B * Hkv * N * d), [B, Hkv, N, d]),
    w: tf.tensor4d(rng.normals(B * H * N * d), [B, H, N, d]),
  };
}

export interface Run {
  out: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

type AttnFn = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor4D;

/** Output and gradients of Σ fn(q, k, v) ⊙ w w.r.t. q, k, v, downloaded; leaves no tensors. */
export async function runWithGrads(fn: AttnFn, x: CaseInputs): Promise<Run> {
  const [out, dq, dk, dv] = tf.tidy(() => {
    const o = fn(x.q, x.k, x.v);
    const g = tf.grads((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(fn(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D), x.w)));
    return [o, ...g([x.q, x.k, x.v])];
  });
  try {
    const data = await Promise.all([out, dq, dk, dv].map((t) => t.data() as Promise<Float32Array>));
    return { out: data[0], dq: data[1], dk: data[2], dv: data[3] };
  } finally {
    tf.dispose([out, dq, dk, dv]);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= m)) m = e; // NaN propagates as the worst error
  }
  return m;
}

const diff = (a: Run, b: Run): Errors => ({
  out: maxAbsDiff(a.out, b.out),
  dq: maxAbsDiff(a.dq, b.dq),
  dk: maxAbsDiff(a.dk, b.dk),
  dv: maxAbsDiff(a.dv, b.dv),
});

/** `kind` against 'naive' on the same backend, same inputs: outputs and all three gradients. */
export async function compareWithNaive(kind: AttentionKind, c: AgreementCase, seed = 1): Promise<Errors> {
  const x = caseInputs(c, seed);
  try {
    const got = await runWithGrads((q, k, v) => attention(q, k, v, { kind, blockSize: c.blockSize }), x);
    const ref = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'naive' }), x);
    return diff(got, ref);
  } finally {
    tf.dispose(Object.values(x));
  }
}

/** [B, Hkv, N, d] → [B, Hkv·G, N, d], each key/value head repeated G times in a row. */
export function repeatKV(t: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return t.clone();
  const [B, Hkv, N, d] = t.shape;
  return tf.tidy(() => {
    const heads: tf.Tensor[] = [];
    for (let h = 0; h < Hkv * groups; h++) heads.push(tf.slice(t, [0, Math.floor(h / groups), 0, 0], [B, 1, N, d]));
    return tf.concat(heads, 1) as tf.Tensor4D;
  });
}

/**
 * Grouped-query `kind` against `refKind` (naive) on K and V explicitly repeated to H heads;
 * the gradients w.r.t. the un-repeated K and V flow through the repeat (summing the group).
 */
export async function compareWithRepeatedKV(kind: AttentionKind, c: AgreementCase, seed = 2, refKind: AttentionKind = 'naive'): Promise<Errors> {
  const x = caseInputs(c, seed);
  const G = c.H / c.Hkv;
  try {
    const got = await runWithGrads((q, k, v) => attention(q, k, v, { kind, blockSize: c.blockSize }), x);
    const ref = await runWithGrads((q, k, v) => attention(q, repeatKV(k, G), repeatKV(v, G), { kind: refKind }), x);
    return diff(got, ref);
  } finally {
    tf.dispose(Object.values(x));
  }
}

/** 'naive' on this backend against the float64 JavaScript reference (outputs only). */
export async function compareNaiveWithReference(c: AgreementCase, seed = 3): Promise<number> {
  const x = caseInputs(c, seed);
  try {
    const [q, k, v] = await Promise.all([x.q.data(), x.k.data(), x.v.data()]);
    const ref = referenceAttention(q, k, v, c);
    const o = attention(x.q, x.k, x.v, { kind: 'naive' });
    const got = await o.data();
    o.dispose();
    return maxAbsDiff(got, ref);
  } finally {
    tf.dispose(Object.values(x));
  }
}

/** Tensors left behind by a forward and backward pass of `kind` (should be 0). */
export async function leakedTensors(kind: AttentionKind, c: AgreementCase): Promise<number> {
  const x = caseInputs(c, 4);
  try {
    await runWithGrads((q, k, v) => attention(q, k, v, { kind, blockSize: c.blockSize }), x); // warm-up: lazy registrations
    const before = tf.memory().numTensors;
    await runWithGrads((q, k, v) => attention(q, k, v, { kind, blockSize: c.blockSize }), x);
    return tf.memory().numTensors - before;
  } finally {
    tf.dispose(Object.values(x));
  }
}

/**
 * Runs the agreement checks on the active backend: naive against the float64 reference,
 * chunked and flash against naive (outputs and dQ, dK, dV), grouped-query against naive on
 * repeated K/V, and a tensor-leak check. Names say which kind actually ran ('flash→chunked'
 * off WebGPU). `ok` is maxErr ≤ tol.
 */
export async function runAttentionSelfCheck(opts: { cases?: readonly AgreementCase[]; tol?: number } = {}): Promise<SelfCheckRow[]> {
  const cases = opts.cases ?? SELF_CHECK_CASES;
  const tol = opts.tol ?? SELF_CHECK_TOL;
  const backend = tf.getBackend();
  const rows: SelfCheckRow[] = [];
  const push = (name: string, maxErr: number, limit = tol) => rows.push({ name: `[${backend}] ${name}`, maxErr, ok: maxErr <= limit });
  const label = (kind: AttentionKind) => {
    const r = resolveAttention(kind, backend).kind;
    return r === kind ? kind : `${kind}→${r}`;
  };
  for (const c of cases) {
    push(`naive vs float64 reference, ${caseName(c)}: output`, await compareNaiveWithReference(c));
    for (const kind of ['chunked', 'flash'] as const) {
      const e = await compareWithNaive(kind, c);
      for (const key of ['out', 'dq', 'dk', 'dv'] as const) push(`${label(kind)} vs naive, ${caseName(c)}: ${key}`, e[key]);
      if (c.Hkv < c.H) {
        const g = await compareWithRepeatedKV(kind, c);
        for (const key of ['out', 'dq', 'dk', 'dv'] as const) push(`${label(kind)} GQA vs naive on repeated K/V, ${caseName(c)}: ${key}`, g[key]);
      }
    }
  }
  const leakCase = cases[Math.min(2, cases.length - 1)];
  for (const kind of ['naive', 'chunked', 'flash', 'linear'] as const) {
    push(`${label(kind)} leaked tensors, ${caseName(leakCase)}`, await leakedTensors(kind, leakCase), 0);
  }
  return rows;
}
