// Backend selection with a report a person can read: WebGPU, then WebGL, then WASM, then CPU, and why
// each one that was skipped failed. The backends register themselves on import (side effects below).

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { gemmHelperInPlace, gemmHelperRunning, startGemmHelper, type SpawnGemmHelper } from './ops/wasm_gemm_threads';
import { withSharedWasmHeap } from './ops/wasm_shared_heap';
import { installColumnSum } from './ops/wasm_column_sum';
import { installSharedIdentity } from './ops/wasm_identity';
import { heapMemory, installWasmBatchMatMul, wasmGemmKind, wasmKernelInstalled, type GemmKind, type WasmBackendLike } from './ops/wasm_batch_matmul';

import { BACKENDS, type BackendName } from './backend_names';

export { BACKENDS, isBackendName, type BackendName } from './backend_names';

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  error?: string;
  ms: number;
}

export interface BackendReport {
  name: BackendName;
  forced: boolean; // chosen through ?backend= or --backend
  reason: string; // one sentence: why this backend
  attempts: BackendAttempt[];
  adapter?: { vendor: string; architecture: string; device?: string; description?: string };
  features?: string[];
  limits?: Record<string, number>;
  timestampQuery?: boolean;
  /**
   * gemm: which of our GEMM kernels runs the products (relaxed SIMD's FMA, or plain SIMD); gemmThreads: 2 when
   * large products are split with a helper worker (wasm_gemm_threads.ts), else 1; sharedHeap: the helper computes in
   * place on tfjs's heap, made a shared memory (wasm_shared_heap.ts), instead of on copies.
   */
  wasm?: { simd: boolean; threads: boolean; simdKernels: boolean; gemm: GemmKind | null; gemmThreads: number; sharedHeap: boolean };
}

/**
 * tfjs-backend-webgpu registers itself at import time only if navigator.gpu already exists; in Node it is
 * installed later (Dawn), and after a lost device we need a fresh one. So we register the factory here,
 * asking for the adapter's limits and timestamp queries as tfjs does.
 */
function registerWebGPU(): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) throw new Error('no WebGPU adapter (the GPU may be blocklisted or disabled)');
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
}

async function tryBackend(name: BackendName, sharedWasmHeap = false): Promise<BackendAttempt> {
  const t0 = performance.now();
  try {
    if (name === 'wasm') {
      // tfjs-wasm's threaded build starts Emscripten pthread workers from a Blob of its glue code, which
      // cannot load from a bundled build (tensorflow/tfjs#4025 and kin): with cross-origin isolation the
      // backend then never finishes initialising. Single-threaded SIMD it is, until that is fixed upstream.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    if (name === 'webgpu') {
      if (!(typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu)) {
        throw new Error('navigator.gpu is missing (this browser has no WebGPU, or the page is not a secure context)');
      }
      if (!tf.findBackendFactory('webgpu')) registerWebGPU();
    }
    // With a GEMM helper to come, the wasm heap is made shared so the helper computes in place on it.
    const ok = name === 'wasm' && sharedWasmHeap ? await withSharedWasmHeap(() => tf.setBackend(name)) : await tf.setBackend(name);
    if (!ok) throw new Error('initialisation failed');
    await tf.ready();
    // A tiny op proves the backend actually runs kernels (some fail only at the first dispatch).
    const probe = tf.add(tf.scalar(1), tf.scalar(2));
    const v = (await probe.data())[0];
    probe.dispose();
    if (v !== 3) throw new Error(`self-test gave 1 + 2 = ${v}`);
    return { name, ok: true, ms: performance.now() - t0 };
  } catch (e) {
    return { name, ok: false, error: (e as Error)?.message ?? String(e), ms: performance.now() - t0 };
  }
}

function describe(name: BackendName): Partial<BackendReport> {
  if (name === 'webgpu') {
    const b = tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string; device?: string; description?: string }; device?: GPUDevice; supportTimestampQuery?: boolean };
    const limits: Record<string, number> = {};
    const l = b.device?.limits;
    if (l) for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX']) limits[k] = Number((l as unknown as Record<string, number>)[k]);
    return {
      adapter: { vendor: b.adapterInfo?.vendor ?? '', architecture: b.adapterInfo?.architecture ?? '', device: b.adapterInfo?.device, description: b.adapterInfo?.description },
      features: b.device ? [...b.device.features].map(String).sort() : [],
      limits,
      timestampQuery: !!b.supportTimestampQuery,
    };
  }
  if (name === 'wasm') {
    return { wasm: { simd: !!tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: !!tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'), simdKernels: wasmKernelInstalled(), gemm: wasmGemmKind(), gemmThreads: gemmHelperRunning() ? 2 : 1, sharedHeap: gemmHelperInPlace() } };
  }
  return {};
}

export interface InitOptions {
  /** Forces one backend (URL ?backend=, CLI --backend); falls back with a stated reason when it fails. */
  forced?: BackendName;
  /** Order to try; WebGPU → WebGL → WASM → CPU by default. */
  order?: readonly BackendName[];
  /** Where the browser finds the .wasm files (Vite asset URLs). */
  wasmPaths?: Record<string, string>;
  /** Our SIMD BatchMatMul for batched/transposed products on wasm (default on; off for side-by-side benchmarks). */
  wasmSimdKernels?: boolean;
  /** Starts the GEMM's helper thread on wasm (the environment's Worker; without it products use one thread). */
  gemmHelper?: SpawnGemmHelper;
}

export async function initBackend(opts: InitOptions = {}): Promise<BackendReport> {
  if (opts.wasmPaths) setWasmPaths(opts.wasmPaths);
  const order = opts.order ?? BACKENDS;
  const queue: BackendName[] = opts.forced ? [opts.forced, ...order.filter((b) => b !== opts.forced)] : [...order];
  const attempts: BackendAttempt[] = [];
  for (const name of queue) {
    const a = await tryBackend(name, !!opts.gemmHelper && opts.wasmSimdKernels !== false);
    attempts.push(a);
    if (!a.ok) continue;
    if (name === 'wasm' && opts.wasmSimdKernels !== false) {
      installWasmBatchMatMul();
      installSharedIdentity();
      installColumnSum();
      if (opts.gemmHelper) {
        const be = tf.backend() as unknown as WasmBackendLike;
        await startGemmHelper(opts.gemmHelper, { memory: heapMemory(be), malloc: (n) => be.wasm._malloc(n) }).catch(() => false); // one thread then
      }
    }
    const failed = attempts.filter((x) => !x.ok);
    let reason: string;
    if (opts.forced === name) reason = `${name} was requested`;
    else if (opts.forced) reason = `${opts.forced} was requested but failed (${failed[0]?.error}); fell back to ${name}`;
    else if (failed.length === 0) reason = `${name} is the first choice and works here`;
    else reason = `fell back to ${name}: ${failed.map((f) => `${f.name} failed (${f.error})`).join('; ')}`;
    return { name, forced: opts.forced === name, reason, attempts, ...describe(name) };
  }
  throw new Error(`no tfjs backend works here: ${attempts.map((a) => `${a.name}: ${a.error}`).join('; ')}`);
}

/**
 * Bytes of GPU buffers the active backend holds (WebGPU: tfjs's buffer manager, free buffers it keeps for
 * reuse included; `tf.memory().numBytesAllocatedInGPU`), or undefined on backends without GPU buffers.
 */
export function gpuBytesAllocated(): number | undefined {
  const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  return typeof m.numBytesAllocatedInGPU === 'number' ? m.numBytesAllocatedInGPU : undefined;
}
