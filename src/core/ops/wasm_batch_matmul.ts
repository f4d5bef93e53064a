// A WASM SIMD kernel for tfjs-wasm's BatchMatMul: every fp32 product (batched, transposed, broadcast, plain)
// runs through our register-blocked GEMM (src/core/ops/wasm_gemm.ts) in place on tfjs's own heap.
// tfjs-wasm sends batched and transposed products to a scalar loop (≈1 GFLOP/s here), and its XNNPACK path
// for plain products re-packs the B operand on every call (a fresh operand each call in a training step).
// `npm run bench -- ops` measures the paths side by side.

import * as tf from '@tensorflow/tfjs';
import { isOverridden, overrideKernel } from './kernel_override';
import { GEMM_KINDS, KC, NC, type GemmExports, type GemmKind } from './wasm_gemm';
import { gemmThreadsFor, gemmTwoThreads, type Block } from './wasm_gemm_threads';

/**
 * How to split a product between this thread and the helper, or null for one thread. Batches split by entry;
 * one product by rows when A is row-major and B the smaller operand to copy whole, else by columns (each
 * thread then streams only half of B, which matters when M is small, as in the weight gradients).
 */
export function threadShare(M: number, K: number, N: number, batch: number, batchA: number, batchB: number, transposeA: boolean): { split: 'batch' | 'rows' | 'cols'; at: number } | null {
  const flops = 2 * M * K * N * batch;
  if (!gemmThreadsFor(flops, batchA * M * K + batchB * K * N + batch * M * N)) return null;
  if (batch >= 2) return { split: 'batch', at: batch >> 1 };
  if (!transposeA && N <= M && M >= 12) return { split: 'rows', at: Math.round(M / 12) * 6 };
  if (N >= 16) return { split: 'cols', at: Math.round(N / 16) * 8 };
  return null;
}

export { GEMM_KINDS, type GemmKind } from './wasm_gemm';

