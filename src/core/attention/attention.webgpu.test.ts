// The attention checks on the tfjs WebGPU backend in Node (Dawn on SwiftShader).
// Run: npx vitest run --config vitest.webgpu.config.ts
// Under the plain vitest config (no FLOW_WEBGPU_TESTS) the suite is skipped; under the WebGPU
// config a missing adapter is a failure, not a skip.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useNodeWebGPU } from '../../test_utils/webgpu_node';
import { ATTENTION_KINDS, attention, resolveAttention, validateAttentionConfig } from './index';
import { FLASH_FORWARD, FLASH_GRAD_KV, FLASH_GRAD_Q } from './flash_webgpu';
import { describeAgreement, largestTensorInStep } from './agreement_suite';
import { caseInputs, caseName, compareWithNaive, compareWithRepeatedKV, leakedTensors, runAttentionSelfCheck, runWithGrads, SELF_CHECK_TOL, type AgreementCase } from './self_check';

const wanted = process.env.FLOW_WEBGPU_TESTS === '1';
const unavailable = wanted ? await useNodeWebGPU() : 'FLOW_WEBGPU_TESTS is not set';
const TOL = SELF_CHECK_TOL;

describe.skipIf(!wanted)('attention [webgpu]', () => {
  it('has a WebGPU backend', () => {
    expect(unavailable).toBeNull();
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('flash runs the fused kernels (forward, dQ, dK/dV), no fallback', async () => {
    expect(resolveAttention('flash', 'webgpu')).toEqual({ kind: 'flash', exact: true });
    expect(validateAttentionConfig({ attention: 'flash', heads: 4, kvHeads: 2 }, 'webgpu')).toBeNull();
    const x = caseInputs({ B: 1, H: 2, Hkv: 1, N: 12, d: 8 });
    const info = await tf.profile(async () => {
      const r = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'flash' }), x);
      expect(r.out.length).toBe(2 * 12 * 8);
    });
    const names = new Set(info.kernels.map((k) => k.name));
    for (const n of [FLASH_FORWARD, FLASH_GRAD_Q, FLASH_GRAD_KV]) expect(names.has(n), n).toBe(true);
    expect(names.has('BatchMatMul')).toBe(false); // no score matrix from ordinary ops
    tf.dispose(Object.values(x));
  });

  // Lengths below, at and not a multiple of the tile; tiles 1 to 32; MHA, GQA, MQA.
  const cases: AgreementCase[] = [
    { B: 1, H: 1, Hkv: 1, N: 1, d: 4 },
    { B: 1, H: 2, Hkv: 2, N: 16, d: 8, blockSize: 8 },
    { B: 2, H: 2, Hkv: 1, N: 13, d: 4, blockSize: 1 },
    { B: 2, H: 4, Hkv: 2, N: 19, d: 8, blockSize: 8 },
    { B: 1, H: 4, Hkv: 1, N: 33, d: 16, blockSize: 16 },
    { B: 3, H: 3, Hkv: 3, N: 37, d: 12, blockSize: 5 },
    { B: 1, H: 2, Hkv: 1, N: 70, d: 32 },
    { B: 1, H: 1, Hkv: 1, N: 40, d: 64, blockSize: 32 },
  ];
  describeAgreement('flash', cases, TOL);
  describeAgreement('chunked', [cases[1], cases[3], cases[6]], TOL); // tfjs ops: many small dispatches, slow on SwiftShader

  it('flash grouped-query equals naive on explicitly repeated K/V', async () => {
    for (const c of [cases[2], cases[3], cases[4]]) {
      const e = await compareWithRepeatedKV('flash', c);
      expect(Math.max(e.out, e.dq, e.dk, e.dv), caseName(c)).toBeLessThan(TOL);
    }
  });

  it('pipelines are keyed by head size and tile: alternating them stays correct', async () => {
    // Head size and tile are WGSL literals; a shaderKey without them would reuse a wrong pipeline.
    const seq: AgreementCase[] = [
      { B: 1, H: 1, Hkv: 1, N: 9, d: 4, blockSize: 4 },
      { B: 1, H: 1, Hkv: 1, N: 9, d: 8, blockSize: 4 },
      { B: 1, H: 1, Hkv: 1, N: 9, d: 8, blockSize: 2 },
      { B: 1, H: 1, Hkv: 1, N: 9, d: 4, blockSize: 4 },
      { B: 1, H: 1, Hkv: 1, N: 9, d: 4, blockSize: 2 },
    ];
    for (const c of seq) {
      const e = await compareWithNaive('flash', c);
      expect(Math.max(e.out, e.dq, e.dk, e.dv), caseName(c)).toBeLessThan(TOL);
    }
  });

  it('flash never builds an N×N tensor, in forward or backward', async () => {
    const c = { B: 1, H: 2, Hkv: 2, N: 48, d: 8 };
    const x = caseInputs(c, 7);
    expect(await largestTensorInStep('flash', x)).toBeLessThan((c.B * c.H * c.N * c.N) / 2);
    tf.dispose(Object.values(x));
  });

  it('no kind leaks tensors', async () => {
    for (const kind of ATTENTION_KINDS) expect(await leakedTensors(kind, cases[3]), kind).toBe(0);
  });

  it('runAttentionSelfCheck passes', async () => {
    const rows = await runAttentionSelfCheck({ cases: [cases[3], cases[4], cases[6]] });
    expect(rows.some((r) => r.name.includes('flash vs naive'))).toBe(true);
    expect(rows.filter((r) => !r.ok)).toEqual([]);
  });
});
