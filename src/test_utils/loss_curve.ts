// A short training run's losses for a tiny MNIST DiT at patch 2 (196 tokens, so the chunked and flash
// variants really split into blocks), used to compare attention variants on every backend. The run
// starts from weights whose zero-initialised parts (adaLN gates, final layer) are randomised: with
// adaLN-Zero the attention branch is gated off at first, and a wrong attention would barely move the loss.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeConfig } from '../core/config';
import { createDataset } from '../core/data/registry';
import { Rng } from '../core/rng';
import { Trainer } from '../core/train/trainer';

const MNIST = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../public/data/mnist.bin');

export async function attentionLossCurve(attention: string, steps: number): Promise<number[]> {
  const c = makeConfig({ dataset: 'mnist', patch: '2', dim: '16', depth: '1', heads: '2', kvHeads: '1', batch: '2', lr: '0.003', warmup: '0', attention });
  const data = createDataset('mnist', { mnist: new Uint8Array(fs.readFileSync(MNIST)) });
  const init = new Trainer(c, data);
  const state = await init.snapshot();
  init.dispose();
  const rng = new Rng(77);
  for (const spec of init.net.specs) {
    if (spec.init.kind !== 'zeros') continue;
    const w = rng.normals(state.params[spec.name].length).map((v) => 0.3 * v);
    state.params[spec.name] = w;
    state.ema[spec.name] = w;
  }
  const t = new Trainer(c, data, state);
  for (let i = 0; i < steps; i++) t.trainStep();
  const losses = (await t.flush()).map((m) => m.loss);
  t.dispose();
  return losses;
}
