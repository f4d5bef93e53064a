// Test support: a fused op against its composite of tfjs ops, on values and on the gradients of a random
// projection of the outputs (so every output element carries weight in the gradient). Used by the wasm
// tests (*.test.ts) and the WebGPU tests (*.webgpu.test.ts) alike.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test_utils/tf_backends';
import { Rng } from '../rng';
import { fusedOpsEnabled, setFusedOps } from './fused';

export interface FusedCase {
  name: string;
  shapes: number[][];
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

export interface Evaluated {
  outputs: Float32Array[];
  grads: Float32Array[];
  kernels: string[]; // kernel names that ran (tf.profile)
}

/** Values and input gradients of Σ_i ⟨w_i, f(x)_i⟩ with seeded inputs x and weights w, fused or not. */
export async function evaluate(c: FusedCase, fused: boolean, seed = 1): Promise<Evaluated> {
  const prev = fusedOpsEnabled();
  setFusedOps(fused);
  try {
    const rng = new Rng(seed);
    const xs = c.shapes.map((s) => tf.tensor(rng.normals(s.reduce((a, b) => a * b, 1)), s));
    let result: { outputs: tf.Tensor[]; grads: tf.Tensor[] } | null = null;
    const prof = await tf.profile(() => {
      result = tf.tidy(() => {
        const outs = [c.f(...xs)].flat();
        const ws = outs.map((o) => tf.tensor(rng.normals(o.size), o.shape));
        const loss = (...inp: tf.Tensor[]) => tf.addN([c.f(...inp)].flat().map((o, i) => tf.sum(tf.mul(o, ws[i])))) as tf.Scalar;
        return { outputs: outs, grads: tf.grads(loss)(xs) };
      });
      return [...result.outputs, ...result.grads];
    });
    const r = result!;
    const read = async (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
    const out = { outputs: await read(r.outputs), grads: await read(r.grads), kernels: prof.kernels.map((k) => k.name) };
    tf.dispose([...xs, ...r.outputs, ...r.grads]);
    return out;
  } finally {
    setFusedOps(prev);
  }
}

/**
 * One test per case on the active backend: the fused kernels `kernels` ran (and not in the composite run),
 * outputs and gradients agree within atol + rtol·|ref|, and nothing is left allocated.
 */
export function describeFusedAgreement(title: string, cases: readonly FusedCase[], kernels: readonly string[], atol = 1e-5, rtol = 1e-4): void {
  describe(title, () => {
    for (const c of cases) {
      it(`${c.name}: fused kernels match the composite (values and gradients)`, async () => {
        const before = tf.memory().numTensors;
        const ref = await evaluate(c, false);
        const got = await evaluate(c, true);
        for (const k of kernels) {
          expect(got.kernels, `${k} ran`).toContain(k);
          expect(ref.kernels, `${k} not in the composite`).not.toContain(k);
        }
        ref.outputs.forEach((r, i) => expectClose(got.outputs[i], r, atol, rtol));
        ref.grads.forEach((r, i) => expectClose(got.grads[i], r, atol, rtol));
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}
