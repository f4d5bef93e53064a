// Sum over every axis but the last (a bias gradient: dy[..., N] → [N]) as one pass of our GEMM,
// ones[1, R] · X[R, N]. tfjs-wasm reduces only the innermost axis: for these it first transposes the whole
// tensor, and the qkv bias gradient of mnist-small ([12544, 384]) took 22 ms where one read takes 3.
// Other reductions go to tfjs's kernel.

import * as tf from '@tensorflow/tfjs';
import { overrideKernel } from './kernel_override';
import { heapMemory, heapOffset, KC, wasmGemm, type WasmBackendLike } from './wasm_batch_matmul';

let calls = 0;

/** Reductions the column sum has done (tests check it ran). */
export function columnSumCalls(): number {
  return calls;
}

interface SumArgs {
  inputs: { x: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { axis: number | number[]; keepDims: boolean };
}

/** Whether `axis` names exactly the axes before the last one of a rank-`rank` tensor. */
export function leadingAxes(axis: number | number[], rank: number): boolean {
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  if (rank < 2 || axes.length !== rank - 1) return false;
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  return sorted.length === rank - 1 && sorted.every((a, i) => a === i);
}

/** Registers the column sum as the wasm backend's Sum for leading-axes reductions (idempotent). */
export function installColumnSum(): boolean {
  if (!tf.getKernel('Sum', 'wasm') || !wasmGemm()) return false;
  return overrideKernel('Sum', 'wasm', 'flowColumnSum', (original) => (args) => {
    const { inputs, backend: be, attrs } = args as unknown as SumArgs;
    const { x } = inputs;
    const rank = x.shape.length;
    const N = x.shape[rank - 1];
    const R = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    if (x.dtype !== 'float32' || !leadingAxes(attrs.axis, rank) || R * N === 0) return original(args);
    const g = wasmGemm()!;
    const out = be.makeOutput(attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), N] : [N], 'float32');
    const ones = be.wasm._malloc(R * 4) >>> 0;
    new Float32Array(heapMemory(be).buffer, ones, R).fill(1);
    g.gemm(ones, heapOffset(be, x), heapOffset(be, out), 0, 1, R, N, R * 4, 4, N * 4, N * 4, KC, 0); // one row: nothing to gain from packing B
    be.wasm._free(ones);
    calls++;
    return out;
  });
}
