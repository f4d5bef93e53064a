// Clones on wasm share their data (as on cpu, webgl and webgpu): no copy, same values, and a training step
// gives exactly the losses of tfjs's copying Identity.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test_utils/tf_backends';
import { tinyShapesConfig, trainSteps } from '../../test_utils/train_steps';
import { heapOffset, installWasmBatchMatMul, type WasmBackendLike } from './wasm_batch_matmul';
import { installSharedIdentity, sharedIdentityInstalled, useSharedIdentity } from './wasm_identity';

const config = tinyShapesConfig();

async function losses(shared: boolean, steps: number): Promise<{ values: number[]; identities: number }> {
  useSharedIdentity(shared);
  try {
    const run = await trainSteps(config, steps);
    return { values: run.metrics, identities: run.lastStepKernels.filter((k) => k === 'Identity').length };
  } finally {
    useSharedIdentity(true);
  }
}

describe('Identity on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true);
    expect(installSharedIdentity()).toBe(true);
    expect(sharedIdentityInstalled()).toBe(true);
  });

  it('a clone shares its source’s memory and outlives it', () => {
    const before = tf.memory().numTensors;
    const be = tf.backend() as unknown as WasmBackendLike;
    const x = tf.tensor1d([1, 2, 3, 4]);
    const c = x.clone();
    expect(heapOffset(be, c)).toBe(heapOffset(be, x)); // no copy
    expect(tf.engine().backend.refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4]);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with copying clones off, a clone has its own memory (the switch the next test relies on)', () => {
    useSharedIdentity(false);
    try {
      const be = tf.backend() as unknown as WasmBackendLike;
      const x = tf.tensor1d([1, 2, 3, 4]);
      const c = x.clone();
      expect(heapOffset(be, c)).not.toBe(heapOffset(be, x));
      tf.dispose([x, c]);
    } finally {
      useSharedIdentity(true);
    }
  });

  it('training: the same losses and gradient norms, bit for bit, as with copying clones', async () => {
    const before = tf.memory().numTensors;
    const copying = await losses(false, 5);
    const shared = await losses(true, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(shared.values).toEqual(copying.values);
    expect(shared.identities).toBeGreaterThan(10); // the step does clone (saved tensors), so sharing mattered
  });
});
