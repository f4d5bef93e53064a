// Softmax over the last axis: tf.softmax, with its gradient as one SIMD kernel on wasm (with the fused
// kernels; wasm_fused_module.ts). tfjs's gradient of softmax is four kernels over the whole tensor (dy·y, its
// row sums, their product with y, the difference): for attention's B·H·N² scores in mnist-small, 107 ms of a
// step against 25 ms for the one kernel. The forward stays tfjs-wasm's (XNNPACK's) kernel: ours, an exp
// polynomial in three passes per row, took 91 ms against its 64. The output is saved for the gradient, as
// tf.softmax does.
//   y = exp(x − max x) / Σ exp(x − max x),   dx = (dy − Σ dy·y)·y

import * as tf from '@tensorflow/tfjs';
import { fusedPath, ptr, registerFused, runFused, wasmBackend, wasmFused, type FusedKernelArgs } from './fused';

export const SOFTMAX_GRAD = 'FlowSoftmaxGrad';

/** softmax over the last axis of x (any rank ≥ 1). */
export function softmaxLast<T extends tf.Tensor>(x: T): T {
  if (fusedPath() !== 'wasm' || x.dtype !== 'float32') return tf.softmax(x);
  registerFused(SOFTMAX_GRAD, 'wasm', wasmBackward);
  const f = tf.customGrad((xx, save) => {
    const y = tf.softmax(xx as tf.Tensor);
    (save as tf.GradSaveFunc)([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) => runFused<tf.Tensor>(SOFTMAX_GRAD, { dy, y: sy }) };
  });
  return f(x) as T;
}

const rowsOf = (shape: number[]) => ({ R: shape.slice(0, -1).reduce((a, b) => a * b, 1), N: shape[shape.length - 1] });

function wasmBackward({ inputs: { dy, y }, backend }: FusedKernelArgs): tf.TensorInfo {
  const be = wasmBackend(backend);
  const out = be.makeOutput(y.shape, 'float32');
  const { R, N } = rowsOf(y.shape);
  if (R * N > 0) wasmFused()!.softmax_bwd(ptr(be, dy), ptr(be, y), ptr(be, out), R, N);
  return out;
}
