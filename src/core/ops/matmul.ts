// Matrix product whose forward and backward passes avoid transposed BatchMatMul on the WASM backend.
// tfjs-wasm runs BatchMatMul with transposeA/transposeB on a slow path (≈1 GFLOP/s here, against ≈12–20
// for the untransposed XNNPACK path; `npm run bench -- ops` measures it), and tf.matMul's own gradient
// (dA = dy·Bᵀ, dB = Aᵀ·dy) uses exactly those flags. On wasm we transpose explicitly (a cheap copy) and
// give the product a gradient built the same way. Other backends use tf.matMul unchanged.

import * as tf from '@tensorflow/tfjs';
import { wasmKernelInstalled } from './wasm_batch_matmul';

/** Swaps the last two axes. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

const plainProduct = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: tf.matMul(a as tf.Tensor, b as tf.Tensor),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved;
      const g = dy as tf.Tensor;
      return [tf.matMul(g, swapLast(sb)), tf.matMul(swapLast(sa), g)];
    },
  };
});

/** Whether `matMul` takes the explicit-transpose path on the active backend (wasm without our SIMD GEMM). */
export function usesExplicitTranspose(): boolean {
  return tf.getBackend() === 'wasm' && !wasmKernelInstalled();
}

/**
 * a·b (optionally transposing either operand), ranks ≥ 2 with equal batch dimensions. Same values and
 * gradients as tf.matMul; faster on wasm.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (!usesExplicitTranspose()) return tf.matMul(a, b, transposeA, transposeB);
  if (a.rank !== b.rank || a.shape.slice(0, -2).join(',') !== b.shape.slice(0, -2).join(',')) {
    throw new Error(`matMul: operands need equal ranks and batch dimensions, got [${a.shape}] and [${b.shape}]`);
  }
  const A = transposeA ? swapLast(a) : a;
  const B = transposeB ? swapLast(b) : b;
  return plainProduct(A, B);
}
