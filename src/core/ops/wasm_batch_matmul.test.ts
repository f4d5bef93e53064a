import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, useBackend } from '../../test_utils/tf_backends';
import { Rng } from '../rng';
import { GEMM_KINDS, installWasmBatchMatMul, useGemmKinds, wasmGemmKind, wasmKernelCalls, type GemmKind } from './wasm_batch_matmul';

interface Case { a: number[]; b: number[]; ta: boolean; tb: boolean; grads: boolean }

// tfjs-core's BatchMatMul gradient does not reduce broadcast batch dimensions (on any backend), so the
// broadcast cases are checked on values only.
const CASES: Case[] = [
  { a: [3, 5, 7], b: [3, 7, 6], ta: false, tb: false, grads: true }, // batched, N not a multiple of 4
  { a: [2, 4, 9, 8], b: [2, 4, 11, 8], ta: false, tb: true, grads: true }, // attention's Q·Kᵀ, 4-D
  { a: [6, 13, 5], b: [6, 13, 9], ta: true, tb: false, grads: true }, // Aᵀ·B (backward), K and M odd
  { a: [40, 17], b: [33, 17], ta: false, tb: true, grads: true }, // 2-D with transposed B
  { a: [64, 3], b: [64, 10], ta: true, tb: false, grads: true }, // 2-D weight gradient
  { a: [2, 4, 3], b: [2, 5, 4], ta: true, tb: true, grads: true }, // both transposed: tfjs's own kernel
  { a: [13, 70], b: [70, 29], ta: false, tb: false, grads: true }, // plain 2-D (was XNNPACK's)
  { a: [300, 6], b: [300, 21], ta: true, tb: false, grads: true }, // K past one cache block (128)
  { a: [1, 5, 16], b: [4, 16, 5], ta: false, tb: false, grads: false }, // broadcast A over the batch
  { a: [4, 5, 16], b: [1, 16, 3], ta: false, tb: false, grads: false }, // broadcast B
  { a: [23, 150], b: [150, 37], ta: false, tb: false, grads: true }, // rows past the 6-row panels, K past a block
  { a: [30, 140], b: [140, 530], ta: false, tb: false, grads: true }, // B packed: two column blocks (NC = 512), 2 edge columns, K past a block
  { a: [150, 26], b: [150, 20], ta: true, tb: false, grads: true }, // B packed under a transposed A (the weight gradient)
];

const rand = (shape: number[], seed: number) => Array.from(new Rng(seed).normals(shape.reduce((x, y) => x * y, 1)));

async function on(backend: string, c: Case, i: number): Promise<{ y: number[]; da: number[]; db: number[] }> {
  await useBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(rand(c.a, i), c.a);
    const b = tf.tensor(rand(c.b, 100 + i), c.b);
    const y = tf.matMul(a, b, c.ta, c.tb);
    if (!c.grads) return { y: Array.from(y.dataSync()), da: [], db: [] };
    const w = tf.tensor(rand(y.shape, 200 + i), y.shape);
    const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.matMul(x, z, c.ta, c.tb).mul(w).sum())([a, b]);
    return { y: Array.from(y.dataSync()), da: Array.from(da.dataSync()), db: Array.from(db.dataSync()) };
  });
}

describe('wasm SIMD BatchMatMul', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true);
  });

  for (const kind of Object.keys(GEMM_KINDS) as GemmKind[]) {
    it(`${kind}: matches the cpu backend on values and gradients for batched, transposed and broadcast products`, async () => {
      useGemmKinds([kind]);
      try {
        const before = wasmKernelCalls();
        for (const [i, c] of CASES.entries()) {
          const ref = await on('cpu', c, i);
          const got = await on('wasm', c, i);
          expectClose(got.y, ref.y, 1e-4, 1e-5);
          expectClose(got.da, ref.da, 1e-4, 1e-5);
          expectClose(got.db, ref.db, 1e-4, 1e-5);
        }
        expect(wasmKernelCalls()).toBeGreaterThan(before + CASES.length); // the SIMD path actually ran
        expect(wasmGemmKind()).toBe(kind); // this kind, not a fallback (Node gets relaxed SIMD from test_utils)
      } finally {
        useGemmKinds(Object.keys(GEMM_KINDS) as GemmKind[]);
      }
    });
  }

  it('leaves no tensors behind and survives heap growth', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      tf.tidy(() => {
        const big = tf.ones([64, 256, 256]); // grows the heap between products
        const a = tf.ones([8, 9, 16]);
        const b = tf.ones([8, 16, 7]);
        const y = tf.matMul(a, b);
        expect(y.dataSync().every((v) => v === 16)).toBe(true);
        big.dispose();
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
