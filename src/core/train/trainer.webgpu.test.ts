// The training step on the tfjs WebGPU backend in Node (Dawn on SwiftShader) against cpu.
// Run: npx vitest run --config vitest.webgpu.config.ts
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gpuBytesAllocated } from '../backends';
import { useNodeWebGPU } from '../../test_utils/webgpu_node';
import { useBackend } from '../../test_utils/tf_backends';
import { makeConfig } from '../config';
import { createDataset } from '../data/registry';
import { sumPairwise, Trainer } from './trainer';

const wanted = process.env.FLOW_WEBGPU_TESTS === '1';

async function losses(backend: string): Promise<number[]> {
  if (backend === 'webgpu') expect(await useNodeWebGPU()).toBeNull();
  else await useBackend(backend);
  const c = makeConfig({ dataset: 'shapes16', patch: '4', dim: '16', depth: '2', heads: '2', batch: '4', lr: '0.01', warmup: '0' });
  const t = new Trainer(c, createDataset('shapes16'));
  for (let i = 0; i < 4; i++) t.trainStep();
  const out = (await t.flush()).flatMap((m) => [m.loss, m.gradNorm]);
  t.dispose();
  return out;
}

describe.skipIf(!wanted)('training step [webgpu]', () => {
  it('sums more tensors than WebGPU binds at once (tf.addN would exceed the 8 storage buffers of a stage)', async () => {
    expect(await useNodeWebGPU()).toBeNull();
    const xs = Array.from({ length: 22 }, (_, i) => tf.scalar(i + 1));
    const s = sumPairwise(xs);
    expect((await s.data())[0]).toBe((22 * 23) / 2);
    tf.dispose([...xs, s]);
  });

  it('gives the same losses and gradient norms as cpu (within float32 noise)', async () => {
    const gpu = await losses('webgpu');
    const cpu = await losses('cpu');
    expect(gpu.filter((_, i) => i % 2 === 1).every((g) => g > 0)).toBe(true); // gradient norms are real
    gpu.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(cpu[i]))));
  });

  it('holds the same GPU buffers and tensors from step 10 to step 30 (fixed shapes: buffers are reused)', async () => {
    expect(await useNodeWebGPU()).toBeNull();
    const c = makeConfig({ dataset: 'shapes16', patch: '4', dim: '16', depth: '1', heads: '2', batch: '4', warmup: '0' });
    const t = new Trainer(c, createDataset('shapes16'));
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) t.trainStep();
      await t.flush();
    };
    // Groups of k = 5 steps, each ended by the one metrics readback, as the app trains. The buffer pool fills
    // during the first groups (readback staging buffers sized by k), then holds: no growth after that.
    const bytes: number[] = [];
    const tensors: number[] = [];
    for (let g = 0; g < 6; g++) {
      await run(5);
      bytes.push(gpuBytesAllocated()!);
      tensors.push(tf.memory().numTensors);
    }
    expect(bytes[0]).toBeGreaterThan(0);
    expect(bytes.slice(2)).toEqual(Array(4).fill(bytes[1]));
    expect(tensors.slice(1)).toEqual(Array(5).fill(tensors[0]));
    t.dispose();
  });
});
