// Test support for the GEMM's helper thread (copying or in place): the products of every split the model uses,
// on one thread and on two, bit for bit, and a training run with and without the helper.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { gemmHelperRunning, gemmThreadJobs, useGemmThreads } from '../core/ops/wasm_gemm_threads';
import { Rng } from '../core/rng';
import { expectClose } from './tf_backends';
import { tinyShapesConfig, trainSteps } from './train_steps';

/** Thresholds that send every product to the helper, however small. */
export const ALWAYS = { flops: 0, intensity: 0 };

export type ProductCase = [a: number[], b: number[], transposeA: boolean, transposeB: boolean];

// Split by batch entry (with broadcast A or B), by rows (odd M), by columns (transposed A, as in the weight
// gradients; and N > M), with a transposed B (x·Wᵀ), and with B packed in two column blocks.
export const SPLIT_CASES: ProductCase[] = [
  [[3, 37, 20], [3, 20, 9], false, false],
  [[2, 4, 19, 8], [2, 4, 19, 8], false, true],
  [[1, 13, 16], [5, 16, 7], false, false],
  [[5, 13, 16], [1, 16, 7], false, false],
  [[61, 33], [33, 17], false, false],
  [[53, 24], [31, 24], false, true],
  [[300, 6], [300, 21], true, false],
  [[40, 29], [40, 37], true, false],
  [[20, 30], [30, 64], false, false],
  [[30, 140], [140, 530], false, false],
];

/** A tensor of standard normals from `seed`. */
export const rand = (shape: number[], seed: number) => tf.tensor(Array.from(new Rng(seed).normals(shape.reduce((x, y) => x * y, 1))), shape);

/** Case i's product on the active backend, seeded by i, on one thread or with the helper. */
export function splitProduct([sa, sb, ta, tb]: ProductCase, i: number, threads: boolean): number[] {
  useGemmThreads(threads, ALWAYS);
  return tf.tidy(() => Array.from(tf.matMul(rand(sa, i), rand(sb, 100 + i), ta, tb).dataSync()));
}

/**
 * Every case on wasm: the helper took a share, and the result equals one thread's bit for bit; with
 * `reference`, also within float32 noise of it.
 */
export async function expectSplitsMatchOneThread(cases: readonly ProductCase[], reference?: (c: ProductCase, i: number) => Promise<number[]>): Promise<void> {
  for (const [i, c] of cases.entries()) {
    const ref = reference ? await reference(c, i) : null;
    const one = splitProduct(c, i, false);
    expect(gemmHelperRunning()).toBe(false); // off for that one
    const jobs = gemmThreadJobs();
    const two = splitProduct(c, i, true);
    expect(gemmThreadJobs(), `case ${i} ran on the helper`).toBeGreaterThan(jobs);
    expect(two).toEqual(one);
    if (ref) expectClose(two, ref, 1e-4, 1e-5);
  }
}

/** Four training steps with and without the helper: the helper ran, the same metrics bit for bit, no leak. */
export async function expectTrainingMatchesOneThread(): Promise<void> {
  const config = tinyShapesConfig();
  const run = async (threads: boolean) => {
    useGemmThreads(threads, ALWAYS);
    return (await trainSteps(config, 4)).metrics;
  };
  const before = tf.memory().numTensors;
  const one = await run(false);
  const jobs = gemmThreadJobs();
  const two = await run(true);
  expect(gemmThreadJobs()).toBeGreaterThan(jobs);
  expect(tf.memory().numTensors).toBe(before);
  expect(two).toEqual(one);
}
