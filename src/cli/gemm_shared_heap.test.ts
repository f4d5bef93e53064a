// The GEMM helper in place on tfjs's heap, made shared at start-up (setupBackend → initBackend with a helper):
// the same products bit for bit as one thread, and a training run with the same losses.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../core/config';
import { createDataset } from '../core/data/registry';
import { heapMemory, type WasmBackendLike } from '../core/ops/wasm_batch_matmul';
import { gemmHelperInPlace, gemmThreadJobs, stopGemmHelper, useGemmThreads } from '../core/ops/wasm_gemm_threads';
import { Rng } from '../core/rng';
import { Trainer } from '../core/train/trainer';
import { setupBackend } from './node_env';

const rand = (shape: number[], seed: number) => tf.tensor(Array.from(new Rng(seed).normals(shape.reduce((x, y) => x * y, 1))), shape);
const ALWAYS = { flops: 0, intensity: 0 };

// split by batch entry (and broadcast), by rows, by columns (transposed A), with a transposed B, with packing
const CASES: [number[], number[], boolean, boolean][] = [
  [[3, 37, 20], [3, 20, 9], false, false],
  [[2, 4, 19, 8], [2, 4, 19, 8], false, true],
  [[1, 13, 16], [5, 16, 7], false, false],
  [[61, 33], [33, 17], false, false],
  [[300, 6], [300, 21], true, false],
  [[40, 29], [40, 37], true, false],
  [[30, 140], [140, 530], false, false],
];

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

  it('gives the one-thread products bit for bit (one thread is checked against the cpu backend in wasm_batch_matmul.test.ts)', () => {
    for (const [i, [sa, sb, ta, tb]] of CASES.entries()) {
      const product = (threads: boolean) => {
        useGemmThreads(threads, ALWAYS);
        return tf.tidy(() => Array.from(tf.matMul(rand(sa, i), rand(sb, 100 + i), ta, tb).dataSync()));
      };
      const one = product(false);
      const jobs = gemmThreadJobs();
      const two = product(true);
      expect(gemmThreadJobs(), `case ${i} ran on the helper`).toBeGreaterThan(jobs);
      expect(two).toEqual(one);
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
    const jobs = gemmThreadJobs();
    const two = await run(true);
    expect(gemmThreadJobs()).toBeGreaterThan(jobs);
    expect(tf.memory().numTensors).toBe(before);
    expect(two).toEqual(one);
  });
});
