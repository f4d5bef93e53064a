import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../core/config';
import { createDataset } from '../core/data/registry';
import { getPath } from '../core/flow';
import { Trainer } from '../core/train/trainer';
import { expectClose, useBackend } from '../test_utils/tf_backends';
import { scheduleTables, velocityField } from './inspect';

describe('velocityField', () => {
  for (const path of ['rf', 'cosine']) {
    it(`matches one Euler step of the sampler at t = 1 (${path})`, async () => {
      await useBackend('cpu');
      const c = makeConfig({ dataset: 'moons', dim: '16', depth: '1', batch: '16', lr: '0.05', warmup: '0', ema: '0', path });
      const trainer = new Trainer(c, createDataset('moons'));
      for (let i = 0; i < 3; i++) trainer.trainStep();
      await trainer.flush();
      const grid = 5;
      const extent = 2;
      const [v] = await velocityField(trainer, [1], grid, extent, 0, 1);
      // Euler from t = 1 to 0 in one step: x(0) = x(1) − v(x(1), 1), so v = x(1) − x(0).
      const pts = new Float32Array(grid * grid * 2);
      for (let j = 0; j < grid; j++)
        for (let i = 0; i < grid; i++) {
          pts[2 * (j * grid + i)] = -extent + ((i + 0.5) * 2 * extent) / grid;
          pts[2 * (j * grid + i) + 1] = -extent + ((j + 0.5) * 2 * extent) / grid;
        }
      const res = await trainer.sample({ noise: pts, labels: new Int32Array(grid * grid), sampler: 'euler', steps: 1, guidance: 1 });
      const expected = pts.map((p, k) => p - res.x[k]);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3); // the model is not trivially zero
      expectClose(v, expected, 1e-5, 1e-4);
      const before = tf.memory().numTensors;
      await velocityField(trainer, [1, 0.5, 0], grid, extent, 0, 1);
      expect(tf.memory().numTensors).toBe(before);
      trainer.dispose();
    });
  }
});

describe('scheduleTables', () => {
  it('matches the registered paths, including the endpoints', () => {
    const tab = scheduleTables(11);
    const cos = getPath('cosine');
    expect(tab.paths.cosine.alpha[3]).toBeCloseTo(cos.alpha(0.3), 6);
    expect(tab.paths.rf.logSnr[0]).toBe(Infinity);
    expect(tab.paths.rf.logSnr[10]).toBe(-Infinity);
    expect(tab.paths.edm.sigma[10]).toBe(Infinity);
  });
});
