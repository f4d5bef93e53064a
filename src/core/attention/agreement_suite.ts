// Vitest pieces shared by the Node test files (attention.test.ts on cpu and wasm,
// attention.webgpu.test.ts on Dawn): the same checks, whatever backend is active.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { attention, type AttentionKind } from './index';
import { caseName, compareWithNaive, runWithGrads, type AgreementCase, type CaseInputs } from './self_check';

/** One test per case: `kind` against naive, outputs and dQ, dK, dV within `tol`. */
export function describeAgreement(kind: AttentionKind, cases: readonly AgreementCase[], tol: number): void {
  describe(`${kind} agrees with naive (outputs and dQ, dK, dV within ${tol})`, () => {
    for (const c of cases) {
      it(caseName(c), async () => {
        const e = await compareWithNaive(kind, c);
        expect(e.out).toBeLessThan(tol);
        expect(e.dq).toBeLessThan(tol);
        expect(e.dk).toBeLessThan(tol);
        expect(e.dv).toBeLessThan(tol);
      });
    }
  });
}

/** Element count of the largest tensor any kernel produced during a forward + backward pass. */
export async function largestTensorInStep(kind: AttentionKind, x: CaseInputs, blockSize?: number): Promise<number> {
  const info = await tf.profile(async () => {
    await runWithGrads((q, k, v) => attention(q, k, v, { kind, blockSize }), x);
  });
  return Math.max(...info.kernels.flatMap((k) => k.outputShapes.map((s) => (s ?? []).reduce((a, b) => a * b, 1))));
}
