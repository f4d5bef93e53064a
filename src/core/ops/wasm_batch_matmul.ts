// A WASM SIMD kernel for the matrix products tfjs-wasm runs slowly: batched products (attention's
// [B·H, N, d] · [B·H, d, N]) and products with a transposed operand (the backward pass). tfjs-wasm sends
// these to a scalar loop (≈1 GFLOP/s here); this kernel computes them in place on tfjs's own heap with
// 4-wide SIMD. Unbatched, untransposed products keep tfjs's XNNPACK path, which is faster for them.
// `npm run bench -- ops` measures both side by side.

import * as tf from '@tensorflow/tfjs';
import { assembleModule, F32, I32, op, V128, type FuncDef } from './wasm_asm';

// bmm_nn: out[b, i, :] = Σ_k A(b, i, k) · B[b, k, :], with A addressed through byte strides (so A may be
// transposed) and B, out contiguous. SIMD over the output row, 4 columns at a time.
function bmmNN(): FuncDef {
  const [a, b, out, batch, M, K, N, sAb, sAi, sAk, sBb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [bi, i, k, j, aB, bB, oRow, pO, pB, av, avec] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  return {
    name: 'bmm_nn',
    params: new Array(11).fill(I32),
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, F32, V128],
    body: [
      op.get(out), op.set(oRow),
      op.i32(0), op.set(bi),
      op.block, op.loop,
      op.get(bi), op.get(batch), op.i32GeU, op.brIf(1),
      op.get(a), op.get(bi), op.get(sAb), op.i32Mul, op.i32Add, op.set(aB),
      op.get(b), op.get(bi), op.get(sBb), op.i32Mul, op.i32Add, op.set(bB),
      op.i32(0), op.set(i),
      op.block, op.loop,
      op.get(i), op.get(M), op.i32GeU, op.brIf(1),
      // zero the output row
      op.get(oRow), op.set(pO), op.i32(0), op.set(j),
      op.block, op.loop,
      op.get(j), op.get(N), op.i32GeU, op.brIf(1),
      op.get(pO), op.f32Const0, op.f32Store,
      op.get(pO), op.i32(4), op.i32Add, op.set(pO),
      op.get(j), op.i32(1), op.i32Add, op.set(j),
      op.br(0), op.end, op.end,
      op.i32(0), op.set(k),
      op.block, op.loop,
      op.get(k), op.get(K), op.i32GeU, op.brIf(1),
      op.get(aB), op.get(i), op.get(sAi), op.i32Mul, op.i32Add, op.get(k), op.get(sAk), op.i32Mul, op.i32Add, op.f32Load, op.set(av),
      op.get(av), op.f32x4Splat, op.set(avec),
      op.get(bB), op.get(k), op.get(N), op.i32Mul, op.i32(2), op.i32Shl, op.i32Add, op.set(pB),
      op.get(oRow), op.set(pO), op.i32(0), op.set(j),
      // 4 columns at a time
      op.block, op.loop,
      op.get(j), op.i32(4), op.i32Add, op.get(N), op.i32GtU, op.brIf(1),
      op.get(pO), op.get(pO), op.v128Load, op.get(avec), op.get(pB), op.v128Load, op.f32x4Mul, op.f32x4Add, op.v128Store,
      op.get(pO), op.i32(16), op.i32Add, op.set(pO),
      op.get(pB), op.i32(16), op.i32Add, op.set(pB),
      op.get(j), op.i32(4), op.i32Add, op.set(j),
      op.br(0), op.end, op.end,
      // the remaining columns
      op.block, op.loop,
      op.get(j), op.get(N), op.i32GeU, op.brIf(1),
      op.get(pO), op.get(pO), op.f32Load, op.get(av), op.get(pB), op.f32Load, op.f32Mul, op.f32Add, op.f32Store,
      op.get(pO), op.i32(4), op.i32Add, op.set(pO),
      op.get(pB), op.i32(4), op.i32Add, op.set(pB),
      op.get(j), op.i32(1), op.i32Add, op.set(j),
      op.br(0), op.end, op.end,
      op.get(k), op.i32(1), op.i32Add, op.set(k),
      op.br(0), op.end, op.end,
      op.get(oRow), op.get(N), op.i32(2), op.i32Shl, op.i32Add, op.set(oRow),
      op.get(i), op.i32(1), op.i32Add, op.set(i),
      op.br(0), op.end, op.end,
      op.get(bi), op.i32(1), op.i32Add, op.set(bi),
      op.br(0), op.end, op.end,
    ],
  };
}

