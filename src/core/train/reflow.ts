// Reflow (Liu, Gong & Liu 2022, "Flow Straight and Fast"): sample (noise, data) couplings from a trained
// flow, then train a 2-rectified flow on those fixed pairs, starting from the 1-rectified weights. The
// new flow's paths are straighter, so few-step (even one-step) sampling works better.

import * as tf from '@tensorflow/tfjs';
import type { Batch, Dataset } from '../data/types';
import { straightness } from '../flow';
import { Rng } from '../rng';
import type { Trainer, TrainerState } from './trainer';

export interface ReflowPairs {
  x0: Float32Array; // generated samples, n · prod(shape)
  eps: Float32Array; // the noise each one came from
  y: Int32Array;
  n: number;
}

/** n couplings from the trainer's EMA model with a deterministic solver. Labels cycle through the classes. */
export async function makeReflowPairs(trainer: Trainer, n: number, opts: { seed: number; sampler?: 'euler' | 'heun' | 'midpoint' | 'rk4' | 'dpmpp-2m'; steps?: number; guidance?: number; chunk?: number }): Promise<ReflowPairs> {
  const per = trainer.net.sampleShape.reduce((a, b) => a * b, 1);
  const eps = new Rng(opts.seed).normals(n * per);
  const y = Int32Array.from({ length: n }, (_, i) => i % trainer.net.numClasses);
  const x0 = new Float32Array(n * per);
  const chunk = opts.chunk ?? 256;
  for (let at = 0; at < n; at += chunk) {
    const m = Math.min(chunk, n - at);
    const res = await trainer.sample({ noise: eps.subarray(at * per, (at + m) * per), labels: y.subarray(at, at + m), sampler: opts.sampler, steps: opts.steps, guidance: opts.guidance ?? 1 });
    x0.set(res.x, at * per);
  }
  return { x0, eps, y, n };
}

/** A dataset over fixed couplings: each draw returns samples with their own noise. Held-out data stays the base's. */
export function pairedDataset(base: Dataset, pairs: ReflowPairs): Dataset {
  const per = base.shape.reduce((a, b) => a * b, 1);
  return {
    ...base,
    size: pairs.n,
    sample(rng: Rng, n: number): Batch {
      const x = new Float32Array(n * per);
      const eps = new Float32Array(n * per);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const j = rng.int(pairs.n);
        x.set(pairs.x0.subarray(j * per, (j + 1) * per), i * per);
        eps.set(pairs.eps.subarray(j * per, (j + 1) * per), i * per);
        y[i] = pairs.y[j];
      }
      return { x, y, eps };
    },
    heldOut: (n: number) => base.heldOut(n),
  };
}

/** Starts the 2-rectified flow from the 1-rectified weights (EMA), with fresh optimizer moments and step 0. */
export function reflowStart(state: TrainerState): TrainerState {
  const zeros = (r: Record<string, Float32Array>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, new Float32Array(v.length)]));
  return { step: 0, rng: state.rng, params: { ...state.ema }, ema: { ...state.ema }, adamM: zeros(state.adamM), adamV: zeros(state.adamV) };
}

/** Straightness S = E ∫ ‖v(x_t, t) − (ε − x0)‖² dt of a trainer's EMA model on given couplings (no guidance). */
export function couplingStraightness(trainer: Trainer, pairs: ReflowPairs, nT = 16, limit = 512): number {
  const n = Math.min(limit, pairs.n);
  const per = trainer.net.sampleShape.reduce((a, b) => a * b, 1);
  const shape = [n, ...trainer.net.sampleShape];
  return tf.tidy(() =>
    straightness(trainer.modelFn(trainer.ema), tf.tensor(pairs.eps.subarray(0, n * per), shape), tf.tensor(pairs.x0.subarray(0, n * per), shape), tf.tensor1d(pairs.y.subarray(0, n), 'int32'), nT, { path: trainer.flow.path, prediction: trainer.config.prediction }),
  );
}
