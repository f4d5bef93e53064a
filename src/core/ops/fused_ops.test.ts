// The fused kernels on the wasm backend against the composites of tfjs ops they replace.
// (The same cases run on WebGPU in fused_ops.webgpu.test.ts.)
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test_utils/tf_backends';
import { ADALN_MODULATE, ADALN_MODULATE_GRAD, adaLNModulate } from './adaln_modulate';
import { BIAS_GELU, BIAS_GELU_GRAD, biasGelu } from './bias_gelu';
import { useFusedFma } from './fused';
import { describeFusedAgreement } from './fused_agreement';
import { FUSED_CASES } from './fused_cases';
import { SOFTMAX_GRAD } from './softmax';
import { GATED_RESIDUAL, GATED_RESIDUAL_GRAD, gatedResidual } from './gated_residual';
import { MERGE_HEADS, SPLIT_HEADS } from './split_heads';
import { installWasmBatchMatMul } from './wasm_batch_matmul';

describe('fused ops [wasm]', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(installWasmBatchMatMul()).toBe(true); // the fused path runs with our GEMM only
  });
  describeFusedAgreement('adaLNModulate', FUSED_CASES.adaLN, [ADALN_MODULATE, ADALN_MODULATE_GRAD]);
  describeFusedAgreement('gatedResidual', FUSED_CASES.gated, [GATED_RESIDUAL, GATED_RESIDUAL_GRAD]);
  describeFusedAgreement('biasGelu', FUSED_CASES.gelu, [BIAS_GELU, BIAS_GELU_GRAD]);
  describeFusedAgreement('softmax', FUSED_CASES.softmax, [SOFTMAX_GRAD]);
  describe('plain SIMD build (no relaxed-SIMD FMA)', () => {
    beforeAll(() => useFusedFma(false));
    afterAll(() => useFusedFma(true));
    describeFusedAgreement('biasGelu', FUSED_CASES.gelu, [BIAS_GELU, BIAS_GELU_GRAD]);
    describeFusedAgreement('softmax', FUSED_CASES.softmax, [SOFTMAX_GRAD]);
  });
  describeFusedAgreement('splitHeads', FUSED_CASES.heads, [SPLIT_HEADS, MERGE_HEADS], 0, 0);

  it('reject inputs that do not fit together, naming the argument', () => {
    const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const mod = tf.zeros([2, 8]) as tf.Tensor2D;
    expect(() => adaLNModulate(x, mod, 1)).toThrow(/chunk 1 with D = 4 needs 12 columns of mod/);
    expect(() => gatedResidual(x, tf.zeros([2, 3, 5]) as tf.Tensor3D, mod, 0)).toThrow(/x \[2,3,4\] and h \[2,3,5\]/);
    expect(() => biasGelu(tf.zeros([3, 4]) as tf.Tensor2D, tf.zeros([5]) as tf.Tensor1D)).toThrow(/biasGelu: h must be \[R, F\] and b \[F\]/);
    tf.disposeVariables();
    tf.dispose([x, mod]);
  });
});
