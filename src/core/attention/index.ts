// Attention lab: four implementations of multi-head attention behind one function, with
// grouped-query / multi-query heads for all of them.
//
//   naive    softmax(Q·Kᵀ/√d)·V with the full score matrix; autodiff keeps B·H·N² floats.
//   chunked  exact; query and key blocks with an online softmax, gradient recomputed block
//            by block from Q, K, V, O and the log-sum-exp (no N×N tensor kept or built).
//   flash    exact; the same algorithm as fused WGSL kernels on the WebGPU backend. On any
//            other backend it runs as 'chunked' (see resolveAttention).
//   linear   APPROXIMATION: kernelised linear attention, φ(x) = elu(x) + 1, non-causal
//            (Katharopoulos et al. 2020). Not softmax attention; see linear.ts.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_BLOCK_SIZE, chunkedAttention3D } from './chunked';
import { checkAttentionInputs, checkBlockSize, fold } from './common';
import { flashAttention3D } from './flash_webgpu';
import { ATTENTION_KINDS, isKind, resolveAttention, type AttentionKind } from './kinds';
import { featureMap, linearAttention3D } from './linear';
import { naiveAttention3D } from './naive';

export { ATTENTION_KINDS, FLASH_MAX_HEAD_SIZE, resolveAttention, validateAttentionConfig, type AttentionKind } from './kinds';

export { DEFAULT_BLOCK_SIZE } from './chunked';
export { FLASH_DEFAULT_TILE } from './flash_webgpu';

export interface AttentionOptions {
  kind: AttentionKind;
  /**
   * 'chunked': rows per query and key block (default DEFAULT_BLOCK_SIZE = 128).
   * 'flash': rows per workgroup tile (default 32), shrunk to fit the device's workgroup memory.
   * Ignored by 'naive' and 'linear'.
   */
  blockSize?: number;
}


/**
 * q [B, H, N, d]; k, v [B, Hkv, N, d] with Hkv dividing H (multi-query / grouped-query when
 * Hkv < H; query head h reads key/value head ⌊h / (H/Hkv)⌋). → [B, H, N, d].
 * Differentiable w.r.t. q, k, v. Scale 1/√d (except 'linear', which has no temperature).
 * Throws an Error naming the problem (shape, dtype, kvHeads, blockSize, kind) on bad input.
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, opts: AttentionOptions): tf.Tensor4D {
  if (!isKind(opts?.kind)) throw new Error(`attention: unknown kind '${String(opts?.kind)}'; expected one of ${ATTENTION_KINDS.join(', ')}`);
  checkAttentionInputs(q, k, v);
  const blockSize = opts.blockSize === undefined ? undefined : checkBlockSize(opts.blockSize);
  const { kind } = resolveAttention(opts.kind, tf.getBackend(), q.shape[3]);
  return tf.tidy(() => {
    const f = fold(q, k, v);
    let o: tf.Tensor3D;
    switch (kind) {
      case 'naive':
        o = naiveAttention3D(f.q, f.k, f.v);
        break;
      case 'chunked':
        o = chunkedAttention3D(f.q, f.k, f.v, blockSize ?? DEFAULT_BLOCK_SIZE);
        break;
      case 'flash':
        o = flashAttention3D(f.q, f.k, f.v, blockSize);
        break;
      case 'linear':
        o = linearAttention3D(f.q, f.k, f.v);
        break;
    }
    return tf.reshape(o, f.shape) as tf.Tensor4D;
  });
}

/**
 * For the attention-map panel: the attention weights of one head for one query token, [B, N]
 * (each row sums to 1). Softmax weights by default; pass kind 'linear' for the weights
 * linear attention actually uses, φ(q)·φ(kⱼ) / Σⱼ φ(q)·φ(kⱼ).
 */
export function attentionMap(q: tf.Tensor4D, k: tf.Tensor4D, head: number, query: number, kind: AttentionKind = 'naive'): tf.Tensor2D {
  checkAttentionInputs(q, k, k);
  const [B, H, N, d] = q.shape;
  const G = H / k.shape[1];
  if (!Number.isInteger(head) || head < 0 || head >= H) throw new Error(`attentionMap: head must be an integer in [0, ${H - 1}], got ${head}`);
  if (!Number.isInteger(query) || query < 0 || query >= N) throw new Error(`attentionMap: query must be an integer in [0, ${N - 1}], got ${query}`);
  return tf.tidy(() => {
    const qi = tf.reshape(tf.slice(q, [0, head, query, 0], [B, 1, 1, d]), [B, 1, d]);
    const kh = tf.reshape(tf.slice(k, [0, Math.floor(head / G), 0, 0], [B, 1, N, d]), [B, N, d]);
    if (kind === 'linear') {
      const w = tf.reshape(tf.matMul(featureMap(qi), featureMap(kh), false, true), [B, N]);
      return tf.div(w, tf.sum(w, -1, true)) as tf.Tensor2D;
    }
    const s = tf.reshape(tf.matMul(qi, kh, false, true), [B, N]);
    return tf.softmax(tf.mul(s, 1 / Math.sqrt(d))) as tf.Tensor2D;
  });
}
