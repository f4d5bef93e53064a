// Memory-efficient exact attention from ordinary tfjs ops (Rabe & Staats 2021; the
// FlashAttention-2 recurrences of Dao 2023, written with tensors instead of a kernel).
//
// Forward: queries in blocks of `blockSize` rows; for each query block the keys go by in
// blocks too, with an online softmax — a running row maximum m, a running sum l and a
// running un-normalised output, rescaled by exp(m_old − m_new) whenever the maximum grows.
// Only a [BH, blockSize, blockSize] score block exists at any moment.
//
// Backward (tf.customGrad): what is saved is Q, K, V, the output O and the log-sum-exp
// L = m + log l per query row — O(N·d) memory. The gradient recomputes each score block
// from Q and K, and P = exp(S − L) is then exactly the softmax block, so
//   dV += Pᵀ·dO,   dP = dO·Vᵀ,   dS = P ⊙ (dP − rowsum(dO ⊙ O)),   dQ += dS·K/√d,   dK += dSᵀ·Q/√d,
// again one block at a time. No N×N tensor is ever kept, in either pass.
import * as tf from '@tensorflow/tfjs';
import { splitRows } from './common';

export const DEFAULT_BLOCK_SIZE = 128;

type T3 = tf.Tensor3D;

/** Forward pass only: returns O [BH, M, d] and the log-sum-exp L [BH, M, 1]. */
export function chunkedForward(q: T3, k: T3, v: T3, blockSize: number): { o: T3; lse: T3 } {
  return tf.tidy(() => {
    const [BH, M, d] = q.shape;
    const scale = 1 / Math.sqrt(d);
    const qs = tf.mul(q, scale) as T3;
    const kBlocks = splitRows(k, blockSize);
    const vBlocks = splitRows(v, blockSize);
    const oParts: T3[] = [];
    const lseParts: T3[] = [];
    for (let i0 = 0; i0 < M; i0 += blockSize) {
      const rows = Math.min(blockSize, M - i0);
      const part = tf.tidy(() => {
        const qi = tf.slice(qs, [0, i0, 0], [BH, rows, d]);
        let m: T3 | null = null; // running row max        [BH, rows, 1]
        let l: T3 | null = null; // running sum of exp      [BH, rows, 1]
        let acc: T3 | null = null; // running Σ exp·V       [BH, rows, d]
        for (let j = 0; j < kBlocks.length; j++) {
          const next: { m: T3; l: T3; acc: T3 } = tf.tidy(() => {
            const s = tf.matMul(qi, kBlocks[j], false, true); // [BH, rows, cols]
            const blockMax = tf.max(s, -1, true) as T3;
            const mNew = m ? (tf.maximum(m, blockMax) as T3) : blockMax;
            const p = tf.exp(tf.sub(s, mNew));
            const pSum = tf.sum(p, -1, true) as T3;
            const pv = tf.matMul(p, vBlocks[j]) as T3;
            if (!m || !l || !acc) return { m: mNew, l: pSum, acc: pv };
            const alpha = tf.exp(tf.sub(m, mNew));
            return { m: mNew, l: tf.add(tf.mul(l, alpha), pSum) as T3, acc: tf.add(tf.mul(acc, alpha), pv) as T3 };
          });
          tf.dispose([m, l, acc].filter((t): t is T3 => t !== null));
          ({ m, l, acc } = next);
        }
        return { o: tf.div(acc!, l!) as T3, lse: tf.add(m!, tf.log(l!)) as T3 };
      });
      oParts.push(part.o);
      lseParts.push(part.lse);
    }
    const o = oParts.length === 1 ? oParts[0] : (tf.concat(oParts, 1) as T3);
    const lse = lseParts.length === 1 ? lseParts[0] : (tf.concat(lseParts, 1) as T3);
    return { o, lse };
  });
}

/** Backward pass from saved Q, K, V, O, L and the incoming dO: returns [dQ, dK, dV]. */
export function chunkedBackward(q: T3, k: T3, v: T3, o: T3, lse: T3, dO: T3, blockSize: number): [T3, T3, T3] {
  return tf.tidy(() => {
    const [BH, M, d] = q.shape;
    const scale = 1 / Math.sqrt(d);
    const qs = tf.mul(q, scale) as T3;
    const delta = tf.sum(tf.mul(dO, o), -1, true) as T3; // rowsum(dO ⊙ O)  [BH, M, 1]
    const kBlocks = splitRows(k, blockSize);
    const vBlocks = splitRows(v, blockSize);
    const dK: (T3 | null)[] = kBlocks.map(() => null);
    const dV: (T3 | null)[] = kBlocks.map(() => null);
    const dQParts: T3[] = [];
    const addInto = (acc: T3 | null, x: T3): T3 => {
      if (!acc) return x;
      const sum = tf.add(acc, x) as T3;
      tf.dispose([acc, x]);
      return sum;
    };
    for (let i0 = 0; i0 < M; i0 += blockSize) {
      const rows = Math.min(blockSize, M - i0);
      // Not a tidy: the dK, dV accumulators made here must outlive the query block.
      const qi = tf.slice(qs, [0, i0, 0], [BH, rows, d]);
      const dOi = tf.slice(dO, [0, i0, 0], [BH, rows, d]);
      const li = tf.slice(lse, [0, i0, 0], [BH, rows, 1]);
      const di = tf.slice(delta, [0, i0, 0], [BH, rows, 1]);
      let dq: T3 | null = null;
      for (let j = 0; j < kBlocks.length; j++) {
        const [dqj, dkj, dvj] = tf.tidy(() => {
          const p = tf.exp(tf.sub(tf.matMul(qi, kBlocks[j], false, true), li)); // softmax block [BH, rows, cols]
          const dvj = tf.matMul(p, dOi, true, false) as T3;
          const dp = tf.matMul(dOi, vBlocks[j], false, true);
          const ds = tf.mul(p, tf.sub(dp, di));
          const dqj = tf.matMul(ds, kBlocks[j]) as T3; // × scale once, below
          const dkj = tf.matMul(ds, qi, true, false) as T3; // qi already carries the scale
          return [dqj, dkj, dvj];
        });
        dq = addInto(dq, dqj);
        dK[j] = addInto(dK[j], dkj);
        dV[j] = addInto(dV[j], dvj);
      }
      dQParts.push(tf.mul(dq!, scale) as T3);
      tf.dispose([qi, dOi, li, di, dq!]);
    }
    const cat = (parts: T3[]): T3 => (parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as T3));
    return [cat(dQParts), cat(dK as T3[]), cat(dV as T3[])];
  });
}

/** Differentiable chunked attention: q [BH, M, d], k and v [BH, N, d] → [BH, M, d]. */
export function chunkedAttention3D(q: T3, k: T3, v: T3, blockSize = DEFAULT_BLOCK_SIZE): T3 {
  const f = tf.customGrad((qq, kk, vv, save) => {
    const { o, lse } = chunkedForward(qq as T3, kk as T3, vv as T3, blockSize);
    (save as tf.GradSaveFunc)([qq as T3, kk as T3, vv as T3, o, lse]); // only while a tape records
    return {
      value: o,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, so, slse] = saved as T3[];
        return chunkedBackward(sq, sk, sv, so, slse, dy as T3, blockSize);
      },
    };
  });
  return f(q, k, v) as T3;
}