// bmm_nt: out[b, i, j] = A[b, i, :] · B[b, j, :] (B given transposed, rows contiguous): SIMD dot products over K.
function bmmNT(): FuncDef {
  const [a, b, out, batch, M, K, N, sAb, sBb] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [bi, i, j, k, aRow, pA, pB, pOut, aB, bB, acc, s] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  return {
    name: 'bmm_nt',
    params: new Array(9).fill(I32),
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, F32],
    body: [
      op.get(out), op.set(pOut),
      op.i32(0), op.set(bi),
      op.block, op.loop,
      op.get(bi), op.get(batch), op.i32GeU, op.brIf(1),
      op.get(a), op.get(bi), op.get(sAb), op.i32Mul, op.i32Add, op.set(aB),
      op.get(b), op.get(bi), op.get(sBb), op.i32Mul, op.i32Add, op.set(bB),
      op.i32(0), op.set(i),
      op.block, op.loop,
      op.get(i), op.get(M), op.i32GeU, op.brIf(1),
      op.get(aB), op.get(i), op.get(K), op.i32Mul, op.i32(2), op.i32Shl, op.i32Add, op.set(aRow),
      op.i32(0), op.set(j),
      op.block, op.loop,
      op.get(j), op.get(N), op.i32GeU, op.brIf(1),
      op.v128Zero, op.set(acc),
      op.get(aRow), op.set(pA),
      op.get(bB), op.get(j), op.get(K), op.i32Mul, op.i32(2), op.i32Shl, op.i32Add, op.set(pB),
      op.i32(0), op.set(k),
      op.block, op.loop,
      op.get(k), op.i32(4), op.i32Add, op.get(K), op.i32GtU, op.brIf(1),
      op.get(acc), op.get(pA), op.v128Load, op.get(pB), op.v128Load, op.f32x4Mul, op.f32x4Add, op.set(acc),
      op.get(pA), op.i32(16), op.i32Add, op.set(pA),
      op.get(pB), op.i32(16), op.i32Add, op.set(pB),
      op.get(k), op.i32(4), op.i32Add, op.set(k),
      op.br(0), op.end, op.end,
      op.get(acc), op.f32x4Extract(0), op.get(acc), op.f32x4Extract(1), op.f32Add, op.get(acc), op.f32x4Extract(2), op.f32Add, op.get(acc), op.f32x4Extract(3), op.f32Add, op.set(s),
      op.block, op.loop,
      op.get(k), op.get(K), op.i32GeU, op.brIf(1),
      op.get(s), op.get(pA), op.f32Load, op.get(pB), op.f32Load, op.f32Mul, op.f32Add, op.set(s),
      op.get(pA), op.i32(4), op.i32Add, op.set(pA),
      op.get(pB), op.i32(4), op.i32Add, op.set(pB),
      op.get(k), op.i32(1), op.i32Add, op.set(k),
      op.br(0), op.end, op.end,
      op.get(pOut), op.get(s), op.f32Store,
      op.get(pOut), op.i32(4), op.i32Add, op.set(pOut),
      op.get(j), op.i32(1), op.i32Add, op.set(j),
      op.br(0), op.end, op.end,
      op.get(i), op.i32(1), op.i32Add, op.set(i),
      op.br(0), op.end, op.end,
      op.get(bi), op.i32(1), op.i32Add, op.set(bi),
      op.br(0), op.end, op.end,
    ],
  };
}

type BmmNN = (a: number, b: number, out: number, batch: number, M: number, K: number, N: number, sAb: number, sAi: number, sAk: number, sBb: number) => void;
type BmmNT = (a: number, b: number, out: number, batch: number, M: number, K: number, N: number, sAb: number, sBb: number) => void;

interface WasmBackendLike {
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmExports?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

interface KernelArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { transposeA: boolean; transposeB: boolean };
}

let installed: { nn: BmmNN; nt: BmmNT } | null = null;
let calls = 0;

/** How many products the SIMD kernel has computed (for tests and benchmarks). */
export function wasmKernelCalls(): number {
  return calls;
}

export function wasmKernelInstalled(): boolean {
  return installed !== null;
}

/**
 * Registers the SIMD kernel as the wasm backend's BatchMatMul (call after the wasm backend is initialised;
 * idempotent). Returns false, leaving tfjs's kernel in place, where WASM SIMD or the memory is unavailable.
 */
export function installWasmBatchMatMul(): boolean {
  if (installed) return true;
  const backend = tf.findBackend('wasm') as unknown as WasmBackendLike | null;
  const memory = backend?.wasm.asm?.memory ?? backend?.wasm.wasmExports?.memory;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!backend || !memory || !original) return false;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let exports: { bmm_nn: BmmNN; bmm_nt: BmmNT };
  try {
    const mod = new WebAssembly.Module(assembleModule([bmmNN(), bmmNT()], shared) as BufferSource);
    exports = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as typeof exports;
  } catch {
    return false; // no WASM SIMD here: keep tfjs's kernel
  }
  installed = { nn: exports.bmm_nn, nt: exports.bmm_nt };
  const originalFunc = original.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend: be, attrs } = args as unknown as KernelArgs;
      const { a, b } = inputs;
      const { transposeA, transposeB } = attrs;
      const ra = a.shape.length;
      const rb = b.shape.length;
      const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
      const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
      const plain = batchA === 1 && batchB === 1 && !transposeA && !transposeB;
      const sameBatchDims = ra === rb && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
      const broadcastable = sameBatchDims || batchA === 1 || batchB === 1;
      if (plain || (transposeA && transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32' || !broadcastable) return originalFunc(args);
      const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
      const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
      const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
      const batch = Math.max(batchA, batchB);
      const batchShape = (batchA >= batchB ? a.shape : b.shape).slice(0, -2);
      const out = be.makeOutput([...batchShape, M, N], 'float32');
      if (M * N * batch === 0) return out;
      const pa = be.dataIdMap.get(a.dataId).memoryOffset;
      const pb = be.dataIdMap.get(b.dataId).memoryOffset;
      const po = be.dataIdMap.get(out.dataId).memoryOffset;
      const sAb = batchA === 1 ? 0 : M * K * 4;
      const sBb = batchB === 1 ? 0 : K * N * 4;
      calls++;
      if (transposeB) installed!.nt(pa, pb, po, batch, M, K, N, sAb, sBb);
      else if (transposeA) installed!.nn(pa, pb, po, batch, M, K, N, sAb, 4, M * 4, sBb);
      else installed!.nn(pa, pb, po, batch, M, K, N, sAb, K * 4, 4, sBb);
      return out;
    },
  });
  return true;
}