export interface WasmBackendLike {
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmExports?: { memory?: WebAssembly.Memory }; _malloc(n: number): number; _free(p: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

interface KernelArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { transposeA: boolean; transposeB: boolean };
}

export { KC } from './wasm_gemm';

let gemm: GemmExports | null = null;
let calls = 0;

/** How many products the SIMD kernel has computed (for tests and benchmarks). */
export function wasmKernelCalls(): number {
  return calls;
}

const MARKER = 'flowGemm';

export function wasmKernelInstalled(): boolean {
  return gemm !== null && isOverridden('BatchMatMul', 'wasm', MARKER);
}

/** The wasm backend's heap (its one WebAssembly memory). */
export function heapMemory(be: WasmBackendLike): WebAssembly.Memory {
  return be.wasm.asm?.memory ?? be.wasm.wasmExports!.memory!;
}

/** The heap offset of a tensor's data on the wasm backend. */
export function heapOffset(backend: WasmBackendLike, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

const workspaces = new WeakMap<WebAssembly.Memory, number>();

/**
 * The GEMM's packing workspace on the wasm backend's heap (KC·NC floats, allocated once per heap and kept:
 * a product is never re-entered, so one serves them all).
 */
export function gemmWorkspace(be: WasmBackendLike): number {
  const memory = heapMemory(be);
  let pw = workspaces.get(memory);
  if (pw === undefined) workspaces.set(memory, (pw = be.wasm._malloc(KC * NC * 4) >>> 0));
  return pw;
}

/** Whether packing B pays: each packed block is read by ⌈M/R⌉ row panels; below a few, it is mostly a copy. */
const packB = (M: number) => M >= 24;

const instances = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/**
 * Instantiates one of our SIMD modules against the wasm backend's memory (once per memory and module);
 * null where the backend is missing or WASM SIMD is not supported.
 */
export function wasmModuleOnHeap<T>(key: string, bytes: (shared: boolean) => Uint8Array): T | null {
  const backend = tf.findBackend('wasm') as unknown as WasmBackendLike | null;
  if (!backend?.wasm.asm?.memory && !backend?.wasm.wasmExports?.memory) return null;
  const memory = heapMemory(backend);
  let byKey = instances.get(memory);
  if (!byKey) instances.set(memory, (byKey = new Map()));
  if (byKey.has(key)) return byKey.get(key) as T | null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let exports: T | null = null;
  try {
    exports = new WebAssembly.Instance(new WebAssembly.Module(bytes(shared) as BufferSource), { env: { memory } }).exports as unknown as T;
  } catch {
    exports = null; // no WASM SIMD here
  }
  byKey.set(key, exports);
  return exports;
}

let allowed: readonly GemmKind[] = ['relaxed-madd', 'simd128'];
let active: GemmKind | null = null;

/** Restricts the GEMM to some kinds (tests and benchmarks compare them); the next product picks again. */
export function useGemmKinds(kinds: readonly GemmKind[]): void {
  allowed = kinds;
  active = null;
}

/** The kind the wasm backend's products run through (null before the first, or without WASM SIMD). */
export function wasmGemmKind(): GemmKind | null {
  return active;
}

/**
 * The GEMM module on the wasm backend's heap: the first allowed kind this engine compiles (wasmModuleOnHeap
 * remembers a kind that does not); null without WASM SIMD.
 */
export function wasmGemm(): GemmExports | null {
  for (const kind of allowed) {
    const g = wasmModuleOnHeap<GemmExports>(`gemm-${kind}`, GEMM_KINDS[kind]);
    if (g) {
      active = kind;
      return (gemm = g);
    }
  }
  active = null;
  return (gemm = null);
}

/**
 * out[batch, M, N] = op(a)·op(b) (+ bias[N]) for heap tensors, op = optional transpose of the last two axes;
 * a batch dimension of 1 broadcasts. A transposed b is packed row-major into scratch memory first (a copy of
 * size K·N per batch entry, against M·K·N multiply-adds).
 */
export function gemmOnHeap(be: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean, out: tf.TensorInfo, bias?: tf.TensorInfo): void {
  const g = wasmGemm()!;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = Math.max(batchA, batchB);
  const po = heapOffset(be, out);
  const pbias = bias ? heapOffset(be, bias) : 0;
  if (M * N * batch === 0) return;
  if (K === 0) {
    const view = new Float32Array(heapMemory(be).buffer, po, batch * M * N);
    view.fill(0);
    if (bias) {
      const bv = new Float32Array(view.buffer, pbias, N);
      for (let r = 0; r < batch * M; r++) view.set(bv, r * N);
    }
    return;
  }
  let pb = heapOffset(be, b);
  let scratch = 0;
  if (transposeB) {
    scratch = be.wasm._malloc(batchB * K * N * 4) >>> 0;
    for (let i = 0; i < batchB; i++) g.transpose(pb + i * K * N * 4, scratch + i * K * N * 4, N, K);
    pb = scratch;
  }
  const pa = heapOffset(be, a);
  const sAb = batchA === 1 ? 0 : M * K * 4;
  const sBb = batchB === 1 ? 0 : K * N * 4;
  const [sAi, sAk] = transposeA ? [4, M * 4] : [K * 4, 4];
  const pw = packB(M) ? gemmWorkspace(be) : 0;
  const one = (i: number) => g.gemm(pa + i * sAb, pb + i * sBb, po + i * M * N * 4, pbias, M, K, N, sAi, sAk, N * 4, N * 4, KC, pw);
  const share = threadShare(M, K, N, batch, batchA, batchB, transposeA);
  if (share) {
    // The helper's share as GEMM arguments, and (for the copying path only) where its data lie on the heap.
    const common = { pa, pb, pc: po, pbias, K, sAi, sAk, sBk: N * 4, sCi: N * 4, kc: KC, pack: pw !== 0 };
    const block = (at: number, rows: number, cols: number, stride = cols) => ({ at: at >>> 2, rows, cols, stride });
    const blocks = (a: Block, b: Block, biasCols: number, c: Block) => ({ heap: new Float32Array(heapMemory(be).buffer), a, b, bias: bias ? block(pbias, 1, biasCols) : null, c });
    if (share.split === 'batch') {
      // The helper takes entries [0, h), this thread [h, batch).
      const h = share.at;
      gemmTwoThreads({ ...common, M, N, count: h, sAb, sBb, sCb: M * N * 4 }, () => { for (let i = h; i < batch; i++) one(i); }, () => blocks(block(pa, sAb ? h : 1, M * K), block(pb, sBb ? h : 1, K * N), N, block(po, h, M * N)));
    } else if (share.split === 'rows') {
      // The helper takes rows [0, r) (A row-major: its rows are contiguous), this thread the rest.
      const r = share.at;
      gemmTwoThreads({ ...common, M: r, N, count: 1, sAb: 0, sBb: 0, sCb: 0 }, () => g.gemm(pa + r * sAi, pb, po + r * N * 4, pbias, M - r, K, N, sAi, sAk, N * 4, N * 4, KC, pw), () => blocks(block(pa, 1, r * K), block(pb, 1, K * N), N, block(po, r, N)));
    } else {
      // The helper takes columns [0, n) of B and C, this thread the rest: each streams half of B.
      const n = share.at;
      gemmTwoThreads({ ...common, M, N: n, count: 1, sAb: 0, sBb: 0, sCb: 0 }, () => g.gemm(pa, pb + n * 4, po + n * 4, pbias ? pbias + n * 4 : 0, M, K, N - n, sAi, sAk, N * 4, N * 4, KC, pw), () => blocks(block(pa, 1, M * K), block(pb, K, n, N), n, block(po, M, n, N)));
    }
  } else {
    for (let i = 0; i < batch; i++) one(i);
  }
  if (scratch) be.wasm._free(scratch);
  calls++;
}

/**
 * Registers the SIMD kernel as the wasm backend's BatchMatMul (call after the wasm backend is initialised;
 * idempotent). Returns false, leaving tfjs's kernel in place, where WASM SIMD or the memory is unavailable.
 */
export function installWasmBatchMatMul(): boolean {
  if (!tf.getKernel('BatchMatMul', 'wasm') || !wasmGemm()) return false;
  overrideKernel('BatchMatMul', 'wasm', MARKER, (original) => (args) => {
    const { inputs, backend: be, attrs } = args as unknown as KernelArgs;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const sameBatchDims = ra === rb && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    const broadcastable = sameBatchDims || batchA === 1 || batchB === 1;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !broadcastable) return original(args);
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const batchShape = (batchA >= batchB ? a.shape : b.shape).slice(0, -2);
    const out = be.makeOutput([...batchShape, M, N], 'float32');
    gemmOnHeap(be, a, b, transposeA, transposeB, out);
    return out;
  });
  // tf.fused.matMul with a bias and no activation (a linear layer) through the GEMM: the bias seeds the tile.
  overrideKernel('_FusedMatMul', 'wasm', MARKER, (original) => (args) => {
    const { inputs, backend: be, attrs } = args as unknown as { inputs: { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo }; backend: WasmBackendLike; attrs: { transposeA: boolean; transposeB: boolean; activation: string } };
    const { a, b, bias, preluActivationWeights } = inputs;
    const { transposeA, transposeB, activation } = attrs;
    const N = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const plainBias = !bias || (bias.shape.length === 1 && bias.shape[0] === N && bias.dtype === 'float32');
    const sameBatch = a.shape.length === b.shape.length && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    if (activation !== 'linear' || preluActivationWeights || !plainBias || !sameBatch || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const M = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const out = be.makeOutput([...a.shape.slice(0, -2), M, N], 'float32');
    gemmOnHeap(be, a, b, transposeA, transposeB, out, bias);
    return out;
  });
  return true;
}
