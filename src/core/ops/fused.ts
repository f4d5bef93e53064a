// Shared plumbing for the fused kernels in this folder. Each fused op has three implementations behind one
// function: a tfjs kernel for wasm (a loop over tfjs's own heap, one call instead of a chain of kernels),
// a WGSL program for webgpu, and the composite of plain tfjs ops (every other backend, and the reference
// the tests compare against). The tfjs flag FLOW_FUSED_OPS (default on) switches the fused kernels off,
// so a benchmark can count the dispatches of the unfused graph of the same model in the same run.

import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { heapMemory, heapOffset, wasmKernelInstalled, wasmModuleOnHeap, type WasmBackendLike } from './wasm_batch_matmul';
import { fusedModule, type FusedExports } from './wasm_fused_module';

export const FUSED_OPS_FLAG = 'FLOW_FUSED_OPS';

let flagRegistered = false;

function ensureFlag(): void {
  if (flagRegistered) return;
  tf.env().registerFlag(FUSED_OPS_FLAG, () => true); // re-registering (a second copy of this module) keeps a value already set
  flagRegistered = true;
}

export type FusedPath = 'wasm' | 'webgpu' | null;

/**
 * Which fused implementation runs on the active backend; null means the composite of tfjs ops. On wasm the
 * fused path needs our GEMM as the backend's matMul (installWasmBatchMatMul): XNNPACK caches a packed copy of
 * each weight matrix by tensor id, which the in-place optimizer step would leave stale.
 */
export function fusedPath(): FusedPath {
  ensureFlag();
  if (!tf.env().getBool(FUSED_OPS_FLAG)) return null;
  const b = tf.getBackend();
  if (b === 'wasm') return wasmKernelInstalled() && wasmFused() ? 'wasm' : null;
  if (b === 'webgpu') return 'webgpu';
  return null;
}

/** Turns the fused kernels on or off (benchmarks of the unfused graph, agreement tests). */
export function setFusedOps(on: boolean): void {
  ensureFlag();
  tf.env().set(FUSED_OPS_FLAG, on);
}

export function fusedOpsEnabled(): boolean {
  ensureFlag();
  return tf.env().getBool(FUSED_OPS_FLAG);
}

/** A float32 view of a tensor's data on the wasm heap (make it after every allocation of the kernel). */
export function heapF32(be: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  return new Float32Array(heapMemory(be).buffer, heapOffset(be, t), t.shape.reduce((a, b) => a * b, 1));
}

/**
 * The SIMD elementwise kernels on the wasm heap: with relaxed SIMD's FMA in the exp polynomial where the engine
 * validates it (as for the GEMM), else plain SIMD; null without WASM SIMD (the JS loops run instead).
 */
export function wasmFused(): FusedExports | null {
  return (fusedFma ? wasmModuleOnHeap<FusedExports>('fused-fma', (shared) => fusedModule(shared, true)) : null) ?? wasmModuleOnHeap<FusedExports>('fused', fusedModule);
}

let fusedFma = true;

/** Allows or forbids the FMA build of the elementwise kernels (tests run both). */
export function useFusedFma(on: boolean): void {
  fusedFma = on;
}

/** Heap offset of a tensor (pointer argument of the SIMD kernels). */
export function ptr(be: WasmBackendLike, t: tf.TensorInfo): number {
  return heapOffset(be, t);
}

export interface FusedKernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: unknown;
  attrs: Record<string, number>;
}

/** Registers `kernelFunc` under `kernelName` for `backendName` unless a kernel is already there. */
export function registerFused(kernelName: string, backendName: 'wasm' | 'webgpu', kernelFunc: FusedKernelFunc): void {
  if (tf.getKernel(kernelName, backendName)) return;
  tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

type FusedKernelFunc = (a: FusedKernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Registers an op's two kernels (forward and gradient, or split and merge) on wasm and webgpu once, then
 * `extra` (a kernel gradient, say). Returns the function to call before the op's first run.
 */
export function fusedKernels(names: readonly [string, string], kernels: Record<'wasm' | 'webgpu', readonly [FusedKernelFunc, FusedKernelFunc]>, extra?: () => void): () => void {
  let registered = false;
  return () => {
    if (registered) return;
    for (const backend of ['wasm', 'webgpu'] as const) names.forEach((name, i) => registerFused(name, backend, kernels[backend][i]));
    extra?.();
    registered = true;
  };
}

/** Runs a registered fused kernel. */
export function runFused<T extends tf.Tensor | tf.Tensor[]>(kernelName: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}): T {
  return tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as T;
}

export function wasmBackend(be: unknown): WasmBackendLike {
  return be as WasmBackendLike;
}

const WORKGROUP = 64;

/**
 * A WGSL program with one invocation per "thread" (an element, a row, a column: the op decides), a flat
 * dispatch and the op's own uniforms. Sizes come from tfjs's shape uniforms (uniforms.xShape, …), never from
 * literals, so one pipeline serves every size (tfjs caches pipelines by shaderKey, which holds no sizes).
 */
export class FlowProgram implements WebGPUProgram {
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  size = false;
  constructor(
    public shaderKey: string,
    public variableNames: string[],
    public outputShape: number[],
    threads: number,
    private readonly body: string,
    public uniforms?: string,
    private readonly prelude = '', // helper functions placed before main
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.max(1, Math.ceil(threads / WORKGROUP)), 1, 1];
  }
  getUserCode(): string {
    return `${this.prelude}\nfn main(index : i32) {\n${this.body}\n}`;
  }
}

export type Uniform = { type: 'float32' | 'int32'; data: number[] };

export function runProgram(be: unknown, program: FlowProgram, inputs: tf.TensorInfo[], uniforms: Uniform[] = []): tf.TensorInfo {
  return (be as WebGPUBackend).runWebGPUProgram(program, inputs, 'float32', uniforms.length ? uniforms : undefined);
}

/** WGSL float literal. */
export function wgslF32(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
