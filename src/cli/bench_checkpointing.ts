// Peak activation memory and time of one whole training step with gradient checkpointing off and on
// (part of `npm run bench -- attention`). Activations = the step's peak tfjs bytes minus the bytes
// resident before it (weights, EMA, optimizer moments). tfjs counts reshaped views again, so absolute
// figures run high; the ratio between the two rows is the figure to read.

import * as tf from '@tensorflow/tfjs';
import { presetConfig } from '../core/presets';
import { Trainer } from '../core/train/trainer';
import { loadDataset } from './node_env';

export interface CheckpointingRow {
  suite: 'checkpointing';
  backend: string;
  preset: string;
  depth: number;
  batch: number;
  attention: string;
  checkpointing: boolean;
  residentBytes: number;
  stepPeakBytes: number;
  activationBytes: number;
  ms: number;
  /** activationBytes / the same row without checkpointing. */
  activationRatio?: number;
}

export async function benchCheckpointing(opts: { preset?: string; depth?: number; attention?: string } = {}): Promise<CheckpointingRow[]> {
  const preset = opts.preset ?? 'mnist-tiny';
  const depth = opts.depth ?? 8;
  const rows: CheckpointingRow[] = [];
  for (const checkpointing of [false, true]) {
    const c = presetConfig(preset, { depth: String(depth), checkpointing: String(checkpointing), attention: opts.attention ?? 'naive' });
    const trainer = new Trainer(c, loadDataset(c.dataset));
    trainer.trainStep(); // warm-up
    await trainer.flush();
    const resident = tf.memory().numBytes;
    const t0 = performance.now();
    const prof = await tf.profile(() => trainer.trainStep());
    await trainer.flush();
    const ms = performance.now() - t0;
    rows.push({ suite: 'checkpointing', backend: tf.getBackend(), preset, depth, batch: c.batch, attention: c.attention, checkpointing, residentBytes: resident, stepPeakBytes: prof.peakBytes, activationBytes: prof.peakBytes - resident, ms });
    trainer.dispose();
  }
  rows[1].activationRatio = rows[1].activationBytes / rows[0].activationBytes;
  rows[0].activationRatio = 1;
  return rows;
}
