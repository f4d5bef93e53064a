// The fused optimizer step on the tfjs WebGPU backend in Node (Dawn on SwiftShader) against the composite
// of tfjs ops. Run: npx vitest run -c vitest.webgpu.config.ts
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test_utils/tf_backends';
import { useNodeWebGPU } from '../../test_utils/webgpu_node';
import { runSteps } from './adamw_agreement';

const wanted = process.env.FLOW_WEBGPU_TESTS === '1';
const unavailable = wanted ? await useNodeWebGPU() : 'FLOW_WEBGPU_TESTS is not set';

describe.skipIf(!wanted)('adamwStep [webgpu]', () => {
  it('has a WebGPU backend', () => {
    expect(unavailable).toBeNull();
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('fused (three dispatches for all parameters) equals the composite: norms, weights, moments, EMA', async () => {
    const before = tf.memory().numTensors;
    const ref = await runSteps(false);
    const got = await runSteps(true);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(got.norms, ref.norms, 1e-5, 1e-5);
    expect(ref.norms[0]).toBeGreaterThan(1);
    for (const k of ['params', 'm', 'v', 'ema'] as const) ref[k].forEach((r, i) => expectClose(got[k][i], r, 1e-6, 1e-5));
  });

  it('counts three compute dispatches for the whole step', async () => {
    const proto = (globalThis as unknown as { GPUComputePassEncoder: { prototype: { dispatchWorkgroups: (...a: number[]) => void } } }).GPUComputePassEncoder.prototype;
    const orig = proto.dispatchWorkgroups;
    let n = 0;
    proto.dispatchWorkgroups = function (this: unknown, ...a: number[]) {
      n++;
      return orig.apply(this, a);
    };
    try {
      await runSteps(true, [[64, 64], [64], [3, 3]], 2); // step 1 copies the shared EMA (one dispatch per tensor)
      const first = n;
      await runSteps(true, [[64, 64], [64], [3, 3]], 3);
      expect(n - first - first).toBe(3); // the extra step costs exactly three dispatches
    } finally {
      proto.dispatchWorkgroups = orig;
    }
  });
});
