// The whole training step with fused kernels (forward, backward, optimizer) against the same step built from
// tfjs ops, on wasm with our GEMM: same losses and gradient norms, far fewer kernels, no tensor growth.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, useBackend } from '../../test_utils/tf_backends';
import { tinyShapesConfig, trainSteps } from '../../test_utils/train_steps';
import { setFusedOps } from './fused';
import { installWasmBatchMatMul } from './wasm_batch_matmul';

const config = tinyShapesConfig({ kvHeads: '2' });

async function run(fused: boolean, steps: number): Promise<{ metrics: number[]; kernels: number; tensors: number[] }> {
  setFusedOps(fused);
  try {
    const r = await trainSteps(config, steps, 3);
    return { metrics: r.metrics, kernels: r.lastStepKernels.length, tensors: r.tensors };
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
