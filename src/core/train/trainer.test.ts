import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends } from '../../test_utils/tf_backends';
import { decodeCheckpoint, encodeCheckpoint, encodeWeights } from '../checkpoint';
import { makeConfig, type Config } from '../config';
import { createDataset } from '../data/registry';
import type { Dataset } from '../data/types';
import { Rng } from '../rng';
import { Trainer } from './trainer';

// A tiny DiT on 16×16 RGB shapes: 16 tokens of width 32, two blocks.
const tinyDiT = (over: Record<string, string> = {}): Config =>
  makeConfig({ dataset: 'shapes16', patch: '4', dim: '32', depth: '2', heads: '2', batch: '8', warmup: '5', steps: '60', lr: '0.003', ...over });

/** The same n samples on every call: "a fixed small batch". */
function fixedBatch(ds: Dataset, n: number): Dataset {
  const b = ds.sample(new Rng(99), n);
  return { ...ds, size: n, sample: (_rng, m) => ({ x: b.x.slice(0, m * (b.x.length / n)), y: b.y.slice(0, m) }), heldOut: ds.heldOut.bind(ds) };
}

async function run(c: Config, steps: number, ds: Dataset = createDataset(c.dataset)): Promise<{ losses: number[]; trainer: Trainer }> {
  const trainer = new Trainer(c, ds);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    trainer.trainStep();
    if ((i + 1) % 10 === 0 || i === steps - 1) for (const m of await trainer.flush()) losses.push(m.loss);
  }
  return { losses, trainer };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describeBackends('Trainer', () => {
  it('the loss falls on a fixed small batch', async () => {
    const c = tinyDiT();
    const { losses, trainer } = await run(c, 60, fixedBatch(createDataset(c.dataset), 8));
    trainer.dispose();
    expect(losses).toHaveLength(60);
    expect(mean(losses.slice(-10))).toBeLessThan(0.7 * mean(losses.slice(0, 10)));
  });

  it('two runs with one seed give identical losses; another seed differs', async () => {
    const a = await run(tinyDiT(), 6);
    const b = await run(tinyDiT(), 6);
    const c = await run(tinyDiT({ seed: '1' }), 6);
    [a, b, c].forEach((r) => r.trainer.dispose());
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
  });

  it('numTensors is the same after step 10 and step 50', async () => {
    const c = tinyDiT({ batch: '4' });
    const trainer = new Trainer(c, createDataset(c.dataset));
    let at10 = -1;
    for (let i = 1; i <= 50; i++) {
      trainer.trainStep();
      if (i % 10 === 0) await trainer.flush();
      if (i === 10) at10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at10);
    const before = tf.memory().numTensors;
    await trainer.sample({ noise: new Rng(1).normals(2 * 16 * 16 * 3), labels: new Int32Array([0, 1]), steps: 3 });
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });

  it('a checkpoint resumes the run exactly (weights, EMA, optimizer moments, step, RNG)', async () => {
    const c = tinyDiT({ steps: '8' });
    const straight = await run(c, 8);
    const first = await run(c, 4);
    const bytes = encodeCheckpoint(c, await first.trainer.snapshot());
    first.trainer.dispose();
    const ck = decodeCheckpoint(bytes);
    expect(ck.config).toEqual(c);
    expect(ck.state.step).toBe(4);
    const resumed = new Trainer(ck.config, createDataset(c.dataset), ck.state);
    const rest: number[] = [];
    for (let i = 0; i < 4; i++) resumed.trainStep();
    for (const m of await resumed.flush()) rest.push(m.loss);
    expect([...first.losses, ...rest]).toEqual(straight.losses);
    const a = await straight.trainer.snapshot();
    const b = await resumed.snapshot();
    expect(b.ema['final_layer.linear.weight']).toEqual(a.ema['final_layer.linear.weight']);
    straight.trainer.dispose();
    resumed.dispose();
  });

  it('a weights export holds exactly the reference state_dict names', async () => {
    const c = tinyDiT();
    const t = new Trainer(c, createDataset(c.dataset));
    const w = encodeWeights(c, await t.snapshot());
    t.dispose();
    const { decodeSafetensors } = await import('../formats/safetensors');
    const names = Object.keys(decodeSafetensors(w).tensors).sort();
    expect(names).toContain('x_embedder.proj.weight');
    expect(names).toContain('blocks.1.adaLN_modulation.1.bias');
    expect(names.every((n) => !n.startsWith('ema.') && !n.startsWith('adam_'))).toBe(true);
    expect(decodeSafetensors(w).tensors['x_embedder.proj.weight'].shape).toEqual([32, 3, 4, 4]);
    expect(decodeSafetensors(w).tensors['blocks.0.mlp.fc1.weight'].shape).toEqual([128, 32]);
  });
});
