// The wasm GEMM on two threads (a worker_threads helper on a shared scratch memory) against one thread and
// against the cpu backend: the same products bit for bit, for every layout the model uses.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWasmBatchMatMul } from '../core/ops/wasm_batch_matmul';
import { startGemmHelper, stopGemmHelper, useGemmThreads } from '../core/ops/wasm_gemm_threads';
import { installSharedIdentity } from '../core/ops/wasm_identity';
import { ALWAYS, expectSplitsMatchOneThread, expectTrainingMatchesOneThread, rand, SPLIT_CASES, splitProduct } from '../test_utils/gemm_splits';
import { expectClose, useBackend } from '../test_utils/tf_backends';
import { spawnNodeGemmHelper } from './gemm_helper_node';

describe('wasm GEMM on two threads', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true);
    installSharedIdentity();
    expect(await startGemmHelper(spawnNodeGemmHelper)).toBe(true);
  });
  afterAll(() => {
    useGemmThreads(true);
    stopGemmHelper();
  });

  it('gives the one-thread products bit for bit, and the cpu backend’s within float32 noise', async () => {
    await expectSplitsMatchOneThread(SPLIT_CASES, async (c, i) => {
      await useBackend('cpu');
      const ref = splitProduct(c, i, false);
      await useBackend('wasm');
      return ref;
    });
  });

  it('a bias seeds the tile on both threads (fused.matMul), split by rows and by columns', () => {
    useGemmThreads(true, ALWAYS);
    for (const [m, n] of [[50, 10], [10, 40]]) {
      const [got, want] = tf.tidy(() => {
        const x = rand([m, 12], 1);
        const w = rand([12, n], 2);
        const b = rand([n], 3);
        return [Array.from(tf.fused.matMul({ a: x, b: w, bias: b }).dataSync()), Array.from(tf.add(tf.matMul(x, w), b).dataSync())];
      });
      expectClose(got, want, 1e-5, 1e-5);
    }
  });

  it('training gives the same losses bit for bit with and without the helper, and leaks nothing', async () => {
    await expectTrainingMatchesOneThread();
  });
});
