// Linear attention (Katharopoulos et al. 2020, "Transformers are RNNs"), non-causal.
//
// APPROXIMATION — this is NOT softmax attention and its output differs from the other
// variants. The similarity exp(q·k/√d) is replaced by φ(q)·φ(k) with the positive feature
// map φ(x) = elu(x) + 1, so by associativity
//     out_i = φ(q_i)ᵀ (Σ_j φ(k_j) v_jᵀ) / φ(q_i)ᵀ (Σ_j φ(k_j)),
// which costs O(N·d²) time and O(d²) extra memory per head instead of O(N²). There is no
// 1/√d temperature (φ is applied to the raw projections, as in the paper). A model trained
// with it learns different weights; switching a trained model to or from 'linear' changes
// its function.
import * as tf from '@tensorflow/tfjs';

/**
 * elu(x) + 1, written as relu(x) + exp(min(x, 0)) (x + 1 above zero, eˣ below): the ops and
 * their gradients exist on every backend, and exp never overflows.
 */
export function featureMap(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.relu(x), tf.exp(tf.minimum(x, 0))));
}

/** φ'(x): 1 above zero, eˣ below — which is exp(min(x, 0)) everywhere (1 at 0 from both sides). */
function featureMapGrad(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.exp(tf.minimum(x, 0)));
}

type T3 = tf.Tensor3D;

/**
 * q [BH, M, d], k and v [BH, N, d] → [BH, M, d]. The gradient is written out by hand
 * (tf.customGrad) and saves only q, k, v: with o = num/den, num = φ(q)·S, den = φ(q)·z,
 * S = φ(k)ᵀv, z = Σⱼ φ(kⱼ),
 *   dnum = dO/den,  dden = −rowsum(dO ⊙ o)/den,
 *   dφ(q) = dnum·Sᵀ + dden·zᵀ,  dS = φ(q)ᵀ·dnum,  dz = ddenᵀ·φ(q),
 *   dφ(k) = v·dSᵀ + dz,  dv = φ(k)·dS,  and dq = dφ(q) ⊙ φ'(q), dk = dφ(k) ⊙ φ'(k),
 * all O(N·d²); autodiff through the ops would keep a dozen N·d tensors alive.
 */
export function linearAttention3D(q: T3, k: T3, v: T3): T3 {
  const parts = (qq: T3, kk: T3, vv: T3) => {
    const fq = featureMap(qq) as T3; // [BH, M, d]
    const fk = featureMap(kk) as T3; // [BH, N, d]
    const s = tf.matMul(fk, vv, true, false) as T3; // Σ_j φ(k_j) v_jᵀ   [BH, d, d]
    const z = tf.sum(fk, 1, true) as T3; // Σ_j φ(k_j)                  [BH, 1, d]
    const den = tf.matMul(fq, z, false, true) as T3; // [BH, M, 1], > 0 since φ > 0
    return { fq, fk, s, z, den };
  };
  const f = tf.customGrad((qq, kk, vv, save) => {
    const { fq, s, den } = parts(qq as T3, kk as T3, vv as T3);
    (save as tf.GradSaveFunc)([qq as T3, kk as T3, vv as T3]);
    return {
      value: tf.div(tf.matMul(fq, s), den) as T3,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sq, sk, sv] = saved as T3[];
          const { fq, fk, s, z, den } = parts(sq, sk, sv);
          const o = tf.div(tf.matMul(fq, s), den);
          const dnum = tf.div(dy, den) as T3; // [BH, M, d]
          const dden = tf.neg(tf.div(tf.sum(tf.mul(dy, o), -1, true), den)) as T3; // [BH, M, 1]
          const dfq = tf.add(tf.matMul(dnum, s, false, true), tf.mul(dden, z));
          const ds = tf.matMul(fq, dnum, true, false) as T3; // [BH, d, d]
          const dz = tf.matMul(dden, fq, true, false); // [BH, 1, d]
          const dfk = tf.add(tf.matMul(sv, ds, false, true), dz);
          const dv = tf.matMul(fk, ds);
          return [tf.mul(dfq, featureMapGrad(sq)), tf.mul(dfk, featureMapGrad(sk)), dv];
        }),
    };
  });
  return f(q, k, v) as T3;
}
