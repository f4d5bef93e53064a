// On WebGPU (Dawn + SwiftShader in Node) the fused flash kernels train like naive attention.
// Run: npx vitest run --config vitest.webgpu.config.ts
import { describe, expect, it } from 'vitest';
import { attentionLossCurve } from '../../test_utils/loss_curve';
import { useNodeWebGPU } from '../../test_utils/webgpu_node';

const wanted = process.env.FLOW_WEBGPU_TESTS === '1';

describe.skipIf(!wanted)('training with attention variants [webgpu]', () => {
  it("flash and chunked follow naive's loss curve over 6 steps", async () => {
    expect(await useNodeWebGPU()).toBeNull();
    const naive = await attentionLossCurve('naive', 6);
    for (const kind of ['flash', 'chunked']) {
      const other = await attentionLossCurve(kind, 6);
      other.forEach((l, i) => expect(Math.abs(l - naive[i])).toBeLessThanOrEqual(1e-4 * naive[i]));
    }
  });
});
