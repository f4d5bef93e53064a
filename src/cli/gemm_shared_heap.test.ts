// The GEMM helper in place on tfjs's heap, made shared at start-up (setupBackend → initBackend with a helper):
// the same products bit for bit as one thread, and a training run with the same losses.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapMemory, type WasmBackendLike } from '../core/ops/wasm_batch_matmul';
import { gemmHelperInPlace, stopGemmHelper, useGemmThreads } from '../core/ops/wasm_gemm_threads';
import { expectSplitsMatchOneThread, expectTrainingMatchesOneThread, SPLIT_CASES } from '../test_utils/gemm_splits';
import { setupBackend } from './node_env';

describe('wasm GEMM helper in place on a shared heap', () => {
  let report: Awaited<ReturnType<typeof setupBackend>>;
  beforeAll(async () => {
    report = await setupBackend('wasm');
  });
  afterAll(() => {
    useGemmThreads(true);
    stopGemmHelper();
  });

  it('the heap is shared and the helper works on it', () => {
    expect(report.wasm?.sharedHeap).toBe(true);
    expect(gemmHelperInPlace()).toBe(true);
    expect(heapMemory(tf.backend() as unknown as WasmBackendLike).buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('gives the one-thread products bit for bit (one thread is checked against the cpu backend in wasm_batch_matmul.test.ts)', async () => {
    await expectSplitsMatchOneThread(SPLIT_CASES);
  });

  it('training gives the same losses bit for bit with and without the helper, and leaks nothing', async () => {
    await expectTrainingMatchesOneThread();
  });
});
