// Test support: a few training steps of a small model, for tests that compare two runs of the same seed
// (fused against unfused kernels, shared against copying clones, one GEMM thread against two).
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type Config } from '../core/config';
import { createDataset } from '../core/data/registry';
import { Trainer } from '../core/train/trainer';

/** A DiT small enough for a unit test: 16×16 RGB shapes, patch 4 (16 tokens), width 32, 2 blocks. */
export const TINY_SHAPES = { dataset: 'shapes16', patch: '4', dim: '32', depth: '2', heads: '4', batch: '8', warmup: '2', lr: '0.003' } as const;

export function tinyShapesConfig(extra: Record<string, string> = {}): Config {
  return makeConfig({ ...TINY_SHAPES, ...extra });
}

export interface TrainedSteps {
  /** Loss and gradient norm of every step, in order. */
  metrics: number[];
  /** Names of the kernels the last step ran (tf.profile). */
  lastStepKernels: string[];
  /** numTensors after each intermediate flush (every `flushEvery` steps). */
  tensors: number[];
}

/**
 * Trains `steps` steps of `config` from its seed, flushing the metrics every `flushEvery` steps (and at the
 * end), profiles the last step, and disposes the trainer.
 */
export async function trainSteps(config: Config, steps: number, flushEvery = Infinity): Promise<TrainedSteps> {
  const t = new Trainer(config, createDataset(config.dataset));
  const metrics: number[] = [];
  const tensors: number[] = [];
  const flush = async () => metrics.push(...(await t.flush()).flatMap((m) => [m.loss, m.gradNorm]));
  try {
    for (let s = 1; s < steps; s++) {
      t.trainStep();
      if (s % flushEvery === 0) {
        await flush();
        tensors.push(tf.memory().numTensors);
      }
    }
    const prof = await tf.profile(() => t.trainStep());
    await flush();
    return { metrics, lastStepKernels: prof.kernels.map((k) => k.name), tensors };
  } finally {
    t.dispose();
  }
}
