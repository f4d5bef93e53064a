// The wasm GEMM on two threads (a worker_threads helper on a shared scratch memory) against one thread and
// against the cpu backend: the same products bit for bit, for every layout the model uses.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../core/config';
import { createDataset } from '../core/data/registry';
import { installWasmBatchMatMul } from '../core/ops/wasm_batch_matmul';
import { gemmHelperRunning, gemmThreadJobs, startGemmHelper, stopGemmHelper, useGemmThreads } from '../core/ops/wasm_gemm_threads';
import { installSharedIdentity } from '../core/ops/wasm_identity';
import { Rng } from '../core/rng';
import { Trainer } from '../core/train/trainer';
import { expectClose, useBackend } from '../test_utils/tf_backends';
import { spawnNodeGemmHelper } from './gemm_helper_node';

const rand = (shape: number[], seed: number) => tf.tensor(Array.from(new Rng(seed).normals(shape.reduce((x, y) => x * y, 1))), shape);

// [a shape, b shape, transposeA, transposeB]: split by batch entry (with broadcast A or B), by rows (odd M),
// by columns (transposed A, as in the weight gradients; and N > M), with transposed B (x·Wᵀ).
const CASES: [number[], number[], boolean, boolean][] = [
  [[3, 37, 20], [3, 20, 9], false, false],
  [[2, 4, 19, 8], [2, 4, 19, 8], false, true],
  [[1, 13, 16], [5, 16, 7], false, false],
  [[5, 13, 16], [1, 16, 7], false, false],
  [[61, 33], [33, 17], false, false],
  [[53, 24], [31, 24], false, true],
  [[300, 6], [300, 21], true, false],
  [[40, 29], [40, 37], true, false],
  [[20, 30], [30, 64], false, false],
];
const ALWAYS = { flops: 0, intensity: 0 }; // every product, however small

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
    for (const [i, [sa, sb, ta, tb]] of CASES.entries()) {
      const product = (threads: boolean) => {
        useGemmThreads(threads, ALWAYS);
        return tf.tidy(() => {
          const y = tf.matMul(rand(sa, i), rand(sb, 100 + i), ta, tb);
          return Array.from(y.dataSync());
        });
      };
      await useBackend('cpu');
      const ref = product(false);
      await useBackend('wasm');
      expect(gemmHelperRunning()).toBe(false); // off
      const one = product(false);
      const jobs = gemmThreadJobs();
      const two = product(true);
      expect(gemmThreadJobs(), `case ${i} ran on the helper`).toBeGreaterThan(jobs);
      expect(two).toEqual(one);
      expectClose(two, ref, 1e-4, 1e-5);
    }
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
    const config = makeConfig({ dataset: 'shapes16', patch: '4', dim: '32', depth: '2', heads: '4', batch: '8', warmup: '2', lr: '0.003' });
    const run = async (threads: boolean) => {
      useGemmThreads(threads, ALWAYS);
      const t = new Trainer(config, createDataset('shapes16'));
      for (let i = 0; i < 4; i++) t.trainStep();
      const out = (await t.flush()).flatMap((m) => [m.loss, m.gradNorm]);
      t.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const one = await run(false);
    const two = await run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(two).toEqual(one);
  });
});
