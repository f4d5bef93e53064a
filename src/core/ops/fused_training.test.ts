// The whole training step with fused kernels (forward, backward, optimizer) against the same step built from
// tfjs ops, on wasm with our GEMM: same losses and gradient norms, far fewer kernels, no tensor growth.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, useBackend } from '../../test_utils/tf_backends';
import { makeConfig } from '../config';
import { createDataset } from '../data/registry';
import { Trainer } from '../train/trainer';
import { setFusedOps } from './fused';
import { installWasmBatchMatMul } from './wasm_batch_matmul';

const config = makeConfig({ dataset: 'shapes16', patch: '4', dim: '32', depth: '2', heads: '4', kvHeads: '2', batch: '8', warmup: '2', lr: '0.003' });

async function run(fused: boolean, steps: number): Promise<{ metrics: number[]; kernels: number; tensors: number[] }> {
  setFusedOps(fused);
  try {
    const t = new Trainer(config, createDataset('shapes16'));
    const tensors: number[] = [];
    const metrics: number[] = [];
    const flush = async () => metrics.push(...(await t.flush()).flatMap((m) => [m.loss, m.gradNorm]));
    for (let i = 0; i < steps - 1; i++) {
      t.trainStep();
      if (i % 3 === 2) {
        await flush();
        tensors.push(tf.memory().numTensors);
      }
    }
    const prof = await tf.profile(() => t.trainStep());
    await flush();
    t.dispose();
    return { metrics, kernels: prof.kernels.length, tensors };
  } finally {
    setFusedOps(true);
  }
}

describe('fused training step [wasm]', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true);
  });

  it('gives the losses and gradient norms of the unfused step, with under half the kernels and no growth', async () => {
    const before = tf.memory().numTensors;
    const ref = await run(false, 10);
    const got = await run(true, 10);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(got.metrics, ref.metrics, 1e-5, 1e-4);
    expect(got.kernels).toBeLessThan(ref.kernels / 2);
    expect(new Set(got.tensors).size).toBe(1); // numTensors flat from step 3 on
  });
});
