// Test support: the fused optimizer step (clipping, AdamW, EMA) against the tfjs composite, on whatever
// backend is active. Shared by adamw.test.ts (wasm) and adamw.webgpu.test.ts.
import * as tf from '@tensorflow/tfjs';
import { setFusedOps } from '../ops/fused';
import { Rng } from '../rng';
import { ADAMW_DEFAULTS, adamwStep, type AdamWSlot } from './adamw';

export interface StepTrace {
  norms: number[];
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
  ema: Float32Array[];
}

/** Three steps over tensors of awkward sizes, clipping active on the first step, EMA started as a clone. */
export async function runSteps(fused: boolean, sizes: number[][] = [[3, 5], [7], [2, 2, 4], [1]], steps = 3): Promise<StepTrace> {
  setFusedOps(fused);
  try {
    const rng = new Rng(5);
    // (variables outlive tidy; the tensors they were made from do not)
    const slots: AdamWSlot[] = tf.tidy(() =>
      sizes.map((s) => {
        const n = s.reduce((a, b) => a * b, 1);
        return { param: tf.variable(tf.tensor(rng.normals(n), s)), m: tf.variable(tf.zeros(s), false), v: tf.variable(tf.zeros(s), false) };
      }),
    );
    const ema = tf.tidy(() => slots.map((s) => tf.variable(s.param.clone(), false)));
    const norms: number[] = [];
    for (let k = 0; k < steps; k++) {
      const grads = sizes.map((s) => tf.tensor(rng.normals(s.reduce((a, b) => a * b, 1)).map((x) => x * (k === 0 ? 10 : 0.1)), s));
      const norm = adamwStep(slots, grads, { lr: 0.01, step: k, hyper: { ...ADAMW_DEFAULTS, weightDecay: 0.05 }, gradClip: 1, ema: { decay: 0.9, targets: ema } });
      norms.push((await norm.data())[0]);
      tf.dispose([norm, ...grads]);
    }
    const read = (vs: tf.Tensor[]) => Promise.all(vs.map(async (x) => (await x.data()) as Float32Array));
    const out = { norms, params: await read(slots.map((s) => s.param)), m: await read(slots.map((s) => s.m)), v: await read(slots.map((s) => s.v)), ema: await read(ema) };
    tf.dispose([...slots.flatMap((s) => [s.param, s.m, s.v]), ...ema]);
    return out;
  } finally {
    setFusedOps(true);
  }
}
