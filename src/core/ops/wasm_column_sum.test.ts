// The column sum (Sum over every axis but the last) on wasm against the cpu backend, and the reductions it
// leaves to tfjs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, useBackend } from '../../test_utils/tf_backends';
import { Rng } from '../rng';
import { installWasmBatchMatMul } from './wasm_batch_matmul';
import { columnSumCalls, installColumnSum, leadingAxes } from './wasm_column_sum';

const rand = (shape: number[], seed: number) => Array.from(new Rng(seed).normals(shape.reduce((x, y) => x * y, 1)));

// [shape, axis, keepDims]: the first four are column sums, the rest go to tfjs's kernel.
const CASES: [number[], number | number[], boolean][] = [
  [[300, 7], 0, false],
  [[2, 150, 33], [0, 1], false],
  [[4, 5, 6, 9], [2, 0, 1], true],
  [[1, 3, 5], [-3, -2], false],
  [[30, 7], 1, false],
  [[4, 5, 6], [0, 2], false],
  [[4, 5, 6], [0, 1, 2], false],
];

describe('column sum on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true);
    expect(installColumnSum()).toBe(true);
  });

  it('knows which reductions are over the leading axes', () => {
    expect(CASES.map(([s, a]) => leadingAxes(a, s.length))).toEqual([true, true, true, true, false, false, false]);
  });

  it('matches the cpu backend for every case, with the same shapes, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    for (const [i, [shape, axis, keepDims]] of CASES.entries()) {
      const sum = async (backend: string) => {
        await useBackend(backend);
        return tf.tidy(() => {
          const y = tf.sum(tf.tensor(rand(shape, i), shape), axis, keepDims);
          return { shape: y.shape, values: Array.from(y.dataSync()) };
        });
      };
      const ref = await sum('cpu');
      const calls = columnSumCalls();
      const got = await sum('wasm');
      expect(columnSumCalls() - calls, `case ${i}`).toBe(leadingAxes(axis, shape.length) ? 1 : 0);
      expect(got.shape).toEqual(ref.shape);
      expectClose(got.values, ref.values, 1e-4, 1e-5);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a bias gradient through it equals the cpu one', async () => {
    const grad = async (backend: string) => {
      await useBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor(rand([64, 12], 1), [64, 12]);
        const b = tf.tensor(rand([12], 2), [12]);
        const w = tf.tensor(rand([64, 12], 3), [64, 12]);
        return Array.from(tf.grad((bb: tf.Tensor) => tf.add(x, bb).mul(w).sum())(b).dataSync());
      });
    };
    expectClose(await grad('wasm'), await grad('cpu'), 1e-4, 1e-5);
  });
});
