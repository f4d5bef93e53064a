// The fused WGSL kernels on the tfjs WebGPU backend in Node (Dawn on SwiftShader) against the composites
// of tfjs ops they replace, values and gradients. Run: npx vitest run -c vitest.webgpu.config.ts
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useNodeWebGPU } from '../../test_utils/webgpu_node';
import { ADALN_MODULATE, ADALN_MODULATE_GRAD } from './adaln_modulate';
import { BIAS_GELU, BIAS_GELU_GRAD } from './bias_gelu';
import { describeFusedAgreement } from './fused_agreement';
import { FUSED_CASES } from './fused_cases';
import { GATED_RESIDUAL, GATED_RESIDUAL_GRAD } from './gated_residual';
import { MERGE_HEADS, SPLIT_HEADS } from './split_heads';

const wanted = process.env.FLOW_WEBGPU_TESTS === '1';
const unavailable = wanted ? await useNodeWebGPU() : 'FLOW_WEBGPU_TESTS is not set';

describe.skipIf(!wanted)('fused ops [webgpu]', () => {
  it('has a WebGPU backend', () => {
    expect(unavailable).toBeNull();
    expect(tf.getBackend()).toBe('webgpu');
  });
  describeFusedAgreement('adaLNModulate', FUSED_CASES.adaLN, [ADALN_MODULATE, ADALN_MODULATE_GRAD]);
  describeFusedAgreement('gatedResidual', FUSED_CASES.gated, [GATED_RESIDUAL, GATED_RESIDUAL_GRAD]);
  describeFusedAgreement('biasGelu', FUSED_CASES.gelu, [BIAS_GELU, BIAS_GELU_GRAD]);
  describeFusedAgreement('splitHeads', FUSED_CASES.heads, [SPLIT_HEADS, MERGE_HEADS], 0, 0);
});
