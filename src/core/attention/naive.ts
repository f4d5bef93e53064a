// The reference variant: the full score matrix softmax(Q·Kᵀ/√d) is materialised, and
// autodiff keeps it (B·H·N² floats per call) for the backward pass.
import * as tf from '@tensorflow/tfjs';
import { softmaxLast } from '../ops/softmax';

/** q [BH, M, d], k and v [BH, N, d] → [BH, M, d]. */
export function naiveAttention3D(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const scale = 1 / Math.sqrt(q.shape[2]);
    const scores = tf.matMul(tf.mul(q, scale), k, false, true); // [BH, M, N]
    return tf.matMul(softmaxLast(scores), v); // tf.softmax, or one SIMD kernel each way on wasm
  });
}
